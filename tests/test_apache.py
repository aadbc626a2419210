"""The Apache httpd reader (gwlint/loaders/apache.py): httpd's line and word rules, sections,
includes, ``Define``, and the routes with the values httpd 2.4 uses for each of them.

The expectations follow httpd's source (cited in the module's docstring); the syntax errors'
messages are httpd 2.4's own, as ``apache2 -t`` prints them.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwlint.loaders.apache import (
    getword_conf,
    group_apache,
    load_apache,
    logical_lines,
    parse_target,
    timeout_parameter,
)
from gwlint.loaders.apache_detect import looks_like_apache
from gwlint.loaders.common import Problems, reading_within
from gwlint.model.front import FrontConfig, FrontRoute
from gwlint.model.units import UNLIMITED_MS
from tests.conftest import CORPUS_NEXT, FIXTURES, corpus_or_skip

SAMPLES = FIXTURES / "apache-reader"
GIB = 1 << 30


def layout(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def load(
    root: Path, *names: str, version: str = "2.4", within: Path | None = None
) -> tuple[FrontConfig, Problems]:
    problems = Problems()
    with reading_within([str(within or root)]):
        config = load_apache([str(root / name) for name in names], problems, version=version)
    return config, problems


def one(root: Path, text: str, **kwargs: str) -> tuple[FrontConfig, Problems]:
    layout(root, {"site.conf": text})
    return load(root, "site.conf", **kwargs)


def errors(problems: Problems, code: str = "GW001") -> list[tuple[int, str]]:
    return [(f.location.line, f.message) for f in problems.items if f.code == code]


def routed(config: FrontConfig, raw: str) -> FrontRoute:
    found = [route for route in config.routes if route.raw == raw]
    assert len(found) == 1, [route.describe() for route in config.routes]
    return found[0]


# --- lines and words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("ProxyPass / http://a/", ["ProxyPass", "/", "http://a/"]),
        ('Header set X "a b"  c', ["Header", "set", "X", "a b", "c"]),
        ("Define X 'single quoted'", ["Define", "X", "single quoted"]),
        (r'A "say \"hi\"" b', ["A", 'say "hi"', "b"]),
        (r"A back\\slash", ["A", "back\\slash"]),
        (r"A not\escaped", ["A", "not\\escaped"]),
        ('A "unterminated quote runs on', ["A", "unterminated quote runs on"]),
        ('A x"y"z', ["A", 'x"y"z']),  # a quote inside a word is a character
        ("A\tb\x0bc", ["A", "b", "c"]),
    ],
)
def test_words_as_ap_getword_conf(text: str, words: list[str]) -> None:
    found: list[str] = []
    i = 0
    while i < len(text):
        word, start, i = getword_conf(text, i)
        if start >= len(text):
            break
        found.append(word)
    assert found == words


def test_continuation_lines_join_and_keep_positions() -> None:
    text = "ProxyPass / http://a/ \\\n    timeout=5 \\\r\n  ttl=2\nTimeout 9\\ \nLast \\"
    lines = list(logical_lines(text))
    assert [line.text for line in lines] == [
        "ProxyPass / http://a/     timeout=5   ttl=2",
        "Timeout 9\\",  # a backslash before a space continues nothing (trimmed after)
        "Last \\",  # the last line of a file is never continued
    ]
    first = lines[0]
    assert first.at(first.text.index("timeout=")) == (2, 5)
    assert first.at(first.text.index("ttl=")) == (3, 3)


def test_comment_only_at_line_start_and_continued(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "# a comment \\\nProxyPass /x http://127.0.0.1:9/\n"  # continued: still the comment
        "ProxyTimeout 60 # not a comment for httpd\n"
        "    # an indented comment\n"
        "ProxyPass / http://127.0.0.1:8000/\n",
    )
    assert [route.raw for route in config.routes] == ["http://127.0.0.1:8000/"]
    assert errors(problems) == [
        (
            3,
            "ProxyTimeout takes one argument (httpd reads a '#' after a directive as more "
            "arguments: a comment must be on a line of its own)",
        )
    ]


def test_comments_carry_suppressions(tmp_path: Path) -> None:
    _, problems = one(
        tmp_path,
        "# gwlint: ignore[GW201] the app closes after 75 s\nProxyPass / http://127.0.0.1:8000/\n",
    )
    assert [(s.line, s.codes) for s in problems.suppressions] == [(1, ("GW201",))]


# --- routes ----------------------------------------------------------------------------------


def test_sample_site(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "site.conf", tmp_path / "site.conf")
    config, problems = load(tmp_path, "site.conf")
    assert problems.items == []
    assert config.kind == "apache"
    assert config.version_label == "Apache httpd 2.4"
    route = routed(config, "http://127.0.0.1:8000/")  # /static/ ! is no route
    assert route.site == "<VirtualHost *:80> app.example.com"
    assert route.scope == ""
    assert route.directive == "ProxyPass"
    assert (route.source.line, route.source.column) == (9, 5)
    assert route.protocol == "http"
    [server] = route.servers
    assert str(server.address) == "127.0.0.1:8000"
    assert server.params == ("connectiontimeout=5", "timeout=30")
    assert route.read_timeout is not None
    assert route.connect_timeout is not None
    assert route.read_timeout.name == "timeout= of ProxyPass"
    assert route.read_timeout.value.value == 30_000
    # the value's own place, on the continued line
    assert (route.read_timeout.value.source.line, route.read_timeout.value.source.column) == (
        10,
        29,
    )
    assert route.connect_timeout.name == "connectiontimeout= of ProxyPass"
    assert route.connect_timeout.value.value == 5_000
    assert route.reuse.value is True
    assert route.reuse.is_default
    assert route.idle_timeout is not None
    assert route.idle_timeout.value.value == UNLIMITED_MS
    assert route.retries_idempotent is False
    assert route.preserve_host is not None
    assert route.preserve_host.value is True
    assert route.headers["x-forwarded-proto"].value == "http"
    assert route.headers["x-forwarded-proto"].source.line == 6
    assert route.body_limit is not None
    assert route.body_limit.value.value == GIB
    assert route.field_limit is not None
    assert route.field_limit.value.value == 8190
    assert route.client_keepalive is not None
    assert route.client_keepalive.value.value == 5000
    assert (
        route.describe() == "<VirtualHost *:80> app.example.com (ProxyPass http://127.0.0.1:8000/)"
    )


def test_proxypass_in_location_takes_one_url(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "<VirtualHost *:80>\n"
        "  <Location /api>\n"
        "    ProxyPass http://127.0.0.1:8000/api ttl=4\n"
        "  </Location>\n"
        "  <Location /old>\n"
        "    ProxyPass !\n"
        "  </Location>\n"
        "</VirtualHost>\n",
    )
    assert problems.items == []
    route = routed(config, "http://127.0.0.1:8000/api")
    assert route.scope == "<Location /api>"
    assert (
        route.describe()
        == "<VirtualHost *:80> <Location /api> (ProxyPass http://127.0.0.1:8000/api)"
    )
    assert route.idle_timeout is not None
    assert (route.idle_timeout.name, route.idle_timeout.value.value) == ("ttl= of ProxyPass", 4000)


@pytest.mark.parametrize(
    ("url", "protocol", "address", "reuse"),
    [
        ("http://App:8000/", "http", "app:8000", True),
        ("http://127.0.0.1/", "http", "127.0.0.1:80", True),
        ("https://backend/", "http", "backend:443", True),
        ("ws://127.0.0.1:8001/ws", "http", "127.0.0.1:8001", True),
        ("h2c://127.0.0.1:8002/", "http", "127.0.0.1:8002", True),
        ("http://[::1]:8000/", "http", "[::1]:8000", True),
        ("uwsgi://127.0.0.1:3031/", "uwsgi", "127.0.0.1:3031", False),
        # no default port where httpd connects: 0 (httpd 2.4.71: "connect to 127.0.0.1:0")
        ("uwsgi://127.0.0.1/", "uwsgi", "127.0.0.1:0", False),
        ("fcgi://127.0.0.1/", "fastcgi", "127.0.0.1:8000", False),
        ("scgi://127.0.0.1/", "scgi", "127.0.0.1:4000", False),
        ("unix:/run/app.sock|http://localhost/", "http", "unix:/run/app.sock", True),
        ("unix:///run/app.sock|http://app/", "http", "unix:/run/app.sock", True),
        ("unix:/run/uwsgi.sock|uwsgi://localhost/", "uwsgi", "unix:/run/uwsgi.sock", False),
    ],
)
def test_targets(tmp_path: Path, url: str, protocol: str, address: str, reuse: bool) -> None:
    config, problems = one(tmp_path, f"ProxyPass / {url}\n")
    assert problems.items == []
    route = routed(config, url)
    assert route.protocol == protocol
    assert [str(server.address) for server in route.servers] == [address]
    assert route.reuse.value is reuse
    assert (route.idle_timeout is not None) is reuse


def test_target_parsing_refuses_what_httpd_refuses() -> None:
    assert parse_target("unix:/run/app.sock") is None  # no "|URL"
    assert parse_target("/relative") is None
    ajp = parse_target("ajp://127.0.0.1:8009/")
    assert ajp is not None
    assert ajp.protocol is None


def test_ajp_and_unknown_schemes_give_no_route(tmp_path: Path) -> None:
    config, problems = one(tmp_path, "ProxyPass / ajp://127.0.0.1:8009/\n")
    assert config.routes == ()
    assert problems.items == []


def test_exclusion_and_order(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "ProxyPass /media !\nProxyPass /api http://127.0.0.1:8001/\nProxyPass / http://127.0.0.1:8000/\n",
    )
    assert [route.raw for route in config.routes] == [
        "http://127.0.0.1:8001/",
        "http://127.0.0.1:8000/",
    ]


def test_shared_worker_ignores_later_parameters(tmp_path: Path) -> None:
    """AH01145/AH01146: httpd 2.4.71 shares the worker and ignores timeout=100."""
    config, _ = one(
        tmp_path,
        "ProxyPass /a http://127.0.0.1:8000/ timeout=5\n"
        "ProxyPass /b http://127.0.0.1:8000/b timeout=100\n"
        "ProxyPass /c http://127.0.0.1:8000 ttl=3\n",  # shorter than the name: its own worker
    )
    shared = routed(config, "http://127.0.0.1:8000/b")
    assert shared.read_timeout is not None
    assert shared.read_timeout.value.value == 5000
    assert shared.read_timeout.value.source.line == 1
    own = routed(config, "http://127.0.0.1:8000")
    assert own.idle_timeout is not None
    assert own.idle_timeout.value.value == 3000


def test_unix_sockets_with_the_same_url_share_the_first_socket(tmp_path: Path) -> None:
    """httpd 2.4.71: 'Sharing worker unix:/a.sock|http://localhost/', then a connect to a.sock
    for the second ProxyPass."""
    config, _ = one(
        tmp_path,
        "ProxyPass /a unix:/run/a.sock|http://localhost/\n"
        "ProxyPass /b unix:/run/b.sock|http://localhost/\n",
    )
    second = routed(config, "unix:/run/b.sock|http://localhost/")
    assert [str(server.address) for server in second.servers] == ["unix:/run/a.sock"]


def test_proxypassmatch(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "ProxyPassMatch ^/api/(.*)$ http://127.0.0.1:8000/$1\n"
        "ProxyPassMatch ^/(a|b)/ http://$1.internal:8000/\n"
        "ProxyPassMatch ^/static/ !\n",
    )
    assert problems.items == []
    substituted = routed(config, "http://127.0.0.1:8000/$1")
    assert [str(s.address) for s in substituted.servers] == ["127.0.0.1:8000"]
    assert substituted.reuse.value is False  # "$" in the path: reuse off by default
    from_request = routed(config, "http://$1.internal:8000/")
    assert from_request.servers == ()
    assert from_request.unknown is not None
    assert from_request.reuse.value is False


def test_balancer_members_and_proxyset(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "balancer.conf", tmp_path / "balancer.conf")
    config, problems = load(tmp_path, "balancer.conf")
    assert problems.items == []
    first = routed(config, "http://127.0.0.1:8000")
    second = routed(config, "http://127.0.0.1:8001")
    for route in (first, second):
        assert route.directive == "BalancerMember"
        assert route.scope == "<Proxy balancer://app>"
        assert route.site == "<VirtualHost *:80> api.example.com"
    assert first.read_timeout is not None
    assert second.read_timeout is not None
    # timeout= of the member is its read timeout; those of ProxyPass and ProxySet on a
    # balancer are the wait for a free member
    assert (first.read_timeout.name, first.read_timeout.value.value) == (
        "timeout= of BalancerMember",
        45_000,
    )
    assert (second.read_timeout.name, second.read_timeout.value.value) == ("Timeout", 60_000)
    assert first.idle_timeout is not None
    assert first.idle_timeout.value.value == 2000
    assert second.reuse.value is False
    assert second.reuse.raw == "disablereuse=On"
    assert second.idle_timeout is None


def test_balancer_defined_in_main_server_used_by_a_virtual_host(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "<Proxy balancer://app>\n  BalancerMember http://127.0.0.1:8000\n</Proxy>\n"
        "<VirtualHost *:80>\n  ServerName a\n  ProxyPass / balancer://app/\n</VirtualHost>\n",
    )
    [route] = config.routes
    assert route.site == "<VirtualHost *:80> a"
    assert [str(s.address) for s in route.servers] == ["127.0.0.1:8000"]


def test_balancer_without_members_is_unknown(tmp_path: Path) -> None:
    config, _ = one(tmp_path, "ProxyPass / balancer://nowhere/\n")
    [route] = config.routes
    assert route.servers == ()
    assert route.unknown is not None
    assert "balancer://nowhere" in route.unknown


def test_proxyset_on_a_worker(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        '<Proxy "http://127.0.0.1:8000/">\n  ProxySet connectiontimeout=500ms ttl=7\n</Proxy>\n'
        "ProxyPass / http://127.0.0.1:8000/ timeout=3\n",  # shares the <Proxy>'s worker
    )
    route = routed(config, "http://127.0.0.1:8000/")
    assert route.connect_timeout is not None
    assert route.connect_timeout.value.value == 500
    assert route.connect_timeout.name == "connectiontimeout= of ProxySet"
    assert route.idle_timeout is not None
    assert route.idle_timeout.value.value == 7000
    assert route.read_timeout is not None
    assert route.read_timeout.name == "Timeout"


def test_rewrite_rule_proxy(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "RewriteEngine On\n"
        "RewriteRule ^/api/(.*)$ http://127.0.0.1:8000/api/$1 [P,L]\n"
        "RewriteRule ^/(.*)$ http://%{HTTP_HOST}:8000/$1 [proxy]\n"  # host from the request
        "RewriteRule ^/x$ /y [R]\n",
    )
    assert problems.items == []
    route = routed(config, "http://127.0.0.1:8000/api/$1")
    assert route.directive == "RewriteRule"
    # no ProxyPass defines a worker for it: httpd's generic worker keeps no connection
    assert route.reuse.value is False
    assert route.idle_timeout is None


def test_rewrite_rule_uses_a_proxypass_worker_and_needs_the_engine(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "ProxyPass /app http://127.0.0.1:8000/ ttl=2\n"
        "RewriteEngine On\nRewriteRule ^/old/(.*)$ http://127.0.0.1:8000/$1 [P]\n"
        "<VirtualHost *:80>\n  RewriteRule ^/(.*)$ http://127.0.0.1:9000/$1 [P]\n</VirtualHost>\n",
    )
    route = routed(config, "http://127.0.0.1:8000/$1")
    assert route.reuse.value is True  # the ProxyPass's worker, with its ttl=
    assert route.idle_timeout is not None
    assert route.idle_timeout.value.value == 2000
    # a virtual host inherits RewriteEngine On (modules/mappers/mod_rewrite.c:2935)
    vhost = routed(config, "http://127.0.0.1:9000/$1")
    assert vhost.site == "<VirtualHost *:80>"
    assert vhost.reuse.value is False


# --- inheritance -----------------------------------------------------------------------------


def test_read_timeout_order(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "Timeout 100\nProxyTimeout 50\n"
        "<VirtualHost *:80>\n  ServerName a\n  ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n"
        "<VirtualHost *:81>\n  ProxyTimeout 20\n  ProxyPass / http://127.0.0.1:8001/\n"
        "  ProxyPass /t http://127.0.0.1:8002/ timeout=7\n</VirtualHost>\n"
        "<VirtualHost *:82>\n  Timeout 9\n  ProxyPass / http://127.0.0.1:8003/\n</VirtualHost>\n",
    )
    expected = {
        "http://127.0.0.1:8000/": ("ProxyTimeout", 50_000, 2),
        "http://127.0.0.1:8001/": ("ProxyTimeout", 20_000, 8),
        "http://127.0.0.1:8002/": ("timeout= of ProxyPass", 7_000, 10),
        "http://127.0.0.1:8003/": ("ProxyTimeout", 50_000, 2),  # ProxyTimeout before Timeout
    }
    for raw, (name, ms, line) in expected.items():
        setting = routed(config, raw).read_timeout
        assert setting is not None
        assert (setting.name, setting.value.value, setting.value.source.line) == (name, ms, line)


def test_timeout_inherited_and_defaults(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "Timeout 100\n<VirtualHost *:80>\n  ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n",
    )
    read = config.routes[0].read_timeout
    assert read is not None
    assert (read.name, read.value.value) == ("Timeout", 100_000)
    config, _ = one(tmp_path, "ProxyPass / http://127.0.0.1:8000/\n")
    read = config.routes[0].read_timeout
    assert read is not None
    assert (read.name, read.value.value) == ("Timeout", 60_000)
    assert read.value.source.default_of == "Apache httpd 2.4"
    assert config.routes[0].connect_timeout == read
    config, _ = one(tmp_path, "ProxyPass / http://127.0.0.1:8000/\n", version="2.2")
    read = config.routes[0].read_timeout
    assert read is not None
    assert read.value.value == 300_000


def test_proxytimeout_is_copied_when_the_worker_is_defined(tmp_path: Path) -> None:
    """PROXY_COPY_CONF_PARAMS: the worker keeps the ProxyTimeout read before it."""
    config, _ = one(
        tmp_path,
        "<VirtualHost *:80>\n  ProxyTimeout 10\n  ProxyPass / http://127.0.0.1:8000/\n"
        "  ProxyTimeout 20\n</VirtualHost>\n",
    )
    read = config.routes[0].read_timeout
    assert read is not None
    assert (read.value.value, read.value.source.line) == (10_000, 2)


def test_client_keepalive(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "KeepAliveTimeout 3\n<VirtualHost *:80>\n ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n"
        "<VirtualHost *:81>\n KeepAliveTimeout 250ms\n ProxyPass / http://127.0.0.1:8001/\n</VirtualHost>\n"
        "<VirtualHost *:82>\n KeepAlive Off\n ProxyPass / http://127.0.0.1:8002/\n</VirtualHost>\n",
    )
    values = {}
    for route in config.routes:
        assert route.client_keepalive is not None
        values[route.raw] = (route.client_keepalive.name, route.client_keepalive.value.value)
    assert values == {
        "http://127.0.0.1:8000/": ("KeepAliveTimeout", 3000),
        "http://127.0.0.1:8001/": ("KeepAliveTimeout", 250),
        "http://127.0.0.1:8002/": ("KeepAlive", 0),
    }


@pytest.mark.parametrize(("version", "limit"), [("2.4", GIB), ("2.4.54", GIB), ("2.4.53", 0)])
def test_body_limit_default_per_version(tmp_path: Path, version: str, limit: int) -> None:
    config, _ = one(tmp_path, "ProxyPass / http://127.0.0.1:8000/\n", version=version)
    body = config.routes[0].body_limit
    assert body is not None
    assert body.value.value == limit
    assert body.value.is_default
    assert body.value.source.default_of == f"Apache httpd {version}"


def test_body_limit_location_inheritance(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "LimitRequestBody 1000\n"
        "<VirtualHost *:80>\n"
        "  <Location />\n    LimitRequestBody 2000\n  </Location>\n"
        "  <Location /upload>\n    LimitRequestBody 0\n"
        "    ProxyPass http://127.0.0.1:8001/\n  </Location>\n"
        "  <Location /uploadx>\n    LimitRequestBody 5\n  </Location>\n"
        "  ProxyPass /api http://127.0.0.1:8000/\n"
        "</VirtualHost>\n"
        "ProxyPass /main http://127.0.0.1:8002/\n",
    )
    limits = {r.raw: r.body_limit.value.value for r in config.routes if r.body_limit}
    assert limits == {
        "http://127.0.0.1:8001/": 0,  # its own <Location> after <Location />
        "http://127.0.0.1:8000/": 2000,  # <Location /> covers /api; /uploadx does not
        "http://127.0.0.1:8002/": 1000,
    }


def test_field_limit_virtual_host_starts_from_main_value_at_its_line(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "LimitRequestFieldSize 4000\n"
        "<VirtualHost *:80>\n  ProxyPass / http://127.0.0.1:8000/\n</VirtualHost>\n"
        "LimitRequestFieldSize 16000\n"
        "<VirtualHost *:81>\n  ProxyPass / http://127.0.0.1:8001/\n</VirtualHost>\n"
        "<VirtualHost *:82>\n  LimitRequestFieldSize 100\n  ProxyPass / http://127.0.0.1:8002/\n"
        "</VirtualHost>\n",
    )
    limits = {r.raw: r.field_limit.value.value for r in config.routes if r.field_limit}
    assert limits == {
        "http://127.0.0.1:8000/": 4000,
        "http://127.0.0.1:8001/": 16000,
        "http://127.0.0.1:8002/": 100,
    }


def test_headers(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "RequestHeader set X-Forwarded-Proto http\n"
        "RequestHeader set X-Remove me\n"
        "<VirtualHost *:443>\n"
        "  RequestHeader set X-Forwarded-Proto https\n"
        "  RequestHeader unset X-Remove\n"
        '  RequestHeader set X-Tls "on" env=HTTPS\n'
        "  RequestHeader setifempty X-Forwarded-Proto ignored\n"
        "  ProxyPass / http://127.0.0.1:8000/\n"
        "</VirtualHost>\n"
        "<VirtualHost *:80>\n  ProxyAddHeaders Off\n  ProxyPass / http://127.0.0.1:8001/\n</VirtualHost>\n"
        "<VirtualHost *:81>\n  ProxyPass / fcgi://127.0.0.1:9000/\n</VirtualHost>\n",
    )
    assert problems.items == []
    tls = routed(config, "http://127.0.0.1:8000/").headers
    assert tls["x-forwarded-proto"].value == "https"
    assert tls["x-forwarded-proto"].source.line == 4
    assert "x-remove" not in tls
    assert tls["x-tls"].source.note == "only with env=HTTPS"
    assert tls["x-forwarded-for"].is_default  # mod_proxy_http adds it
    plain = routed(config, "http://127.0.0.1:8001/").headers
    assert set(plain) == {"x-forwarded-proto", "x-remove"}
    fastcgi = routed(config, "fcgi://127.0.0.1:9000/").headers
    assert "x-forwarded-for" not in fastcgi


def test_header_inside_if_is_noted_else_is_not_taken(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "<If \"%{HTTPS} == 'on'\">\n  RequestHeader set X-Forwarded-Proto https\n</If>\n"
        "<Else>\n  RequestHeader set X-Forwarded-Proto http\n</Else>\n"
        "ProxyPass / http://127.0.0.1:8000/\n",
    )
    assert problems.items == []
    header = config.routes[0].headers["x-forwarded-proto"]
    assert header.value == "https"
    assert header.source.note is not None
    assert header.source.note.startswith("only when <If")


def test_preserve_host(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "ProxyPass /a http://127.0.0.1:8000/\n"
        "<Location /b>\n  ProxyPreserveHost On\n  ProxyPass http://127.0.0.1:8001/\n</Location>\n",
    )
    default = routed(config, "http://127.0.0.1:8000/").preserve_host
    assert default is not None
    assert default.value is False
    assert default.is_default
    located = routed(config, "http://127.0.0.1:8001/").preserve_host
    assert located is not None
    assert located.value is True
    assert located.source.line == 3


@pytest.mark.parametrize(
    ("params", "reuse", "idle"),
    [
        ("", True, UNLIMITED_MS),
        ("ttl=4", True, 4000),
        ("disablereuse=On", False, None),
        ("enablereuse=Off ttl=4", False, None),
        ("disablereuse=off", True, UNLIMITED_MS),
        ("keepalive=On", True, UNLIMITED_MS),  # TCP SO_KEEPALIVE, not HTTP keep-alive
    ],
)
def test_reuse_and_ttl(tmp_path: Path, params: str, reuse: bool, idle: int | None) -> None:
    config, problems = one(tmp_path, f"ProxyPass / http://127.0.0.1:8000/ {params}\n")
    assert problems.items == []
    route = config.routes[0]
    assert route.reuse.value is reuse
    assert (route.idle_timeout.value.value if route.idle_timeout else None) == idle


def test_fastcgi_reuse_only_when_enabled(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "ProxyPass /a fcgi://127.0.0.1:9000/\nProxyPass /b fcgi://127.0.0.1:9001/ enablereuse=on\n",
    )
    assert routed(config, "fcgi://127.0.0.1:9000/").reuse.value is False
    assert routed(config, "fcgi://127.0.0.1:9001/").reuse.value is True


def test_ttl_has_no_effect_under_prefork(tmp_path: Path) -> None:
    config, _ = one(
        tmp_path,
        "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n"
        "ProxyPass / http://127.0.0.1:8000/ ttl=4\n",
    )
    idle = config.routes[0].idle_timeout
    assert idle is not None
    assert idle.value.value == UNLIMITED_MS
    assert idle.value.source.note is not None
    assert "prefork" in idle.value.source.note


# --- includes --------------------------------------------------------------------------------


def debian_tree(root: Path) -> Path:
    etc = root / "apache2"
    etc.mkdir(parents=True)
    shutil.copy(SAMPLES / "apache2.conf", etc / "apache2.conf")
    (etc / "sites-available").mkdir()
    shutil.copy(SAMPLES / "site.conf", etc / "sites-available" / "app.conf")
    layout(
        etc,
        {
            "ports.conf": "Listen 80\n",
            "sites-enabled/010-api.conf": "<VirtualHost *:8080>\n  ProxyPass / http://127.0.0.1:9000/\n</VirtualHost>\n",
            "mods-enabled/proxy.load": "LoadModule proxy_module modules/mod_proxy.so\n",
            "sites-available/unused.conf": "ProxyPass / http://127.0.0.1:7777/\n",
        },
    )
    os.symlink("../sites-available/app.conf", etc / "sites-enabled" / "000-app.conf")
    return etc


def test_debian_tree(tmp_path: Path) -> None:
    etc = debian_tree(tmp_path)
    config, problems = load(etc, "apache2.conf")
    assert problems.items == []  # ${APACHE_LOG_DIR} & co are unknown, not errors
    assert [route.raw for route in config.routes] == [
        "http://127.0.0.1:8000/",  # 000-app.conf sorts first
        "http://127.0.0.1:9000/",
    ]
    read = routed(config, "http://127.0.0.1:9000/").read_timeout
    assert read is not None
    assert (read.name, read.value.value) == ("Timeout", 300_000)
    assert config.files[0].endswith("apache2.conf")
    assert any(f.endswith("ports.conf") for f in config.files)


def test_group_apache(tmp_path: Path) -> None:
    etc = debian_tree(tmp_path / "repo")
    lone = layout(
        tmp_path / "repo" / "deploy", {"site.conf": "ProxyPass / http://127.0.0.1:8000/\n"}
    )
    frags = layout(
        tmp_path / "repo" / "other",
        {
            "conf.d/a.conf": "ProxyPass /a http://127.0.0.1:8000/\n",
            "conf.d/b.conf": "Include conf.d/snippet.inc\n",
            "conf.d/snippet.inc": "ProxyTimeout 5\n",
        },
    )
    paths = [
        str(etc / "sites-enabled" / "010-api.conf"),
        str(etc / "apache2.conf"),
        str(etc / "sites-available" / "app.conf"),
        str(etc / "sites-available" / "unused.conf"),
        str(lone / "site.conf"),
        str(frags / "conf.d" / "a.conf"),
        str(frags / "conf.d" / "b.conf"),
        str(frags / "conf.d" / "snippet.inc"),
    ]
    with reading_within([str(tmp_path / "repo")]):
        groups = group_apache(paths)
    assert groups == [
        [str(etc / "apache2.conf")],
        [str(lone / "site.conf")],
        [str(frags / "conf.d" / "a.conf"), str(frags / "conf.d" / "b.conf")],
    ]


def test_group_apache_mutual_includes_and_main_by_content(tmp_path: Path) -> None:
    root = layout(
        tmp_path,
        {
            "a.conf": "Include b.conf\n",
            "b.conf": "Include a.conf\n",
            "server.conf": "Listen 8080\nInclude vhost.conf\n",
            "vhost.conf": "ProxyPass / http://127.0.0.1:8000/\n",
        },
    )
    names = ["a.conf", "b.conf", "vhost.conf", "server.conf"]
    with reading_within([str(root)]):
        groups = group_apache([str(root / name) for name in names])
    assert groups == [[str(root / "a.conf")], [str(root / "server.conf")]]


def test_include_globs_sorted_folders_and_optional(tmp_path: Path) -> None:
    root = layout(
        tmp_path,
        {
            "main.conf": "Include conf.d/*.conf\nInclude extra\nIncludeOptional none/*.conf\n"
            "IncludeOptional missing.conf\n",
            "conf.d/b.conf": "ProxyPass /b http://127.0.0.1:8002/\n",
            "conf.d/a.conf": "ProxyPass /a http://127.0.0.1:8001/\n",
            "conf.d/.hidden.conf": "ProxyPass /h http://127.0.0.1:8009/\n",
            "conf.d/c.txt": "ProxyPass /c http://127.0.0.1:8003/\n",
            "extra/z/deep.conf": "ProxyPass /z http://127.0.0.1:8005/\n",
            "extra/y.any": "ProxyPass /y http://127.0.0.1:8004/\n",
        },
    )
    config, problems = load(root, "main.conf")
    assert problems.items == []
    assert [route.raw.rsplit(":", 1)[1] for route in config.routes] == [
        "8001/",
        "8002/",
        "8004/",  # a folder is read whole, recursively, sorted
        "8005/",
    ]


def test_include_missing_and_wildcard_without_match(tmp_path: Path) -> None:
    _, problems = one(tmp_path, "Include nothere.conf\nInclude none/*.conf\n")
    found = errors(problems, "GW002")
    assert [line for line, _ in found] == [1, 2]
    assert "httpd refuses to start" in found[0][1]


def test_include_relative_to_server_root_and_absolute_by_tail(tmp_path: Path) -> None:
    (tmp_path / "httpd" / "conf").mkdir(parents=True)
    shutil.copy(SAMPLES / "httpd.conf", tmp_path / "httpd" / "conf" / "httpd.conf")
    layout(
        tmp_path / "httpd",
        {
            "conf.modules.d/00-proxy.conf": "LoadModule proxy_module modules/mod_proxy.so\n",
            "conf.d/app.conf": "Include /etc/httpd/snippets/app.inc\n",
            "snippets/app.inc": "ProxyPass / http://127.0.0.1:8000/\n",
        },
    )
    config, problems = load(tmp_path / "httpd" / "conf", "httpd.conf", within=tmp_path)
    assert problems.items == []
    route = routed(config, "http://127.0.0.1:8000/")
    assert route.read_timeout is not None
    assert route.read_timeout.value.value == 120_000
    assert route.client_keepalive is not None
    assert route.client_keepalive.value.value == 15_000
    # <IfModule !mpm_event_module> is skipped (every module counts as loaded): no prefork
    assert route.idle_timeout is not None
    assert route.idle_timeout.value.source.note is not None
    assert "prefork" not in route.idle_timeout.value.source.note


def test_include_outside_the_run_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.conf"
    secret.write_text("ProxyPass / http://10.0.0.1:8000/\n")
    run = layout(tmp_path / "run", {"site.conf": f"Include {secret}\nIncludeOptional ../*.conf\n"})
    config, problems = load(run, "site.conf")
    assert config.routes == ()
    assert str(secret) not in config.files
    found = errors(problems, "GW002")
    assert [line for line, _ in found] == [1, 2]
    assert all("outside the folders gwlint reads" in message for _, message in found)


def test_include_cycle(tmp_path: Path) -> None:
    root = layout(tmp_path, {"a.conf": "Include b.conf\n", "b.conf": "Include a.conf\n"})
    _, problems = load(root, "a.conf")
    [(line, message)] = errors(problems)
    assert line == 1
    assert "recursion" in message


def test_include_inside_a_virtual_host(tmp_path: Path) -> None:
    root = layout(
        tmp_path,
        {
            "site.conf": (
                "<VirtualHost *:80>\n  ServerName a\n  Include proxy.inc\n</VirtualHost>\n"
            ),
            "proxy.inc": "ProxyPass / http://127.0.0.1:8000/\n",
        },
    )
    config, _ = load(root, "site.conf")
    [route] = config.routes
    assert route.site == "<VirtualHost *:80> a"
    assert route.source.path == str(root / "proxy.inc")


def test_sections_must_close_in_their_own_file(tmp_path: Path) -> None:
    root = layout(
        tmp_path,
        {"site.conf": "<VirtualHost *:80>\n  Include end.inc\n", "end.inc": "</VirtualHost>\n"},
    )
    _, problems = load(root, "site.conf")
    assert sorted(errors(problems)) == [
        (1, "</VirtualHost> without matching <VirtualHost> section"),
        (1, "<VirtualHost> was not closed."),
    ]


# --- Define, ${NAME}, conditional sections ----------------------------------------------------


def test_define_and_variables(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        'Define APP "127.0.0.1:8000"\nDefine T 15\n'
        "ProxyPass / http://${APP}/ timeout=${T}\n"
        "UnDefine T\nProxyPass /x http://${APP}/x timeout=${T}\n",
    )
    assert errors(problems) == []
    route = routed(config, "http://127.0.0.1:8000/")
    assert route.read_timeout is not None
    assert route.read_timeout.value.value == 15_000
    assert route.servers[0].source.line == 3
    shared = routed(config, "http://127.0.0.1:8000/x")  # shares the first worker
    assert shared.read_timeout is not None
    assert shared.read_timeout.value.value == 15_000


def test_undefined_variables_are_unknown_never_guessed(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "ErrorLog ${APACHE_LOG_DIR}/error.log\n"
        "ProxyPass /a http://${BACKEND}/\n"
        "ProxyPass /b http://127.0.0.1:8001/ timeout=${T}\n"
        "ProxyTimeout ${PT}\n"
        "<VirtualHost *:80>\n  ProxyPass / http://127.0.0.1:8002/\n</VirtualHost>\n",
    )
    assert problems.items == []
    unknown_host = routed(config, "http://${BACKEND}/")
    assert unknown_host.servers == ()
    assert unknown_host.unknown is not None
    assert "${BACKEND}" in unknown_host.unknown
    unknown_timeout = routed(config, "http://127.0.0.1:8001/").read_timeout
    assert unknown_timeout is not None
    assert unknown_timeout.value.value is None
    assert unknown_timeout.value.unknown is not None
    assert "${T}" in unknown_timeout.value.unknown
    from_proxytimeout = routed(config, "http://127.0.0.1:8002/").read_timeout
    assert from_proxytimeout is not None
    assert from_proxytimeout.name == "ProxyTimeout"
    assert from_proxytimeout.value.unknown is not None


def test_conditional_sections(tmp_path: Path) -> None:
    config, problems = one(
        tmp_path,
        "Define PROD\n"
        "<IfModule mod_proxy.c>\n  ProxyPass /a http://127.0.0.1:8001/\n</IfModule>\n"
        "<IfModule !mod_proxy.c>\n  ProxyPass /b http://127.0.0.1:8002/\n  Timeout 1 2\n"
        "</IfModule>\n"
        "<IfDefine PROD>\n  ProxyPass /c http://127.0.0.1:8003/\n</IfDefine>\n"
        "<IfDefine !PROD>\n  ProxyPass /d http://127.0.0.1:8004/\n</IfDefine>\n"
        "<IfDefine DEBUG>\n  ProxyPass /e http://127.0.0.1:8005/\n</IfDefine>\n"
        "<IfVersion >= 2.4>\n  ProxyPass /f http://127.0.0.1:8006/\n</IfVersion>\n"
        "<IfVersion < 2.4>\n  ProxyPass /g http://127.0.0.1:8007/\n</IfVersion>\n"
        "<IfVersion >= 2.4.54>\n  ProxyPass /h http://127.0.0.1:8008/\n</IfVersion>\n"
        "<IfFile /etc/ssl/cert.pem>\n  <IfModule mod_ssl.c>\n"
        "    ProxyPass /i http://127.0.0.1:8009/\n  </IfModule>\n</IfFile>\n",
        version="2.4.53",
    )
    # a skipped section is not read: its "Timeout 1 2" is no error (ap_soak_end_container)
    assert problems.items == []
    ports = sorted(route.raw.rsplit(":", 1)[1] for route in config.routes)
    assert ports == ["8001/", "8003/", "8006/", "8009/"]
    config, _ = one(
        tmp_path, "<IfVersion >= 2.4.54>\n ProxyPass / http://127.0.0.1:8008/\n</IfVersion>\n"
    )
    assert len(config.routes) == 1  # "2.4": the patch level is not known, so it is read


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<VirtualHost *:80>\nServerName x\n", [(1, "<VirtualHost> was not closed.")]),
        ("ServerName x\n</Location>\n", [(2, "</Location> without matching <Location> section")]),
        (
            "<VirtualHost *:80>\n<Location /a>\n</VirtualHost>\n</Location>\n",
            [(3, "Expected </Location> but saw </VirtualHost>")],
        ),
        (
            "<VirtualHost *:80\n</VirtualHost>\n",
            [(1, "<VirtualHost> directive missing closing '>'")],
        ),
        ("<Location /a>\n</Location >\n", [(2, "</Location> directive missing closing '>'")]),
        ("KeepAlive Maybe\n", [(1, "KeepAlive must be On or Off")]),
        (
            "<Location /a>\nProxyTimeout 5\n</Location>\n",
            [(2, "ProxyTimeout not allowed in <Location> context")],
        ),
        (
            "<Directory /x>\nProxyPass /a http://a/\n</Directory>\n",
            [(2, "ProxyPass cannot occur within <Directory> section")],
        ),
        (
            '<If "true">\nProxyPass /a http://a/\n</If>\n',
            [(2, "ProxyPass cannot occur within <If> section")],
        ),
        (
            "<Location /a>\nProxyPass /a http://a/\n</Location>\n",
            [(2, "ProxyPass|ProxyPassMatch can not have a path when defined in a location.")],
        ),
        (
            "ProxyPass / http://a/ timeout=0\n",
            [(1, "ProxyPass Timeout must be at least one second")],
        ),
        ("ProxyPass / http://a/ ttl=x\n", [(1, "ProxyPass TTL must be at least one second")]),
        (
            "ProxyPass / http://a/ connectiontimeout=5x\n",
            [(1, "ProxyPass Connectiontimeout has wrong format")],
        ),
        (
            "ProxyPass / http://a/ disablereuse=yes\n",
            [(1, "ProxyPass DisableReuse must be On|Off")],
        ),
        (
            "ProxyPass / unix:/run/app.sock\n",
            [(1, "ProxyPass URL must be absolute!: unix:/run/app.sock")],
        ),
        (
            "ProxyPass /\n",
            [(1, "ProxyPass|ProxyPassMatch needs a path when not defined in a location")],
        ),
        ("ProxyTimeout 0\n", [(1, "Proxy Timeout must be at least 1 second.")]),
        ("KeepAliveTimeout 5x\n", [(1, "KeepAliveTimeout has wrong format")]),
        ("LimitRequestBody 10k\n", [(1, "LimitRequestBody requires a non-negative integer.")]),
        ("RequestHeader set X a b c d\n", [(1, "RequestHeader has too many arguments")]),
        ("RequestHeader set X a foo\n", [(1, "Unknown parameter: foo")]),
        ("RequestHeader set X\n", [(1, "Header requires three arguments")]),
        (
            "<Else>\n</Else>\n",
            [
                (
                    1,
                    "<Else> or <ElseIf> section without previous <If> or <ElseIf> section in "
                    "same scope",
                )
            ],
        ),
        ("Define a:b 1\n", [(1, "Variable name must not contain ':'")]),
        (
            "<Location /a>\n<VirtualHost *:80>\n</VirtualHost>\n</Location>\n",
            [(2, "<VirtualHost not allowed in <Location> context")],
        ),
        (
            "<IfModule !mod_x.c>\nServerName x\n",
            [(1, "Expected </IfModule> before end of configuration")],
        ),
        (
            "BalancerMember http://a/\n",
            [(1, "BalancerMember must define remote proxy server")],
        ),
        (
            "ProxySet http://nowhere/ ttl=1\n",
            [(1, "ProxySet can not find 'http://nowhere/' Worker.")],
        ),
    ],
)
def test_syntax_errors_with_httpd_messages(
    tmp_path: Path, text: str, expected: list[tuple[int, str]]
) -> None:
    _, problems = one(tmp_path, text)
    assert errors(problems) == expected


def test_flag_takes_its_first_word_only(tmp_path: Path) -> None:
    """httpd 2.4.71 accepts ``KeepAlive On # x`` (a FLAG reads one word)."""
    _, problems = one(tmp_path, "KeepAlive On # x\n")
    assert problems.items == []


