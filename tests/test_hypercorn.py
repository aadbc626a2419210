"""hypercorn behind the proxy: its command line (every launcher kind), its config files (TOML,
``python:``, ``file:``) with their lines, hypercorn's precedence and defaults, the errors that
stop it at start, and the rules that read it (GW201, GW401, GW402)."""

from __future__ import annotations

import json
import shlex
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gwlint.loaders.commands import build_launch
from gwlint.loaders.common import Problems, reading_within
from gwlint.loaders.hypercorn import is_hypercorn_toml, load_hypercorn, toml_keys
from gwlint.loaders.launch import Launch, Word
from gwlint.loaders.launchers import read_launches
from gwlint.model.appserver import AsgiServer
from gwlint.model.facts import Facts
from tests.conftest import gwlint


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))


def _launch(command: str, *, path: str = "Procfile", folder: str = ".") -> Launch:
    words = []
    column = len("web: hypercorn ") + 1
    for word in shlex.split(command):
        words.append(Word(text=word, raw=word, line=1, column=column))
        column += len(word) + 1
    return Launch(
        path=path,
        line=1,
        program="hypercorn",
        args=tuple(words),
        label="Procfile web",
        folder=folder,
    )


def _build(command: str, **kwargs: Any) -> tuple[AsgiServer, Problems]:
    problems = Problems()
    built = build_launch(_launch(command, **kwargs), Facts(), problems)
    assert isinstance(built.app, AsgiServer)
    assert built.app.kind == "hypercorn"
    return built.app, problems


def _found(problems: Problems) -> list[tuple[str | None, str, int, int | None]]:
    return [(p.code, p.location.path, p.location.line, p.location.column) for p in problems.items]


def _binds(app: AsgiServer) -> list[tuple[str, str, bool]]:
    return [(str(item.address), item.option, item.tls) for item in app.listeners]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- defaults -------------------------------------------------------------------------------------


def test_defaults_of_hypercorn_0_18(repo: Path) -> None:
    app, problems = _build("app:app")
    assert problems.items == []
    assert app.version_label == "hypercorn 0.18"
    assert _binds(app) == [("127.0.0.1:8000", "bind", False)]  # config.py:58
    values = {name: app.values[name].value for name in app.values}
    assert values["keep_alive_timeout"] == 5.0  # config.py:88
    assert values["graceful_timeout"] == 3.0  # config.py:78
    assert values["read_timeout"] is None  # config.py:79
    assert values["backlog"] == 100  # config.py:70
    assert values["workers"] == 1  # config.py:114
    assert values["worker_class"] == "asyncio"  # config.py:113
    assert values["keep_alive_max_requests"] == 1000  # config.py:89
    assert all(app.values[name].is_default for name in app.values)
    assert app.idle_limit is not None
    assert app.idle_limit.value == 5
    assert app.idle_what == "hypercorn keep_alive_timeout"
    assert app.workers.value == 1
    assert app.config_file is None


# --- the command line -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "name", "value"),
    [
        ("--keep-alive 30 app:app", "keep_alive_timeout", 30),
        ("--keep-alive=30 app:app", "keep_alive_timeout", 30),
        ("--keep 30 app:app", "keep_alive_timeout", 30),  # argparse: a unique prefix
        ("app:app -w 4", "workers", 4),
        ("app:app -w4", "workers", 4),
        ("app:app --workers=4", "workers", 4),
        ("-k uvloop app:app", "worker_class", "uvloop"),
        ("--worker-class trio app:app", "worker_class", "trio"),
        ("--graceful-timeout 20 app:app", "graceful_timeout", 20),
        ("--read-timeout 60 app:app", "read_timeout", 60),
        ("--backlog 2048 app:app", "backlog", 2048),
        ("-D app:app", "daemon", True),
        ("--reload app:app", "use_reloader", True),
        ("--access-logfile - app:app", "accesslog", "-"),
        ("--log-file /var/log/h.log app:app", "errorlog", "/var/log/h.log"),
        ("-p /run/h.pid app:app", "pid_path", "/run/h.pid"),  # -p is --pid, not a port
        ("-u 1000 -g 1000 -m 7 app:app", "umask", 7),
        ("--root-path /api app:app", "root_path", "/api"),
        ("--websocket-ping-interval 20 app:app", "websocket_ping_interval", 20),
        ("--max-requests 1000 app:app", "max_requests", 1000),
        (
            "--server-name a.example --server-name b.example app:app",
            "server_names",
            ["a.example", "b.example"],
        ),
    ],
)
def test_flags(repo: Path, command: str, name: str, value: Any) -> None:
    app, problems = _build(command)
    assert problems.items == []
    assert app.values[name].value == value
    assert app.values[name].source.path == "Procfile"
    assert app.values[name].source.line == 1


