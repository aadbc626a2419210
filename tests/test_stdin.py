"""``gwlint check - --stdin-filename NAME``: standard input read as the file NAME (issue 14).

Its kind comes from NAME and the text, findings name NAME, and the other configs are found as
without it, so that the cross-file checks have their other side: NAME's text on disk, when there
is one, is replaced by standard input's (and the file is left as it is). ``--stdin-filename`` alone
reads standard input too, as in ruff. Usage errors are one line, exit 2.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gwlint import cli
from gwlint.loaders.common import MAX_FILE_BYTES
from tests.conftest import Run, gwlint

NGINX = (
    "events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n"
    "            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n"
)
GUNICORN = "bind = '127.0.0.1:{port}'\ntimeout = 75\nworkers = 3\n"


def run_stdin(data: bytes, *args: str, cwd: Path) -> Run:
    """``gwlint ARGS`` with ``data`` on standard input (a binary stream, as a pipe gives)."""
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        return gwlint(*args, cwd=cwd)
    finally:
        sys.stdin = stdin


def diagnostics(run: Run) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(run.out)["diagnostics"]
    return found


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """nginx in front of a gunicorn that listens where nginx sends: no finding."""
    (tmp_path / "nginx.conf").write_text(NGINX)
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN.format(port=8000))
    assert gwlint("check", "--isolated", cwd=tmp_path).code == 0
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["-", "--stdin-filename", "gunicorn.conf.py"],
        ["--stdin-filename", "gunicorn.conf.py"],  # alone, as in ruff
        ["--stdin-filename=./gunicorn.conf.py", "-"],
    ],
    ids=["dash", "alone", "equals"],
)
def test_standard_input_replaces_the_file_it_names(
    repository: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = GUNICORN.format(port=8001).encode()
    run = run_stdin(edited, "check", *args, "--isolated", "-f", "json", cwd=repository)
    assert run.code == 1, run.err
    assert run.err == ""
    (finding,) = diagnostics(run)
    # the other side, found on disk as without standard input, pairs with it
    assert finding["code"] == "GW401"
    assert finding["path"] == "nginx.conf"
    assert "bind 127.0.0.1:8001 (gunicorn.conf.py:1)" in str(finding["message"])
    related = finding["related"]
    assert isinstance(related, list)
    assert related[0]["path"] == "gunicorn.conf.py"
    # nothing written: the file on disk is as it was
    assert (repository / "gunicorn.conf.py").read_text() == GUNICORN.format(port=8000)


def test_a_name_that_is_not_on_disk_is_read_from_standard_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "nginx.conf").write_text(NGINX)
    name = "deploy/gunicorn.conf.py"
    data = GUNICORN.format(port=8001).encode()
    run = run_stdin(
        data, "check", "-", "--stdin-filename", name, "--isolated", "-f", "json", cwd=tmp_path
    )
    assert run.code == 1, run.err
    (finding,) = diagnostics(run)
    assert finding["code"] == "GW401"
    assert f"({name}:1)" in str(finding["message"])
    assert not (tmp_path / "deploy").exists()
    shown = run_stdin(
        data, "check", "--stdin-filename", name, "--isolated", "--show-files", cwd=tmp_path
    )
    assert shown.code == 0, shown.err
    assert f"gunicorn  {name}" in shown.out
    # the same text where nginx sends: both sides agree
    clean = GUNICORN.format(port=8000).encode()
    run = run_stdin(clean, "check", "--stdin-filename", name, "--isolated", cwd=tmp_path)
    assert run.code == 0, run.out
    assert run.out.startswith("All checks passed. Checked 2 files")


def test_findings_in_standard_input_name_the_file(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nginx read from standard input: the finding is at NAME's line, and a suppression
    comment in the text of standard input applies."""
    moved = NGINX.replace("8000", "8002").encode()
    run = run_stdin(
        moved, "check", "-", "--stdin-filename", "nginx.conf", "--isolated", cwd=repository
    )
    assert run.code == 1
    assert run.out.startswith("nginx.conf:6:13: GW401 [error] proxy_pass 127.0.0.1:8002")
    suppressed = NGINX.replace(
        "proxy_pass http://127.0.0.1:8000;",
        "proxy_pass http://127.0.0.1:8002;  # gwlint: ignore[GW401] moved later",
    ).encode()
    run = run_stdin(
        suppressed, "check", "-", "--stdin-filename", "nginx.conf", "--isolated", cwd=repository
    )
    assert run.code == 0, run.out
    assert "1 suppressed by comments" in run.out