def test_byte_order_mark(tmp_path: Path) -> None:
    """httpd 2.4.71: "Invalid command '\\xef\\xbb\\xbfServerName'"."""
    (tmp_path / "bom.conf").write_bytes(b"\xef\xbb\xbfProxyPass / http://127.0.0.1:8000/\n")
    config, problems = load(tmp_path, "bom.conf")
    assert [line for line, _ in errors(problems)] == [1]
    assert [route.raw for route in config.routes] == ["http://127.0.0.1:8000/"]


def test_an_unreadable_root_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bin.conf").write_bytes(b"ProxyPass / http://a/\x00\n")
    config, problems = load(tmp_path, "bin.conf")
    assert config.routes == ()
    assert [f.code for f in problems.items] == ["GW001"]


# --- hostile input ---------------------------------------------------------------------------

_TOKENS = [
    "<VirtualHost *:80>",
    "</VirtualHost>",
    "<Location /a>",
    "</Location>",
    "<IfModule x>",
    "<IfModule !x>",
    "</IfModule>",
    "<If 'x'>",
    "</If>",
    "<Else>",
    "</Else>",
    "<Proxy balancer://b>",
    "</Proxy>",
    "ProxyPass",
    "ProxyPassMatch",
    "BalancerMember",
    "ProxySet",
    "RewriteRule",
    "RewriteEngine On",
    "[P]",
    "Include",
    "IncludeOptional",
    "*.conf",
    "/",
    "!",
    "~",
    "http://127.0.0.1:8000/",
    "uwsgi://h/",
    "unix:/s|http://x/",
    "unix:/s",
    "balancer://b/",
    "http://$1:80/",
    "timeout=5",
    "ttl=",
    "ttl=0",
    "connectiontimeout=1ms",
    "disablereuse=On",
    "Define",
    "UnDefine",
    "X",
    "${X}",
    "${",
    "}",
    "Timeout",
    "ProxyTimeout",
    "KeepAlive",
    "KeepAliveTimeout",
    "LimitRequestBody",
    "RequestHeader",
    "set",
    "unset",
    '"',
    "'",
    "\\",
    "#",
    ">",
    "<",
    "\n",
    "\r\n",
    " ",
    "\t",
    "\\\n",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(_TOKENS), max_size=80))
