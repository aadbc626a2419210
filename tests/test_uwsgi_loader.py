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
        """,
        cpus=4,
        env={"THREADS": "8"},
    )
    assert str(server.listeners[0].address) == "127.0.0.1:3031"
    assert server.options["chdir"][0].value == "/srv/app/src"
    assert server.processes.value == 5
    assert server.threads.value == 8
    assert server.options["logto"][0].value == f"{tmp_path}/app.log"


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