@pytest.mark.parametrize(
    ("command", "binds"),
    [
        ("-b 0.0.0.0:8080 app:app", [("0.0.0.0:8080", "bind", False)]),
        ("--bind=0.0.0.0:8080 app:app", [("0.0.0.0:8080", "bind", False)]),
        ("-b0.0.0.0:8080 app:app", [("0.0.0.0:8080", "bind", False)]),
        ("-b 10.0.0.5 app:app", [("10.0.0.5:8000", "bind", False)]),  # no port: 8000
        ("-b [::1]:9000 app:app", [("[::1]:9000", "bind", False)]),
        ("-b unix:/run/app.sock app:app", [("unix:/run/app.sock", "bind", False)]),
        ("-b fd://3 app:app", [("fd://3", "bind", False)]),
        (
            "-b 127.0.0.1:8000 -b unix:/run/app.sock app:app",
            [("127.0.0.1:8000", "bind", False), ("unix:/run/app.sock", "bind", False)],
        ),
        # without certfile and keyfile, --insecure-bind is not bound at all (config.py:207-209)
        ("--insecure-bind 0.0.0.0:80 app:app", [("127.0.0.1:8000", "bind", False)]),
        (
            "--certfile c.pem --keyfile k.pem -b 0.0.0.0:443 --insecure-bind 0.0.0.0:80 app:app",
            [("0.0.0.0:443", "bind", True), ("0.0.0.0:80", "insecure_bind", False)],
        ),
        ("--certfile c.pem -b 0.0.0.0:8443 app:app", [("0.0.0.0:8443", "bind", False)]),
    ],
)
def test_binds(repo: Path, command: str, binds: list[tuple[str, str, bool]]) -> None:
    app, problems = _build(command)
    assert problems.items == []
    assert _binds(app) == binds


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("--keepalive 30 app:app", "unrecognized arguments: --keepalive"),
        ("--log debug app:app", "ambiguous option: --log could match"),
        ("-w four app:app", "invalid value for -w"),
        ("--keep-alive", "option --keep-alive requires an argument"),
        ("-b 0.0.0.0:8000", "the following arguments are required: application"),
        ("app:app other:app", "unrecognized arguments: other:app"),
    ],
)
def test_command_lines_hypercorn_refuses(repo: Path, command: str, message: str) -> None:
    _app, problems = _build(command)
    assert [p.code for p in problems.items] == ["GW705"]
    assert message in problems.items[0].message
    assert problems.items[0].location.path == "Procfile"


def test_an_unknown_worker_class_stops_hypercorn(repo: Path) -> None:
    _app, problems = _build("-k gevent app:app")
    assert _found(problems) == [("GW705", "Procfile", 1, 16)]
    assert "No worker of class gevent exists" in problems.items[0].message


def test_an_unknown_word_hides_what_it_may_set(repo: Path) -> None:
    launch = _launch("app:app")
    unknown = Word(text=None, raw="$HYPERCORN_ARGS", line=1, column=30, unknown="$X unset")
    launch = Launch(
        path=launch.path, line=1, program="hypercorn", args=(*launch.args, unknown), label="x"
    )
    problems = Problems()
    built = build_launch(launch, Facts(), problems)
    assert isinstance(built.app, AsgiServer)
    assert [p.code for p in problems.items] == ["GW008"]
    assert built.app.values["keep_alive_timeout"].value is None
    assert built.app.idle_limit is not None
    assert built.app.idle_limit.value is None  # GW201 stays quiet rather than assume 5 s


