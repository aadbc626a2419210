"""Address parsing on both sides and the pairing rules between them."""

from __future__ import annotations

import pytest

from gwlint.model.address import (
    Match,
    match,
    parse_gunicorn_bind,
    parse_nginx_host_port,
    parse_proxy_url,
    parse_uwsgi_socket,
)


def test_proxy_url_split() -> None:
    assert parse_proxy_url("unix:///run/u.sock") == ("", "unix:///run/u.sock", None)
    assert parse_proxy_url("http://127.0.0.1:8000/x") == ("http", "127.0.0.1:8000", "/x")
    assert parse_proxy_url("http://unix:/run/app.sock:/x") == ("http", "unix:/run/app.sock", "/x")
    assert parse_proxy_url("http://unix:/run/app.sock") == ("http", "unix:/run/app.sock", None)
    assert parse_proxy_url("uwsgi://app:3031") == ("uwsgi", "app:3031", None)
    assert parse_proxy_url("127.0.0.1:3031") == ("", "127.0.0.1:3031", None)


def test_nginx_addresses() -> None:
    assert str(parse_nginx_host_port("app", 80)) == "app:80"  # upstream server without port
    assert str(parse_nginx_host_port("[::1]:8000", 80)) == "[::1]:8000"
    assert parse_nginx_host_port("unix:/run/a.sock", 80).path == "/run/a.sock"
    assert parse_nginx_host_port("$backend", 80).kind == "unknown"


@pytest.mark.parametrize(
    ("bind", "text"),
    [
        ("127.0.0.1:8000", "127.0.0.1:8000"),
        ("0.0.0.0", "0.0.0.0:8000"),  # gunicorn's default port
        (":9000", ":9000"),
        ("[::]:8000", "[::]:8000"),
        ("unix:/run/app.sock", "unix:/run/app.sock"),
        ("unix:///run/app.sock", "unix:/run/app.sock"),
        ("tcp://10.0.0.1:8000", "10.0.0.1:8000"),
        ("localhost", "localhost:8000"),
    ],
)
def test_gunicorn_bind(bind: str, text: str) -> None:
    assert str(parse_gunicorn_bind(bind)) == text


def test_gunicorn_fd_bind_is_not_known() -> None:
    assert parse_gunicorn_bind("fd://3").kind == "fd"


def test_uwsgi_sockets() -> None:
    assert str(parse_uwsgi_socket(":3031")) == ":3031"
    assert parse_uwsgi_socket(":3031").is_wildcard
    assert parse_uwsgi_socket("/run/uwsgi/app.sock").kind == "unix"
    assert str(parse_uwsgi_socket("127.0.0.1:3031")) == "127.0.0.1:3031"
    assert parse_uwsgi_socket("@abstract").kind == "unknown"
    # no inline comments in uWSGI ini, but the port is read with atoi
    assert str(parse_uwsgi_socket("127.0.0.1:3031 ; for nginx")) == "127.0.0.1:3031"


T = parse_nginx_host_port
B = parse_gunicorn_bind


@pytest.mark.parametrize(
    ("target", "listener", "expected"),
    [
        (T("127.0.0.1:8000", 80), B("127.0.0.1:8000"), Match.YES),
        (T("127.0.0.1:8001", 80), B("127.0.0.1:8000"), Match.NO),
        (T("localhost:8000", 80), B("127.0.0.1:8000"), Match.YES),
        (T("[::1]:8000", 80), B("localhost:8000"), Match.NO),  # gunicorn binds IPv4 loopback
        (T("[::1]:8000", 80), B("127.0.0.1:8000"), Match.NO),  # different sockets: refused
        (T("127.0.0.1:8000", 80), B("[::1]:8000"), Match.NO),
        (T("localhost:8000", 80), B("[::1]:8000"), Match.YES),
        (T("[::1]:8000", 80), B("0.0.0.0:8000"), Match.NO),  # IPv4 wildcard
        (T("[::1]:8000", 80), B("[::]:8000"), Match.YES),
        (T("127.0.0.1:8000", 80), B("[::]:8000"), Match.YES),  # dual stack
        (T("web:8000", 80), B("0.0.0.0:8000"), Match.YES),  # compose service -> wildcard bind
        (T("web:8000", 80), B("[::]:8000"), Match.YES),
        (T("web:8000", 80), B(":8000"), Match.YES),
        (T("web:8000", 80), B("127.0.0.1:8000"), Match.NO),  # loopback only: unreachable
        (T("web:8000", 80), B("10.0.0.5:8000"), Match.MAYBE),  # DNS decides
        (T("10.0.0.6:8000", 80), B("10.0.0.5:8000"), Match.NO),
        (T("app", 80), B("0.0.0.0:80"), Match.YES),  # no port in upstream server = 80
        (T("app", 80), B("0.0.0.0:8000"), Match.NO),
        (T("unix:/run/a.sock", 80), B("unix:/run/a.sock"), Match.YES),
        (T("unix:///run/a.sock", 80), B("unix:/run/a.sock"), Match.YES),
        (T("unix:/run/a.sock", 80), B("unix:/run/b.sock"), Match.NO),
        (T("unix:/run/a.sock", 80), B("127.0.0.1:8000"), Match.NO),
        (T("unix:/run/a.sock", 80), B("fd://3"), Match.MAYBE),
        (T("$backend", 80), B("127.0.0.1:8000"), Match.MAYBE),
    ],
)
def test_match(target: object, listener: object, expected: Match) -> None:
    assert match(target, listener) is expected  # type: ignore[arg-type]
