"""``gwlint check`` with no path: find the configs, the roots of snippets, group deployments."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import gwlint

FRAGMENT = """\
server {
    listen 80;
    location / {
        proxy_read_timeout 120s;
        proxy_pass http://127.0.0.1:8000;
    }
}
"""
GUNICORN = 'bind = "127.0.0.1:8000"\ntimeout = 60\nworkers = 3\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _findings(root: Path, *args: str) -> list[dict[str, object]]:
    run = gwlint("check", "--format", "json", "--isolated", *args, cwd=root)
    assert run.code in (0, 1), run.err
    diagnostics: list[dict[str, object]] = json.loads(run.out)["diagnostics"]
    return diagnostics


def test_sites_enabled_fragment_and_gunicorn_with_no_arguments(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "deploy/nginx/sites-enabled/app.conf": FRAGMENT,
            "gunicorn.conf.py": GUNICORN,
            "README.md": "# not a config\n",
        },
    )
    run = gwlint("check", "--isolated", cwd=tmp_path)
    assert run.code == 1
    assert run.out.startswith(
        "deploy/nginx/sites-enabled/app.conf:4:9: GW101 [warning] gunicorn timeout 60s "
        "(gunicorn.conf.py:2) < proxy_read_timeout 120s"
    ), run.out
    assert "Checked 2 files against" in run.out


def test_folders_nobody_deploys_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path, {"deploy/sites-enabled/app.conf": FRAGMENT, "gunicorn.conf.py": GUNICORN})
    for skipped in (".git", ".venv", "venv", "node_modules", "build", "dist", ".tox", "x.egg-info"):
        _write(tmp_path, {f"{skipped}/sites-enabled/bad.conf": "server {\n  listen 80\n}\n"})
        _write(tmp_path, {f"{skipped}/gunicorn.conf.py": "timeout = (\n"})
    assert [d["code"] for d in _findings(tmp_path)] == ["GW101"]


def test_two_projects_on_the_same_port_are_two_deployments(tmp_path: Path) -> None:
    """Merged into one, each route would reach two apps on 127.0.0.1:8000 and pair with
    neither (only DNS could tell): the GW101 of project a would be lost."""
    _write(
        tmp_path,
        {
            "a/nginx/nginx.conf": (
                "events {}\nhttp {\n    include /etc/nginx/sites-enabled/*.conf;\n}\n"
            ),
            "a/nginx/sites-enabled/app.conf": FRAGMENT,
            "a/gunicorn.conf.py": GUNICORN,
            "b/nginx.conf": "events {}\nhttp {\n"
            + FRAGMENT.replace("120s", "30s").replace("\n", "\n    ")
            + "}\n",
            "b/gunicorn.conf.py": GUNICORN,
        },
    )
    found = [
        (d["code"], d["path"], [r["path"] for r in d["related"]])  # type: ignore[attr-defined]
        for d in _findings(tmp_path, "--select", "GW101,GW401")
    ]
    assert found == [
        (
            "GW101",
            "a/nginx/sites-enabled/app.conf",
            ["a/gunicorn.conf.py", "a/nginx/sites-enabled/app.conf"],
        )
    ]
    run = gwlint("check", "--isolated", cwd=tmp_path)
    assert "Checked 5 files in 2 deployments against" in run.out


def test_a_named_snippet_is_linted_inside_its_root(tmp_path: Path) -> None:
    """The root sets proxy_read_timeout at http level: the snippet alone would use the 60 s
    default and see no problem against timeout = 60 (equal: a race, still GW101), so a
    longer value inherited from the root is what makes the message say 300s."""
    _write(
        tmp_path,
        {
            "etc/nginx/nginx.conf": "events {}\nhttp {\n    proxy_read_timeout 300s;\n"
            "    include sites-enabled/*.conf;\n}\n",
            "etc/nginx/sites-enabled/app.conf": FRAGMENT.replace(
                "        proxy_read_timeout 120s;\n", ""
            ),
            "gunicorn.conf.py": GUNICORN,
        },
    )
    run = gwlint(
        "check",
        "--isolated",
        "--select",
        "GW101",
        "etc/nginx/sites-enabled/app.conf",
        "gunicorn.conf.py",
        cwd=tmp_path,
    )
    assert "< proxy_read_timeout 300s (etc/nginx/nginx.conf:3)" in run.out, run.out
    assert "Checked 3 files against" in run.out


def test_fragments_no_main_file_includes_are_their_own_deployment(tmp_path: Path) -> None:
    """sites-available holds servers nginx does not load: never merged into the main
    config (a duplicate server there would be a false alarm), still checked."""
    _write(
        tmp_path,
        {
            "nginx/nginx.conf": "events {}\nhttp {\n    include sites-enabled/*.conf;\n}\n",
            "nginx/sites-enabled/app.conf": FRAGMENT,
            "nginx/sites-available/old.conf": FRAGMENT.replace("120s", "90s"),
            "gunicorn.conf.py": GUNICORN,
        },
    )
    run = gwlint("check", "--isolated", "--select", "GW101", cwd=tmp_path)
    assert "in 2 deployments" in run.out
    assert "nginx/sites-enabled/app.conf:4:9: GW101" in run.out
    assert "nginx/sites-available/old.conf:4:9: GW101" in run.out


def test_an_app_nothing_pairs_with_goes_to_the_closest_nginx(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "a/nginx.conf": "events {}\nhttp {\n" + FRAGMENT + "}\n",
            "a/app/gunicorn.conf.py": 'bind = "127.0.0.1:9000"\n',
            "b/nginx.conf": "events {}\nhttp {\n"
            + FRAGMENT.replace("8000", "7000").replace("120s", "30s")
            + "}\n",
            "b/gunicorn.conf.py": 'bind = "127.0.0.1:7000"\n',
        },
    )
    found = [(d["code"], d["path"]) for d in _findings(tmp_path, "--select", "GW401")]
    assert found == [("GW401", "a/nginx.conf")]
    message = str(_findings(tmp_path, "--select", "GW401")[0]["message"])
    assert "a/app/gunicorn.conf.py" in message
    assert "b/gunicorn.conf.py" not in message


def test_an_app_as_close_to_several_deployments_is_checked_on_its_own(tmp_path: Path) -> None:
    """Neither nginx reaches it and it is as close to both: no guess, so neither deployment
    lists it as the app nginx should have reached, and its own checks still run."""
    _write(
        tmp_path,
        {
            "a/nginx.conf": "events {}\nhttp {\n" + FRAGMENT + "}\n",
            "b/nginx.conf": "events {}\nhttp {\n" + FRAGMENT.replace("8000", "7000") + "}\n",
            "gunicorn.conf.py": 'bind = "127.0.0.1:9000"\nworkerz = 3\n',
        },
    )
    found = _findings(tmp_path, "--select", "GW401,GW701")
    assert sorted((d["code"], d["path"]) for d in found) == [("GW701", "gunicorn.conf.py")]
    run = gwlint("check", "--isolated", cwd=tmp_path)
    assert "in 3 deployments" in run.out


def test_nginx_dockerfile_and_compose_with_no_arguments(tmp_path: Path) -> None:
    """The compose service runs the image the Dockerfile builds: one gunicorn, whose timeout
    the compose command sets, checked against the nginx that proxies to the service."""
    _write(
        tmp_path,
        {
            "nginx/nginx.conf": "events {}\nhttp {\n"
            + FRAGMENT.replace("127.0.0.1:8000", "web:8000")
            + "}\n",
            "Dockerfile": 'FROM python:3.12-slim\nCMD ["gunicorn", "app:app", "--bind", '
            '"0.0.0.0:8000"]\n',
            "docker-compose.yml": "services:\n  web:\n    build: .\n"
            "    command: gunicorn app:app --bind 0.0.0.0:8000 --timeout 60\n"
            "  nginx:\n    image: nginx:1.27\n",
        },
    )
    found = _findings(tmp_path, "--select", "GW101")
    assert [(d["code"], d["path"]) for d in found] == [("GW101", "nginx/nginx.conf")]
    related = [(r["path"], r["line"]) for r in found[0]["related"]]  # type: ignore[attr-defined]
    assert ("docker-compose.yml", 4) in related


def test_an_env_file_joins_the_gunicorn_its_folder_starts(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "nginx.conf": "events {}\nhttp {\n" + FRAGMENT + "}\n",
            "Procfile": "web: gunicorn app:app --bind 127.0.0.1:8000\n",
            "prod.env": 'GUNICORN_CMD_ARGS="--timeout 60"\n',
        },
    )
    found = _findings(tmp_path, "--select", "GW101")
    assert len(found) == 1
    related = [(r["path"], r["line"]) for r in found[0]["related"]]  # type: ignore[attr-defined]
    assert ("prod.env", 1) in related
    run = gwlint("check", "--isolated", cwd=tmp_path)
    assert "in 2 deployments" not in run.out  # one gunicorn, not a second one for prod.env