def test_the_kind_comes_from_the_name_and_the_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = NGINX.encode()
    args = ("check", "--isolated", "-f", "json", "--stdin-filename")
    as_nginx = run_stdin(data, *args, "sites/app.conf", cwd=tmp_path)
    assert {d["code"] for d in diagnostics(as_nginx)} == {"GW011"}  # nginx, alone
    assert all(d["path"] == "sites/app.conf" for d in diagnostics(as_nginx))
    unknown = run_stdin(b"hello\n", *args, "notes.unknown", cwd=tmp_path)
    assert unknown.code == 1
    (finding,) = diagnostics(unknown)
    assert finding["code"] == "GW010"
    assert finding["path"] == "notes.unknown"
    assert "give --stdin-filename a name that tells it" in str(finding["message"])
    # a binary buffer is refused as a binary file is, at its line
    binary = run_stdin(b"bind = 1\n\x00\n", *args, "gunicorn.conf.py", cwd=tmp_path)
    (finding,) = [d for d in diagnostics(binary) if d["code"] == "GW003"]
    assert (finding["path"], finding["line"]) == ("gunicorn.conf.py", 2)
    assert "binary file" in str(finding["message"])


def test_standard_input_is_bounded_as_a_file_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    large = b"# padding\n" * (MAX_FILE_BYTES // 10 + 1)
    assert len(large) > MAX_FILE_BYTES
    run = run_stdin(large, "check", "--stdin-filename", "gunicorn.conf.py", cwd=tmp_path)
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        "gwlint: error: standard input (--stdin-filename gunicorn.conf.py) is over the 8 MiB "
        "limit of a file; not read\n"
    )
    # at the limit: read
    fits = (b"#" * (MAX_FILE_BYTES - 1)) + b"\n"
    run = run_stdin(
        fits, "check", "--isolated", "--stdin-filename", "gunicorn.conf.py", cwd=tmp_path
    )
    assert run.code in (0, 1), run.err
    assert run.err == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-"],
            "the path - reads standard input: name the file it stands for with "
            "--stdin-filename NAME (its kind comes from the name; findings name it)",
        ),
        (
            ["-", "-", "--stdin-filename", "nginx.conf"],
            "the path - (standard input) is given more than once",
        ),
        (
            ["-", "--nginx-dump", "-"],
            "--nginx-dump - and the path - both read standard input, which can be read once; "
            "give the dump as a file (--nginx-dump FILE)",
        ),
        (
            ["--nginx-dump", "-", "--stdin-filename", "gunicorn.conf.py"],
            "--nginx-dump - and --stdin-filename both read standard input, which can be read "
            "once; give the dump as a file (--nginx-dump FILE)",
        ),
        (
            ["-", "--stdin-filename", "."],
            "--stdin-filename .: is a folder; name the file standard input stands for",
        ),
        (
            ["--stdin-filename", " "],
            "--stdin-filename takes the name of the file standard input stands for",
        ),
    ],
    ids=["no-name", "twice", "dump-and-dash", "dump-and-name", "folder", "blank"],
)
def test_usage_errors_are_one_line(
    tmp_path: Path, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for fast in (True, False):  # read by gwlint's own parser, and by typer's
        with monkeypatch.context() as patched:
            if not fast:
                patched.setattr(cli, "fast_check", lambda argv: None)
            run = run_stdin(NGINX.encode(), "check", *args, cwd=tmp_path)
        assert run.code == 2, (fast, run)
        assert run.out == ""
        assert run.err == f"gwlint: error: {message}\n"


def test_the_fast_path_reads_the_dash_and_the_name() -> None:
    options = cli.fast_check(["check", "-", "--stdin-filename", "deploy/nginx.conf", "-q"])
    assert options is not None
    assert options.paths == ["-"]
    assert options.stdin_filename == "deploy/nginx.conf"
    assert options.quiet


def test_both_parsers_read_standard_input_alike(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = GUNICORN.format(port=8001).encode()
    args = ("check", "-", "--stdin-filename", "gunicorn.conf.py", "--isolated")
    fast = run_stdin(data, *args, cwd=repository)
    with monkeypatch.context() as patched:
        patched.setattr(cli, "fast_check", lambda argv: None)
        slow = run_stdin(data, *args, cwd=repository)
    assert fast.code == 1
    assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err)


def test_a_real_pipe(repository: Path) -> None:
    """Through a pipe, in a process of its own: the bytes as they are (not UTF-8 included)."""
    data = GUNICORN.format(port=8001).encode() + b"# caf\xe9\n"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gwlint",
            "check",
            "-",
            "--stdin-filename",
            "gunicorn.conf.py",
            "--isolated",
            "--select",
            "GW401",
        ],
        input=data,
        capture_output=True,
        cwd=repository,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == b""
    assert b"bind 127.0.0.1:8001 (gunicorn.conf.py:1)" in result.stdout


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        ("nginx.conf", NGINX.replace("8000", "8002"), {"GW401"}),
        # paired by folder with deploy/gunicorn.conf.py; deploy/gwlint.toml ignores GW011
        ("deploy/nginx.conf", NGINX.replace("8000", "8002"), set()),
        ("deploy/gunicorn.conf.py", GUNICORN.format(port=8003), {"GW401"}),
        ("deploy/uwsgi.ini", "[uwsgi]\nhttp-socket = 127.0.0.1:8000\nharakiri = 5\n", {"GW301"}),
    ],
)
def test_as_if_the_file_were_on_disk(tmp_path: Path, name: str, text: str, found: set[str]) -> None:
    """Standard input as NAME reports what the file NAME with that text on disk reports: the
    same findings, and the configuration closest to NAME applies (``deploy/gwlint.toml``)."""
    for folder in ("piped", "written"):
        root = tmp_path / folder
        (root / "deploy").mkdir(parents=True)
        (root / "nginx.conf").write_text(NGINX)
        (root / "deploy" / "gunicorn.conf.py").write_text(GUNICORN.format(port=8000))
        (root / "deploy" / "gwlint.toml").write_text('ignore = ["GW011", "GW305"]\n')
    (tmp_path / "written" / name).write_text(text)
    piped = run_stdin(
        text.encode(), "check", "-f", "json", "--stdin-filename", name, cwd=tmp_path / "piped"
    )
    written = gwlint("check", "-f", "json", cwd=tmp_path / "written")
    assert (piped.code, piped.out, piped.err) == (written.code, written.out, written.err)
    assert {d["code"] for d in diagnostics(piped)} >= found


def test_a_hostile_name_stays_inert(tmp_path: Path) -> None:
    from tests.test_inert_output import assert_inert

    name = "conf.d/a\n::error::x\x1b[2J.conf"
    for fmt in ("text", "github", "junit"):
        run = run_stdin(
            NGINX.encode(), "check", "--isolated", "-f", fmt, "--stdin-filename", name, cwd=tmp_path
        )
        assert run.code == 0, run.err  # GW011 alone: info
        assert_inert(run, annotations=fmt == "github")
    as_json = run_stdin(
        NGINX.encode(), "check", "--isolated", "-f", "json", "--stdin-filename", name, cwd=tmp_path
    )
    assert {d["path"] for d in diagnostics(as_json)} == {name}  # exact in JSON
    large = b"#" * (MAX_FILE_BYTES + 1)
    run = run_stdin(large, "check", "--stdin-filename", name, cwd=tmp_path)
    assert run.code == 2
    assert run.err.count("\n") == 1
    assert "a\\n::error::x\\x1b[2J.conf" in run.err
    assert_inert(run)