def test_fuzz_tokens_never_raise(tmp_path: Path, tokens: list[str]) -> None:
    (tmp_path / "inc.conf").write_text("ProxyPass /i http://127.0.0.1:1/\n")
    text = " ".join(tokens).replace("Include ", "Include inc.conf ")
    (tmp_path / "f.conf").write_text(text)
    config, problems = load(tmp_path, "f.conf")
    for finding in problems.items:
        assert finding.location.line >= 1
    for route in config.routes:
        assert route.describe()


def test_random_bytes_never_raise(tmp_path: Path) -> None:
    rng = random.Random(16)
    alphabet = b"<>/\\\"'#$ {}\t\n\rPxyT:=|!*" + bytes(range(0x20, 0x7F))
    for index in range(200):
        size = rng.randrange(0, 400)
        data = bytes(rng.choice(alphabet) for _ in range(size))
        (tmp_path / f"r{index}.conf").write_bytes(data)
        load(tmp_path, f"r{index}.conf")
    (tmp_path / "bytes.conf").write_bytes(bytes(rng.randrange(1, 256) for _ in range(4000)))
    load(tmp_path, "bytes.conf")


def test_expansion_is_bounded(tmp_path: Path) -> None:
    lines = ["Define A " + "x" * 1000]
    lines += ["Define A ${A}${A}" for _ in range(40)]  # would double 40 times
    lines.append("ProxyPass / http://127.0.0.1:8000/${A}")
    _, problems = one(tmp_path, "\n".join(lines) + "\n")
    assert any("too large" in message for _, message in errors(problems))


