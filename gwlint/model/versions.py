"""Server versions as comparable tuples."""

from __future__ import annotations

import re

Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    """``1.30`` -> (1, 30, 0); ``nginx/1.22.1`` -> (1, 22, 1). Raises ValueError otherwise."""
    candidate = text.strip().split("/")[-1]
    found = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?", candidate)
    if not found:
        raise ValueError(f"not a version: {text!r} (expected X.Y or X.Y.Z)")
    return (int(found.group(1)), int(found.group(2)), int(found.group(3) or 0))


def format_version(version: Version, *, short: bool = False) -> str:
    if short and version[2] == 0:
        return f"{version[0]}.{version[1]}"
    return ".".join(str(part) for part in version)
