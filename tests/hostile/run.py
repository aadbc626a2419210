"""Running a hostile case in a child process, bounded: CPU seconds and address space are limited
with ``resource.setrlimit`` (a runaway case is killed, never the machine), and the child's
wall time and peak memory (``wait4``'s ``ru_maxrss``) are measured."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.hostile.cases import Case, arguments, workdir

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    code: int  # negative: killed by that signal
    out: bytes
    err: bytes
    seconds: float
    peak_mib: float


def run(
    item: Case,
    root: Path,
    *extra: str,
    cpu_seconds: int = 60,
    memory_mib: int = 3072,
) -> Outcome:
    """``python -m gwlint ARGS EXTRA`` for ``item`` built under ``root``."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        size = memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GWLINT_"))}
    env.update(item.env)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("NO_COLOR", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "gwlint", *arguments(item, root), *extra],
            cwd=workdir(item, root),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=limit,
        )
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(
            code=child.returncode,
            out=out.read(),
            err=err.read(),
            seconds=seconds,
            peak_mib=usage.ru_maxrss / 1024,
        )


def build(item: Case) -> tuple[tempfile.TemporaryDirectory[str], Path]:
    scratch = tempfile.TemporaryDirectory(prefix="gwlint-hostile-")
    root = Path(scratch.name)
    item.build(root)
    return scratch, root
