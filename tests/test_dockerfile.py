"""gwlint's own container image (Dockerfile, .dockerignore at the repository root).

Without docker: the Dockerfile's shape (two stages, a non-root final user, `WORKDIR /src`,
`ENTRYPOINT ["gwlint"]`), the build context .dockerignore leaves, gwlint reading the Dockerfile
as any other, and the build itself emulated: the build stage's RUN on a copy of the context in a
fresh virtualenv, the final stage's pip RUN in another, then the image's ENTRYPOINT and CMD in a
folder standing for /src. pip works offline from the wheelhouse in $GWLINT_WHEELHOUSE (.ci/run
builds it); without one the emulation skips, unless CI is set: then it fails.

With docker: `docker build` and `docker run`, when a Docker engine answers (`docker info`) and
GWLINT_DOCKER=1 asks for it, since the build pulls the base image and PyPI packages (the tests
touch no network otherwise). Else it skips, saying why.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import uuid
import venv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, gwlint
from tests.installing import GUNICORN_CONF, NGINX_CONF, wheelhouse

MUST = "the image's build steps must run"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
WHEELS = "/wheels"


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [text for word, text in self.instructions if word == keyword]

    def last(self, keyword: str) -> str:
        values = self.all(keyword)
        assert values, f"no {keyword} in the stage FROM {self.image}"
        return values[-1]


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) in order: comments dropped, `\\` continuations joined."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):  # a comment inside a continuation
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continuation"
    return instructions


def _parse() -> tuple[dict[str, str], list[Stage]]:
    """The global ARGs (with their defaults) and the stages."""
    arguments: dict[str, str] = {}
    stages: list[Stage] = []
    for keyword, text in _instructions(DOCKERFILE.read_text(encoding="utf-8")):
        if keyword == "FROM":
            words = text.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(words[0], name))
        elif stages:
            stages[-1].instructions.append((keyword, text))
        else:
            assert keyword == "ARG", keyword
            key, _, default = text.partition("=")
            arguments[key] = default.strip('"')
    return arguments, stages


def _labels(stage: Stage) -> dict[str, str]:
    labels: dict[str, str] = {}
    for text in stage.all("LABEL"):
        for item in shlex.split(text):
            key, _, value = item.partition("=")
            labels[key] = value
    return labels


def _stage_arguments(stage: Stage) -> dict[str, str]:
    """The stage's ARG and ENV values, as its RUN commands see them (without build args)."""
    values: dict[str, str] = {}
    for keyword, text in stage.instructions:
        if keyword in ("ARG", "ENV"):
            for item in shlex.split(text):
                key, _, value = item.partition("=")
                values[key] = value
    return values


# --- without docker -----------------------------------------------------------------------------


def test_two_stages_the_final_one_small_and_not_root() -> None:
    arguments, (build, final) = _parse()
    assert arguments == {"PYTHON_VERSION": "3.12"}
    assert build.image == final.image == "python:${PYTHON_VERSION}-slim"
    assert build.name == "build"
    assert final.name is None
    assert build.all("COPY") == [". ."]
    # the final stage gets nothing but the wheels, through a mount: no source, no build tool
    assert final.all("COPY") == []
    assert final.all("ADD") == []
    runs = final.all("RUN")
    assert any(run.startswith("useradd --uid 10001 ") for run in runs), runs
    for run in [*build.all("RUN"), *runs]:
        if " pip " in run:
            assert "--no-cache-dir" in run, run
    [install] = [run for run in runs if " pip install " in run]
    assert install.startswith(
        f"--mount=type=bind,from=build,source={WHEELS},target={WHEELS} python -m pip install "
    )
    assert f"--no-index --find-links {WHEELS} gwlint" in install

    user = final.last("USER")
    assert user.split(":")[0] not in ("root", "0"), user
    assert user == "10001:10001"
    assert final.last("WORKDIR") == "/src"
    assert json.loads(final.last("ENTRYPOINT")) == ["gwlint"]  # exec form: signals reach gwlint
    assert json.loads(final.last("CMD")) == ["check"]

    labels = _labels(final)
    assert labels["org.opencontainers.image.source"] == "https://github.com/gwlint/gwlint"
    assert labels["org.opencontainers.image.licenses"] == "MIT"
    assert {"org.opencontainers.image.title", "org.opencontainers.image.description"} <= set(labels)


