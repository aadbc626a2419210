"""Limits: what no input may make gwlint do. Each case ends (sizes are the test's own, bounded),
exits 0 or 1, and reports a located diagnostic where the limit is hit.

Covered elsewhere, not repeated here:
- a file that includes itself through another name (a.conf -> a.conf):
  tests/test_nginx_loader.py::test_include_cycle_is_reported_not_followed, and a two-file cycle:
  fixtures/GW001/fires-include-cycle;
- an include naming a folder: fixtures/GW001/fires-include-names-a-directory;
- blocks nested 1000 deep: tests/test_nginx_loader.py::test_deep_nesting_is_reported_not_a_crash;
- a binary nginx config and uWSGI ini: fixtures/GW001/fires-binary-file,
  fixtures/GW004/fires-binary-file; a binary Procfile:
  tests/test_launchers.py::test_binary_and_missing_files;
- includes outside the folders given, at the loader: test_nginx_loader.py::
  test_files_outside_the_given_folders_are_never_read (here: through the command line, for every
  kind of file that points to another, in every format).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

from tests.conftest import gwlint
from tests.fuzz.properties import check_diagnostics, check_run

FORMATS = ("text", "json", "sarif", "github")
MIB = 1024 * 1024


def check(
    folder: Path, *args: str, isolated: bool = True, formats: tuple[str, ...] = FORMATS
) -> list[dict[str, object]]:
    """Run gwlint in every format (JSON among them): it ends, exits 0 or 1, prints no traceback;
    the JSON diagnostics, each with a path and a line."""
    flags = ["--isolated"] if isolated else []
    for fmt in formats:
        run = gwlint("check", *flags, "--format", fmt, *args, cwd=folder)
        check_run(run, list(args), usage_errors=False)
        if fmt == "json":
            document = json.loads(run.out)
            check_diagnostics(document, folder, dump=False)
    diagnostics: list[dict[str, object]] = document["diagnostics"]
    return diagnostics


def located(diagnostics: list[dict[str, object]], text: str) -> list[tuple[object, object]]:
    """(path, line) of the diagnostics whose message says ``text``."""
    return [(d["path"], d["line"]) for d in diagnostics if text in str(d["message"])]


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


SERVER = "server {{ listen {port}; location / {{ proxy_pass http://127.0.0.1:8000; }} }}\n"


# --- includes -----------------------------------------------------------------------------------


def test_main_file_that_includes_itself(tmp_path: Path) -> None:
    write(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include nginx.conf;\n}\n"})
    found = check(tmp_path, "nginx.conf")
    assert located(found, "include cycle: nginx.conf -> nginx.conf") == [("nginx.conf", 3)]


def test_glob_that_matches_the_file_it_is_in(tmp_path: Path) -> None:
    """Each file of conf.d includes conf.d/*.conf: every order of the files was read (12 files:
    479 million reads). Now one GW001 per include, and each file read once."""
    files = {"nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"}
    for i in range(12):
        files[f"conf.d/s{i:02}.conf"] = "include conf.d/*.conf;\n" + SERVER.format(port=8000 + i)
    write(tmp_path, files)
    found = check(tmp_path, "nginx.conf")
    cycles = located(found, "include cycle")
    assert cycles == [(f"conf.d/s{i:02}.conf", 1) for i in range(12)]
    assert [d["code"] for d in found if d["code"] != "GW001"] == ["GW011"]  # nginx alone


def test_include_depth(tmp_path: Path) -> None:
    files = {"nginx.conf": "events {}\nhttp {\n    include d00.conf;\n}\n"}
    for i in range(40):
        files[f"d{i:02}.conf"] = (
            f"include d{i + 1:02}.conf;\n" if i < 39 else SERVER.format(port=80)
        )
    write(tmp_path, files)
    found = check(tmp_path, "nginx.conf")
    # nginx.conf and d00..d30 are read: 32 levels; d30's include is the 33rd
    assert located(found, "includes nested deeper than 32 levels") == [("d30.conf", 1)]


def test_the_same_files_included_over_and_over(tmp_path: Path) -> None:
    """Each file includes the next one twice, 24 levels deep: 16 million copies of the last
    one, which nginx would expand too. Stopped at 50 times what the files hold, and located."""
    files = {"nginx.conf": "events {}\nhttp {\n    include a00.conf;\n}\n"}
    for i in range(24):
        files[f"a{i:02}.conf"] = f"include a{i + 1:02}.conf;\ninclude a{i + 1:02}.conf;\n"
    files["a24.conf"] = SERVER.format(port=80)
    write(tmp_path, files)
    found = check(tmp_path, "nginx.conf", formats=("json",))  # 14,000 servers: one format
    stopped = located(found, "includes expand the configuration to more than 50 times")
    assert stopped
    assert all(str(path).startswith("a") and line in (1, 2) for path, line in stopped)


def test_glob_matching_thousands_of_files(tmp_path: Path) -> None:
    files = {"nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"}
    for i in range(2000):
        files[f"conf.d/site{i:04}.conf"] = SERVER.format(port=10000 + i)
    write(tmp_path, files)
    run = gwlint("check", "--isolated", "nginx.conf", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "Checked 2001 files" in run.out
    check(tmp_path, formats=("json",))  # and found by a folder walk


@pytest.mark.parametrize("pattern", ["*", "**", "*.conf", "/*", "./*", "*/../*"])
def test_include_everything(tmp_path: Path, pattern: str) -> None:
    """A glob that matches the including file itself: a cycle, reported at the include; what
    else it matches (a README, a Python file) is not read as nginx."""
    write(
        tmp_path,
        {
            "nginx.conf": f"events {{}}\nhttp {{\n    include {pattern};\n}}\n",
            "gunicorn.conf.py": "workers = 2\n",
            "README.md": "# the docs { of; this }\n",
            "site.conf": SERVER.format(port=80),
        },
    )
    found = check(tmp_path, "nginx.conf")
    assert located(found, "include cycle") == [("nginx.conf", 3)]
    assert not [d for d in found if d["path"] in ("README.md", "gunicorn.conf.py")]


# --- symlinks -----------------------------------------------------------------------------------


def test_folder_symlinked_to_its_parent(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": "events {}\nhttp {\n    include conf.d/*/*.conf;\n}\n",
            "conf.d/site.conf": SERVER.format(port=80),
        },
    )
    (tmp_path / "conf.d" / "loop").symlink_to("..")
    found = check(tmp_path, "nginx.conf")
    # conf.d/loop/nginx.conf is nginx.conf itself
    assert located(found, "include cycle: nginx.conf -> nginx.conf") == [("nginx.conf", 3)]
    check(tmp_path)  # a folder walk does not follow the link round and round


