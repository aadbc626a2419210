"""Fuzzing every input kind through the real command line: gwlint never raises, every input
problem is located. The properties and the mutations are in tests/fuzz/properties.py; this file
runs them with a fixed, small number of examples (derandomized, so CI replays the same ones);
``python tests/fuzz/run.py --examples N`` runs them longer.

Below them, the inputs the fuzzing found that made gwlint fail, each a regression test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import gwlint
from tests.fuzz.properties import KINDS, check, check_diagnostics, check_run, strategy

# examples per kind: the whole file stays under a minute (nginx examples cost the most)
EXAMPLES = {
    "nginx": 50,
    "dump": 50,
    "config": 60,
    "manifest": 30,
    "template": 30,
    "pins": 30,
    "apache": 30,
    "caddy": 30,
    "hypercorn": 30,
}
DEFAULT_EXAMPLES = 60


@pytest.mark.parametrize("kind", KINDS)
def test_never_raises(kind: str) -> None:
    @settings(
        max_examples=EXAMPLES.get(kind, DEFAULT_EXAMPLES),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(strategy(kind))
    def run(example: object) -> None:
        check(kind, example)

    run()


# --- what the fuzzing found -------------------------------------------------------------------

HUGE = "9" * 5000  # more digits than int() converts (sys.get_int_max_str_digits(): 4300)
BIG = "9" * 400  # more than a float holds: float(BIG) is inf


def _check(folder: Path, *args: str) -> list[dict[str, object]]:
    """Run gwlint in ``folder``; the properties hold; the diagnostics (JSON)."""
    run = gwlint("check", "--isolated", "--format", "json", *args, cwd=folder)
    check_run(run, list(args), usage_errors=False)
    document = json.loads(run.out)
    check_diagnostics(document, folder, dump=False)
    for fmt in ("text", "sarif", "github"):
        check_run(
            gwlint("check", "--isolated", "--format", fmt, *args, cwd=folder),
            [],
            usage_errors=False,
        )
    diagnostics: list[dict[str, object]] = document["diagnostics"]
    return diagnostics


PASS = "proxy_pass http://127.0.0.1:8000;"
NGINX_NUMBERS = [
    # int() of more than 4300 digits: nginx.py _typed (count, pair), units.parse_size,
    # rules/nginx.py _time_hint, rules/keepalive.py, rules/workers.py; float overflow:
    # rules/nginx.py _size_hint, _time_hint (fractions); str.isdigit() accepts ², int() not
    f"worker_processes {HUGE};",
    "worker_processes ²;",
    f"http {{ upstream u {{ server 127.0.0.1:8000; keepalive {HUGE}; }} }}",
    f"http {{ upstream u {{ server 127.0.0.1:8000; keepalive_timeout {HUGE}s; }} }}",
    f"http {{ upstream u {{ server 127.0.0.1:8000 weight={HUGE}; }} }}",
    f"http {{ upstream u {{ server 127.0.0.1:8000 max_fails={HUGE}; }} }}",
    "http { upstream u { server 127.0.0.1:8000 max_fails=²; } }",
    f"http {{ upstream u {{ server 127.0.0.1:8000 fail_timeout={BIG}.5s; }} }}",
    f"http {{ server {{ listen 80 backlog={HUGE}; }} }}",
    f"http {{ server {{ location /x {{ proxy_next_upstream_tries {HUGE}; {PASS} }} }} }}",
    f"http {{ proxy_read_timeout {HUGE}s; }}",
    f"http {{ proxy_read_timeout {BIG}.5s; }}",
    f"http {{ client_max_body_size {HUGE}k; }}",
    f"http {{ proxy_buffer_size {BIG}k; }}",
    f"http {{ server {{ location /x {{ proxy_buffers {HUGE} 4k; {PASS} }} }} }}",
    f"http {{ server {{ location /x {{ proxy_buffers ² 4k; {PASS} }} }} }}",
    f"http {{ proxy_buffers 8 {BIG}k; }}",
]


@pytest.mark.parametrize("directive", NGINX_NUMBERS, ids=range(len(NGINX_NUMBERS)))
def test_nginx_numbers_no_setting_holds(tmp_path: Path, directive: str) -> None:
    (tmp_path / "nginx.conf").write_text(
        f"events {{}}\n{directive}\n"
        "http { server { location / { proxy_pass http://127.0.0.1:8000; } } }\n"
    )
    (tmp_path / "gunicorn.conf.py").write_text('bind = "127.0.0.1:8000"\n')
    _check(tmp_path, "nginx.conf", "gunicorn.conf.py")


@pytest.mark.parametrize("value", [HUGE, f"{BIG}k", f"{BIG}.5k", f"%({HUGE} + 1)", "²"])
def test_uwsgi_numbers_no_setting_holds(tmp_path: Path, value: str) -> None:
    """units.uwsgi_number, uwsgi.py _operand, rules/limits.py intended() (float overflow)."""
    options = ["buffer-size", "harakiri", "limit-post", "listen", "processes", "threads"]
    text = "[uwsgi]\nsocket = 127.0.0.1:8000\n" + "".join(f"{o} = {value}\n" for o in options)
    (tmp_path / "uwsgi.ini").write_text(text)
    (tmp_path / "nginx.conf").write_text(
        "events {}\nhttp { server { location / { uwsgi_pass 127.0.0.1:8000; } } }\n"
    )
    _check(tmp_path, "nginx.conf", "uwsgi.ini")


def test_launcher_numbers_no_setting_holds(tmp_path: Path) -> None:
    """$99999... and shift 99999... in a script, numprocs=² in supervisord: no GW008 about
    int(), the command is read: the one GW008 is the info that -b's value is a script argument
    (the variable a launcher's option is set from, which gwlint cannot know)."""
    (tmp_path / "start.sh").write_text(
        f'#!/bin/sh\nshift {HUGE}\nshift ²\nexec gunicorn app:app -b "${HUGE}" -w 2\n'
    )
    (tmp_path / "supervisord.conf").write_text(
        "[program:web]\ncommand=gunicorn app:app -w %(process_num)s\nnumprocs=²\n"
        f"numprocs_start={HUGE}\n"
    )
    diagnostics = _check(tmp_path, "start.sh", "supervisord.conf")
    assert [
        (d["path"], d["line"], d["severity"], d["message"].split(":")[0])
        for d in diagnostics
        if d["code"] == "GW008"
    ] == [("start.sh", 4, "info", "gunicorn setting bind is not statically known")]
    assert all(
        "is an argument the script is started with" in d["message"]
        for d in diagnostics
        if d["code"] == "GW008"
    )


def test_proxy_and_asgi_numbers_no_setting_holds(tmp_path: Path) -> None:
    """Ports, versions and limits of 5000 digits, or written with "²" (a digit to isdigit(), not
    to int()), in an Apache httpd config, a Caddyfile and a hypercorn TOML: read as the servers
    read them or reported, never an internal error; a timeout no proxy has orders nothing."""
    (tmp_path / "site.conf").write_text(
        f"<IfVersion >= 2.{HUGE}>\nKeepAliveTimeout 5\n</IfVersion>\n"
        f"<VirtualHost *:80>\n    LimitRequestBody ²\n    ProxyTimeout {HUGE}\n"
        f"    ProxyPass /a/ http://127.0.0.1:{HUGE}/\n    ProxyPass /b/ http://127.0.0.1:²/\n"
        f"    ProxyPass / http://127.0.0.1:8000/ timeout={HUGE}\n</VirtualHost>\n"
    )
    (tmp_path / "Caddyfile").write_text(
        f":80 {{\n\treverse_proxy 127.0.0.1:{HUGE} 127.0.0.1:² 127.0.0.1:1-{HUGE}\n"
        f"\treverse_proxy /x 127.0.0.1:8000 {{\n\t\tlb_retries {HUGE}\n\t}}\n}}\n"
    )
    (tmp_path / "hypercorn.toml").write_text(f'bind = ["127.0.0.1:8000"]\nworkers = {HUGE}\n')
    (tmp_path / "gunicorn.conf.py").write_text("bind = '127.0.0.1:8000'\n")
    diagnostics = _check(tmp_path, "site.conf", "Caddyfile", "hypercorn.toml", "gunicorn.conf.py")
    assert not [d for d in diagnostics if d["code"] == "GW101" and d["path"] == "site.conf"]
    toml = [d for d in diagnostics if d["path"] == "hypercorn.toml" and d["code"] == "GW008"]
    assert toml
    assert "4300 digits" in str(toml[0]["message"])


def test_lone_surrogates_reach_no_output(tmp_path: Path) -> None:
    """A "\\ud800" escape in gunicorn.conf.py became part of a GW401 message, and writing it
    to a UTF-8 stdout or --output file failed (internal error: UnicodeEncodeError)."""
    (tmp_path / "gunicorn.conf.py").write_text('bind = "unix:/run/\\ud800.sock"\n')
    (tmp_path / "nginx.conf").write_bytes(
        b"events {}\nhttp { server { location / { proxy_pass http://unix:/run/app.sock; } } }\n"
    )
    diagnostics = _check(tmp_path, "nginx.conf", "gunicorn.conf.py")
    assert any("\\ud800" in str(d["message"]) for d in diagnostics)  # shown as an escape
    run = gwlint(
        "check", "--isolated", "nginx.conf", "gunicorn.conf.py", "-o", "out.txt", cwd=tmp_path
    )
    assert run.code == 1, run.err
    assert "\\ud800" in (tmp_path / "out.txt").read_text(encoding="utf-8")


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A file name with byte 0xe9 (Latin-1), found by a folder walk: Python names it with a lone
    surrogate; every format writes it as an escape, SARIF's URI percent-encodes the byte."""
    name = b"nginx-caf\xe9.conf"
    try:
        (tmp_path / Path(name.decode("utf-8", "surrogateescape"))).write_text(
            "events {}\nhttp { server { location / { proxy_read_timeout 10s;\n"
            "proxy_pass http://127.0.0.1:8000; } } }\n"
        )
    except (OSError, UnicodeEncodeError):  # pragma: no cover - a file system that refuses it
        pytest.skip("this file system refuses a file name that is not UTF-8")
    (tmp_path / "gunicorn.conf.py").write_text('bind = "127.0.0.1:8000"\ntimeout = 5\n')
    diagnostics = _check(tmp_path)
    assert any(d["path"] == "nginx-caf\\xe9.conf" for d in diagnostics)
    sarif = gwlint("check", "--isolated", "--format", "sarif", cwd=tmp_path)
    assert "nginx-caf%E9.conf" in sarif.out


def test_config_file_that_is_not_utf8_or_holds_a_huge_number(tmp_path: Path) -> None:
    """tomllib raised UnicodeDecodeError (and ValueError for an integer of 5000 digits), which
    config.py did not catch: internal error instead of a usage error."""
    (tmp_path / "nginx.conf").write_text("events {}\n")
    for content in (b"cpus = 4\n\xff\xfe\n", f"cpus = {HUGE}\n".encode()):
        (tmp_path / ".gwlint.toml").write_bytes(content)
        run = gwlint("check", "nginx.conf", cwd=tmp_path)
        assert run.code == 2
        assert run.err.startswith(f"gwlint: error: {tmp_path / '.gwlint.toml'}: invalid TOML: ")
        assert run.err.count("\n") == 1
    (tmp_path / ".gwlint.toml").write_bytes(b"cpus = 4\n\xff\xfe\n")
    assert "(byte 0xff at line 2)" in gwlint("check", "nginx.conf", cwd=tmp_path).err


def test_config_error_stays_one_line(tmp_path: Path) -> None:
    """A key holding a line feed made the usage error two lines."""
    (tmp_path / "nginx.conf").write_text("events {}\n")
    (tmp_path / ".gwlint.toml").write_text('[severity]\n"GW\\n1" = "loud"\n')
    run = gwlint("check", "nginx.conf", cwd=tmp_path)
    assert run.code == 2
    assert run.err.count("\n") == 1
    assert "severity.GW\\n1: " in run.err


def test_python_warnings_about_a_gunicorn_config_stay_quiet(tmp_path: Path) -> None:
    """ast.parse printed Python's SyntaxWarning ("invalid decimal literal", with the source line)
    to stderr; with -W error it became a SyntaxError, reported as GW003 on valid code."""
    (tmp_path / "gunicorn.conf.py").write_text(
        'workers = 1if True else 2\nraw_env = ["PATTERN=\\d+"]\nbind = "127.0.0.1:8000"\n'
    )
    diagnostics = _check(tmp_path, "gunicorn.conf.py")
    assert [d["code"] for d in diagnostics] == ["GW011", "GW301"]  # GW011: gunicorn alone


def test_pyproject_with_a_tool_that_is_not_a_table(tmp_path: Path) -> None:
    """``tool = 3`` in pyproject.toml: AttributeError while looking for [tool.gwlint]."""
    (tmp_path / "nginx.conf").write_text("events {}\n")
    (tmp_path / "pyproject.toml").write_text("tool = 3\n")
    run = gwlint("check", "nginx.conf", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.err == ""


def test_gunicorn_config_nested_deeper_than_the_recursion_limit(tmp_path: Path) -> None:
    """``bind = not not ... "x"``, 1,900 deep: ast.parse accepts it, and the recursive search for
    what the compiler rejects ('return' outside a function...) raised RecursionError."""
    (tmp_path / "gunicorn.conf.py").write_text(f'bind = {"not " * 1900}"x"\nworkers = 4\n')
    diagnostics = _check(tmp_path, "gunicorn.conf.py")
    assert [(d["code"], d["line"]) for d in diagnostics] == [("GW005", 1), ("GW011", 1)]
    assert "too deeply nested" in str(diagnostics[0]["message"])


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        (
            "workers = 2\nfor w in range(3):\n    pass\nelse:\n    break\n",
            5,
            "'break' outside loop",
        ),
        ("while True:\n    def f():\n        continue\n", 3, "'continue' outside loop"),
        ("class C:\n    return 1\n", 2, "'return' outside function"),
        ("for x in (yield):\n    pass\n", 1, "'yield' outside function"),
        ("def f():\n    for x in y:\n        break\n    return 1\nworkers = 2\n", None, None),
    ],
)
def test_what_the_compiler_rejects(
    tmp_path: Path, source: str, line: int | None, message: str | None
) -> None:
    """The stack walk that replaced the recursive one finds what CPython's compiler rejects."""
    (tmp_path / "gunicorn.conf.py").write_text(source)
    found = [
        (d["line"], str(d["message"]).split(": ", 1)[1])
        for d in _check(tmp_path, "gunicorn.conf.py")
        if d["code"] == "GW003"
    ]
    assert found == ([(line, message)] if line else [])
