"""Every way the docs say to install gwlint, run: an install command in the docs cannot rot.

The commands are read from README.md and docs/**/*.md:

- a ```sh block right after an ``<!-- install-commands -->`` line runs whole, as a user pastes it
  (a virtual environment, ``git clone ... && cd gwlint``, then the install);
- any other install of gwlint by pip (``python -m pip`` too), pipx, ``uv tool`` or ``uv pip`` —
  in prose, in a CI job's YAML, in a comment — runs alone: pip's in a new virtual environment,
  in a fresh checkout when it installs ``.``; one already run by a block is not run again;
- each pre-commit config of the docs (``repo: https://github.com/gwlint/gwlint`` and its ``rev:``)
  runs with ``pre-commit run gwlint --all-files``, once per ``rev``.

An install of gwlint the test cannot run (another tool: conda, brew, poetry...) fails
``test_every_install_command_is_run``: teach this file to run it. The README's test command (after
``<!-- test-command -->``, with the test extras) is .ci/run's to run: it does, on every CI run.

Everything runs offline against a local clone of this checkout (its history and tags, plus the
working tree as it stands, committed on top): ``https://github.com/gwlint/gwlint`` is rewritten to
that clone's file:// URL. Dependencies and the build backend come from $GWLINT_WHEELHOUSE
(.ci/run builds it) with every index off (pip: PIP_NO_INDEX and PIP_FIND_LINKS; pipx: the same,
its pip backend; uv: a uv.toml with ``no-index`` and ``find-links``); a bare ``gwlint`` (PyPI's,
once released) finds a wheel built from the clone in a stand-in index. Each command gets its own
home, tool folders (PIPX_HOME/PIPX_BIN_DIR, UV_TOOL_DIR/UV_TOOL_BIN_DIR), virtual environment and a
PATH without the test's own gwlint; ``python3`` is the interpreter behind the test's virtualenv.
Then the gwlint that the command installed runs ``--version`` (an install from the clone's HEAD
names its commit, ``+g<hash>``, or its release tag) and ``check`` on a two-file deployment (nginx
proxies to a port gunicorn does not bind: GW401, exit 1).

Without a wheelhouse, pipx, uv, pre-commit or git the tests skip, unless CI is set: then they fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.installing import GUNICORN_CONF, NGINX_CONF, unavailable

MUST = "the install commands of the docs must run"
HOMEPAGE = "https://github.com/gwlint/gwlint"
INSTALL_MARKER = "<!-- install-commands -->"
TEST_MARKER = "<!-- test-command -->"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

# an install by a package tool; the tools the test can run are RUNNABLE
INSTALLER = re.compile(
    r"(?:\bpython3?(?:\.\d+)?\s+-m\s+)?"
    r"\b(pipx|pip3?|uv\s+tool|uv\s+pip|uv|poetry|pdm|conda|mamba|micromamba|brew|apt-get|apt)"
    r"\s+(install|add)\b"
)
RUNNABLE = {"pip", "pipx", "uv tool", "uv pip"}
PIN = re.compile(r"github\.com/gwlint/gwlint(?:\.git)?@([^\s\"'#`]+)")
SHELL_OPERATORS = {"&&", "||", ";", "|"}


# --- reading the docs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Install:
    """One install command of gwlint as the docs show it."""

    where: str  # doc:line
    tool: str  # pip, pipx, uv tool, uv pip; or the tool the test cannot run
    args: tuple[str, ...]

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        return self.tool, self.args

    @property
    def released(self) -> bool:
        """It installs gwlint by name, from PyPI (a stand-in index here)."""
        return any(_bare_requirement(arg) for arg in self.args)

    @property
    def pinned(self) -> bool:
        return any(PIN.search(arg) for arg in self.args)

    @property
    def from_checkout(self) -> bool:
        return any(arg == "." or arg.startswith((".[", "./")) for arg in self.args)

    def command(self) -> str:
        prefix = ["python", "-m", "pip"] if self.tool == "pip" else self.tool.split()
        return shlex.join([*prefix, "install", *self.args])


@dataclass
class Block:
    where: str
    language: str
    marker: str | None
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass(frozen=True)
class PreCommit:
    where: str
    rev: str
    config: str  # the YAML block


def _bare_requirement(arg: str) -> bool:
    return re.fullmatch(r"gwlint(\[[^\]]*\])?\s*((===?|~=|!=|<=?|>=?)\s*\S+)?", arg) is not None


def _installs_gwlint(args: tuple[str, ...]) -> bool:
    for arg in args:
        if arg.startswith("-"):
            continue
        if arg == "." or arg.startswith((".[", "./")) or re.match(r"gwlint\b", arg):
            return True
        if "github.com/gwlint/gwlint" in arg:
            return True
    return False


def _code(line: str) -> str:
    """A shell line without its comment (a `#` that starts a word, outside quotes)."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def installs_in(line: str, where: str) -> list[Install]:
    found = []
    for match in INSTALLER.finditer(line):
        rest = line[match.start() :].split("`", 1)[0]
        try:
            words = shlex.split(rest, comments=True)
        except ValueError:
            words = rest.split()
        for index, word in enumerate(words):
            if word in SHELL_OPERATORS:
                words = words[:index]
                break
        tool = re.sub(r"\s+", " ", match.group(1))
        tool = "pip" if tool in {"pip", "pip3"} else tool
        start = words.index(match.group(2)) + 1 if match.group(2) in words else len(words)
        args = tuple(word.rstrip(";") for word in words[start:])
        if _installs_gwlint(args):
            found.append(Install(where, tool, args))
    return found


