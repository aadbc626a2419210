"""The hostile reproducers, measured: each case of tests/hostile/cases.py run as a child process
(CPU and memory limited), its wall time and peak memory against the goal of issue 12 (2 s,
200 MB), and whether anything from outside the repository or any control byte reached the
output.

    python tests/bench/hostile.py              # every case
    python tests/bench/hostile.py 4 uwsgi_     # the cases of group 4, and names with "uwsgi_"

A script, not a test: tests/test_hostile.py checks the results, never the durations.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.hostile.cases import CASES, PASSWD, SECRET  # noqa: E402
from tests.hostile.run import build, run  # noqa: E402

SECONDS = 2.0
MIB = 200.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="group numbers or parts of case names")
    parser.add_argument("--cpu", type=int, default=30, help="CPU seconds before a case is killed")
    options = parser.parse_args(argv)
    missed = 0
    for item in CASES:
        if options.only and not any(o == str(item.group) or o in item.name for o in options.only):
            continue
        scratch, root = build(item)
        try:
            outcome = run(item, root, cpu_seconds=options.cpu)
        finally:
            scratch.cleanup()
        text = (outcome.out + outcome.err).decode("utf-8", "replace")
        problems = []
        if outcome.seconds > SECONDS:
            problems.append("slow")
        if outcome.peak_mib > MIB:
            problems.append("memory")
        if outcome.code < 0 or outcome.code > 2 or (outcome.code == 2 and not item.usage_error):
            problems.append(f"exit {outcome.code}")
        if "internal error" in text or "Traceback" in text:
            problems.append("internal error")
        if SECRET in text or PASSWD in text:
            problems.append("outside read")
        lines = outcome.out.decode("utf-8", "replace").split("\n")
        if "github" not in item.args and any(line.startswith("::") for line in lines):
            problems.append("'::' line")
        if b"\x1b" in outcome.out + outcome.err or b"\x07" in outcome.out + outcome.err:
            problems.append("control byte")
        missed += bool(problems)
        verdict = ", ".join(problems) or "ok"
        print(
            f"{item.group:2} {item.name:48} exit {outcome.code:3} {outcome.seconds:7.2f} s "
            f"{outcome.peak_mib:7.0f} MiB  {verdict}",
            flush=True,
        )
    print(f"{missed} case(s) miss the goal ({SECONDS:g} s, {MIB:g} MB, nothing from outside)")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
