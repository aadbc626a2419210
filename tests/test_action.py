"""The GitHub Action (action.yml): its structure, and its steps run as GitHub runs them.

A composite action's `run:` steps are bash scripts that GitHub writes to a file and runs with
`bash --noprofile --norc -eo pipefail FILE`, in $GITHUB_WORKSPACE, with the step's `env:` (its
`${{ }}` expressions evaluated) and GITHUB_ACTION_PATH, RUNNER_TEMP and a GITHUB_OUTPUT file of
its own. The tests do the same with a small evaluator for the expressions action.yml uses; the
marketplace steps (actions/setup-python, github/codeql-action/upload-sarif) are not run, their
conditions and inputs are checked instead.

The install step runs `pip install` of the action's checkout (a copy of this working tree, as
GitHub downloads the action without .git): gwlint's dependencies and hatchling come from the
wheelhouse in $GWLINT_WHEELHOUSE (.ci/run builds it) with pip's index off. Without a wheelhouse
those tests skip, unless CI is set: then they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.installing import GUNICORN_CONF, NGINX_CONF, unavailable, wheelhouse

MUST = "the action's steps must run"
ACTION = ROOT / "action.yml"
SCRIPT = "scripts/action/run.sh"
SCHEMA_FILE = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"


def _action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _steps() -> list[dict[str, Any]]:
    steps = _action()["runs"]["steps"]
    assert isinstance(steps, list)
    return steps


def _step(key: str, value: str) -> dict[str, Any]:
    [step] = [step for step in _steps() if step.get(key) == value]
    return step


def _uses(prefix: str) -> dict[str, Any]:
    [step] = [step for step in _steps() if str(step.get("uses", "")).startswith(prefix)]
    return step


# --- GitHub's expressions, as much of them as action.yml uses --------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>&&|\|\||==|!=|!|\(|\))"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.-]*(?:\(\))?))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while text[position:].strip():
        match = _TOKEN.match(text, position)
        assert match, f"expression not understood at {text[position:]!r}"
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _equal(left: object, right: object) -> bool:
    """GitHub compares strings ignoring case, and null equals ''."""
    left = "" if left is None else left
    right = "" if right is None else right
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    return left == right


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The value of one expression: literals, context properties, !, ==, !=, &&, ||, (),
    cancelled() and the other status functions."""
    tokens = _tokens(expression)
    position = 0

    def peek() -> str | None:
        return tokens[position][1] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def primary() -> Any:
        kind, text = take()
        if text == "(":
            inner = either()
            assert take()[1] == ")"
            return inner
        if text == "!":
            return not primary()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if text.endswith("()"):
            return context["status"][text[:-2]]
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        value: Any = context
        for part in text.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def comparison() -> Any:
        value = primary()
        while peek() in ("==", "!="):
            operator = take()[1]
            same = _equal(value, primary())
            value = same if operator == "==" else not same
        return value

    def both() -> Any:
        value = comparison()
        while peek() == "&&":
            take()
            right = comparison()
            value = right if value else value
        return value

    def either() -> Any:
        value = both()
        while peek() == "||":
            take()
            right = both()
            value = value if value else right
        return value

    value = either()
    assert position == len(tokens), f"left over in {expression!r}: {tokens[position:]}"
    return value