def test_symlink_to_itself(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": "events {}\nhttp {\n    include conf.d/self.conf;\n}\n",
            "Procfile": "web: ./start.sh\n",
            "uwsgi.ini": "[uwsgi]\nini = self.ini\nsocket = 127.0.0.1:8000\n",
        },
    )
    (tmp_path / "conf.d").mkdir()
    for link in ("conf.d/self.conf", "start.sh", "self.ini"):
        (tmp_path / link).symlink_to(Path(link).name)
    found = check(tmp_path, "nginx.conf", "Procfile", "uwsgi.ini")
    assert located(found, 'include "conf.d/self.conf" not found') == [("nginx.conf", 3)]
    assert located(found, "included file self.ini not found") == [("uwsgi.ini", 2)]
    check(tmp_path)  # found by a folder walk: skipped, not a crash


# --- size, binary, text that is not UTF-8 ---------------------------------------------------------

KINDS = [  # (file name, how it is named on the command line, the code of its input problems)
    ("nginx.conf", "--nginx", "GW001"),
    ("gunicorn.conf.py", "--gunicorn", "GW003"),
    ("uwsgi.ini", "--uwsgi", "GW004"),
    ("Procfile", None, "GW008"),
    ("Dockerfile", None, "GW008"),
    ("compose.yaml", None, "GW008"),
    ("app.service", None, "GW008"),
    ("supervisord.conf", None, "GW008"),
    ("prod.env", None, "GW008"),
    ("start.sh", None, "GW008"),
]
IDS = [name for name, _, _ in KINDS]