def read_docs() -> tuple[list[Install], list[Block], list[PreCommit]]:
    """Every install of gwlint, every fenced block, every pre-commit config of gwlint."""
    installs: list[Install] = []
    blocks: list[Block] = []
    precommits: list[PreCommit] = []
    for doc in DOCS:
        name = doc.relative_to(ROOT).as_posix()
        block: Block | None = None
        marker: str | None = None
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{name}:{number}"
            if line.lstrip().startswith("```"):
                if block is None:
                    block = Block(where, line.strip()[3:].strip(), marker)
                else:
                    blocks.append(block)
                    block = None
                marker = None
                continue
            if block is not None:
                block.lines.append(line)
            elif line.strip() in {INSTALL_MARKER, TEST_MARKER}:
                marker = line.strip()
            elif line.strip():
                marker = None
            installs.extend(installs_in(line, where))
    for block in blocks:
        if block.language not in {"yaml", "yml"}:
            continue
        repo = ""
        for offset, line in enumerate(block.lines, 1):
            if found := re.match(r"\s*-?\s*repo:\s*(\S+)", line):
                repo = found.group(1)
            elif (
                found := re.match(r"\s*rev:\s*(\S+)", line)
            ) and "github.com/gwlint/gwlint" in repo:
                doc, start = block.where.rsplit(":", 1)
                precommits.append(PreCommit(f"{doc}:{int(start) + offset}", found[1], block.text))
    return installs, blocks, precommits


def block_installs(block: Block) -> list[Install]:
    """The installs a block runs (not those in its comments)."""
    doc, start = block.where.rsplit(":", 1)
    return [
        install
        for offset, line in enumerate(block.lines, 1)
        for install in installs_in(_code(line), f"{doc}:{int(start) + offset}")
    ]


@dataclass(frozen=True)
class Scenario:
    id: str
    kind: str  # block, alone, pre-commit
    script: str  # shell, with the homepage not yet rewritten; for pre-commit the config
    released: bool
    expect_commit: bool  # installs the clone's HEAD: --version names it
    pinned_rev: str | None = None