def test_read_timeout_shorter_than_keep_alive_is_the_idle_limit(repo: Path) -> None:
    app, _ = _build("--read-timeout 10 --keep-alive 30 app:app")
    assert app.idle_limit is not None
    assert app.idle_limit.value == 10
    assert app.idle_what == "hypercorn read_timeout"
    app, _ = _build("--read-timeout 60 --keep-alive 30 app:app")
    assert app.idle_limit is not None
    assert app.idle_limit.value == 30


# --- every launcher kind --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("Procfile", "web: hypercorn -b 0.0.0.0:$PORT --keep-alive 30 app:app\n", 1),
        ("Procfile", "web: python -m hypercorn --keep-alive 30 app:app\n", 1),
        (
            "Dockerfile",
            'FROM python:3.12\nCMD ["hypercorn", "--keep-alive", "30", "app:app"]\n',
            2,
        ),
        (
            "docker-compose.yml",
            "services:\n  web:\n    build: .\n    command: hypercorn --keep-alive 30 app:app\n",
            4,
        ),
        (
            "app.service",
            "[Service]\nExecStart=/srv/venv/bin/hypercorn --keep-alive 30 app:app\n",
            2,
        ),
        (
            "supervisord.conf",
            "[program:web]\ncommand=/srv/venv/bin/python -m hypercorn --keep-alive 30 app:app\n",
            2,
        ),
        ("entrypoint.sh", "#!/bin/sh\nset -e\nexec hypercorn --keep-alive 30 app:app\n", 3),
    ],
)
def test_every_launcher_kind_starts_hypercorn(repo: Path, name: str, text: str, line: int) -> None:
    _write(repo, {name: text})
    problems = Problems()
    launches = read_launches(name, {"PORT": "8000"}, problems)
    assert [launch.program for launch in launches] == ["hypercorn"]
    built = build_launch(launches[0], Facts(), problems)
    assert isinstance(built.app, AsgiServer)
    keep = built.app.values["keep_alive_timeout"]
    assert (keep.value, keep.source.path, keep.source.line) == (30, name, line)
    assert problems.items == []