def interpolate(text: str, context: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        result = evaluate(match.group(1), context)
        if result is None:
            return ""
        if isinstance(result, bool):
            return str(result).lower()
        return str(result)

    return re.sub(r"\$\{\{(.*?)\}\}", value, text, flags=re.DOTALL)


def condition(step: dict[str, Any], context: dict[str, Any]) -> bool:
    """A step's `if:` (with or without ${{ }}); no `if:` means success()."""
    text = str(step.get("if", "success()")).strip()
    match = re.fullmatch(r"\$\{\{(.*)\}\}", text, flags=re.DOTALL)
    return bool(evaluate(match.group(1) if match else text, context))


def _context(
    inputs: dict[str, str] | None = None,
    steps: dict[str, dict[str, str]] | None = None,
    *,
    event: str = "push",
    head_repo: str = "shop/shop",
    cancelled: bool = False,
    failed: bool = False,
) -> dict[str, Any]:
    values = {name: str(spec.get("default", "")) for name, spec in _action()["inputs"].items()}
    values.update(inputs or {})
    return {
        "inputs": values,
        "steps": {name: {"outputs": outputs} for name, outputs in (steps or {}).items()},
        "github": {
            "event_name": event,
            "repository": "shop/shop",
            "event": {"pull_request": {"head": {"repo": {"full_name": head_repo}}}},
        },
        "status": {
            "cancelled": cancelled,
            "failure": failed,
            "success": not failed and not cancelled,
            "always": True,
        },
    }


# --- the structure ----------------------------------------------------------------------------


def test_the_evaluator() -> None:
    context = _context({"paths": "deploy"}, {"a": {"x": "1"}})
    assert evaluate("inputs.paths", context) == "deploy"
    assert evaluate("steps.a.outputs.x || 'no'", context) == "1"
    assert evaluate("steps.b.outputs.x || 'no'", context) == "no"
    assert evaluate("steps.b.outputs.x != ''", context) is False
    assert evaluate("!cancelled() && (inputs.paths == 'DEPLOY' || false)", context) is True
    assert evaluate("'it''s'", context) == "it's"
    assert interpolate("a ${{ inputs.format }} b", context) == "a github b"


def test_a_composite_action_with_named_inputs_and_outputs() -> None:
    action = _action()
    assert action["name"] == "gwlint"
    assert action["description"]
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "args",
        "format",
        "fail-on",
        "sarif",
        "category",
        "python-version",
    }
    for name, spec in action["inputs"].items():
        assert spec["description"], name
        assert spec["required"] is False, name
        assert isinstance(spec["default"], str), name
    assert action["inputs"]["format"]["default"] == "github"
    assert action["inputs"]["category"]["default"] == "gwlint"
    assert action["inputs"]["python-version"]["default"] == "3.12"
    assert action["outputs"] == {
        "exit-code": {
            "description": action["outputs"]["exit-code"]["description"],
            "value": "${{ steps.check.outputs.exit-code }}",
        },
        "sarif": {
            "description": action["outputs"]["sarif"]["description"],
            "value": "${{ steps.check.outputs.sarif }}",
        },
    }


def test_every_input_is_used_and_no_expression_is_in_a_script() -> None:
    action = _action()
    steps = yaml.safe_dump(action["runs"]["steps"])
    for name in action["inputs"]:
        assert re.search(rf"\binputs\.{re.escape(name)}\b(?!-)", steps), f"input {name} unused"
    runs = [step for step in action["runs"]["steps"] if "run" in step]
    assert len(runs) == 2
    for step in runs:
        # ${{ }} in a script is pasted into its text before bash reads it: script injection
        assert "${{" not in step["run"], step["run"]
        assert step["shell"] == "bash"
        assert step["run"].strip() == (
            f'bash "$GITHUB_ACTION_PATH/{SCRIPT}" ' + ("install" if "id" not in step else "check")
        )
        for name, value in step.get("env", {}).items():
            # each variable one whole expression: an input, or a step's output
            assert re.fullmatch(r"\$\{\{ [^{}]+ \}\}", value), (name, value)
    check = _step("id", "check")
    assert check["env"] == {
        "INPUT_PATHS": "${{ inputs.paths }}",
        "INPUT_ARGS": "${{ inputs.args }}",
        "INPUT_FORMAT": "${{ inputs.format }}",
        "INPUT_FAIL_ON": "${{ inputs.fail-on }}",
        "INPUT_SARIF": "${{ inputs.sarif }}",
    }
    assert (ROOT / SCRIPT).is_file()
    assert (ROOT / SCRIPT).read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")


def test_setup_python_leaves_the_jobs_environment_alone() -> None:
    step = _step("id", "python")
    assert step["uses"] == "actions/setup-python@v6"
    assert step["with"] == {
        "python-version": "${{ inputs.python-version }}",
        "update-environment": False,
    }
    assert condition(step, _context()) is True
    assert condition(step, _context({"python-version": ""})) is False
    install = _step("name", "Install gwlint")
    assert _steps().index(step) < _steps().index(install)
    python = install["env"]["GWLINT_PYTHON"]
    assert interpolate(python, _context(steps={"python": {"python-path": "/py/bin/python"}})) == (
        "/py/bin/python"
    )
    assert interpolate(python, _context()) == "python3"  # setup-python skipped


@pytest.mark.parametrize(
    ("sarif", "context", "uploads"),
    [
        ("/w/gwlint.sarif", {}, True),
        ("/w/gwlint.sarif", {"failed": True}, True),  # findings failed the check step
        ("", {"failed": True}, False),  # no SARIF asked for, or the check step did not get there
        ("/w/gwlint.sarif", {"cancelled": True}, False),
        ("/w/gwlint.sarif", {"event": "pull_request"}, True),
        # a fork's token is read-only: the upload would fail
        ("/w/gwlint.sarif", {"event": "pull_request", "head_repo": "someone/shop"}, False),
    ],
)
def test_the_sarif_upload(sarif: str, context: dict[str, Any], uploads: bool) -> None:
    step = _uses("github/codeql-action/upload-sarif")
    assert step["uses"] == "github/codeql-action/upload-sarif@v4"
    assert _steps().index(step) == len(_steps()) - 1  # after the check step
    steps = {"check": {"exit-code": "1"} | ({"sarif": sarif} if sarif else {})}
    evaluated = _context({"sarif": "gwlint.sarif", "category": "deploy"}, steps, **context)
    assert condition(step, evaluated) is uploads
    assert {name: interpolate(value, evaluated) for name, value in step["with"].items()} == {
        "sarif_file": sarif,
        "category": "deploy",
    }


