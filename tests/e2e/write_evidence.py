"""Rewrite docs/evidence.md from a full run of the end-to-end suite.

    python tests/e2e/write_evidence.py [PYTEST ARGS]

Runs ``pytest tests/e2e`` with ``GWLINT_WRITE_EVIDENCE=1``; the page is written only when every
scenario ran and passed (see tests/e2e/conftest.py). Exits with pytest's status.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    env = {**os.environ, "GWLINT_WRITE_EVIDENCE": "1"}
    command = [sys.executable, "-m", "pytest", "tests/e2e", "-q", "-s", "-p", "no:cacheprovider"]
    return subprocess.run([*command, *argv], cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