def scenarios() -> tuple[list[Scenario], list[str]]:
    """What to run, and the install commands that cannot be run (each a message)."""
    installs, blocks, precommits = read_docs()
    exempt = {i.key for b in blocks if b.marker == TEST_MARKER for i in block_installs(b)}
    run: list[Scenario] = []
    problems: list[str] = []
    covered: set[tuple[str, tuple[str, ...]]] = set()
    for block in blocks:
        if block.marker != INSTALL_MARKER:
            continue
        found = block_installs(block)
        if block.language not in {"sh", "bash", "shell"} or not found:
            problems.append(f"{block.where}: {INSTALL_MARKER} on a block that is not a sh block of")
            continue
        problems.extend(
            f"{i.where}: `{i.command()}`: {i.tool} is not a tool this test runs"
            for i in found
            if i.tool not in RUNNABLE
        )
        covered.update(i.key for i in found)
        first = next(line.strip() for line in block.lines if line.strip())
        run.append(
            Scenario(
                id=f"{block.where} {first}",
                kind="block",
                script=block.text,
                released=any(i.released for i in found),
                expect_commit=not any(i.pinned for i in found),
            )
        )
    for install in installs:
        if install.key in covered or install.key in exempt:
            continue
        covered.add(install.key)
        if install.tool not in RUNNABLE:
            problems.append(
                f"{install.where}: `{install.command()}`: {install.tool} is not a tool this "
                "test runs"
            )
            continue
        script = install.command() + "\n"
        if install.tool in {"pip", "uv pip"}:
            script = f"python3 -m venv .venv && . .venv/bin/activate\n{script}"
        if install.from_checkout:
            script = f"git clone {HOMEPAGE} && cd gwlint\n{script}"
        run.append(
            Scenario(
                id=f"{install.where} {install.command()}",
                kind="alone",
                script=script,
                released=install.released,
                expect_commit=not install.pinned,
            )
        )
    for rev in sorted({p.rev for p in precommits}):
        first = next(p for p in precommits if p.rev == rev)
        run.append(
            Scenario(
                id=f"{first.where} pre-commit rev: {rev}",
                kind="pre-commit",
                script=first.config,
                released=False,
                expect_commit=False,
                pinned_rev=rev,
            )
        )
    return run, problems


SCENARIOS, PROBLEMS = scenarios()


# --- what the docs must show ---------------------------------------------------------------------


def test_every_install_command_is_run() -> None:
    assert not PROBLEMS, "\n".join(PROBLEMS)
    kinds = {s.kind for s in SCENARIOS}
    assert {"block", "pre-commit"} <= kinds


def test_the_readme_shows_pipx_uv_a_virtualenv_and_a_checkout() -> None:
    readme = [s for s in SCENARIOS if s.id.startswith("README.md:") and s.kind == "block"]
    scripts = [s.script for s in readme]
    assert any(s.startswith("pipx install git+") for s in scripts), scripts
    assert any(s.startswith("uv tool install git+") for s in scripts), scripts
    assert any(s.startswith("python3 -m venv .venv") for s in scripts), scripts
    assert any(s.startswith(f"git clone {HOMEPAGE}") and "install ." in s for s in scripts)
    # a fresh Debian or Ubuntu (PEP 668): pipx or a virtual environment comes first
    assert scripts[0].startswith(("pipx install", "python3 -m venv")), scripts[0]


