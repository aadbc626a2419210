"""The man page (docs/gwlint.1, from the command-line help) and the configuration's JSON Schema
(docs/gwlint.schema.json, from its pydantic model) are generated with the rule pages by
``python -m gwlint.reporters.docs``: stale, these tests fail (and ``--check`` says which).

The man page renders without a warning where groff is installed (skipped where it is not, CI
included: groff is no requirement). The schema accepts the configurations gwlint accepts, written
as docs/configuration.md types them, and rejects an unknown key or a wrong type, as gwlint does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from typing import Any

import pytest

from gwlint.reporters import docs, manpage, schema
from tests.conftest import ROOT

MAN = ROOT / "docs" / "gwlint.1"
SCHEMA = ROOT / "docs" / "gwlint.schema.json"
REGENERATE = "run `python -m gwlint.reporters.docs`"


def test_the_man_page_is_fresh() -> None:
    assert MAN.read_text(encoding="utf-8") == manpage.expected(), (
        f"docs/gwlint.1 is stale: {REGENERATE}"
    )


def test_the_schema_is_fresh() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == schema.expected(), (
        f"docs/gwlint.schema.json is stale: {REGENERATE}"
    )


def test_docs_check_names_them_when_stale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(manpage, "expected", lambda: ".TH STALE 1\n")
    monkeypatch.setattr(schema, "expected", lambda: "{}\n")
    assert docs.main(["--check"]) == 1
    out = capsys.readouterr().out
    assert "stale: docs/gwlint.1\n" in out
    assert "stale: docs/gwlint.schema.json\n" in out
    assert MAN.read_text(encoding="utf-8") != ".TH STALE 1\n"  # --check writes nothing


# --- the man page ---------------------------------------------------------------------------


def test_roff_escaping() -> None:
    assert manpage.roff("--format a-b") == "\\-\\-format a\\-b"
    assert manpage.roff("C:\\path") == "C:\\epath"
    assert manpage.roff(".gwlint.toml") == "\\&.gwlint.toml"
    assert manpage.roff("'quoted' at the start") == "\\&'quoted' at the start"
    assert manpage.roff("caf\u00e9 \u2192 x") == "caf\\[u00E9] \\[u2192] x"
    assert manpage.roff("two\nlines") == "two lines"


def test_the_man_page_holds_every_command_and_option() -> None:
    import typer

    from gwlint.cli_typer import app

    page = MAN.read_text(encoding="utf-8")
    for section in (
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "COMMANDS",
        "OPTIONS",
        "EXIT STATUS",
        "FILES",
        "SEE ALSO",
    ):
        assert f"\n.SH {section}\n" in page, section
    root = typer.main.get_command(app)
    commands = root.commands  # type: ignore[attr-defined]
    assert set(commands) == {"check", "diagnose", "rules", "rule"}
    for command in [root, *commands.values()]:
        for param in command.params:
            if param.param_type_name == "argument":
                assert f"\\fI{param.metavar}" in page, param.name
                continue
            for name in param.opts:
                assert f"\\fB{manpage.roff(name)}\\fR" in page, name
    for name in (".gwlint.toml", "gwlint.toml", "pyproject.toml"):
        assert manpage.roff(name) in page
    assert "[tool.gwlint]" in page
    # every line is text or a request of the man macros, never a stray one
    for line in page.splitlines():
        if line.startswith("."):
            assert re.match(r"\.(\\\"|TH|SH|SS|TP|PP|br)( |$)", line), line
        assert not line.startswith("'"), line


def _groff() -> str:
    found = shutil.which("groff")
    if found is None:
        pytest.skip("groff is not installed (no requirement of gwlint's tests)")
    return found


def test_the_man_page_renders_without_warnings() -> None:
    result = subprocess.run(
        [_groff(), "-man", "-Tutf8", "-ww", str(MAN)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    text = re.sub(r".\x08", "", result.stdout)  # overstrike (bold, underline) taken away
    assert "--stdin-filename NAME" in text
    assert "gwlint check [OPTIONS] [PATH]..." in text
    assert "EXIT STATUS" in text


# --- the configuration's schema ---------------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Any:
    import jsonschema

    document = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def _complete_example() -> dict[str, Any]:
    """The complete example of docs/configuration.md, its ``[tool.gwlint]`` table."""
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    after = text.partition("## A complete example")[2]
    block = re.search(r"```toml\n(.*?)```", after, re.S)
    assert block is not None
    table: dict[str, Any] = tomllib.loads(block.group(1))["tool"]["gwlint"]
    return table


VALID = [
    "",
    'select = ["GW1", "GW401"]\nignore = ["GW305"]\nfail-on = "info"\n',
    'extend = "../gwlint.toml"\nnginx-version = "1.24.0"\ncpus = 2\n',
    '[env]\nPORT = 8000\nDEBUG = false\nNAME = "web"\n',  # numbers read as their text
    'exclude = ["legacy/"]\nextend-exclude = ["*.tmpl"]\nrespect-gitignore = false\n',
    '[[deployments]]\nnginx = ["deploy/nginx.conf"]\napp = ["gunicorn.conf.py"]\n',
    '[severity]\nGW301 = "warning"\n[per-file-ignores]\n"uwsgi.ini" = ["GW5"]\n',
    "stop-timeout = 0\nsomaxconn = 1024\n",
]
INVALID = [
    'selct = ["GW1"]\n',  # an unknown key
    '[[deployments]]\nnginx = ["a.conf"]\nservers = 2\n',  # an unknown key of a deployment
    "cpus = 0\n",
    'fail-on = "fatal"\n',
    'select = "GW1"\n',
    '[severity]\nGW301 = "loud"\n',
    "nginx-version = 1.24\n",
    'respect-gitignore = "maybe"\n',
]


def _accepted_by_gwlint(table: dict[str, Any]) -> bool:
    from pydantic import ValidationError

    from gwlint.config_model import Config

    try:
        Config.model_validate(table)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("text", VALID)
def test_the_schema_accepts_what_gwlint_accepts(text: str, validator: Any) -> None:
    table = tomllib.loads(text)
    assert _accepted_by_gwlint(table)
    assert list(validator.iter_errors(table)) == []


@pytest.mark.parametrize("text", INVALID)
def test_the_schema_rejects_what_gwlint_rejects(text: str, validator: Any) -> None:
    table = tomllib.loads(text)
    assert not _accepted_by_gwlint(table)
    assert list(validator.iter_errors(table)) != []


def test_the_documented_example_is_valid(validator: Any) -> None:
    assert list(validator.iter_errors(_complete_example())) == []


def test_the_schema_names_the_toml_keys(validator: Any) -> None:
    from gwlint.config import ALLOWED_KEYS

    document = validator.schema
    assert document["additionalProperties"] is False
    assert sorted(document["properties"]) == sorted(ALLOWED_KEYS)
    assert all("_" not in key for key in document["properties"])
    # TOML has no null: no key offers one
    assert '"null"' not in SCHEMA.read_text(encoding="utf-8")
    errors = list(validator.iter_errors({"selct": ["GW1"]}))
    assert [error.validator for error in errors] == ["additionalProperties"]
    assert "'selct'" in errors[0].message