def _named(name: str, flag: str | None) -> list[str]:
    return [flag, name] if flag else [name]


@pytest.mark.parametrize(("name", "flag", "code"), KINDS, ids=IDS)
def test_file_over_the_size_limit(tmp_path: Path, name: str, flag: str | None, code: str) -> None:
    path = tmp_path / name
    with path.open("wb") as handle:  # sparse: nothing is written
        handle.truncate(9 * MIB)
    found = check(tmp_path, *_named(name, flag))
    over = [d for d in found if "over the 8 MiB limit" in str(d["message"])]
    assert [(d["code"], d["path"], d["line"]) for d in over] == [(code, name, 1)]


def test_included_nginx_file_over_the_size_limit(tmp_path: Path) -> None:
    write(tmp_path, {"nginx.conf": "events {}\nhttp {\n    include big.conf;\n}\n"})
    with (tmp_path / "big.conf").open("wb") as handle:
        handle.truncate(9 * MIB)
    found = check(tmp_path, "nginx.conf")
    assert located(found, "over the 8 MiB limit") == [("big.conf", 1)]


def test_file_over_the_size_limit_in_a_dump(tmp_path: Path) -> None:
    """A file in an ``nginx -T`` dump: located at the server's path."""
    big = "# " + "x" * 80 + "\n"
    dump = (
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n"
        "    include /etc/nginx/big.conf;\n}\n\n# configuration file /etc/nginx/big.conf:\n"
        + big * (9 * MIB // len(big))
        + "\n"
    )
    (tmp_path / "dump.txt").write_text(dump)
    run = gwlint(
        "check", "--isolated", "--format", "json", "--nginx-dump", "dump.txt", cwd=tmp_path
    )
    check_run(run, [], usage_errors=False)
    found = json.loads(run.out)["diagnostics"]
    assert located(found, "over the 8 MiB limit") == [("/etc/nginx/big.conf", 1)]


def test_configuration_file_over_the_size_limit(tmp_path: Path) -> None:
    write(tmp_path, {"nginx.conf": "events {}\n"})
    with (tmp_path / ".gwlint.toml").open("wb") as handle:
        handle.truncate(9 * MIB)
    run = gwlint("check", "nginx.conf", cwd=tmp_path)
    assert run.code == 2
    assert run.err == f"gwlint: error: {tmp_path / '.gwlint.toml'}: over 8 MiB; not read\n"


@pytest.mark.parametrize(("name", "flag", "code"), KINDS, ids=IDS)
def test_binary_file(tmp_path: Path, name: str, flag: str | None, code: str) -> None:
    (tmp_path / name).write_bytes(b"first line\nsecond line\nthird\x00 line\n")
    found = check(tmp_path, *_named(name, flag))
    binary = [d for d in found if "binary file (NUL byte)" in str(d["message"])]
    assert [(d["code"], d["path"], d["line"]) for d in binary] == [(code, name, 3)]


SEEDS = {  # a real-looking file of each kind, with Latin-1 (not UTF-8) bytes in it
    "nginx.conf": b"events {}\nhttp { server { server_name caf\xe9.example; "
    b"location / { proxy_pass http://127.0.0.1:8000; } } }\n",
    "gunicorn.conf.py": b'proc_name = "caf\xe9"\nworkers = 2\n',
    "uwsgi.ini": b"[uwsgi]\nprocname = caf\xe9\nsocket = 127.0.0.1:8000\n",
    "Procfile": b"web: gunicorn caf\xe9:app -b 127.0.0.1:8000\n",
    "Dockerfile": b'FROM python\nCMD ["gunicorn", "caf\xe9:app"]\n',
    "compose.yaml": b"services:\n  web:\n    command: gunicorn caf\xe9:app\n",
    "app.service": b"[Service]\nExecStart=/v/bin/gunicorn caf\xe9:app\n",
    "supervisord.conf": b"[program:web]\ncommand=gunicorn caf\xe9:app\n",
    "prod.env": b"GUNICORN_CMD_ARGS=--name caf\xe9 --workers 2\n",
    "start.sh": b"#!/bin/sh\nexec gunicorn caf\xe9:app\n",
}


@pytest.mark.parametrize(("name", "flag", "code"), KINDS, ids=IDS)
def test_text_that_is_not_utf8(tmp_path: Path, name: str, flag: str | None, code: str) -> None:
    (tmp_path / name).write_bytes(SEEDS[name])
    found = check(tmp_path, *_named(name, flag))
    assert all(d["path"] == name for d in found if d["code"] == code)


@pytest.mark.parametrize(("name", "flag", "code"), KINDS, ids=IDS)
def test_empty_file(tmp_path: Path, name: str, flag: str | None, code: str) -> None:
    (tmp_path / name).write_bytes(b"")
    found = check(tmp_path, *_named(name, flag))
    # one side alone: GW011 says it was not cross-checked
    assert [d for d in found if d["code"] not in (code, "GW301", "GW110", "GW011")] == []


def test_empty_dump_and_configuration(tmp_path: Path) -> None:
    write(tmp_path, {"nginx.conf": "events {}\n", ".gwlint.toml": "", "dump.txt": ""})
    check(tmp_path, "nginx.conf", isolated=False)  # an empty configuration: the defaults
    run = gwlint("check", "--isolated", "--nginx-dump", "dump.txt", cwd=tmp_path)
    assert run.code == 2  # not the output of nginx -T: a usage error, one line
    assert run.err.startswith("gwlint: error: dump.txt: not the output of nginx -T")
    assert run.err.count("\n") == 1


# --- files that cannot be read ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "flag", "code"), KINDS, ids=IDS)
def test_fifo_is_not_waited_on(tmp_path: Path, name: str, flag: str | None, code: str) -> None:
    """A FIFO (named pipe) in the folder: reading it waits for a writer forever. Found by a
    folder walk, it hung gwlint (loaders.read_head opened it to tell its kind)."""
    if not hasattr(os, "mkfifo"):  # pragma: no cover - Windows
        pytest.skip("no named pipes here")
    os.mkfifo(tmp_path / name)
    write(tmp_path, {"site.conf": "events {}\nhttp { " + SERVER.format(port=80) + "}\n"})
    found = check(tmp_path)  # walked: skipped, or a located "not a regular file"
    assert all(d["line"] == 1 for d in found if "not a regular file" in str(d["message"]))
    # included by nginx, or run from a Procfile: not found / not followed
    write(
        tmp_path,
        {
            "main.conf": f"events {{}}\nhttp {{\n    include {name};\n}}\n",
            "Procfile.dev": f"web: gunicorn -c {name} app:app\n",
        },
    )
    check(tmp_path, "main.conf", "Procfile.dev")
    # named on the command line: not a hang, but a located GW010 (or a usage error for --flag)
    _refused_by_name(tmp_path, name, flag)


@pytest.mark.parametrize(("name", "flag", "code"), KINDS, ids=IDS)
def test_socket_cannot_be_opened(tmp_path: Path, name: str, flag: str | None, code: str) -> None:
    """A Unix socket left in the tree: open() fails (ENXIO) even for root, so this is the
    "cannot be read" case that runs in CI, where tests run as root (see test_unreadable_file)."""
    if not hasattr(socket, "AF_UNIX"):  # pragma: no cover - Windows
        pytest.skip("no Unix sockets here")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / name))  # the file stays after the socket is closed
    write(
        tmp_path,
        {
            "main.conf": f"events {{}}\nhttp {{\n    include {name};\n}}\n",
            "Procfile.dev": f"web: gunicorn -c {name} app:app\n",
        },
    )
    check(tmp_path)  # walked: skipped, or located
    check(tmp_path, "main.conf", "Procfile.dev")  # included, or a launcher's config: located
    _refused_by_name(tmp_path, name, flag)


