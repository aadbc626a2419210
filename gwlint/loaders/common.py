"""What every loader shares: reading a file safely, and collecting input problems (GW00x)."""

from __future__ import annotations

import os
import stat

from gwlint.model.diagnostics import Finding, Location, Severity

MAX_FILE_BYTES = 8 * 1024 * 1024


class Problems:
    """Input problems found while loading, each with a file and a line."""

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(
        self,
        code: str,
        path: str,
        line: int,
        message: str,
        *,
        column: int | None = None,
        severity: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.items.append(
            Finding(
                code=code,
                location=Location(path=path, line=max(line, 1), column=column),
                message=message,
                severity=Severity(severity) if severity else None,
                fix=fix,
            )
        )


def read_bytes(path: str, code: str, problems: Problems, *, kind: str) -> bytes | None:
    """The file's bytes, or None after reporting why it cannot be used."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            problems.add(code, path, 1, f"{kind} config {path} is not a regular file")
            return None
        if info.st_size > MAX_FILE_BYTES:
            problems.add(
                code,
                path,
                1,
                f"{kind} config is {info.st_size} bytes, over the {MAX_FILE_BYTES // 2**20} MiB "
                "limit; not read",
            )
            return None
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.add(code, path, 1, f"cannot read {kind} config: {exc.strerror or exc}")
        return None
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        problems.add(code, path, line, f"{kind} config is a binary file (NUL byte); not read")
        return None
    return data


def read_text(path: str, code: str, problems: Problems, *, kind: str) -> str | None:
    data = read_bytes(path, code, problems, kind=kind)
    if data is None:
        return None
    return data.decode("utf-8", errors="replace")