# --- the steps, run -------------------------------------------------------------------------------


def _checkout(dest: Path) -> Path:
    """The action as GitHub downloads it: this working tree's files, without .git."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for name in filter(None, listed.split("\0")):
            source = ROOT / name
            if source.is_file():  # not deleted in the working tree
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name)
    else:  # an unpacked source tree
        shutil.copytree(
            ROOT,
            dest,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "venv", "__pycache__", ".*_cache", ".hypothesis", "*.egg-info"
            ),
        )
    return dest


@dataclass
class Runner:
    """One job's runner: the action's checkout, RUNNER_TEMP, and the steps' outputs so far."""

    action_path: Path
    temp: Path
    env: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def run(
        self, step: dict[str, Any], workspace: Path, inputs: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        context = _context(inputs, self.outputs)
        assert condition(step, context)
        output = self.temp / f"output-{len(list(self.temp.glob('output-*')))}"
        output.write_text("")
        script = self.temp / f"step-{len(list(self.temp.glob('step-*')))}.sh"
        script.write_text(step["run"])
        env = self.env | {
            "GITHUB_ACTION_PATH": str(self.action_path),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(output),
        }
        env |= {name: interpolate(value, context) for name, value in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        if "id" in step:
            self.outputs[step["id"]] = outputs
        return done


def _environment(wheelhouse: Path) -> dict[str, str]:
    """Offline and hermetic: pip from the wheelhouse only; not this test's virtualenv on PATH,
    so that only the gwlint the action installs can answer."""
    hidden = {str(Path(sys.executable).parent)}
    if os.environ.get("VIRTUAL_ENV"):
        hidden.add(str(Path(os.environ["VIRTUAL_ENV"]) / "bin"))
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PIP_", "GITHUB_", "RUNNER_", "INPUT_", "PYTHON"))
        and name not in ("VIRTUAL_ENV", "GWLINT_PYTHON")
    }
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if part not in hidden
    )
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME="push",
        RUNNER_OS="Linux",
    )
    return env


@pytest.fixture(scope="module")
def installed(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Runner, subprocess.CompletedProcess[str]]:
    """The install step, once for the module (steps of one job share RUNNER_TEMP)."""
    house = wheelhouse(MUST)
    if shutil.which("bash") is None:
        unavailable("bash is not installed", MUST)
    # spaces in the runner's folders: every path in the scripts must be quoted
    root = tmp_path_factory.mktemp("action") / "runner work"
    action_path = _checkout(root / "_actions" / "gwlint" / "gwlint" / "0123abc")
    (root / "_temp").mkdir(parents=True)
    (root / "workspace").mkdir()
    runner = Runner(action_path, root / "_temp", _environment(house))
    runner.outputs["python"] = {"python-path": sys.executable}  # as setup-python would
    done = runner.run(_step("name", "Install gwlint"), root / "workspace")
    return runner, done


@pytest.fixture
def runner(installed: tuple[Runner, subprocess.CompletedProcess[str]]) -> Runner:
    runner, done = installed
    assert done.returncode == 0, done.stdout + done.stderr
    return runner


def _project(folder: Path, port: int = 8001) -> Path:
    """A deployment: nginx proxies to PORT, gunicorn binds 8000 (GW401 unless PORT is 8000)."""
    folder.mkdir(parents=True)
    (folder / "nginx.conf").write_text(NGINX_CONF.replace("8001", str(port)))
    (folder / "gunicorn.conf.py").write_text(GUNICORN_CONF)
    return folder


def _workspace(tmp_path: Path) -> Path:
    return tmp_path / "work space" / "shop"