def _git_tags() -> list[str]:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return []
    done = subprocess.run(
        ["git", "tag", "--list", "v[0-9]*"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return done.stdout.split()


def test_the_pins_are_one_commit_until_a_release() -> None:
    """Every pinned gwlint (pre-commit `rev:`, `git+...@REF`) names the same ref: one line to
    move at a release. Before the first tag, that is a commit hash, never an invented tag."""
    _, _, precommits = read_docs()
    pins = {(p.where, p.rev) for p in precommits}
    for doc in DOCS:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            pins.update(
                (f"{doc.relative_to(ROOT).as_posix()}:{number}", ref) for ref in PIN.findall(line)
            )
    assert pins, "the docs pin gwlint nowhere (pre-commit needs a rev)"
    refs = {ref for _, ref in pins}
    assert len(refs) == 1, sorted(pins)
    [ref] = refs
    tags = _git_tags()
    if tags:
        assert ref in tags or re.fullmatch(r"[0-9a-f]{40}", ref), (ref, tags)
    else:
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"no release is tagged yet: pin a commit: {ref}"


def test_the_reader_finds_installs_in_prose_yaml_and_comments() -> None:
    found = installs_in(
        '- run: python -m pip install "gwlint @ git+https://github.com/gwlint/gwlint@abc"'
        " # or `pipx install gwlint`, `pip install gevent`, `conda install gwlint`",
        "x:1",
    )
    assert [(i.tool, i.args) for i in found] == [
        ("pip", ("gwlint @ git+https://github.com/gwlint/gwlint@abc",)),
        ("pipx", ("gwlint",)),
        ("conda", ("gwlint",)),
    ]
    assert [i.released for i in found] == [False, True, True]
    assert installs_in("pip install . && gwlint check fixtures/demo/", "x:1")[0].args == (".",)
    assert installs_in("(`pip install` of gwlint at `rev`)", "x:1") == []
    assert _code('pip install "a # b" # c') == 'pip install "a # b" '


def test_a_source_tree_never_installed_says_the_fallback_version(tmp_path: Path) -> None:
    """gwlint/_version.py is written at build and install time; a copy of the sources on
    sys.path without it (a tarball, a plain checkout) says pyproject.toml's fallback-version."""
    import tomllib

    fallback = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["version"][
        "fallback-version"
    ]
    shutil.copytree(
        ROOT / "gwlint",
        tmp_path / "gwlint",
        ignore=shutil.ignore_patterns("_version.py", "__pycache__"),
    )
    # -I: no PYTHONPATH, no user site; the copy first on sys.path, before any installed gwlint
    probe = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import gwlint; "
    probe += "print(gwlint.__version__, gwlint.__file__)"
    done = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    version, location = done.stdout.split()
    assert Path(location).is_relative_to(tmp_path)
    assert version == fallback


# --- running them --------------------------------------------------------------------------------


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@dataclass(frozen=True)
class World:
    """The clone the docs' URL points to, and the wheels the installs may use."""

    origin: Path
    history: bool  # the clone has this checkout's commits (pinned revs resolve)
    deps: Path  # the wheelhouse without gwlint
    base_env: dict[str, str]
    tmp: Path


def _base_environment() -> dict[str, str]:
    dropped = ("PIP_", "PIPX_", "UV_", "GIT_", "PRE_COMMIT", "VIRTUALENV_", "PYTHON", "XDG_")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(dropped) and name not in {"HOME", "TMPDIR", "VIRTUAL_ENV"}
    }
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="gwlint tests",
        GIT_AUTHOR_EMAIL="tests@gwlint.invalid",
        GIT_COMMITTER_NAME="gwlint tests",
        GIT_COMMITTER_EMAIL="tests@gwlint.invalid",
    )
    return env


def _clone(dest: Path, env: dict[str, str]) -> bool:
    """This checkout's history with the working tree committed on top; True with history."""
    if (ROOT / ".git").exists():
        _git(ROOT.parent, env, "clone", "--quiet", str(ROOT), str(dest))
        for name in _git(dest, env, "ls-files", "-z").split("\0"):
            if name:
                (dest / name).unlink(missing_ok=True)
        listed = _git(ROOT, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        for name in filter(None, listed.split("\0")):
            source = ROOT / name
            if source.is_file() or source.is_symlink():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, dest / name, follow_symlinks=False)
        history = True
    else:  # an unpacked source tree: commit it as it stands
        shutil.copytree(
            ROOT,
            dest,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "venv", "__pycache__", ".*_cache", ".hypothesis", "*.egg-info"
            ),
        )
        (dest / "gwlint" / "_version.py").unlink(missing_ok=True)
        _git(dest, env, "init", "--quiet")
        history = False
    _git(dest, env, "add", "--all")
    if _git(dest, env, "status", "--porcelain"):
        _git(dest, env, "commit", "--quiet", "--no-verify", "-m", "the working tree under test")
    return history


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    value = os.environ.get("GWLINT_WHEELHOUSE", "")
    if not value:
        unavailable("GWLINT_WHEELHOUSE is not set (.ci/run builds the wheelhouse)", MUST)
    wheelhouse = Path(value)
    for wheel in ("hatchling", "hatch_vcs", "pip"):
        if not any(wheelhouse.glob(f"{wheel}-*.whl")):
            unavailable(f"GWLINT_WHEELHOUSE={value} holds no {wheel} wheel (.ci/run adds it)", MUST)
    if shutil.which("git") is None:
        unavailable("git is not installed", MUST)
    tmp = tmp_path_factory.mktemp("install-docs")
    env = _base_environment()
    origin = tmp / "origin" / "gwlint"
    history = _clone(origin, env)
    (tmp / "origin" / "gwlint.git").symlink_to("gwlint")  # for a https://.../gwlint.git URL
    deps = tmp / "deps"
    deps.mkdir()
    for wheel in wheelhouse.glob("*.whl"):
        if not wheel.name.startswith("gwlint-"):
            (deps / wheel.name).symlink_to(wheel.resolve())
    return World(origin, history, deps, env, tmp)


