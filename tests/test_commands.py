"""Command lines -> app servers: every flag spelling, gunicorn's precedence, uvicorn, uWSGI."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest

from gwlint.loaders.commands import build_launch
from gwlint.loaders.common import Problems, reading_within
from gwlint.loaders.launch import EnvValue, Launch, Program, Word
from gwlint.model.appserver import GunicornServer, UvicornServer, UwsgiServer
from gwlint.model.facts import Facts


def _launch(
    command: str,
    program: Program = "gunicorn",
    *,
    env: dict[str, str] | None = None,
    folder: str = ".",
    path: str = "Procfile",
    workdir: str | None = None,
    implicit: bool = False,
) -> Launch:
    words = [Word(text=w, raw=w, line=1, column=None) for w in shlex.split(command)]
    return Launch(
        path=path,
        line=1,
        program=program,
        args=tuple(words),
        label="Procfile web",
        env={
            k: EnvValue(value=v, path=".env", line=i + 1)
            for i, (k, v) in enumerate((env or {}).items())
        },
        folder=folder,
        workdir=workdir,
        implicit=implicit,
    )


def _gunicorn(launch: Launch, facts: Facts | None = None) -> tuple[GunicornServer, Problems]:
    problems = Problems()
    built = build_launch(launch, facts or Facts(), problems)
    assert isinstance(built.app, GunicornServer)
    return built.app, problems


def _codes(problems: Problems) -> list[str]:
    return [f.code or "" for f in problems.items]


@pytest.mark.parametrize(
    ("command", "setting", "value"),
    [
        ("app:app -t 45", "timeout", 45),
        ("app:app --timeout 45", "timeout", 45),
        ("app:app --timeout=45", "timeout", 45),
        ("app:app -t45", "timeout", 45),
        ("app:app -t=45", "timeout", 45),
        ("app:app --time 45", "timeout", 45),  # argparse: a unique prefix
        ("app:app -w 5", "workers", 5),
        ("app:app --workers=5", "workers", 5),
        ("app:app -w5", "workers", 5),
        ("app:app -k gthread --threads 4", "threads", 4),
        ("app:app --keep-alive 75", "keepalive", 75),
        ("app:app --preload", "preload_app", True),
        ("app:app --no-sendfile", "sendfile", False),
        ("app:app --limit-request-field_size 16384", "limit_request_field_size", 16384),
        ("--graceful-timeout 20 app:app", "graceful_timeout", 20),
    ],
)
def test_gunicorn_flag_spellings(command: str, setting: str, value: Any) -> None:
    app, problems = _gunicorn(_launch(command))
    assert app.values[setting].value == value
    assert app.values[setting].source.path == "Procfile"
    assert app.values[setting].source.line == 1
    assert _codes(problems) == []


def test_repeated_binds_and_attached_forms() -> None:
    app, _ = _gunicorn(_launch("app:app -b 127.0.0.1:8000 --bind=unix:/run/app.sock -b:9000"))
    assert [str(listener.address) for listener in app.listeners] == [
        "127.0.0.1:8000",
        "unix:/run/app.sock",
        ":9000",
    ]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("app:app --worker 3", "ambiguous option: --worker could match"),
        # argparse lists the words after an unknown option once the app was given, as run
        ("app:app --worker-timeout 60 x", "unrecognized arguments: --worker-timeout 60 x;"),
        ("--worker-timeout 60 app:app", "unrecognized arguments: --worker-timeout;"),
        ("app:app -t 30s", "argument -t/--timeout: invalid int value: '30s'"),
        ("app:app --timeout", "argument -t/--timeout: expected one argument"),
    ],
)
def test_gunicorn_refuses(command: str, message: str) -> None:
    problems = Problems()
    build_launch(_launch(command), Facts(), problems)
    assert _codes(problems) == ["GW705"]
    assert message in problems.items[0].message


def test_typographic_dash_is_ignored_and_reported() -> None:
    app, problems = _gunicorn(_launch("app:app \u2014workers 3 --timeout 60"))
    assert app.values["workers"].value == 1  # ignored: the default stays
    assert app.values["timeout"].value == 60
    assert _codes(problems) == ["GW706"]
    assert problems.items[0].fix == "write --workers with two ASCII hyphens"


def test_precedence_cli_over_cmd_args_over_config_over_env(tmp_path: Path) -> None:
    (tmp_path / "gunicorn.conf.py").write_text(
        "timeout = 10\nkeepalive = 10\ngraceful_timeout = 10\nworkers = 2\n"
    )
    launch = _launch(
        "app:app --timeout 30",
        folder=str(tmp_path),
        env={"GUNICORN_CMD_ARGS": "--timeout 20 --keep-alive 20", "WEB_CONCURRENCY": "9"},
    )
    problems = Problems()
    with reading_within([str(tmp_path)]):  # the run's folder: the launcher's config is in it
        built = build_launch(launch, Facts(), problems)
    app = built.app
    assert isinstance(app, GunicornServer)
    assert app.values["timeout"].value == 30  # command line
    assert app.values["keepalive"].value == 20  # GUNICORN_CMD_ARGS
    assert app.values["keepalive"].source.note == "GUNICORN_CMD_ARGS"
    assert app.values["graceful_timeout"].value == 10  # the config file
    assert app.values["graceful_timeout"].source.path == str(tmp_path / "gunicorn.conf.py")
    assert app.values["workers"].value == 2  # the config file beats $WEB_CONCURRENCY
    assert built.consumed == [str(tmp_path / "gunicorn.conf.py")]


def test_env_defaults_from_the_launcher() -> None:
    app, _ = _gunicorn(_launch("app:app", env={"WEB_CONCURRENCY": "9", "PORT": "5000"}))
    assert app.values["workers"].value == 9
    assert app.values["workers"].source.path == ".env"
    assert [str(listener.address) for listener in app.listeners] == ["0.0.0.0:5000"]
    # --env (the production environment, as the user states it) wins over the launcher's
    app, _ = _gunicorn(
        _launch("app:app", env={"WEB_CONCURRENCY": "9"}), Facts(env={"WEB_CONCURRENCY": "3"})
    )
    assert app.values["workers"].value == 3


def test_config_file_named_by_c(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "gunicorn.py").write_text("timeout = 99\n")
    for spelled in (
        "-c config/gunicorn.py",
        "--config=config/gunicorn.py",
        "-c file:config/gunicorn.py",
        "-c python:config.gunicorn",
    ):
        app, _ = _gunicorn(_launch(f"{spelled} app:app", folder=str(tmp_path)))
        assert app.values["timeout"].value == 99, spelled
    # an absolute path on the server, under the WORKDIR the repository folder stands for
    app, _ = _gunicorn(
        _launch("-c /srv/app/config/gunicorn.py app:app", folder=str(tmp_path), workdir="/srv/app")
    )
    assert app.values["timeout"].value == 99


def test_config_file_not_in_the_repository_hides_the_defaults(tmp_path: Path) -> None:
    app, problems = _gunicorn(
        _launch("-c /etc/gunicorn/prod.py app:app --workers 4", folder=str(tmp_path))
    )
    assert app.values["workers"].value == 4  # given on the command line: known
    assert app.values["timeout"].value is None  # may be set in the file gwlint cannot see
    assert "not in the repository" in (app.values["timeout"].unknown or "")
    assert _codes(problems) == ["GW008"]
    assert problems.items[0].severity is not None
    assert problems.items[0].severity.value == "info"


def test_an_unknown_word_hides_what_it_may_set() -> None:
    launch = Launch(
        path="Dockerfile",
        line=3,
        program="gunicorn",
        args=(
            Word(text="app:app", raw="app:app", line=3),
            Word(text=None, raw="$GUNICORN_OPTS", line=3, unknown="$GUNICORN_OPTS is not set"),
            Word(text="--workers", raw="--workers", line=3),
            Word(text="4", raw="4", line=3),
        ),
        label="Dockerfile CMD",
    )
    app, _ = _gunicorn(launch)
    assert app.values["workers"].value == 4
    assert app.values["timeout"].value is None


def test_version_is_not_a_server() -> None:
    problems = Problems()
    built = build_launch(_launch("--version"), Facts(), problems)
    assert isinstance(built.app, GunicornServer)
    assert built.app.values["timeout"].is_default


def test_uvicorn_options_env_and_defaults() -> None:
    problems = Problems()
    launch = _launch(
        "app.main:app --host 0.0.0.0 --port=8080 --timeout-keep-alive 75 --no-proxy-headers",
        program="uvicorn",
        env={"UVICORN_BACKLOG": "4096", "WEB_CONCURRENCY": "3"},
    )
    app = build_launch(launch, Facts(), problems).app
    assert isinstance(app, UvicornServer)
    assert [str(listener.address) for listener in app.listeners] == ["0.0.0.0:8080"]
    assert app.timeout_keep_alive.value == 75
    assert app.backlog.value == 4096
    assert app.backlog.source.path == ".env"
    assert app.workers.value == 3
    assert app.values["proxy_headers"].value is False
    assert _codes(problems) == []
    default = build_launch(_launch("app:app", program="uvicorn"), Facts(), Problems()).app
    assert isinstance(default, UvicornServer)
    assert default.timeout_keep_alive.value == 5
    assert default.timeout_keep_alive.is_default
    assert [str(listener.address) for listener in default.listeners] == ["127.0.0.1:8000"]
    unix = build_launch(
        _launch("app:app --uds /run/app.sock", program="uvicorn"), Facts(), Problems()
    ).app
    assert isinstance(unix, UvicornServer)
    assert [str(listener.address) for listener in unix.listeners] == ["unix:/run/app.sock"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("app:app --keepalive 5", "No such option '--keepalive'"),
        ("app:app --port eighty", "Invalid value for '--port'"),
        ("app:app other:app", "Got unexpected extra argument (other:app)"),
        ("app:app --timeout-keep-al 5", "No such option '--timeout-keep-al'"),  # no prefixes
    ],
)
def test_uvicorn_refuses(command: str, message: str) -> None:
    problems = Problems()
    build_launch(_launch(command, program="uvicorn"), Facts(), problems)
    assert _codes(problems) == ["GW705"]
    assert message in problems.items[0].message


def test_uwsgi_command_line_and_ini(tmp_path: Path) -> None:
    (tmp_path / "app.ini").write_text("[uwsgi]\nharakiri = 30\nprocesses = 2\n")
    problems = Problems()
    launch = _launch(
        "--ini app.ini -s 127.0.0.1:3031 --harakiri=60 -M -p 4 --die-on-term",
        program="uwsgi",
        folder=str(tmp_path),
    )
    built = build_launch(launch, Facts(), problems)
    app = built.app
    assert isinstance(app, UwsgiServer)
    assert app.harakiri.value == 60  # after the ini: the command line's wins
    assert app.harakiri.source.path == "Procfile"
    assert app.processes.value == 4
    assert app.flag("master").value is True
    assert [str(listener.address) for listener in app.listeners] == ["127.0.0.1:3031"]
    assert built.consumed == [str(tmp_path / "app.ini")]
    assert _codes(problems) == []
    # options before --ini are overridden by the ini
    before = build_launch(
        _launch("--harakiri 60 --ini app.ini -s :3031", program="uwsgi", folder=str(tmp_path)),
        Facts(),
        Problems(),
    ).app
    assert isinstance(before, UwsgiServer)
    assert before.harakiri.value == 30


def test_uwsgi_ini_not_in_the_repository_is_not_guessed(tmp_path: Path) -> None:
    problems = Problems()
    built = build_launch(
        _launch("--ini /etc/uwsgi/app.ini", program="uwsgi", folder=str(tmp_path)),
        Facts(),
        problems,
    )
    assert built.app is None
    assert _codes(problems) == ["GW008"]


def test_a_flag_newer_than_the_gunicorn_in_production() -> None:
    from gwlint.model.versions import parse_version

    problems = Problems()
    old = Facts(gunicorn_version=parse_version("23.0"), gunicorn_version_given=True)
    build_launch(_launch("app:app --protocol uwsgi"), old, problems)
    assert _codes(problems) == ["GW705"]
    assert "--protocol is new in gunicorn 24.0" in problems.items[0].message
    problems = Problems()
    build_launch(_launch("app:app --protocol uwsgi"), Facts(), problems)
    assert _codes(problems) == []


HUGE = "1" + "0" * 400


@pytest.mark.parametrize(
    ("command", "program", "env", "setting"),
    [
        (f"app:app --workers={HUGE}", "gunicorn", {}, "workers"),
        ("app:app", "gunicorn", {"WEB_CONCURRENCY": HUGE}, "workers"),
        (f"app:app --workers {HUGE}", "uvicorn", {}, "workers"),
        ("app:app", "uvicorn", {"WEB_CONCURRENCY": HUGE}, "workers"),
        ("app:app", "uvicorn", {"WEB_CONCURRENCY": "abc"}, "workers"),
        (f"app:app --timeout-keep-alive={HUGE}", "uvicorn", {}, "timeout_keep_alive"),
    ],
)
def test_numbers_no_setting_can_hold_are_unknown(
    command: str, program: Program, env: dict[str, str], setting: str
) -> None:
    """A number no server setting holds (the rules divide by it) or one the server cannot read
    is unknown, with its reason, never a number for the rules' arithmetic."""
    problems = Problems()
    built = build_launch(_launch(command, program, env=env), Facts(cpus=2), problems)
    assert built.app is not None
    # the typed value the rules read (gunicorn.workers: as gunicorn reads WEB_CONCURRENCY)
    value = getattr(built.app, setting)
    assert value.value is None
    assert value.unknown
