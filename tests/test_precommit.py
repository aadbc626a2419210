"""The pre-commit hook (.pre-commit-hooks.yaml) through the real framework: `pre-commit try-repo`.

A staged gunicorn.conf.py alone must still be checked against the nginx config that proxies to it
(the hook takes no file names and gwlint walks the repository), and a commit that touches no
config must not run gwlint at all.

pre-commit builds the hook's virtualenv with `pip install .` of a git clone of this checkout (the
committed code; the manifest is the working tree's, so it is tested before it is committed). That
needs gwlint's dependencies and hatchling: they come from the wheelhouse in $GWLINT_WHEELHOUSE
(.ci/run builds it), with pip's index off, so nothing here touches the network. Without a
wheelhouse, pre-commit or git the tests skip, unless CI is set: then they fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.installing import GUNICORN_CONF, NGINX_CONF, unavailable, wheelhouse

MUST = "the pre-commit test must run"
HOOK_ID = "gwlint"
MANIFEST = ".pre-commit-hooks.yaml"


def _environment(tmp: Path) -> dict[str, str]:
    """Offline and hermetic: pip from the wheelhouse only, no user or system configs."""
    house = wheelhouse(MUST)
    if importlib.util.find_spec("pre_commit") is None:
        unavailable("pre-commit is not installed (it is in the test extras)", MUST)
    if shutil.which("git") is None:
        unavailable("git is not installed", MUST)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PIP_", "GIT_", "PRE_COMMIT", "VIRTUALENV_"))
    }
    (tmp / "tmp").mkdir()
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(house),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        VIRTUALENV_NO_PERIODIC_UPDATE="1",  # else virtualenv fetches newer seed wheels from PyPI
        VIRTUALENV_OVERRIDE_APP_DATA=str(tmp / "virtualenv"),  # its seed-wheel cache
        PRE_COMMIT_HOME=str(tmp / "pre-commit-home"),
        TMPDIR=str(tmp / "tmp"),  # try-repo keeps its store (the hook's virtualenv) there
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="gwlint tests",
        GIT_AUTHOR_EMAIL="tests@gwlint.invalid",
        GIT_COMMITTER_NAME="gwlint tests",
        GIT_COMMITTER_EMAIL="tests@gwlint.invalid",
    )
    return env


def _git(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def _hook_repo(dest: Path, env: dict[str, str]) -> Path:
    """A clone of the checkout under test (committed code only) with the working tree's manifest."""
    if (ROOT / ".git").exists():
        _git(env, ROOT.parent, "clone", "--quiet", str(ROOT), str(dest))
    else:  # an unpacked source tree: commit it as it stands
        shutil.copytree(
            ROOT,
            dest,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "venv", "__pycache__", ".*_cache", ".hypothesis", "*.egg-info"
            ),
        )
        _git(env, dest, "init", "--quiet")
    shutil.copyfile(ROOT / MANIFEST, dest / MANIFEST)
    _git(env, dest, "add", "--all")
    if _git(env, dest, "status", "--porcelain"):
        _git(env, dest, "commit", "--quiet", "--no-verify", "-m", "gwlint under test")
    return dest


def _project(root: Path, env: dict[str, str]) -> Path:
    """A deployment repository: nginx proxies to :8001, gunicorn binds :8000 (GW401)."""
    root.mkdir()
    (root / "deploy").mkdir()
    (root / "deploy" / "nginx.conf").write_text(NGINX_CONF)
    (root / "deploy" / "gunicorn.conf.py").write_text(GUNICORN_CONF)
    (root / "README.md").write_text("# shop\n")
    _git(env, root, "init", "--quiet")
    _git(env, root, "add", "--all")
    _git(env, root, "commit", "--quiet", "--no-verify", "-m", "deployment")
    return root


def _try_repo(project: Path, hook_repo: Path, env: dict[str, str]) -> tuple[int, str]:
    """`pre-commit try-repo HOOK_REPO gwlint` on the staged files (no --all-files)."""
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK_ID, "--color=never"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout


@pytest.fixture(scope="module")
def hook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The hook repository and the environment, shared by the tests of this module."""
    tmp = tmp_path_factory.mktemp("precommit")
    env = _environment(tmp)
    return _hook_repo(tmp / "gwlint", env), env


@pytest.fixture
def setup(hook: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    hook_repo, env = hook
    return _project(tmp_path / "shop", env), hook_repo, env


def test_staged_gunicorn_conf_alone_is_checked_against_nginx(
    setup: tuple[Path, Path, dict[str, str]],
) -> None:
    project, hook_repo, env = setup
    with (project / "deploy" / "gunicorn.conf.py").open("a") as handle:
        handle.write("timeout = 90\n")
    _git(env, project, "add", "deploy/gunicorn.conf.py")
    assert _git(env, project, "diff", "--cached", "--name-only").split() == [
        "deploy/gunicorn.conf.py"
    ]

    code, out = _try_repo(project, hook_repo, env)

    assert code == 1, out
    assert re.search(r"^gwlint \(nginx <-> gunicorn/uWSGI\)\.+Failed$", out, re.MULTILINE), out
    assert re.search(r"^- hook id: gwlint$", out, re.MULTILINE), out
    # the finding sits on the nginx side, which is not staged: gwlint found it by itself
    assert re.search(
        r"^deploy/nginx\.conf:5:\d+: GW401 \[error\] proxy_pass 127\.0\.0\.1:8001",
        out,
        re.MULTILINE,
    ), out
    assert "deploy/gunicorn.conf.py" in out


def test_unrelated_staged_change_skips_the_hook(
    setup: tuple[Path, Path, dict[str, str]],
) -> None:
    project, hook_repo, env = setup
    (project / "README.md").write_text("# shop\n\nDeployment notes.\n")
    _git(env, project, "add", "README.md")
    assert _git(env, project, "diff", "--cached", "--name-only").split() == ["README.md"]

    code, out = _try_repo(project, hook_repo, env)

    assert code == 0, out
    assert re.search(
        r"^gwlint \(nginx <-> gunicorn/uWSGI\)\.+\(no files to check\)Skipped$", out, re.MULTILINE
    ), out
    assert "GW401" not in out


@pytest.mark.parametrize(
    ("path", "runs"),
    [
        ("deploy/nginx.conf", True),
        ("nginx/sites-enabled/app", True),
        ("conf.d/app.conf", True),
        ("gunicorn.conf.py", True),
        ("config/gunicorn_prod.py", True),
        ("uwsgi.ini", True),
        ("pyproject.toml", True),
        ("gwlint.toml", True),
        ("Procfile", True),
        ("Procfile.dev", True),
        ("Dockerfile", True),
        ("docker/Dockerfile.prod", True),
        ("docker-compose.prod.yml", True),
        ("compose.yaml", True),
        ("deploy/app.service", True),
        ("supervisord.conf", True),
        ("supervisor/conf.d/app.conf", True),
        (".env", True),
        ("prod.env", True),
        ("docker-entrypoint.sh", True),
        ("README.md", False),
        ("src/app.py", False),
        ("tox.ini", False),
        ("nginx.conf.j2", False),
        ("requirements.txt", False),
        ("scripts/build.sh", False),
    ],
)
def test_the_hook_runs_when_a_config_or_launcher_changes(path: str, runs: bool) -> None:
    """`files:` only decides whether the hook runs; pre-commit matches it with re.search."""
    import yaml

    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(manifest[0]["files"])
    assert bool(pattern.search(path)) is runs
