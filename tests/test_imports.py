"""What each command imports: start-up time is most of a pre-commit hook's run.

``gwlint --help`` and ``gwlint rules`` import neither crossplane nor pydantic (which validates a
configuration file only); a plain ``gwlint check`` does not import typer; a check with
no launcher (Procfile, Dockerfile...) does not import the launcher readers. Each command runs in
a fresh interpreter, which then lists the modules it imported. No timing here: the benchmark
(tests/bench/bench.py) measures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DEMO = ROOT / "fixtures" / "demo"

# run gwlint's entry point, then print every module imported (main always ends in SystemExit)
PROBE = """
import json, sys
from gwlint.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.__stdout__.write("\\n" + json.dumps(sorted(sys.modules)) + "\\n")
"""


def imported(*args: str, cwd: Path = DEMO) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def pydantic_modules() -> set[str]:
    """gwlint's modules that define pydantic models (found by their source)."""
    found = set()
    for path in (ROOT / "gwlint").rglob("*.py"):
        if "from pydantic import" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def test_pydantic_validates_only_outside_input() -> None:
    """The deployment's model is plain dataclasses (one record per nginx statement: pydantic
    validation of each was most of a large config's time); pydantic validates the project
    configuration only."""
    models = pydantic_modules()
    assert models, "no pydantic model found: the probe is broken"
    assert all(module.startswith("gwlint.config") for module in models), models
    assert not any(module.startswith("gwlint.model") for module in models)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["rules"], ["rules", "--format", "json"], ["check", "--help"]],
    ids=" ".join,
)
def test_help_and_rules_import_no_model_and_no_crossplane(args: list[str]) -> None:
    modules = imported(*args)
    assert "gwlint.cli" in modules
    assert not modules & pydantic_modules()
    assert not {m for m in modules if m == "crossplane" or m.startswith("crossplane.")}


def test_check_does_not_import_typer() -> None:
    modules = imported("check", "--isolated", "nginx.conf", "gunicorn.conf.py", "--quiet")
    assert "gwlint.loaders.nginx" in modules  # it did check
    assert not {m for m in modules if m == "typer" or m.startswith("typer.")}


def test_check_without_launchers_does_not_import_their_readers() -> None:
    modules = imported("check", "--isolated")
    assert "gwlint.loaders.detect_launcher" in modules  # every file's kind was told
    assert "gwlint.loaders.launchers" not in modules
    assert "gwlint.loaders.commands" not in modules
    assert "yaml" not in modules


def test_check_with_a_launcher_reads_it(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: gunicorn app:app --bind 127.0.0.1:8000\n")
    modules = imported("check", "--isolated", cwd=tmp_path)
    assert "gwlint.loaders.launchers" in modules


def test_only_the_nginx_loader_imports_crossplane() -> None:
    importers = sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "gwlint").rglob("*.py")
        if any(
            line.lstrip().startswith(("import crossplane", "from crossplane"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importers == ["gwlint/loaders/nginx.py"]
