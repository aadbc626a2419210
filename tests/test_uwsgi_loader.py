"""uWSGI ini read like uWSGI 2.0 reads it: sections, comments, repeated keys, placeholders."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from gwlint.loaders.common import Problems
from gwlint.loaders.uwsgi import load_uwsgi
from gwlint.model.appserver import UwsgiServer
from gwlint.model.facts import Facts


def load(tmp_path: Path, text: str, section: str = "uwsgi", **facts: Any) -> UwsgiServer:
    path = tmp_path / "app.ini"
    path.write_text(textwrap.dedent(text))
    server = load_uwsgi(str(path), Facts(**facts), Problems(), section=section)
    assert server is not None
    return server


def test_sections_comments_repeated_keys(tmp_path: Path) -> None:
    server = load(
        tmp_path,
        """
        [other]
        harakiri = 5
        [uwsgi]
        ; a comment
        # another
        socket = 127.0.0.1:3031
        socket = /run/app.sock
        http-socket = :8080
        harakiri = 20
        harakiri = 30
        master
        """,
    )
    assert [str(x.address) for x in server.listeners] == [
        "127.0.0.1:3031",
        "unix:/run/app.sock",
        ":8080",
    ]
    assert [x.protocol for x in server.listeners] == ["uwsgi", "uwsgi", "http"]
    assert server.harakiri.value == 30  # scalars: the last one wins
    assert server.harakiri.source.line == 11
    assert server.options["master"][0].value == ""  # a bare key is a flag


def test_placeholders_env_and_magic(tmp_path: Path) -> None:
    server = load(
        tmp_path,
        """
        [uwsgi]
        base = /srv/app
        port = 3031
        socket = 127.0.0.1:%(port)
        chdir = %(base)/src
        processes = %(%k + 1)
        threads = $(THREADS)
        logto = %d%n.log
        logname = %n.log
        """,
        cpus=4,
        env={"THREADS": "8"},
    )
    assert str(server.listeners[0].address) == "127.0.0.1:3031"
    assert server.options["chdir"][0].value == "/srv/app/src"
    assert server.processes.value == 5
    assert server.threads.value == 8
    # %d is the config's folder on the server, not on the machine that lints
    assert server.options["logto"][0].value is None
    assert server.options["logname"][0].value == "app.log"


def test_unknown_cpu_count_and_env_stay_unknown(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nprocesses = %k\nthreads = $(THREADS)\n")
    assert server.processes.value is None
    assert "--cpus" in (server.processes.unknown or "")
    assert server.threads.value is None


def test_numbers_are_read_without_units(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nharakiri = 60s\nsocket-timeout = 1m\n")
    assert server.harakiri.value == 60
    assert server.socket_timeout.value == 1  # atoi stops at 'm'
    assert server.harakiri.raw == "60s"  # the raw text is kept for GW506


def test_socket_protocol_option(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nsocket = :8000\nprotocol = http\n")
    assert server.listeners[0].protocol == "http"


def test_other_section(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nharakiri = 5\n[prod]\nharakiri = 50\n", section="prod")
    assert server.harakiri.value == 50


def test_missing_section_is_gw004(tmp_path: Path) -> None:
    path = tmp_path / "app.ini"
    path.write_text("[uwgsi]\nsocket = :3031\n")
    problems = Problems()
    assert load_uwsgi(str(path), Facts(), problems) is None
    assert [(p.code, p.location.line) for p in problems.items] == [("GW004", 1)]


def test_ini_include(tmp_path: Path) -> None:
    (tmp_path / "base.ini").write_text("[uwsgi]\nharakiri = 40\n")
    server = load(tmp_path, "[uwsgi]\nini = base.ini\nsocket = :3031\n")
    assert server.harakiri.value == 40
    assert server.harakiri.source.path == str(tmp_path / "base.ini")


def test_config_logic(tmp_path: Path) -> None:
    text = """
        [uwsgi]
        harakiri = 120
        if-env = DEV_MODE
        harakiri = 5
        endif =
        if-not-env = DEV_MODE
        threads = 4
        endif =
        if-exists = /etc/app/prod
        processes = 8
        endif =
        socket = :3031
        """
    server = load(tmp_path, text)
    assert server.harakiri.value == 120  # $DEV_MODE not given: taken as unset
    assert server.threads.value == 4
    assert server.processes.value is None  # only the server knows whether the file exists
    assert server.processes.unknown is not None
    assert "if-exists" in server.processes.unknown
    server = load(tmp_path, text, env={"DEV_MODE": "1"})
    assert server.harakiri.value == 5
    assert server.threads.value == 1


def test_processes_and_workers_are_one_setting(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nprocesses = 4\nworkers = 1\n")
    assert server.processes.value == 1
    assert server.processes_option == "workers"
    server = load(tmp_path, "[uwsgi]\nworkers = 1\nprocesses = 4\n")
    assert server.processes.value == 4


def test_no_socket_means_listeners_unknown(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nmodule = app:app\n")
    assert server.listeners == ()
    assert server.listeners_unknown
