"""The long fuzz run: the properties of tests/test_fuzz.py with many more examples.

    python tests/fuzz/run.py                      # every input kind, 2,000 examples each
    python tests/fuzz/run.py --examples 20000 nginx dump
    python tests/fuzz/run.py --seed 7             # another random sequence (default: random)

Not collected by pytest (tests/fuzz/conftest.py). A failure prints hypothesis's minimal example
and how to replay it; the exit status is 1 when any kind failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests.fuzz.properties import KINDS, check, strategy  # noqa: E402


def _property(kind: str) -> Callable[[object], None]:
    def fuzz(example: object) -> None:
        check(kind, example)

    fuzz.__name__ = f"fuzz_{kind}"
    return fuzz


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=f"any of {', '.join(KINDS)}")
    parser.add_argument("--examples", type=int, default=2000, help="examples per kind")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random)")
    options = parser.parse_args(argv)
    failed: list[str] = []
    unknown = sorted(set(options.kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kind {unknown[0]!r} (any of {', '.join(KINDS)})")
    for kind in options.kinds or KINDS:
        test = settings(
            max_examples=options.examples,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
        )(given(strategy(kind))(_property(kind)))
        if options.seed is not None:
            test = seed(options.seed)(test)
        started = time.monotonic()
        try:
            test()
        except Exception as exc:
            failed.append(kind)
            print(f"{kind}: FAILED: {type(exc).__name__}: {exc}", flush=True)
            for note in getattr(exc, "__notes__", []):  # hypothesis: the minimal example
                print(f"  {note}", flush=True)
        else:
            print(f"{kind}: {options.examples} examples passed", end="", flush=True)
            print(f" ({time.monotonic() - started:.1f} s)", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