def test_deep_nesting_is_bounded(tmp_path: Path) -> None:
    _, problems = one(tmp_path, "<If 'x'>\n" * 500)
    assert errors(problems)


def test_timeout_parameter() -> None:
    assert timeout_parameter("5", "s") == 5000
    assert timeout_parameter("250ms", "s") == 250
    assert timeout_parameter("2mi", "s") == 120_000
    assert timeout_parameter("1h", "s") == 3_600_000
    assert timeout_parameter("5x", "s") is None


# --- telling Apache from nginx ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["apache2.conf", "site.conf", "httpd.conf", "balancer.conf", "wsgi.conf"]
)
def test_samples_look_like_apache(name: str) -> None:
    assert looks_like_apache((SAMPLES / name).read_bytes())


@pytest.mark.parametrize(
    "text",
    [
        "Listen 80\n",
        "ServerName example.com\n",
        "ProxyPass / http://127.0.0.1:8000/\n",
        "LoadModule proxy_module modules/mod_proxy.so\n",
        "<Location /api>\n  Require all granted\n</Location>\n",
        "<IfModule mod_ssl.c>\n  Listen 443\n</IfModule>\n",
    ],
)
def test_small_apache_files_look_like_apache(text: str) -> None:
    assert looks_like_apache(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        "server {\n  listen 80;\n  server_name example.com;\n"
        "  location / {\n    proxy_pass http://app;\n  }\n}\n",
        "listen 80;\ninclude mime.types;\n",
        "upstream app {\n  server 127.0.0.1:8000;\n  keepalive 32;\n}\n",
        "example.com {\n  reverse_proxy localhost:8000\n  header X-Frame-Options DENY\n}\n",
        "[uwsgi]\nhttp-timeout = 60\n",
        "Timeout = 30\nworkers = 4\n",
        "",
    ],
)
def test_other_formats_do_not(text: str) -> None:
    assert not looks_like_apache(text.encode())


def test_corpus_nginx_files_do_not_look_like_apache() -> None:
    corpus = corpus_or_skip()
    checked = 0
    for root in (corpus, CORPUS_NEXT):
        manifest = root / "MANIFEST.tsv"
        if not manifest.is_file():
            continue
        for row in manifest.read_text().splitlines()[1:]:
            columns = row.split("\t")
            path = root / columns[0]
            if len(columns) > 5 and columns[5] == "nginx" and path.is_file():
                checked += 1
                assert not looks_like_apache(path.read_bytes()[:65536]), path
    assert checked > 100
