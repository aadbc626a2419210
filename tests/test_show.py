"""``--show-files`` and ``--show-settings``: what was read as what, how it was grouped and
paired, and each fact with its source."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import gwlint


def _repository(root: Path) -> None:
    files = {
        "nginx/Dockerfile": "FROM nginx:1.27-alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "nginx/nginx.conf": (
            "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n"
            "            proxy_pass http://web:8000;\n            proxy_read_timeout 90s;\n"
            "        }\n    }\n}\n"
        ),
        "docker-compose.yml": (
            "services:\n  web:\n    build: .\n    environment:\n      WEB_CONCURRENCY: '4'\n"
            "    command: gunicorn app:app --bind 0.0.0.0:8000 --timeout 120\n"
            "  nginx:\n    build: ./nginx\n    ports:\n      - '80:80'\n"
        ),
        "Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\n",
        "requirements.txt": "gunicorn==21.2.0\n",
        "README.md": "# app\n",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_show_files_lists_kinds_roles_and_pairing(tmp_path: Path) -> None:
    _repository(tmp_path)
    run = gwlint("check", "--isolated", "--show-files", cwd=tmp_path)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == "Files (5):"
    rows = {line.split()[1]: line for line in lines[1:6]}
    assert rows["nginx/nginx.conf"].split()[0] == "nginx"
    assert "deployment 1, its main file" in rows["nginx/nginx.conf"]
    assert "starts gunicorn (compose service web)" in rows["docker-compose.yml"]
    assert "gunicorn gunicorn==21.2.0 (line 1)" in rows["requirements.txt"]
    assert "README.md" not in run.out
    assert (
        "     route / (nginx/nginx.conf:6, http://web:8000) -> gunicorn (docker-compose.yml) "
        "on 0.0.0.0:8000 (certain)"
    ) in lines


def test_show_settings_gives_every_fact_its_source(tmp_path: Path) -> None:
    _repository(tmp_path)
    run = gwlint("check", "--isolated", "--show-settings", "--cpus", "2", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "  nginx 1.27: nginx/Dockerfile:1, FROM nginx:1.27-alpine" in run.out
    assert "  gunicorn 21.2: requirements.txt:1, gunicorn==21.2.0" in run.out
    assert "  cpus: 2  (--cpus or the configuration)" in run.out
    assert "    workers = 4  (docker-compose.yml:5, $WEB_CONCURRENCY)" in run.out
    assert "    timeout = --timeout 120  (docker-compose.yml:6)" in run.out
    assert "    read_timeout = 90s  (nginx/nginx.conf:7)" in run.out


def test_show_in_json_and_not_in_sarif(tmp_path: Path) -> None:
    _repository(tmp_path)
    run = gwlint(
        "check", "--isolated", "--show-files", "--show-settings", "--format", "json", cwd=tmp_path
    )
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert {row["path"]: row["kind"] for row in document["files"]}["Dockerfile"] == "launcher"
    assert document["deployments"][0]["links"][0]["certain"] is True
    assert {v["server"]: v["source"] for v in document["versions"]}["gunicorn"] == (
        "requirements.txt:1, gunicorn==21.2.0"
    )
    sarif = gwlint("check", "--isolated", "--show-files", "--format", "sarif", cwd=tmp_path)
    assert sarif.code == 2
    assert sarif.err == (
        "gwlint: error: --show-files and --show-settings print text or json, not sarif\n"
    )


def test_versions_in_the_summary_and_the_json_report(tmp_path: Path) -> None:
    _repository(tmp_path)
    run = gwlint("check", "--isolated", cwd=tmp_path)
    assert run.out.rstrip().endswith(
        "against nginx 1.27 (nginx/Dockerfile:1, FROM nginx:1.27-alpine) and gunicorn 21.2 "
        "(requirements.txt:1, gunicorn==21.2.0)."
    ), run.out
    document = json.loads(gwlint("check", "--isolated", "--format", "json", cwd=tmp_path).out)
    assert document["servers"][:2] == [
        {
            "server": "nginx",
            "version": "1.27",
            "source": "nginx/Dockerfile:1, FROM nginx:1.27-alpine",
        },
        {"server": "gunicorn", "version": "21.2", "source": "requirements.txt:1, gunicorn==21.2.0"},
    ]
    flagged = json.loads(
        gwlint(
            "check", "--isolated", "--format", "json", "--nginx-version", "1.26", cwd=tmp_path
        ).out
    )
    assert flagged["servers"][0] == {
        "server": "nginx",
        "version": "1.26",
        "source": "--nginx-version",
    }