@pytest.fixture(scope="module")
def release_index(world: World) -> Path:
    """A stand-in for PyPI: the wheelhouse and a wheel of gwlint built from the clone."""
    index = world.tmp / "release-index"
    index.mkdir()
    for wheel in world.deps.iterdir():
        (index / wheel.name).symlink_to(wheel.resolve())
    env = dict(
        world.base_env,
        HOME=str(world.tmp),
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(world.deps),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir"]
    done = subprocess.run(
        [*command, str(index), str(world.origin)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return index


def _shims(where: Path) -> Path:
    """python3, pipx, uv and pre-commit for the commands, nothing else of the test's virtualenv."""
    where.mkdir()
    base = Path(getattr(sys, "_base_executable", "") or sys.executable)
    for name in ("python3", "python"):
        (where / name).write_text(f'#!/bin/sh\nexec {shlex.quote(str(base))} "$@"\n')
    for name, module in (("pipx", "pipx"), ("pre-commit", "pre_commit")):
        if importlib.util.find_spec(module) is not None:
            run = f"{shlex.quote(sys.executable)} -m {module}"
            (where / name).write_text(f'#!/bin/sh\nexec {run} "$@"\n')
    if importlib.util.find_spec("uv") is not None:
        from uv import find_uv_bin

        (where / "uv").symlink_to(find_uv_bin())
    for shim in where.iterdir():
        if not shim.is_symlink():
            shim.chmod(0o755)
    return where


def _path(front: list[Path]) -> str:
    """PATH: `front`, then the system's, without any folder that holds a gwlint or the test's
    own virtualenv."""
    own = Path(sys.executable).parent
    kept = [
        folder
        for folder in os.environ.get("PATH", "").split(os.pathsep)
        if folder and Path(folder) != own and not (Path(folder) / "gwlint").exists()
    ]
    return os.pathsep.join([*map(str, front), *kept])


def _environment(home: Path, links: list[Path], base: dict[str, str]) -> dict[str, str]:
    for folder in ("home", "tmp", "bin", "work"):
        (home / folder).mkdir()
    uv_config = home / "uv.toml"
    uv_config.write_text(
        "no-index = true\nfind-links = [" + ", ".join(f'"{link}"' for link in links) + "]\n"
    )
    return dict(
        base,
        HOME=str(home / "home"),
        TMPDIR=str(home / "tmp"),
        PATH=_path([home / "bin", _shims(home / "shims")]),
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=" ".join(map(str, links)),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PIP_NO_COMPILE="1",  # no .pyc for every installed module: half the time of an install
        PIPX_HOME=str(home / "pipx"),
        PIPX_BIN_DIR=str(home / "bin"),
        PIPX_MAN_DIR=str(home / "man"),
        PIPX_DEFAULT_BACKEND="pip",  # as Debian's and Ubuntu's pipx (uv is run by itself)
        PIPX_DEFAULT_PYTHON=str(home / "shims" / "python3"),
        UV_CONFIG_FILE=str(uv_config),
        UV_OFFLINE="1",
        UV_TOOL_DIR=str(home / "uv-tools"),
        UV_TOOL_BIN_DIR=str(home / "bin"),
        UV_CACHE_DIR=str(home / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        UV_PYTHON_PREFERENCE="only-system",
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(home / "virtualenv"),
    )


def _rewrite(text: str, origin: Path) -> str:
    """The docs' URL to the clone's. With a host: pip before 24 takes no `git+file:///` in
    `gwlint @ URL` (packaging wanted a host in a direct reference's URL); git takes both."""
    return text.replace(HOMEPAGE, f"file://localhost{origin.as_posix()}")


def _deployment(where: Path) -> Path:
    where.mkdir()
    (where / "nginx.conf").write_text(NGINX_CONF)
    (where / "gunicorn.conf.py").write_text(GUNICORN_CONF)
    return where


def _check_installed(scenario: Scenario, home: Path, env: dict[str, str], world: World) -> None:
    where = Path((home / "gwlint-path").read_text().strip())
    assert where.is_absolute(), where
    assert where.resolve().is_relative_to(home.resolve()), f"{where}: not this command's install"
    version = subprocess.run(
        [str(where), "--version"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert version.returncode == 0, version.stdout + version.stderr
    assert re.fullmatch(r"gwlint \S+\n", version.stdout), version.stdout
    if scenario.expect_commit:
        installed = version.stdout.split()[1]
        head = _git(world.origin, world.base_env, "rev-parse", "HEAD").strip()
        tag = subprocess.run(
            ["git", "describe", "--tags", "--exact-match", "HEAD"],
            cwd=world.origin,
            env=world.base_env,
            capture_output=True,
            text=True,
            check=False,
        )
        if tag.returncode == 0:
            assert installed == tag.stdout.strip().removeprefix("v"), installed
        else:
            named = re.search(r"\+g([0-9a-f]{7,40})", installed)
            assert named, f"{installed}: no commit named (hatch-vcs)"
            assert head.startswith(named[1]), (installed, head)
    deployment = _deployment(home / "deployment")
    check = subprocess.run(
        [str(where), "check", "nginx.conf", "gunicorn.conf.py"],
        cwd=deployment,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 1, check.stdout + check.stderr
    assert re.search(r"^nginx\.conf:5:\d+: GW401 ", check.stdout, re.MULTILINE), check.stdout


def _run_precommit(scenario: Scenario, home: Path, env: dict[str, str], world: World) -> None:
    if not world.history:
        unavailable("not a git checkout: the pinned rev cannot be found", MUST)
    if importlib.util.find_spec("pre_commit") is None:
        unavailable("pre-commit is not installed (it is in the test extras)", MUST)
    project = _deployment(home / "project")
    (project / ".pre-commit-config.yaml").write_text(_rewrite(scenario.script, world.origin))
    _git(project, env, "init", "--quiet")
    _git(project, env, "add", "--all")
    done = subprocess.run(
        ["pre-commit", "run", "gwlint", "--all-files", "--color=never"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    assert re.search(r"^nginx\.conf:5:\d+: GW401 ", done.stdout, re.MULTILINE), done.stdout


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_the_install_command_works(
    scenario: Scenario, world: World, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    needs = {"pipx": "pipx", "uv tool": "uv", "uv pip": "uv"}
    for word, module in needs.items():
        if re.search(
            rf"(^|\s){word}\s+install\b", scenario.script
        ) and not importlib.util.find_spec(module):
            unavailable(f"{module} is not installed (it is in the test extras)", MUST)
    links = [world.deps]
    if scenario.released:
        links.insert(0, request.getfixturevalue("release_index"))
    env = _environment(tmp_path, links, world.base_env)
    if scenario.kind == "pre-commit":
        _run_precommit(scenario, tmp_path, env, world)
        return
    pins = set(PIN.findall(scenario.script))
    if pins and not world.history:
        unavailable("not a git checkout: the pinned rev cannot be found", MUST)
    script = (
        "set -e\n"
        + _rewrite(scenario.script, world.origin)
        + f"command -v gwlint > {shlex.quote(str(tmp_path / 'gwlint-path'))}\n"
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path / "work",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n{done.stdout}"
    _check_installed(scenario, tmp_path, env, world)