def _ignored(patterns: list[str], path: str) -> bool:
    """docker's .dockerignore rules: the last pattern that matches the path or one of its
    parent folders decides; `!` lets back in. (The patterns used: *, **, ?, [].)"""

    def regex(pattern: str) -> re.Pattern[str]:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                out, i = out + pattern[i : end + 1], end + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return re.compile(out)

    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for pattern in patterns:
        exception = pattern.startswith("!")
        compiled = regex(pattern.lstrip("!").strip("/"))
        if any(compiled.fullmatch(prefix) for prefix in prefixes):
            ignored = not exception
    return ignored


def _dockerignore() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _context() -> list[str]:
    """The files `docker build .` sends, relative to the repository root."""
    patterns = _dockerignore()
    exceptions = [pattern[1:].strip("/") for pattern in patterns if pattern.startswith("!")]
    files = []
    for folder, folders, names in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if here == "." else here + "/"
        # skip an ignored folder that no `!` pattern can let back in (.git, virtualenvs...)
        folders[:] = [
            name
            for name in folders
            if not _ignored(patterns, prefix + name)
            or any(re.search(r"[*?\[]", e) or e.startswith(prefix + name + "/") for e in exceptions)
        ]
        files += [prefix + name for name in names if not _ignored(patterns, prefix + name)]
    return sorted(files)


def test_the_build_context_is_what_the_wheel_needs() -> None:
    patterns = _dockerignore()
    assert _ignored(patterns, ".git/config")
    assert _ignored(patterns, "fixtures/GW401/x/nginx.conf")
    assert _ignored(patterns, "gwlint/__pycache__/cli.cpython-311.pyc")
    assert not _ignored(patterns, "gwlint/reporters/sarif.py")
    context = _context()
    assert {"pyproject.toml", "README.md", "gwlint/__init__.py", "gwlint/cli.py"} <= set(context)
    outside = {name for name in context if not name.startswith("gwlint/")}
    assert outside == {"pyproject.toml", "README.md"}
    assert "gwlint/_version.py" not in context  # a checkout's own: the build writes it
    assert not [name for name in context if "__pycache__" in name or name.endswith(".pyc")]


