"""The inventory: what a folder walk reads, and as what (gwlint/inventory)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwlint.inventory import Ignores, Inventory, walk
from gwlint.inventory.classify import classify, context_kind, is_backup
from tests.conftest import chdir, gwlint

NGINX = "events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _walked(root: Path, ignores: Ignores | None = None) -> Inventory:
    found = Inventory()
    with chdir(root):
        walk(".", found, ignores=ignores or Ignores())
    return found


@pytest.mark.parametrize(
    ("name", "backup"),
    [
        ("nginx.conf~", True),
        ("default.conf.orig", True),
        ("nginx.conf.bak", True),
        ("nginx.conf.dpkg-old", True),
        ("nginx.conf.dpkg-dist", True),
        ("uwsgi.ini.rpmnew", True),
        ("#nginx.conf#", True),
        (".#nginx.conf", True),
        (".nginx.conf.swp", True),
        ("nginx.conf", False),
        ("backup.conf", False),
        ("orig.ini", False),
    ],
)
def test_backup_and_editor_files(name: str, backup: bool) -> None:
    assert is_backup(name) is backup


def test_documentation_backups_and_templates_in_a_walk(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "README.md": "```ini\n[uwsgi]\nsocket = :3031\n```\n",
            "docs/deploy.rst": "server {\n  listen 80;\n}\n",
            "notes.txt": "[uwsgi]\nprocesses = 1\n",
            "nginx.conf": NGINX,
            "nginx.conf~": NGINX,
            "nginx.conf.orig": NGINX,
            "uwsgi.ini": "[uwsgi]\nsocket = :3031\n",
            "uwsgi.ini.bak": "[uwsgi]\nsocket = :3031\n",
            "templates/site.conf.j2": "server {\n    listen {{ port }};\n}\n",
            "templates/supervisord.conf.j2": "[program:x]\ncommand={{ cmd }}\n",
            "requirements/prod.txt": "gunicorn==23.0.0\n",
            "k8s/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n",
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
        },
    )
    found = _walked(tmp_path)
    assert found.nginx == ["nginx.conf", "templates/site.conf.j2"]
    assert found.uwsgi == ["uwsgi.ini"]
    assert found.pins == ["requirements/prod.txt"]
    assert found.manifests == ["k8s/app.yaml"]
    assert found.gunicorn == []


def test_content_decides_where_a_name_misleads(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            # a systemd unit and a script named after gunicorn are not Python configs
            "gunicorn.service": "[Unit]\nDescription=x\n[Service]\n"
            "ExecStart=/v/bin/gunicorn app:app --bind 127.0.0.1:8000\n",
            "gunicorn_start": "#!/bin/bash\nWORKERS=3\nexec gunicorn app:app -w $WORKERS\n",
            "gunicorn": "[Service]\nExecStart=/v/bin/gunicorn app:app\n",
            # a Python config without .py, a compose file with another name
            "gunicorn.conf": "bind = '127.0.0.1:8000'\nworkers = 3\n",
            "stack.yml": "services:\n  web:\n    build: .\n    command: gunicorn app:app\n",
        },
    )
    found = _walked(tmp_path)
    assert found.launcher == ["gunicorn", "gunicorn.service", "gunicorn_start", "stack.yml"]
    assert found.gunicorn == ["gunicorn.conf"]
    with chdir(tmp_path):
        assert classify("gunicorn_start") == "launcher"
        assert classify("gunicorn") == "launcher"
        assert context_kind("stack.yml") is None


def test_gitignore_and_exclude_patterns(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".gitignore": "generated/\n*.local.conf\n!keep.local.conf\n",
            "generated/nginx.conf": NGINX,
            "site/nginx.conf": NGINX,
            "site/dev.local.conf": NGINX,
            "site/keep.local.conf": NGINX,
            "site/.gitignore": "old/\n",
            "site/old/nginx.conf": NGINX,
            "legacy/nginx.conf": NGINX,
            "deploy/v1/nginx.conf": NGINX,
        },
    )
    assert _walked(tmp_path).nginx == [
        "deploy/v1/nginx.conf",
        "legacy/nginx.conf",
        "site/keep.local.conf",
        "site/nginx.conf",
    ]
    ignores = Ignores(root=str(tmp_path), extend_exclude=("legacy/", "deploy/*/nginx.conf"))
    assert _walked(tmp_path, ignores).nginx == ["site/keep.local.conf", "site/nginx.conf"]
    everything = Ignores(root=str(tmp_path), respect_gitignore=False)
    assert len(_walked(tmp_path, everything).nginx) == 7
    # exclude replaces the default list: node_modules is walked again
    _write(tmp_path, {"node_modules/pkg/nginx.conf": NGINX})
    assert "node_modules/pkg/nginx.conf" not in _walked(tmp_path).nginx
    replaced = Ignores(root=str(tmp_path), exclude=(".git",))
    assert "node_modules/pkg/nginx.conf" in _walked(tmp_path, replaced).nginx


def test_exclude_keys_of_the_configuration(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "gwlint.toml": 'extend-exclude = ["legacy/"]\n',
            "legacy/nginx.conf": "events {}\nhttp {\n  server {\n    listen 80\n  }\n}\n",
            "nginx.conf": NGINX,
        },
    )
    run = gwlint("check", cwd=tmp_path)
    assert run.code == 0, run.out
    # a file named on the command line is read whatever the excludes say
    named = gwlint("check", "legacy/nginx.conf", cwd=tmp_path)
    assert named.code == 1
    assert "GW001" in named.out


def test_named_documentation_is_refused_by_name(tmp_path: Path) -> None:
    _write(tmp_path, {"README.md": "```ini\n[uwsgi]\nsocket = :3031\n```\n"})
    run = gwlint("check", "README.md", "--isolated", cwd=tmp_path)
    assert run.code == 1
    assert run.out.startswith(
        "README.md:1:1: GW010 [error] documentation, not a config; name it with --nginx, "
        "--gunicorn or --uwsgi\n"
    )


@pytest.mark.parametrize(
    "patterns",
    [
        (),  # the defaults
        ("venv", "build/", "#comment", ""),
        ("node_modules", "dist/", ".cache"),
    ],
)
def test_plain_name_excludes_match_as_gitignore_does(patterns: tuple[str, ...]) -> None:
    """Plain names are matched without pathspec (faster to start): the same answers as
    pathspec's gitignore matcher, files and folders, at any depth and below a match."""
    import pathspec

    from gwlint.loaders import SKIP_DIRS

    chosen = patterns or tuple(sorted(SKIP_DIRS))
    spec = pathspec.GitIgnoreSpec.from_lines(chosen)
    ignores = Ignores(root=".", exclude=chosen)
    names = ["venv", "build", "dist", ".cache", ".git", "node_modules", "app", "nginx.conf"]
    paths = [
        "/".join(parts) for a in names for b in ("", *names) for parts in [[a, b] if b else [a]]
    ]
    paths += ["deploy/build/nginx.conf", "a/b/venv", "../out/venv/x", "venv.conf", "builds/x"]
    for path in paths:
        for folder in (False, True):
            wanted = spec.match_file(path + ("/" if folder else ""))
            assert ignores._excluded(path, folder) == wanted, (path, folder)
    assert ignores._names is not None  # the fast path was taken


def test_glob_excludes_still_use_a_real_matcher() -> None:
    ignores = Ignores(root=".", exclude=("*.conf", "!keep.conf"))
    assert ignores._excluded("site.conf", False)
    assert not ignores._excluded("keep.conf", False)
    assert ignores._names is None