def _refused_by_name(folder: Path, name: str, flag: str | None) -> None:
    """A FIFO or socket named: after --nginx and the like, a usage error, one line; as a path,
    a GW010 finding located at it, and exit 1 (as ruff reports a path it cannot read)."""
    run = gwlint("check", "--isolated", *_named(name, flag), cwd=folder)
    if flag is not None:
        assert run.code == 2
        assert run.err == f"gwlint: error: {name}: not a regular file (a FIFO, socket or device)\n"
    else:
        assert run.code == 1, (run.out, run.err)
        assert run.out.startswith(
            f"{name}:1:1: GW010 [error] not a regular file (a FIFO, socket or device)\n"
        )


def test_folder_named_like_a_config(tmp_path: Path) -> None:
    """Works as root too (permissions do not stop root; a folder cannot be read as a file)."""
    for name in ("nginx.conf", "gunicorn.conf.py", "uwsgi.ini", "Procfile", "prod.env"):
        (tmp_path / "deploy" / name).mkdir(parents=True)
    write(
        tmp_path,
        {
            "main.conf": "events {}\nhttp {\n    include deploy/nginx.conf;\n}\n",
            "Procfile": "web: gunicorn -c deploy/gunicorn.conf.py app:app\n",
            "uwsgi.ini": "[uwsgi]\nini = deploy/uwsgi.ini\nsocket = 127.0.0.1:8000\n",
        },
    )
    found = check(tmp_path, "main.conf", "Procfile", "uwsgi.ini")
    assert located(found, 'include "deploy/nginx.conf" names a folder') == [("main.conf", 3)]
    assert located(found, "which is not in the repository") == [("Procfile", 1)]
    assert located(found, "included file deploy/uwsgi.ini not found") == [("uwsgi.ini", 2)]
    check(tmp_path)  # walked: folders are folders
    run = gwlint("check", "--isolated", "--gunicorn", "deploy/gunicorn.conf.py", cwd=tmp_path)
    assert run.code == 2
    assert run.err == (
        "gwlint: error: deploy/gunicorn.conf.py: is a folder (--gunicorn takes a file)\n"
    )


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0,
    reason="running as root (as here and in CI): file permissions do not stop root from "
    "reading, so an unreadable file cannot be made; the FIFO, socket and folder cases cover "
    "files that cannot be read as configs",
)
def test_unreadable_file(tmp_path: Path) -> None:  # pragma: no cover - not root
    for name, _, _ in KINDS:
        (tmp_path / name).write_text("x\n")
        (tmp_path / name).chmod(0)
    for name, flag, code in KINDS:
        found = check(tmp_path, *_named(name, flag))
        denied = [d for d in found if "Permission denied" in str(d["message"])]
        assert [(d["code"], d["path"], d["line"]) for d in denied] == [(code, name, 1)]


