"""Determinism: the same input gives byte-identical output, in every format, across runs and
across hash seeds (``python -m gwlint`` in fresh processes with PYTHONHASHSEED 0, 1, 12345 and
a random one), and twice in one process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, gwlint
from tests.test_fixtures import _command

FORMATS = ("text", "json", "sarif", "github")
SEEDS = ("0", "1", "12345", "random")
Scenario = tuple[Path, list[str]]  # the folder to run in, the arguments after ``check``

# an app server that two deployments reach (uwsgi_pass legacy:3031 in both): its findings
# differed only in the related location, and their order followed the hash seed
SHARED_APP = (
    "GW401/fires-compose-host-to-uwsgi-loopback",
    "GW408/fires-compose-host-two-locations",
    "GW506/quiet-jinja-placeholders",
)


def _discovery(folder: Path) -> Path:
    """Several deployments in one folder, found with no argument."""
    for case in (
        *SHARED_APP,
        "scenarios/uwsgi-classic",
        "GW101/fires-launcher-compose-service-name",
    ):
        shutil.copytree(FIXTURES / case, folder / case.replace("/", "__"))
    shutil.copytree(FIXTURES / "demo", folder / "demo")
    return folder


def _scenarios(tmp_path: Path) -> dict[str, Scenario]:
    scenarios: dict[str, Scenario] = {"demo": (ROOT, ["--isolated", "fixtures/demo"])}
    for case in sorted((FIXTURES / "scenarios").iterdir()):
        scenarios[case.name] = (case, _command(case)[1:])
    launcher = FIXTURES / "GW707" / "fires-supervisord-runs-both"
    files = sorted(p.name for p in launcher.iterdir() if p.name != "expected.txt")
    scenarios["launcher"] = (launcher, ["--isolated", *files])
    scenarios["discovery"] = (_discovery(tmp_path / "discovery"), ["--isolated"])
    return scenarios


def _env(seed: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHASHSEED", "NO_COLOR")}
    if seed != "random":
        env["PYTHONHASHSEED"] = seed
    return {**env, "PYTHONPATH": str(ROOT)}


def _run(folder: Path, args: list[str], fmt: str, seed: str) -> tuple[int, bytes, bytes]:
    """``python -m gwlint check ARGS --format FMT`` in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-m", "gwlint", "check", *args, "--format", fmt],
        cwd=folder,
        env=_env(seed),
        capture_output=True,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def _runs(jobs: list[tuple[Path, list[str], str, str]]) -> list[tuple[int, bytes, bytes]]:
    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
        return list(pool.map(lambda job: _run(*job), jobs))


# every scenario in every format in one fresh process per seed (a process per run would cost
# 128 interpreter starts): the hash seed is the process's, as for ``python -m gwlint``
_BATCH = """
import contextlib, io, json, os, sys
from gwlint.cli import main
results = []
for folder, args in json.loads(sys.stdin.read()):
    os.chdir(folder)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code
    results.append([code, out.getvalue(), err.getvalue()])
sys.stdout.write(json.dumps(results, ensure_ascii=True))
"""


def _batch(jobs: list[tuple[Path, list[str]]], seed: str) -> list[list[object]]:
    done = subprocess.run(
        [sys.executable, "-c", _BATCH],
        input=json.dumps([[str(folder), args] for folder, args in jobs]),
        env=_env(seed),
        capture_output=True,
        text=True,
        check=True,
    )
    results: list[list[object]] = json.loads(done.stdout)
    return results


def test_same_output_across_hash_seeds(tmp_path: Path) -> None:
    scenarios = _scenarios(tmp_path)
    jobs = [
        (folder, ["check", *args, "--format", fmt])
        for folder, args in scenarios.values()
        for fmt in FORMATS
    ]
    with ThreadPoolExecutor(max_workers=len(SEEDS)) as pool:
        by_seed = dict(zip(SEEDS, pool.map(lambda seed: _batch(jobs, seed), SEEDS), strict=True))
    for index, (_, args) in enumerate(jobs):
        outputs = {seed: tuple(map(str, results[index])) for seed, results in by_seed.items()}
        assert len(set(outputs.values())) == 1, f"gwlint {' '.join(args)}: differs across seeds"
        code, out, err = by_seed["0"][index]
        assert code in (0, 1), (args, err)
        assert out
        assert err == ""


def test_python_m_gwlint_across_hash_seeds(tmp_path: Path) -> None:
    """The discovery run as users start it, ``python -m gwlint``, in every format."""
    folder = _discovery(tmp_path / "discovery")
    for fmt in FORMATS:
        results = _runs([(folder, ["--isolated"], fmt, seed) for seed in SEEDS])
        assert len(set(results)) == 1, fmt
        code, out, err = results[0]
        assert code == 1
        assert out
        assert err == b""


def test_shared_app_server_findings_keep_their_order(tmp_path: Path) -> None:
    """The regression: with the engine sorting by (path, line, code, column, message) only,
    these findings came out in an order that changed with the hash seed (seeds 0 and 5)."""
    folder = tmp_path / "shared"
    for case in SHARED_APP:
        shutil.copytree(FIXTURES / case, folder / case.replace("/", "__"))
    seeds = [str(seed) for seed in range(8)]
    results = _runs([(folder, ["--isolated"], "json", seed) for seed in seeds])
    assert len(set(results)) == 1
    assert b'"related"' in results[0][1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_output_twice_in_one_process(tmp_path: Path, fmt: str) -> None:
    for folder, args in _scenarios(tmp_path).values():
        first = gwlint("check", *args, "--format", fmt, cwd=folder)
        second = gwlint("check", *args, "--format", fmt, cwd=folder)
        assert (first.code, first.out, first.err) == (second.code, second.out, second.err)
        assert first.code in (0, 1), first.err