def test_gwlint_reads_its_own_dockerfile_cleanly(tmp_path: Path) -> None:
    """gwlint reads Dockerfiles for the command that starts the app server: its own starts none."""
    run = gwlint("check", "--show-files", "Dockerfile", cwd=ROOT)
    assert run.code == 0, run.out + run.err
    assert re.search(r"^  launcher +Dockerfile +read, nothing to check$", run.out, re.MULTILINE)
    assert run.err == ""

    # with the action's files beside it, as at the repository root
    for name in ("Dockerfile", ".dockerignore", "action.yml", "scripts/action/run.sh"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    run = gwlint("check", "--isolated", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert run.out.startswith("All checks passed."), run.out
    assert run.err == ""


def _project(folder: Path) -> Path:
    """nginx proxies to :8001, gunicorn binds :8000: GW401."""
    folder.mkdir(parents=True)
    (folder / "nginx.conf").write_text(NGINX_CONF)
    (folder / "gunicorn.conf.py").write_text(GUNICORN_CONF)
    return folder


def _run_step(command: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        ["sh", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"RUN {command}\n{done.stdout}{done.stderr}"


def test_the_build_steps_offline(tmp_path: Path) -> None:
    """Each stage's RUN in a fresh virtualenv (its `python`), /wheels a temporary folder."""
    house = wheelhouse(MUST)
    _, (build, final) = _parse()
    base = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PIP_", "SETUPTOOLS_SCM", "PYTHON")) and name != "VIRTUAL_ENV"
    }
    base.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(house),
        PIP_NO_INPUT="1",
    )
    wheels = tmp_path / "wheels"

    def stage_env(stage: Stage, environment: Path, **build_args: str) -> dict[str, str]:
        venv.create(environment, with_pip=True)
        env = base | _stage_arguments(stage) | build_args
        env["PATH"] = f"{environment / 'bin'}{os.pathsep}{base.get('PATH', '')}"
        return env

    # the build stage, WORKDIR /build, after COPY . .
    assert build.last("WORKDIR") == "/build"
    source = tmp_path / "build"
    for name in _context():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    env = stage_env(build, tmp_path / "build-python", GWLINT_VERSION="9.8.7")
    for command in build.all("RUN"):
        _run_step(command.replace(WHEELS, shlex.quote(str(wheels))), source, env)
    assert [path.name for path in wheels.glob("gwlint-*")] == ["gwlint-9.8.7-py3-none-any.whl"]

    # the final stage: its pip RUN (the other one adds the user), with the wheels of the build
    # stage only, as in the image
    environment = tmp_path / "final-python"
    env = stage_env(final, environment)
    del env["PIP_FIND_LINKS"]
    done = []
    for command in final.all("RUN"):
        if command.startswith("useradd "):
            continue
        mount, _, command = command.partition(" ")
        assert mount == f"--mount=type=bind,from=build,source={WHEELS},target={WHEELS}"
        _run_step(command.replace(WHEELS, shlex.quote(str(wheels))), tmp_path, env)
        done.append(command)
    assert len(done) == 1

    # the image's ENTRYPOINT and CMD, in a folder standing for WORKDIR /src
    entrypoint = json.loads(final.last("ENTRYPOINT"))
    command = json.loads(final.last("CMD"))
    program = [str(environment / "bin" / entrypoint[0]), *entrypoint[1:]]
    src = _project(tmp_path / "src")
    checked = subprocess.run(
        [*program, *command], cwd=src, env=env, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert re.search(r"^nginx\.conf:5:\d+: GW401 \[error\]", checked.stdout, re.MULTILINE)
    version = subprocess.run(
        [*program, "--version"], cwd=src, env=env, capture_output=True, text=True, check=False
    )
    assert version.stdout == "gwlint 9.8.7\n", version.stdout + version.stderr


# --- with docker --------------------------------------------------------------------------------


def _docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    """The image built from this checkout; skipped without a Docker engine or GWLINT_DOCKER=1."""
    if shutil.which("docker") is None:
        pytest.skip("docker is not installed: the image is not built")
    info = _docker("info", "--format", "{{.ServerVersion}}")
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        pytest.skip(f"no Docker engine answers (docker info: {reason}): the image is not built")
    if os.environ.get("GWLINT_DOCKER") != "1":
        pytest.skip(
            "the image build pulls python:3.12-slim and packages from PyPI, and tests stay off "
            "the network unless asked: set GWLINT_DOCKER=1 to build and run it"
        )
    tag = f"gwlint-test:{uuid.uuid4().hex[:12]}"
    built = _docker(
        "build", "--build-arg", "GWLINT_VERSION=9.8.7", "--tag", tag, str(ROOT), timeout=1800
    )
    assert built.returncode == 0, built.stdout + built.stderr
    yield tag
    _docker("image", "rm", "--force", tag)


def test_the_image_checks_the_folder_mounted_at_src(image: str, tmp_path: Path) -> None:
    src = _project(tmp_path / "deploy")
    src.chmod(0o755)
    done = _docker("run", "--rm", "--network", "none", "-v", f"{src}:/src:ro", image)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^nginx\.conf:5:\d+: GW401 \[error\]", done.stdout, re.MULTILINE)

    version = _docker("run", "--rm", "--network", "none", image, "--version")
    assert version.stdout == "gwlint 9.8.7\n", version.stdout + version.stderr
    user = _docker("run", "--rm", "--network", "none", "--entrypoint", "id", image, "-u")
    assert user.stdout.strip() == "10001", user.stdout + user.stderr