# --- outside the folders given ------------------------------------------------------------------

SECRET = "hunter2-s3cr3t"


def _outside_and_repo(tmp_path: Path) -> Path:
    """``outside/`` holds files whose content would be echoed if they were read (an invalid
    value in each); ``repo/`` points at them every way a config can."""
    outside = tmp_path / "outside"
    write(
        outside,
        {
            "secret.conf": f"proxy_read_timeout {SECRET};\n",
            "secret.ini": f"[uwsgi]\nharakiri = {SECRET}\nsocket = {SECRET}:1\n",
            "secret.env": f"W={SECRET}\nGUNICORN_CMD_ARGS=-w {SECRET}\n",
            "secret.sh": f"#!/bin/sh\nexec gunicorn app:app -w {SECRET}\n",
            "secret.py": f'workers = "{SECRET}"\nbind = "{SECRET}"\n',
            "Dockerfile": f'FROM python\nCMD ["gunicorn", "-w", "{SECRET}", "app"]\n',
        },
    )
    (outside / "secret.sh").chmod(0o755)
    repo = tmp_path / "repo"
    absolute = str(outside)
    write(
        repo,
        {
            "nginx.conf": (
                "events {}\nhttp {\n"
                f"    include {absolute}/secret.conf;\n"
                "    include ../outside/secret.conf;\n"
                "    include ../outside/*.conf;\n"
                "    include conf.d/*.conf;\n"
                "    include linked.conf;\n"
                "    server { location / { proxy_pass http://127.0.0.1:8000; } }\n}\n"
            ),
            "uwsgi.ini": (
                f"[uwsgi]\nini = ../outside/secret.ini\ninherit = {absolute}/secret.ini\n"
                "socket = 127.0.0.1:8001\n"
            ),
            "Procfile": (
                "web: gunicorn -c ../outside/secret.py app:app\n"
                "w2: sh ../outside/secret.sh\n"
                f"w3: {absolute}/secret.sh\n"
                "w4: uwsgi --ini ../outside/secret.ini\n"
                'w5: bash -c ". ../outside/secret.env; gunicorn -w $W app"\n'
            ),
            "app.service": (
                f"[Service]\nEnvironmentFile={absolute}/secret.env\n"
                "EnvironmentFile=../outside/secret.env\nExecStart=/v/bin/gunicorn app -w $W\n"
            ),
            "compose.yaml": (
                "services:\n  web:\n    command: gunicorn app -w ${W}\n"
                "    env_file: ../outside/secret.env\n  api:\n    build: ../outside\n"
            ),
            "Dockerfile": "FROM python\nCOPY ../outside/secret.sh /start.sh\nCMD /start.sh\n",
            "start.sh": (
                f"#!/bin/sh\n. ../outside/secret.env\nsource {absolute}/secret.env\n"
                "exec gunicorn app -w $W\n"
            ),
            "supervisord.conf": "[program:web]\ncommand=sh ../outside/secret.sh\n",
            "prod.env": "GUNICORN_CMD_ARGS=-c ../outside/secret.py\n",
        },
    )
    # symlinks in the tree that lead out of it
    (repo / "conf.d").mkdir()
    (repo / "conf.d" / "link.conf").symlink_to(outside / "secret.conf")
    (repo / "linked.conf").symlink_to(outside / "secret.conf")
    (repo / "gunicorn.conf.py").symlink_to(outside / "secret.py")
    (repo / "deploy").mkdir()
    (repo / "deploy" / "start.sh").symlink_to(outside / "secret.sh")
    return repo