def test_install_puts_gwlint_in_a_virtualenv_under_runner_temp(
    installed: tuple[Runner, subprocess.CompletedProcess[str]],
) -> None:
    runner, done = installed
    assert done.returncode == 0, done.stdout + done.stderr
    venv = runner.temp / "gwlint-action" / "venv"
    assert re.search(r"^gwlint \d+\.\d+", done.stdout, re.MULTILINE), done.stdout
    assert f"installing gwlint from {runner.action_path} with {sys.executable}" in done.stdout
    version = subprocess.run(
        [str(venv / "bin" / "gwlint"), "--version"], capture_output=True, text=True, check=True
    )
    assert version.stdout in done.stdout
    # from the action's checkout, not this test's environment
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import gwlint; print(gwlint.__file__)"],
        cwd=runner.temp,
        env=runner.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    # the steps ran without this test's virtualenv (and its gwlint) on PATH
    assert str(Path(sys.executable).parent) not in runner.env["PATH"].split(os.pathsep)


def test_findings_annotate_fail_the_step_and_give_a_sarif_log(
    runner: Runner, tmp_path: Path
) -> None:
    import jsonschema

    workspace = _workspace(tmp_path)
    _project(workspace / "deploy")
    inputs = {"sarif": "reports/gwlint.sarif"}  # paths empty: gwlint walks the workspace

    done = runner.run(_step("id", "check"), workspace, inputs)

    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(
        r"^::error file=deploy/nginx\.conf,line=5,col=\d+,title=gwlint GW401::proxy_pass "
        r"127\.0\.0\.1:8001",
        done.stdout,
        re.MULTILINE,
    ), done.stdout
    sarif = workspace / "reports" / "gwlint.sarif"
    assert runner.outputs["check"] == {"sarif": str(sarif), "exit-code": "1"}
    outputs = {
        name: interpolate(spec["value"], _context(inputs, runner.outputs))
        for name, spec in _action()["outputs"].items()
    }
    assert outputs == {"exit-code": "1", "sarif": str(sarif)}

    document = json.loads(sarif.read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    [result] = document["runs"][0]["results"]
    assert result["ruleId"] == "GW401"
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "deploy/nginx.conf"

    upload = _uses("github/codeql-action/upload-sarif")
    evaluated = _context(inputs, runner.outputs, failed=True)
    assert condition(upload, evaluated)
    assert interpolate(upload["with"]["sarif_file"], evaluated) == str(sarif)


def test_no_finding_passes_without_sarif(runner: Runner, tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    _project(workspace / "deploy", port=8000)

    done = runner.run(_step("id", "check"), workspace)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout
    assert "::warning" not in done.stdout
    assert runner.outputs["check"] == {"exit-code": "0"}
    assert not condition(_uses("github/codeql-action/upload-sarif"), _context({}, runner.outputs))


def test_fail_on(runner: Runner, tmp_path: Path) -> None:
    """The matching pair has one info finding (gunicorn's default timeout is below nginx's)."""
    workspace = _workspace(tmp_path)
    _project(workspace / "deploy", port=8000)

    done = runner.run(_step("id", "check"), workspace, {"fail-on": "info"})

    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^::notice file=deploy/nginx\.conf,.*GW101", done.stdout, re.MULTILINE)
    assert runner.outputs["check"] == {"exit-code": "1"}


def test_paths_with_a_space_and_args_split_like_shell_words(runner: Runner, tmp_path: Path) -> None:
    workspace = _workspace(tmp_path)
    _project(workspace / "my deploy")
    _project(workspace / "other", port=8002)  # not among the paths: not checked
    inputs = {
        "paths": "'my deploy'\n",
        "format": "text",
        "args": '--isolated --env "GREETING=hello world"',
    }

    done = runner.run(_step("id", "check"), workspace, inputs)

    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^my deploy/nginx\.conf:5:\d+: GW401 \[error\]", done.stdout, re.MULTILINE)
    assert "other/" not in done.stdout
    assert "Checked 2 files" in done.stdout

    # a flag in args wins over the format input
    inputs |= {"args": "--format json --ignore GW401"}
    done = runner.run(_step("id", "check"), workspace, inputs)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["diagnostics"] == []


@pytest.mark.parametrize(
    ("inputs", "code", "message"),
    [
        ({"paths": "$(touch pwned) `touch pwned` ; touch pwned"}, 1, "GW010"),
        ({"args": "--select $(touch pwned)"}, 2, ""),
        ({"args": "--ignore 'GW401"}, 2, "::error title=gwlint action::input args: No closing"),
        ({"sarif": "$(touch pwned).sarif"}, 1, "GW401"),
    ],
)
def test_inputs_are_words_never_code(
    runner: Runner, tmp_path: Path, inputs: dict[str, str], code: int, message: str
) -> None:
    workspace = _workspace(tmp_path)
    _project(workspace)

    done = runner.run(_step("id", "check"), workspace, inputs)

    assert done.returncode == code, done.stdout + done.stderr
    assert message in done.stdout + done.stderr
    assert list(tmp_path.rglob("pwned")) == []
    assert runner.outputs["check"]["exit-code"] == str(code)
