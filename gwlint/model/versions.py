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


# the releases gwlint knows each server by (its defaults, directives and options tables): a
# version outside is a typo or a server gwlint cannot describe
KNOWN = {
    "nginx": ((1, 0, 0), (1, 31, 999)),
    "gunicorn": ((19, 0, 0), (27, 0, 999)),
    "uwsgi": ((2, 0, 0), (2, 1, 999)),
}


def check_known(server: str, version: Version) -> None:
    """Raises ValueError when gwlint does not know ``server`` at ``version``."""
    low, high = KNOWN[server]
    if low <= version <= high:
        return
    newest = f"{high[0]}.{high[1]}"
    name = "uWSGI" if server == "uwsgi" else server
    if version > high:
        shown = format_version(version, short=True)
        raise ValueError(
            f"{shown} is newer than the {name} releases gwlint knows (up to {newest}.x); use "
            f"{newest}, or a newer gwlint"
        )
    article = "an" if server == "nginx" else "a"
    raise ValueError(
        f"{format_version(version, short=True)} is not {article} {name} release gwlint knows "
        f"(from {format_version(low, short=True)} to {newest}.x)"
    )