NAMED = [
    "nginx.conf",
    "uwsgi.ini",
    "Procfile",
    "app.service",
    "compose.yaml",
    "Dockerfile",
    "start.sh",
    "supervisord.conf",
    "prod.env",
]


@pytest.mark.parametrize("how", ["walked", "named"])
def test_files_outside_the_tree_are_never_read_nor_echoed(tmp_path: Path, how: str) -> None:
    repo = _outside_and_repo(tmp_path)
    args = NAMED if how == "named" else []
    for fmt in FORMATS:
        run = gwlint("check", "--isolated", "--format", fmt, *args, cwd=repo)
        check_run(run, args, usage_errors=False)
        assert SECRET not in run.out + run.err, fmt
    found = json.loads(gwlint("check", "--isolated", "--format", "json", *args, cwd=repo).out)
    refused = located(found["diagnostics"], "lies outside the folders gwlint reads")
    assert refused, found
    assert all(isinstance(line, int) and line >= 1 for _, line in refused)


def test_nginx_prefix_allows_a_folder_outside(tmp_path: Path) -> None:
    """--nginx-prefix is how the user says where relative includes live, even outside."""
    repo = _outside_and_repo(tmp_path)
    write(repo, {"site.conf": "events {}\nhttp {\n    include secret.conf;\n}\n"})
    run = gwlint("check", "--isolated", "--nginx-prefix", "../outside", "site.conf", cwd=repo)
    assert run.code == 1, run.err
    assert f'proxy_read_timeout "{SECRET}": not a time' in run.out  # read: the user asked for it
    run = gwlint("check", "--isolated", "site.conf", cwd=repo)
    assert 'include "secret.conf" not found' in run.out
    assert SECRET not in run.out