def test_a_kubernetes_container_starts_hypercorn(repo: Path) -> None:
    _write(
        repo,
        {
            "k8s/app.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              template:
                spec:
                  containers:
                    - name: web
                      image: example/web:1
                      command: ["hypercorn"]
                      args: ["--bind", "0.0.0.0:8000", "--keep-alive", "30", "app:app"]
            """,
        },
    )
    run = gwlint("check", "--isolated", "--show-files", "k8s", cwd=repo)
    assert "app: hypercorn (k8s/app.yaml" in run.out
    assert "0.0.0.0:8000 (http)" in run.out


# --- config files ---------------------------------------------------------------------------------

TOML = """
# hypercorn settings
bind = [
    "127.0.0.1:8000",  # the app, for nginx
    "unix:/run/app.sock",
]
workers = 2
"keep_alive_timeout" = 30 # a quoted key
graceful_timeout = 10.5
title = "a # that is no comment, and = [ ] { }"
notes = '''
many = 1
lines
'''
worker_class = 'uvloop'

[logging]
keep_alive_timeout = 999
"""


def test_toml_config_with_the_line_of_every_key(repo: Path) -> None:
    _write(repo, {"hypercorn.toml": TOML})
    app, problems = _build("-c hypercorn.toml app:app")
    assert problems.items == []
    assert app.config_file == "hypercorn.toml"
    where = {
        name: (app.values[name].value, app.values[name].source.line, app.values[name].raw)
        for name in ("bind", "workers", "keep_alive_timeout", "graceful_timeout", "worker_class")
    }
    assert where == {
        "bind": (
            ["127.0.0.1:8000", "unix:/run/app.sock"],
            2,
            '[ "127.0.0.1:8000", "unix:/run/app.sock", ]',
        ),
        "workers": (2, 6, "2"),
        "keep_alive_timeout": (30, 7, "30"),  # not the key of [logging]
        "graceful_timeout": (10.5, 8, "10.5"),
        "worker_class": ("uvloop", 14, "'uvloop'"),
    }
    assert app.values["keep_alive_timeout"].source.column == 1
    assert _binds(app) == [
        ("127.0.0.1:8000", "bind", False),
        ("unix:/run/app.sock", "bind", False),
    ]
    assert app.idle_limit is not None
    assert (app.idle_limit.value, app.idle_limit.source.path) == (30, "hypercorn.toml")
    assert app.values["backlog"].is_default


def test_toml_keys_scan() -> None:
    text = textwrap.dedent(
        """
        a = 1
        b.c = 2  # dotted: the key a config sets is b
          "q.x" = "v"
        d = { e = 1, f = [1, 2] }
        g = \"\"\"
        h = 3
        \"\"\"
        i = "escaped \\" quote # still a string"
        j = [
          [1, 2],  # nested
          [3],
        ]
        [[table]]
        k = 4
        """
    ).lstrip("\n")
    keys = toml_keys(text, "x.toml")
    assert {name: (at.line, at.column) for name, at in keys.items()} == {
        "a": (1, 1),
        "b": (2, 1),
        "q.x": (3, 3),
        "d": (4, 1),
        "g": (5, 1),
        "i": (8, 1),
        "j": (9, 1),
    }
    assert keys["j"].raw == "[ [1, 2], [3], ]"
    assert keys["i"].raw == '"escaped \\" quote # still a string"'


def test_toml_comments_can_suppress(repo: Path) -> None:
    problems = Problems()
    toml_keys("a = 1  # gwlint: ignore[GW201] nginx closes first\n", "h.toml", problems)
    assert [(s.path, s.line, s.codes) for s in problems.suppressions] == [("h.toml", 1, ("GW201",))]


def test_the_command_line_wins_over_the_config_file(repo: Path) -> None:
    # __main__.py:225-310: the file is loaded first, then every flag given overrides it; -b
    # replaces the file's whole bind list
    _write(
        repo,
        {
            "hypercorn.toml": (
                'bind = ["127.0.0.1:8000", "unix:/run/a.sock"]\n'
                "workers = 2\n"
                "keep_alive_timeout = 30\n"
            )
        },
    )
    app, problems = _build("--keep-alive 90 -c hypercorn.toml -b 0.0.0.0:9000 app:app")
    assert problems.items == []
    assert app.values["keep_alive_timeout"].value == 90
    assert app.values["keep_alive_timeout"].source.path == "Procfile"
    assert app.values["workers"].value == 2
    assert app.values["workers"].source.path == "hypercorn.toml"
    assert _binds(app) == [("0.0.0.0:9000", "bind", False)]


def test_python_module_config(repo: Path) -> None:
    _write(
        repo,
        {
            "conf/hypercorn_conf.py": """
            import os

            PORT = os.environ.get("PORT", "8000")
            bind = [f"0.0.0.0:{PORT}"]
            keep_alive_timeout = 75
            __private = 1
            """,
        },
    )
    app, problems = _build("-c python:conf.hypercorn_conf app:app")
    assert problems.items == []
    assert app.config_file == "conf/hypercorn_conf.py"
    keep = app.values["keep_alive_timeout"]
    assert (keep.value, keep.source.path, keep.source.line) == (75, "conf/hypercorn_conf.py", 5)
    assert _binds(app) == [("0.0.0.0:8000", "bind", False)]


def test_python_package_and_class_config(repo: Path) -> None:
    _write(
        repo,
        {
            "settings/__init__.py": "keep_alive_timeout = 20\n",
            "deploy/config.py": """
            TIMEOUT = 80

            class Production:
                bind = "0.0.0.0:8000"
                keep_alive_timeout = TIMEOUT
            """,
        },
    )
    app, _ = _build("-c python:settings app:app")
    assert app.config_file == "settings/__init__.py"
    assert app.values["keep_alive_timeout"].value == 20
    # config.py:397-403: import deploy.config.Production fails, so Production of deploy.config
    app, problems = _build("-c python:deploy.config.Production app:app")
    assert problems.items == []
    keep = app.values["keep_alive_timeout"]
    assert (keep.value, keep.source.line) == (80, 5)
    assert _binds(app) == [("0.0.0.0:8000", "bind", False)]
    assert "TIMEOUT" not in app.values  # a module-level name is no attribute of the class
    _app, problems = _build("-c python:deploy.config.Staging app:app")
    assert _found(problems) == [("GW008", "Procfile", 1, 16)]
    assert problems.items[0].severity is not None
    assert problems.items[0].severity.value == "info"


def test_file_config(repo: Path) -> None:
    _write(repo, {"deploy/hypercorn.py": "workers = 3\nkeep_alive_timeout = 65\n"})
    app, problems = _build("--config=file:deploy/hypercorn.py app:app")
    assert problems.items == []
    assert app.config_file == "deploy/hypercorn.py"
    assert (app.values["workers"].value, app.values["workers"].source.line) == (3, 1)
    assert app.idle_limit is not None
    assert app.idle_limit.value == 65


def test_config_values_gwlint_cannot_know(repo: Path) -> None:
    _write(repo, {"h.py": 'import os\nkeep_alive_timeout = int(os.environ["KEEP_ALIVE"])\n'})
    app, problems = _build("-c file:h.py app:app")
    assert app.values["keep_alive_timeout"].value is None
    assert _found(problems) == [("GW008", "h.py", 2, 1)]
    assert "keep_alive_timeout is not statically known" in problems.items[0].message


def test_a_config_value_that_is_no_number(repo: Path) -> None:
    _write(repo, {"h.toml": 'keep_alive_timeout = "75"\nworkers = 2.5\n'})
    app, problems = _build("-c h.toml app:app")
    assert app.values["keep_alive_timeout"].unknown == 'keep_alive_timeout = "75" is not a number'
    assert app.values["workers"].unknown == "workers = 2.5 is not an integer"
    assert [(p.code, p.location.line) for p in problems.items] == [("GW008", 1), ("GW008", 2)]


# --- config files hypercorn cannot load, or gwlint cannot find ------------------------------------


def test_a_missing_config_file(repo: Path) -> None:
    app, problems = _build("-c /etc/hypercorn/prod.toml app:app")
    assert _found(problems) == [("GW008", "Procfile", 1, 16)]
    assert "/etc/hypercorn/prod.toml" in problems.items[0].message
    assert "not in the repository" in problems.items[0].message
    assert app.values["keep_alive_timeout"].unknown is not None  # not assumed to be 5 s
    assert app.listeners_unknown is not None


def test_a_config_file_outside_the_folders_read(repo: Path) -> None:
    (repo / "inside").mkdir()
    (repo / "outside.toml").write_text("keep_alive_timeout = 30\n")
    with reading_within(["inside"]):  # gwlint check inside
        app, problems = _build(
            "-c ../outside.toml app:app", path="inside/Procfile", folder="inside"
        )
    assert [p.code for p in problems.items] == ["GW008"]
    assert "not in the repository" in problems.items[0].message
    assert app.values["keep_alive_timeout"].value is None


def test_invalid_toml_stops_hypercorn(repo: Path) -> None:
    _write(repo, {"hypercorn.toml": 'workers = 2\nbind = "0.0.0.0:8000\n'})
    _app, problems = _build("-c hypercorn.toml app:app")
    assert _found(problems) == [("GW008", "hypercorn.toml", 2, 21)]
    message = problems.items[0].message
    assert "not valid TOML" in message
    assert "nothing listens" in message
    assert problems.items[0].severity is not None
    assert problems.items[0].severity.value == "error"


def test_invalid_python_stops_hypercorn(repo: Path) -> None:
    _write(repo, {"h.py": "workers = (2 *\n"})
    _app, problems = _build("-c file:h.py app:app")
    assert [(p.code, p.location.path, p.location.line) for p in problems.items] == [
        ("GW008", "h.py", 1)
    ]
    assert "not valid Python" in problems.items[0].message


def test_an_unknown_config_spec(repo: Path) -> None:
    launch = _launch("-c")
    spec = Word(text=None, raw="$HYPERCORN_CONFIG", line=1, column=20, unknown="not set")
    launch = Launch(
        path="Procfile",
        line=1,
        program="hypercorn",
        args=(*launch.args, spec, Word(text="app:app", raw="app:app", line=1)),
        label="Procfile web",
    )
    problems = Problems()
    built = build_launch(launch, Facts(), problems)
    assert isinstance(built.app, AsgiServer)
    assert [p.code for p in problems.items] == ["GW008"]
    assert "$HYPERCORN_CONFIG" in problems.items[0].message
    assert built.app.values["keep_alive_timeout"].value is None


# --- the rules ------------------------------------------------------------------------------------

NGINX = """
events {}
http {
    upstream app {
        server 127.0.0.1:8000;
        keepalive 16;
        keepalive_timeout 60s;
    }
    server {
        listen 80;
        location / {
            %s http://app;
        }
    }
}
"""


def _diagnostics(root: Path) -> list[dict[str, Any]]:
    run = gwlint("check", "--isolated", "--format", "json", "--nginx-version", "1.30.0", cwd=root)
    assert run.code in (0, 1), run.err
    found: list[dict[str, Any]] = json.loads(run.out)["diagnostics"]
    return found


def test_gw201_names_keep_alive_timeout_in_the_toml(repo: Path) -> None:
    _write(
        repo,
        {
            "nginx.conf": NGINX % "proxy_pass",
            "Procfile": "web: hypercorn -c hypercorn.toml app:app\n",
            "hypercorn.toml": 'bind = "127.0.0.1:8000"\n',
        },
    )
    found = [d for d in _diagnostics(repo) if d["code"] == "GW201"]
    assert len(found) == 1
    assert "hypercorn keep_alive_timeout 5s (hypercorn 0.18 default)" in found[0]["message"]
    assert found[0]["fix"].startswith("set keep_alive_timeout = 75 in hypercorn.toml")


def test_gw201_names_keep_alive_on_the_command_line(repo: Path) -> None:
    _write(
        repo,
        {
            "nginx.conf": NGINX % "proxy_pass",
            "Procfile": "web: hypercorn --keep-alive 30 app:app\n",
        },
    )
    found = [d for d in _diagnostics(repo) if d["code"] == "GW201"]
    assert len(found) == 1
    assert found[0]["fix"].startswith("change --keep-alive 30 to --keep-alive 75 in Procfile:1")


def test_gw201_quiet_when_hypercorn_outlives_nginx(repo: Path) -> None:
    _write(
        repo,
        {
            "nginx.conf": NGINX % "proxy_pass",
            "Procfile": "web: hypercorn -c hypercorn.toml app:app\n",
            "hypercorn.toml": "keep_alive_timeout = 75\n",
        },
    )
    assert [d for d in _diagnostics(repo) if d["code"] == "GW201"] == []


def test_gw401_and_gw402(repo: Path) -> None:
    _write(
        repo,
        {
            "nginx.conf": NGINX % "proxy_pass",
            "Procfile": "web: hypercorn -b 127.0.0.1:9000 app:app\n",
        },
    )
    found = [d for d in _diagnostics(repo) if d["code"] == "GW401"]
    assert len(found) == 1
    assert "change -b 127.0.0.1:9000 to -b 127.0.0.1:8000 in Procfile:1" in found[0]["fix"]
    _write(
        repo,
        {
            "nginx.conf": (NGINX % "uwsgi_pass").replace("http://", ""),
            "Procfile": "web: hypercorn --keep-alive 75 -b 127.0.0.1:8000 app:app\n",
        },
    )
    found = [d for d in _diagnostics(repo) if d["code"] == "GW402"]
    assert len(found) == 1
    assert "hypercorn answers 400" in found[0]["message"]
    assert found[0]["fix"].startswith("use proxy_pass http://127.0.0.1:8000 here")


# --- a config file on its own (for the inventory: no command in the repository starts it) --------


def test_a_config_file_checked_on_its_own(repo: Path) -> None:
    _write(repo, {"hypercorn.toml": 'bind = "0.0.0.0:8000"\nkeep_alive_timeout = 30\n'})
    problems = Problems()
    app = load_hypercorn("hypercorn.toml", Facts(), problems)
    assert app is not None
    assert problems.items == []
    assert (app.path, app.config_file, app.launcher) == ("hypercorn.toml", "hypercorn.toml", None)
    assert _binds(app) == [("0.0.0.0:8000", "bind", False)]
    assert app.idle_limit is not None
    assert (app.idle_limit.value, app.idle_limit.source.line) == (30, 2)
    assert app.values["workers"].is_default
    _write(repo, {"broken.toml": "keep_alive_timeout = \n"})
    assert load_hypercorn("broken.toml", Facts(), problems) is None
    assert [(p.code, p.location.path, p.location.line) for p in problems.items] == [
        ("GW008", "broken.toml", 1)
    ]


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        ("hypercorn.toml", b"", True),
        ("deploy/hypercorn-prod.toml", b"", True),
        ("config/hypercorn/prod.toml", b"", True),
        ("server.toml", b"bind = ['0.0.0.0:8000']\nkeep_alive_timeout = 75\n", True),
        ("server.toml", b"[tool.black]\nline-length = 100\n", False),
        ("pyproject.toml", b"keep_alive_timeout = 75\n", False),
        ("hypercorn.py", b"keep_alive_timeout = 75\n", False),
    ],
)
def test_is_hypercorn_toml(path: str, head: bytes, expected: bool) -> None:
    assert is_hypercorn_toml(path, head) is expected


def test_a_typographic_dash_stops_hypercorn(repo: Path) -> None:
    _app, problems = _build("app:app \u2014keep-alive 75")
    assert [p.code for p in problems.items] == ["GW706"]
    assert problems.items[0].severity is not None
    assert problems.items[0].severity.value == "error"
    assert problems.items[0].fix == "write --keep-alive with two ASCII hyphens"


def test_a_toml_nested_too_deeply_is_reported_not_raised(repo: Path) -> None:
    (repo / "h.toml").write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n")
    _app, problems = _build("-c h.toml app:app")
    assert [(p.code, p.location.path) for p in problems.items] == [("GW008", "h.toml")]
    assert "RecursionError" in problems.items[0].message


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "deploy/app.service",
            "[Unit]\nDescription=app\n[Service]\n"
            "ExecStart=/srv/venv/bin/hypercorn --bind 127.0.0.1:9000 app:app\n",
        ),
        ("deploy/start.sh", "#!/bin/sh\nexec hypercorn --bind 127.0.0.1:9000 app:app\n"),
        (
            "supervisor/conf.d/app.conf",
            "[program:app]\ncommand=hypercorn --bind 127.0.0.1:9000 app:app\n",
        ),
    ],
)
def test_a_folder_walk_finds_what_starts_hypercorn(repo: Path, name: str, text: str) -> None:
    """Found in a folder, not named: a launcher that starts hypercorn alone is read (and its
    wrong port reported against nginx)."""
    _write(
        repo,
        {
            name: text,
            "nginx.conf": "http { server { listen 80; location / {"
            " proxy_pass http://127.0.0.1:8000; } } }\n",
        },
    )
    run = gwlint("check", "--isolated", "--select", "GW401", cwd=repo)
    assert "GW401" in run.out, run.out + run.err
    assert "hypercorn listens on 127.0.0.1:9000" in run.out
