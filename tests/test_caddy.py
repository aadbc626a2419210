"""Caddy's configs read the way Caddy reads them: the Caddyfile's tokens, blocks, imports and
placeholders, every ``reverse_proxy`` form with the values in effect, Caddy's JSON with lines,
the errors Caddy refuses, and a cross-check with ``caddy adapt`` (Caddy's own reading)."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwlint.loaders.caddy import (
    BadValue,
    caddy_version,
    is_caddyfile,
    load_caddy,
    parse_bytes,
    parse_duration,
    parse_upstream,
)
from gwlint.loaders.caddyfile import CaddyfileError, Token, tokenize
from gwlint.loaders.common import Problems, reading_within
from gwlint.model.front import FrontConfig, FrontRoute
from gwlint.model.units import UNLIMITED_MS
from tests.conftest import FIXTURES

READER = FIXTURES / "caddy-reader"


def load(
    tmp_path: Path, text: str, name: str = "Caddyfile", **kwargs: Any
) -> tuple[FrontConfig, Problems]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    problems = Problems()
    return load_caddy(str(path), problems, **kwargs), problems


def only(config: FrontConfig) -> FrontRoute:
    assert len(config.routes) == 1, [r.describe() for r in config.routes]
    return config.routes[0]


def messages(problems: Problems) -> list[tuple[str, int, str]]:
    return [(p.code, p.location.line, p.message) for p in problems.items]


def texts(tokens: list[Token]) -> list[str]:
    return [t.text for t in tokens]


# --- the lexer -----------------------------------------------------------------------------


def test_tokens_quotes_escapes_comments_and_lines() -> None:
    text = (
        '\ufeffa "b c" `d \\" e` f\\ g # a comment\n'
        '"x\\"y" \\{z} h#i\n'
        "long \\\n  continued\n"
        '"two\nlines" after\n'
    )
    tokens = tokenize(text, "Caddyfile")
    assert texts(tokens) == [
        "a",
        "b c",
        'd \\" e',  # nothing is escaped between backquotes
        "f",  # a backslash before a space is dropped, and the space ends the token
        "g",
        'x"y',  # inside quotes only a quote is escaped
        "\\{z}",
        "h#i",  # '#' starts a comment only at the start of a token
        "long",
        "continued",
        "two\nlines",
        "after",
    ]
    # a continued line is the line it continues (Caddy reads its tokens as one line)
    assert [t.line for t in tokens] == [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 5, 6]
    assert [t.quote for t in tokens][:3] == ["", '"', "`"]


def test_heredoc_from_caddy_2_7() -> None:
    text = "respond <<HTML\n    <p>hi</p>\n      indented\n    HTML 200\nnext\n"
    tokens = tokenize(text, "Caddyfile", heredocs=True)
    assert texts(tokens) == ["respond", "<p>hi</p>\n  indented", "200", "next"]
    assert tokens[1].quote == "<"
    assert [t.line for t in tokens] == [1, 1, 4, 5]
    # Caddy 2.6 has no heredocs: the marker is a word like any other
    old = tokenize(text, "Caddyfile", heredocs=False)
    assert texts(old)[:3] == ["respond", "<<HTML", "<p>hi</p>"]
    # \<< is not a heredoc
    assert texts(tokenize("a \\<<EOF\n", "f")) == ["a", "<<EOF"]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("x\nrespond <<HTML\nhi\n", 2, "incomplete heredoc <<HTML opened on line 2"),
        ("respond <<\nhi\n", 1, "missing opening heredoc marker"),
        ("respond <<<X\nhi\nX\n", 1, "too many '<'"),
        ("respond <<A.B\nhi\nA.B\n", 1, "must contain only alpha-numeric"),
        ("respond <<X\n  a\n b\n  X\n", 3, "mismatched leading whitespace"),
    ],
)
def test_heredoc_errors(text: str, line: int, fragment: str) -> None:
    with pytest.raises(CaddyfileError) as caught:
        tokenize(text, "Caddyfile")
    assert fragment in caught.value.message
    assert caught.value.line == line


def test_suppression_comments(tmp_path: Path) -> None:
    _, problems = load(
        tmp_path,
        """\
        example.com {
            # gwlint: ignore[GW201] the app keeps connections longer
            # (measured in production)
            reverse_proxy app:8000  # gwlint: ignore[GW101] streaming endpoint
            respond "# gwlint: ignore[GW999] not a comment"
            # gwlint: ignore GW402
        }
        """,
    )
    assert [(s.line, s.codes, s.own_line, s.column) for s in problems.suppressions] == [
        (2, ("GW201",), True, 5),
        (4, ("GW101",), False, 29),
    ]
    assert problems.comment_lines[os.path.realpath(tmp_path / "Caddyfile")] == {2, 3, 6}
    assert [(p.code, p.location.line) for p in problems.items] == [("GW007", 6)]


# --- blocks, sites, snippets, imports -------------------------------------------------------


def test_sites_addresses_global_options_and_one_site_without_braces(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        """\
        {
            debug
        }
        example.com, www.example.com,
        :8080 {
            reverse_proxy app:8000
        }
        """,
    )
    assert messages(problems) == []
    route = only(config)
    assert route.site == "example.com, www.example.com, :8080"
    assert (route.directive, route.raw, route.source.line) == ("reverse_proxy", "app:8000", 6)
    assert config.files == (str(tmp_path / "Caddyfile"),)
    assert config.version_label == "Caddy 2.10"

    bare, problems = load(tmp_path, "localhost:8080\nreverse_proxy app:8000\n", name="bare")
    assert messages(problems) == []
    assert only(bare).site == "localhost:8080"


def test_handle_handle_path_route_and_named_matchers(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        """\
        example.com {
            @api {
                path /api/*
            }
            handle @api {
                reverse_proxy app:8000
            }
            handle_path /static/* {
                reverse_proxy static:8080
            }
            route /ws/* {
                reverse_proxy /ws/live ws:9000
            }
            handle {
                handle /nested/* {
                    reverse_proxy nested:1
                }
            }
            reverse_proxy * fallback:80
        }
        """,
    )
    assert messages(problems) == []
    assert [(r.scope, r.raw) for r in config.routes] == [
        ("handle @api", "app:8000"),
        ("handle_path /static/*", "static:8080"),
        ("route /ws/* /ws/live", "ws:9000"),
        ("handle handle /nested/*", "nested:1"),
        ("*", "fallback:80"),
    ]
    assert next(r.describe() for r in config.routes) == (
        "example.com handle @api (reverse_proxy app:8000)"
    )


def test_snippets_with_arguments_and_file_imports(tmp_path: Path) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "a.caddy").write_text("a.example {\n\timport proxy a:1 5s\n}\n")
    (tmp_path / "sites" / "b.caddy").write_text("b.example {\n\timport all b:1 b:2 b:3\n}\n")
    (tmp_path / "sites" / ".hidden.caddy").write_text("hidden.example {\n}\n")
    (tmp_path / "common.caddy").write_text("(all) {\n\treverse_proxy {args[1:]}\n}\n")
    config, problems = load(
        tmp_path,
        """\
        (proxy) {
            reverse_proxy {args[0]} {
                transport http {
                    response_header_timeout {args.1}
                }
            }
        }
        import common.caddy
        import sites/*.caddy
        """,
    )
    assert messages(problems) == []
    assert config.files == tuple(
        str(tmp_path / name)
        for name in ("Caddyfile", "common.caddy", "sites/a.caddy", "sites/b.caddy")
    )
    first, second = config.routes
    assert (first.site, first.raw) == ("a.example", "a:1")
    assert first.read_timeout is not None
    assert first.read_timeout.value.value == 5000
    # the directive is where the snippet writes it, and the import line is said
    assert first.source.line == 2
    assert first.source.note == f"from {tmp_path / 'sites' / 'a.caddy'}:2 (import proxy)"
    assert (second.site, second.raw) == ("b.example", "b:2 b:3")  # {args[1:]}: variadic


def test_import_blocks_and_named_routes(tmp_path: Path) -> None:
    text = """\
        (with-block) {
            reverse_proxy app:8000 {
                {block}
            }
        }
        &(api) {
            reverse_proxy api:9000
        }
        example.com {
            import with-block {
                lb_retries 3
            }
            invoke api
        }
        """
    config, problems = load(tmp_path, text)
    assert messages(problems) == []
    assert [(r.site, r.raw, r.retries_idempotent) for r in config.routes] == [
        ("&(api)", "api:9000", True),
        ("example.com", "app:8000", True),
    ]


def test_import_problems_and_cycles(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        """\
        import missing.caddy
        import conf.d/*.caddy
        example.com {
            reverse_proxy app:8000
        }
        """,
    )
    assert messages(problems) == [
        (
            "GW002",
            1,
            f"import missing.caddy: {tmp_path / 'missing.caddy'} not found (Caddy refuses to "
            "start: File to import not found)",
        )
    ]  # a glob that matches nothing is only a warning for Caddy
    assert only(config).raw == "app:8000"

    _, problems = load(tmp_path, "(a) {\n\timport a\n}\nexample.com {\n\timport a\n}\n", "cyc")
    assert [(code, line) for code, line, _ in messages(problems)] == [("GW001", 2)]
    assert "a cycle of imports exists between snippet (a)" in problems.items[0].message

    (tmp_path / "self.caddy").write_text("import self.caddy\n")
    _, problems = load(tmp_path, "import self.caddy\n", "selfroot")
    assert "a cycle of imports" in problems.items[0].message

    _, problems = load(tmp_path, "import a*/b*.caddy\n", "globs")
    assert "Glob pattern may only contain one wildcard" in problems.items[0].message

    (tmp_path / "adir").mkdir()
    _, problems = load(tmp_path, "import adir\n", "dir")
    assert "is a directory" in problems.items[0].message


def test_imports_never_leave_the_run_folders(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "secret.caddy").write_text("secret.example {\n\treverse_proxy secret:1\n}\n")
    (site / "Caddyfile").write_text(
        "import ../secret.caddy\nimport ../*.caddy\nexample.com {\n\treverse_proxy app:1\n}\n"
    )
    problems = Problems()
    with reading_within([str(site)]):
        config = load_caddy(str(site / "Caddyfile"), problems)
    assert [r.raw for r in config.routes] == ["app:1"]
    assert [(p.code, p.location.line) for p in problems.items] == [("GW002", 1), ("GW002", 2)]
    assert all("lies outside the folders gwlint reads" in p.message for p in problems.items)
    assert config.files == (str(site / "Caddyfile"),)


# --- placeholders ------------------------------------------------------------------------------


def test_env_placeholders(tmp_path: Path) -> None:
    text = """\
        {$SITE:example.com} {
            reverse_proxy {$UPSTREAM} {
                transport http {
                    read_timeout {$READ:30s}
                    dial_timeout {$DIAL}
                }
            }
            reverse_proxy {env.BACKEND}
            reverse_proxy localhost:{http.request.header.X-Port}
        }
        """
    config, problems = load(tmp_path, text)
    assert messages(problems) == []
    unknown, runtime, header = config.routes
    assert unknown.site == "example.com"  # the default
    assert unknown.raw == "{$UPSTREAM}"
    assert unknown.unknown is not None
    assert "--env UPSTREAM=VALUE" in unknown.unknown
    assert [s.address.kind for s in unknown.servers] == ["unknown"]
    assert unknown.read_timeout is not None
    assert unknown.read_timeout.value.value == 30000
    assert unknown.connect_timeout is not None
    assert unknown.connect_timeout.value.value is None
    assert "{$DIAL}" in (unknown.connect_timeout.value.unknown or "")
    assert runtime.unknown == (
        "{env.BACKEND} is read from Caddy's environment when a request is proxied"
    )
    assert header.unknown is not None
    assert "placeholder" in header.unknown

    given, problems = load(
        tmp_path, text, env={"UPSTREAM": "unix//run/app.sock", "DIAL": "1s", "READ": "5s"}
    )
    route = given.routes[0]
    assert route.unknown is None
    assert [str(s.address) for s in route.servers] == ["unix:/run/app.sock"]
    assert route.connect_timeout is not None
    assert route.connect_timeout.value.value == 1000
    # read_timeout does not apply to a unix socket (only TCP connections are wrapped)
    assert route.read_timeout is None


# --- upstreams ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upstream", "addresses", "params"),
    [
        ("localhost:8000", ["localhost:8000"], ()),
        (":8000", ["127.0.0.1:8000"], ()),
        ("app", ["app:80"], ()),
        ("http://app:8000", ["app:8000"], ()),
        ("http://app", ["app:80"], ()),
        ("https://app", ["app:443"], ("tls",)),
        ("h2c://app:9000", ["app:9000"], ("h2c",)),
        ("unix//run/app.sock", ["unix:/run/app.sock"], ()),
        ("unix+h2c//run/app.sock", ["unix:/run/app.sock"], ("h2c",)),
        ("[::1]:8000", ["[::1]:8000"], ()),
        ("tcp4/127.0.0.1:8000", ["127.0.0.1:8000"], ()),
        ("app:8000-8002", ["app:8000", "app:8001", "app:8002"], ()),
    ],
)
def test_upstream_forms(
    tmp_path: Path, upstream: str, addresses: list[str], params: tuple[str, ...]
) -> None:
    config, problems = load(tmp_path, f"example.com {{\n\treverse_proxy {upstream}\n}}\n")
    assert messages(problems) == []
    route = only(config)
    assert [str(s.address) for s in route.servers] == addresses
    assert all(s.params == params for s in route.servers)
    assert route.raw == upstream
    assert route.unknown is None


@pytest.mark.parametrize(
    ("upstream", "fragment"),
    [
        ("http://app:8000/", "only support scheme, host, and port"),
        ("ws://app", "ws:// is only supported in browsers"),
        ("http://app:443", "conflicting scheme (http://) and port (:443"),
        ("ftp://app", "unsupported URL scheme ftp://"),
        ("http://{upstream}", "placeholders are not allowed"),
        ("http://app http://b https://c", "all proxy upstreams must use the same scheme"),
    ],
)
def test_upstreams_caddy_refuses(tmp_path: Path, upstream: str, fragment: str) -> None:
    _, problems = load(tmp_path, f"example.com {{\n\treverse_proxy {upstream}\n}}\n")
    assert [(p.code, p.location.line) for p in problems.items] == [("GW001", 2)]
    assert fragment in problems.items[0].message


def test_parse_upstream_is_caddys() -> None:
    assert parse_upstream("localhost") == ("", "", "localhost", "80")
    assert parse_upstream("{upstream}") == ("", "", "{upstream}", "")
    with pytest.raises(BadValue):
        parse_upstream("https://app:80")


# --- values in effect ----------------------------------------------------------------------


def test_defaults_without_any_option(tmp_path: Path) -> None:
    route = only(load(tmp_path, "example.com {\n\treverse_proxy app:8000\n}\n")[0])
    assert route.kind == "caddy"
    assert route.protocol == "http"
    assert route.read_timeout is None  # Caddy waits without limit
    assert route.connect_timeout is not None
    assert (route.connect_timeout.name, route.connect_timeout.value.value) == ("dial_timeout", 3000)
    assert route.connect_timeout.value.source.label() == "Caddy 2.10 default"
    assert route.reuse.value is True
    assert route.idle_timeout is not None
    assert (route.idle_timeout.name, route.idle_timeout.value.value) == ("keepalive", 120000)
    assert route.retries_idempotent is True  # Go's Transport resends on a reused connection
    assert route.body_limit is not None
    assert route.body_limit.value.value == 0
    assert route.field_limit is not None
    assert route.field_limit.value.value == 1 << 20
    assert route.client_keepalive is not None
    assert route.client_keepalive.value.value == 300000
    assert {k: v.value for k, v in route.headers.items()} == {
        "x-forwarded-for": "{remote_host}",
        "x-forwarded-proto": "{scheme}",
        "x-forwarded-host": "{host}",
    }
    assert route.preserve_host is not None
    assert route.preserve_host.value is True
    assert route.preserve_host.is_default


def test_transport_http_timeouts(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        """\
        example.com {
            reverse_proxy /a/* a:1 {
                transport http {
                    response_header_timeout 30s
                    read_timeout 1m
                }
            }
            reverse_proxy /b/* b:1 {
                transport http {
                    response_header_timeout 2m
                    read_timeout 20s
                    dial_timeout 500ms
                    keepalive 90s
                }
            }
            reverse_proxy /c/* unix//run/c.sock {
                transport http {
                    read_timeout 5s
                }
            }
        }
        """,
    )
    assert messages(problems) == []
    a, b, c = config.routes
    assert a.read_timeout is not None
    assert b.read_timeout is not None
    assert (a.read_timeout.name, a.read_timeout.value.value, a.read_timeout.value.source.line) == (
        "response_header_timeout",
        30000,
        4,
    )
    assert (b.read_timeout.name, b.read_timeout.value.value) == ("read_timeout", 20000)
    assert b.connect_timeout is not None
    assert b.connect_timeout.value.value == 500
    # read_timeout shorter than keepalive: the idle read times out first and ends the connection
    assert b.idle_timeout is not None
    assert (b.idle_timeout.name, b.idle_timeout.value.value) == ("read_timeout", 20000)
    assert a.idle_timeout is not None
    assert a.idle_timeout.value.value == 60000
    # a unix socket is not wrapped with the read deadline
    assert c.read_timeout is None
    assert c.idle_timeout is not None
    assert c.idle_timeout.value.value == 120000


def test_keepalive_forms_and_versions(tmp_path: Path) -> None:
    text = """\
        example.com {
            reverse_proxy /off/* off:1 {
                transport http {
                    keepalive off
                }
            }
            reverse_proxy /conns/* conns:1 {
                transport http {
                    keepalive_idle_conns 8
                }
            }
            reverse_proxy /pp/* pp:1 {
                transport http {
                    proxy_protocol v2
                }
            }
            reverse_proxy /h2c/* h2c:1 {
                transport http {
                    versions h2c 2
                }
            }
        }
        """
    off, conns, pp, h2c = load(tmp_path, text)[0].routes
    assert (off.reuse.value, off.reuse.source.line, off.idle_timeout) == (False, 4, None)
    assert off.retries_idempotent is False
    # before 2.11, one keep-alive option drops every default: no idle limit at all
    assert conns.idle_timeout is not None
    assert conns.idle_timeout.value.value == UNLIMITED_MS
    assert conns.idle_timeout.value.source.line == 9
    assert pp.reuse.value is False
    assert pp.reuse.source.note == "PROXY protocol turns keep-alive off"
    assert [s.params for s in h2c.servers] == [("h2c",)]
    assert h2c.retries_idempotent is False  # Go's HTTP/2 transport: not claimed

    newer = load(tmp_path, text, version="2.11")[0].routes[1]
    assert newer.idle_timeout is not None
    assert newer.idle_timeout.value.value == 120000
    old = load(tmp_path, text, version="2.6")[0]
    assert old.version_label == "Caddy 2.6"


def test_headers_host_retries_and_tls(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        """\
        example.com {
            reverse_proxy /a/* https://a:8443 {
                header_up Host {upstream_hostport}
                header_up X-Forwarded-Proto https
                header_up -X-Forwarded-For
                header_up +X-Extra one
                lb_retries 2
            }
            reverse_proxy /b/* b:1 {
                header_up Host {host}
                transport http {
                    keepalive off
                    tls
                }
                lb_try_duration 5s
            }
        }
        """,
    )
    assert messages(problems) == []
    a, b = config.routes
    assert a.preserve_host is not None
    assert (a.preserve_host.value, a.preserve_host.source.line) == (False, 3)
    assert a.headers["x-forwarded-proto"].value == "https"
    assert a.headers["x-forwarded-for"].value == ""  # deleted: not sent
    assert a.headers["x-extra"].value == "one"
    assert a.servers[0].params == ("tls",)
    assert b.preserve_host is not None
    assert b.preserve_host.value is True
    assert b.servers[0].params == ("tls",)
    # no keep-alive, but lb_try_duration retries GET requests
    assert (b.reuse.value, b.retries_idempotent) == (False, True)


def test_request_body_and_server_options(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        """\
        {
            servers :8080 {
                timeouts {
                    idle 30s
                }
                max_header_size 16KiB
            }
        }
        example.com {
            request_body {
                max_size 10MB
            }
            request_body /upload/* {
                max_size 1GB
            }
            handle /small/* {
                request_body {
                    max_size 1MiB
                }
                reverse_proxy small:1
            }
            reverse_proxy /upload/* upload:1
            reverse_proxy other:1
        }
        :8080 {
            reverse_proxy eight:1
        }
        """,
    )
    assert messages(problems) == []
    small, upload, other, eight = config.routes
    assert small.body_limit is not None
    assert small.body_limit.value.value == 1 << 20
    assert small.body_limit.value.source.line == 18
    assert upload.body_limit is not None
    assert upload.body_limit.value.value == 10**7
    assert other.body_limit is not None
    assert other.body_limit.value.value == 10**7
    assert eight.body_limit is not None
    assert eight.body_limit.value.value == 0
    # the servers option names :8080: only that site's server takes it
    assert other.client_keepalive is not None
    assert other.client_keepalive.value.value == 300000
    assert eight.client_keepalive is not None
    assert (eight.client_keepalive.value.value, eight.client_keepalive.value.source.line) == (
        30000,
        4,
    )
    assert eight.field_limit is not None
    assert eight.field_limit.value.value == 16384


def test_fastcgi() -> None:
    problems = Problems()
    config = load_caddy(str(READER / "php.caddyfile"), problems)
    assert messages(problems) == []
    php, fcgi = config.routes
    for route in (php, fcgi):
        assert route.protocol == "fastcgi"
        assert route.reuse.value is False  # a new connection for every request
        assert route.idle_timeout is None
        assert route.retries_idempotent is False
    assert php.directive == "php_fastcgi"
    assert [str(s.address) for s in php.servers] == ["unix:/run/php/php-fpm.sock"]
    assert php.read_timeout is not None
    assert php.read_timeout.value.value == 30000
    assert fcgi.connect_timeout is not None
    assert fcgi.connect_timeout.value.value == 1000
    assert fcgi.read_timeout is not None
    assert fcgi.read_timeout.value.value == 40000


def test_schemes_and_transports_as_caddy_settles_them(tmp_path: Path) -> None:
    config, problems = load(
        tmp_path,
        """\
        example.com {
            reverse_proxy /a/* app:1 https://b:8443
            reverse_proxy /b/* localhost:8000 h2c://c:9000 {
                transport http {
                    versions 1.1
                }
            }
            reverse_proxy /c/* d:1 {
                transport fastcgi {
                    read_timeout 5s
                }
                transport http {
                    read_timeout 30s
                }
            }
            php_fastcgi /d/* https://php:9443
        }
        """,
    )
    assert messages(problems) == []
    tls, h2c, replaced, php = config.routes
    # the last scheme is the one of every upstream: TLS, or h2c, for all of them
    assert [s.params for s in tls.servers] == [("tls",), ("tls",)]
    assert [s.params for s in h2c.servers] == [("h2c",), ("h2c",)]
    # a second transport replaces the first one
    assert replaced.protocol == "http"
    assert replaced.read_timeout is not None
    assert replaced.read_timeout.value.value == 30000
    # https to php_fastcgi: Caddy puts an http transport in place of its fastcgi one
    assert (php.protocol, php.servers[0].params) == ("http", ("tls",))


def test_what_older_caddy_reads_differently(tmp_path: Path) -> None:
    text = """\
        example.com {
            reverse_proxy /a/* ws://a:1
            reverse_proxy /r/* app:8000-8001
            reverse_proxy /b/* b:1 {
                transport http {
                    proxy_protocol v1
                }
            }
            reverse_proxy /c/* c:1
            {
            }
        }
        """
    config, problems = load(tmp_path, text, version="2.6")
    assert [(p.code, p.location.line, p.message) for p in problems.items] == [
        ("GW001", 6, "unrecognized subdirective proxy_protocol (it came with Caddy 2.7)")
    ]
    ranged = config.routes[1]
    assert ranged.unknown == "app:8000-8001: Caddy before 2.7 does not expand a port range"
    # Caddy 2.7 refuses a '{' alone on its line, 2.7.5 ws://
    _, problems = load(tmp_path, text, version="2.10")
    assert [(p.location.line, p.message.split(":")[0]) for p in problems.items] == [
        (10, "Caddyfile cannot be parsed")
    ]
    ws = "example.com {\n\treverse_proxy ws://a:1\n}\n"
    assert messages(load(tmp_path, ws, version="2.7")[1]) == []
    assert "ws:// is only supported in browsers" in load(tmp_path, ws)[1].items[0].message


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("example.com {\n\treverse_proxy app:1 {\n\t\ttransport http {\n\t}\n", 2, "never closed"),
        ("example.com {\n\treverse_proxy app:1\n", 1, "never closed"),
        ("example.com {\n\treverse_proxy app:1\n}\n}\n", 4, "no matching opening brace"),
        ("example.com {\n\treverse_proxy app:1 {\n\t\ttransport tcp\n\t}\n}\n", 3, "transport"),
        (
            "example.com {\n\treverse_proxy app:1 {\n\t\ttransport http {\n"
            "\t\t\tread_timeout 30x\n\t\t}\n\t}\n}\n",
            4,
            "bad read_timeout value '30x': time: unknown unit \"x\"",
        ),
        (
            "example.com {\n\treverse_proxy app:1 {\n\t\ttransport http {\n"
            "\t\t\tread_timout 30s\n\t\t}\n\t}\n}\n",
            4,
            "unrecognized subdirective read_timout",
        ),
        ("example.com {\n\treverse_proxy app:1 {\n\t\tlb_retries x\n\t}\n}\n", 3, "lb_retries"),
        (
            "example.com {\n\tphp_fastcgi app:1 {\n\t\ttransport http\n\t}\n}\n",
            3,
            "transport already specified",
        ),
        (
            "example.com {\n\treverse_proxy https://app {\n\t\ttransport fastcgi\n\t}\n}\n",
            2,
            "transport module does not support TLS",
        ),
        (
            "example.com {\n\treverse_proxy http://app {\n\t\ttransport http {\n\t\t\ttls\n"
            "\t\t}\n\t}\n}\n",
            2,
            "scheme is HTTP but transport is configured for HTTP+TLS",
        ),
        ("a.com {\n}\nb.com a.com {\n}\n", 3, "ambiguous site definition: a.com"),
        ("@api path /api\n", 1, "request matchers may not be defined globally"),
        ("a.com,b.com {\n}\n", 1, "cannot contain a comma"),
        ("a.com{\n}\n", 1, "cannot end with a curly brace"),
        ("a.com {\n\treverse_proxy app:1\n\t{\n\t}\n}\n", 3, "'{' on a new line"),
        ("a.com {\n}\n{\n\tdebug\n}\n", 4, "must be first"),
        ("(s) {\n}\n(s) {\n}\n", 3, "redeclaration of previously declared snippet s"),
    ],
)
def test_errors_are_located(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    _, problems = load(tmp_path, text)
    assert [(p.code, p.location.line) for p in problems.items] == [("GW001", line)]
    assert fragment in problems.items[0].message


def test_unreadable_root(tmp_path: Path) -> None:
    problems = Problems()
    config = load_caddy(str(tmp_path / "Caddyfile"), problems)
    assert config.routes == ()
    assert [p.code for p in problems.items] == ["GW001"]
    with pytest.raises(ValueError, match="not a Caddy release gwlint knows"):
        load_caddy(str(tmp_path / "Caddyfile"), problems, version="3.0")
    assert caddy_version("2.6.2") == (2, 6, 2)


# --- Caddy's JSON --------------------------------------------------------------------------


def test_json_config_with_lines() -> None:
    problems = Problems()
    config = load_caddy(str(READER / "caddy.json"), problems)
    assert messages(problems) == []
    api, fcgi = config.routes
    assert (api.site, api.scope, api.source.line) == ("example.com", "/api/*", 20)
    assert [str(s.address) for s in api.servers] == ["app:8000", "unix:/run/app.sock"]
    assert [s.source.line for s in api.servers] == [21, 21]
    assert api.read_timeout is not None
    assert (api.read_timeout.name, api.read_timeout.value.value) == (
        "response_header_timeout",
        30000,
    )
    assert api.read_timeout.value.source.line == 24
    assert api.connect_timeout is not None
    assert api.connect_timeout.value.value == 5000  # integer nanoseconds
    assert api.idle_timeout is not None
    assert (api.idle_timeout.value.value, api.idle_timeout.value.source.line) == (45000, 26)
    assert api.body_limit is not None
    assert (api.body_limit.value.value, api.body_limit.value.source.line) == (1 << 20, 18)
    assert api.client_keepalive is not None
    assert api.client_keepalive.value.value == 120000
    assert fcgi.protocol == "fastcgi"
    assert (
        fcgi.unknown == "{env.UPSTREAM} is read from Caddy's environment when a request is proxied"
    )


def test_json_forms_and_errors(tmp_path: Path) -> None:
    document = {
        "apps": {
            "http": {
                "servers": {
                    "srv": {
                        "listen": [":80"],
                        "errors": {
                            "routes": [
                                {
                                    "handle": [
                                        {
                                            "handler": "reverse_proxy",
                                            "upstreams": [{"dial": "err:1"}],
                                        }
                                    ]
                                }
                            ]
                        },
                        "named_routes": {
                            "api": {
                                "handle": [
                                    {
                                        "handler": "reverse_proxy",
                                        "dynamic_upstreams": {"source": "srv"},
                                    }
                                ]
                            }
                        },
                        "routes": [
                            {
                                "handle": [
                                    {
                                        "handler": "reverse_proxy",
                                        "upstreams": [{"dial": "app:1"}],
                                        "headers": {
                                            "request": {
                                                "delete": ["X-Forwarded-For"],
                                                "set": {"Host": ["example"]},
                                            }
                                        },
                                        "transport": {
                                            "protocol": "http",
                                            "keep_alive": {"enabled": False},
                                            "read_timeout": "1d",
                                        },
                                    },
                                    {
                                        "handler": "reverse_proxy",
                                        "upstreams": [{"dial": "b:1"}],
                                        "transport": {"protocol": "grpc"},
                                    },
                                ]
                            }
                        ],
                    }
                }
            }
        }
    }
    path = tmp_path / "caddy.json"
    path.write_text(json.dumps(document, indent=2))
    problems = Problems()
    config = load_caddy(str(path), problems)
    assert [(p.code, p.message) for p in problems.items] == [
        ("GW001", "Caddy JSON: unknown transport protocol 'grpc': Caddy's are http and fastcgi")
    ]
    first, _, error, named = config.routes
    assert (first.reuse.value, first.headers["x-forwarded-for"].value) == (False, "")
    assert first.preserve_host is not None
    assert first.preserve_host.value is False
    assert first.read_timeout is not None
    assert first.read_timeout.value.value == 86_400_000
    assert (error.scope, error.raw) == ("handle_errors", "err:1")
    assert named.site == "&(api)"
    assert named.unknown == "dynamic upstreams: Caddy looks them up at runtime"

    path.write_text('{\n  "apps": {\n    "http": [\n  }\n}\n')
    problems = Problems()
    assert load_caddy(str(path), problems).routes == ()
    assert [(p.code, p.location.line) for p in problems.items] == [("GW001", 4)]


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("Caddyfile", b"", True),
        ("deploy/Caddyfile.prod", b"", True),
        ("site.caddyfile", b"", True),
        ("site.Caddyfile", b"", True),
        ("caddyfile.md", b"", False),
        ("caddy.json", b'{"apps": {}}', True),
        ("caddy-prod.json", b'{"logging": {}, "apps": {', True),
        ("config.json", b'{"apps": {"http": {"servers": {"srv0": {}}}}}', True),
        ("config.json", b'{"apps": []}', False),
        ("package.json", b'{"name": "x"}', False),
        ("nginx.conf", b"server {}", False),
    ],
)
def test_is_caddyfile(name: str, head: bytes, expected: bool) -> None:
    assert is_caddyfile(name, head) is expected


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("0", 0),
        ("30s", 30 * 10**9),
        ("1h30m", 5400 * 10**9),
        ("1.5h", 5400 * 10**9),
        ("-1.5h", -5400 * 10**9),
        ("+2m", 120 * 10**9),
        ("300ms", 300 * 10**6),
        ("1µs", 1000),
        ("2h45m30.5s", (2 * 3600 + 45 * 60 + 30) * 10**9 + 5 * 10**8),
        ("1d", 86400 * 10**9),
        ("1.5d2h", (36 + 2) * 3600 * 10**9),
        (".5s", 5 * 10**8),
    ],
)
def test_durations_are_caddys(text: str, ns: int) -> None:
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["", "30", "30x", ".s", "1.2.3s", "d", "1hd", "s", "9" * 30 + "h"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(BadValue):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("10MB", 10**7),
        ("10MiB", 10 << 20),
        ("1,000", 1000),
        ("1.5k", 1500),
        ("42", 42),
        ("5 gb", 5 * 10**9),
        ("2KIB", 2048),
    ],
)
def test_sizes_are_go_humanize(text: str, size: int) -> None:
    assert parse_bytes(text) == size


@pytest.mark.parametrize("text", ["", "MB", "10 XB", "1..5MB"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(BadValue):
        parse_bytes(text)


# --- robustness ------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "{",
        "}",
        '"',
        "`",
        "\\",
        "\n",
        " ",
        "\t",
        "#",
        "<<",
        "EOF",
        "import",
        "(s)",
        "s",
        "reverse_proxy",
        "transport",
        "http",
        "fastcgi",
        "read_timeout",
        "5s",
        "x:1",
        "{$A}",
        "{args[0]}",
        "{args[0:]}",
        "{block}",
        "handle",
        "@m",
        "/p/*",
        "keepalive",
        "off",
        "unix//a",
        "http://b",
        "php_fastcgi",
        "request_body",
        "max_size",
        "1MB",
        "&(n)",
        ",",
    ]
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(_PIECES, max_size=60), st.binary(max_size=80))
def test_never_raises(tmp_path: Path, pieces: list[str], noise: bytes) -> None:
    for name, data in (
        ("Caddyfile", "".join(pieces).encode()),
        ("noise", noise),
        ("caddy.json", ("".join(pieces)).encode()),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        problems = Problems()
        load_caddy(str(path), problems)
        assert all(p.location.line >= 1 for p in problems.items)


_JSON_KEYS = st.sampled_from(
    [
        "apps",
        "http",
        "servers",
        "routes",
        "handle",
        "handler",
        "reverse_proxy",
        "subroute",
        "request_body",
        "max_size",
        "upstreams",
        "dial",
        "transport",
        "protocol",
        "keep_alive",
        "enabled",
        "idle_timeout",
        "read_timeout",
        "match",
        "host",
        "path",
        "listen",
        "errors",
        "named_routes",
        "headers",
        "request",
        "set",
        "delete",
        "load_balancing",
        "retries",
        "versions",
        "fastcgi",
    ]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _JSON_KEYS | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_KEYS, inner, max_size=5),
    max_leaves=40,
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_JSON)
def test_odd_json_never_raises(tmp_path: Path, document: object) -> None:
    """Caddy's JSON with values of every type where the reader expects others."""
    shaped = {"apps": {"http": {"servers": {"srv": document}}}}
    for value in (document, shaped):
        path = tmp_path / "caddy.json"
        path.write_text(json.dumps(value))
        problems = Problems()
        config = load_caddy(str(path), problems)
        assert config.kind == "caddy"


def test_import_bombs_are_bounded(tmp_path: Path) -> None:
    lines = ["(s0) {\n\treverse_proxy a:1\n}"]
    for i in range(1, 24):
        lines.append(f"(s{i}) {{\n\timport s{i - 1}\n\timport s{i - 1}\n}}")
    lines.append("a.com {\n\timport s23\n}")
    _, problems = load(tmp_path, "\n".join(lines) + "\n")
    assert [p.code for p in problems.items] == ["GW001"]
    assert "gwlint stops reading" in problems.items[0].message


# --- cross-check with Caddy's own reading ------------------------------------------------------

CADDY = shutil.which("caddy")


def _essentials(route: FrontRoute) -> tuple[object, ...]:
    """What Caddy's JSON says as well as the Caddyfile (not the scope: Caddy rewrites it)."""

    def value(setting: Any) -> object:
        return None if setting is None else (setting.name, setting.value.value)

    return (
        tuple(sorted(f"{s.address}|{','.join(s.params)}" for s in route.servers)),
        route.protocol,
        value(route.read_timeout),
        value(route.connect_timeout),
        route.reuse.value,
        None if route.idle_timeout is None else route.idle_timeout.value.value,
        route.retries_idempotent,
        None if route.body_limit is None else route.body_limit.value.value,
        None if route.preserve_host is None else route.preserve_host.value,
        route.headers["x-forwarded-for"].value,
        None if route.client_keepalive is None else route.client_keepalive.value.value,
        None if route.field_limit is None else route.field_limit.value.value,
        route.unknown,
    )


def _adapt(caddyfile: Path, tmp_path: Path, env: dict[str, str]) -> Path:
    assert CADDY is not None
    run = subprocess.run(
        [CADDY, "adapt", "--config", str(caddyfile), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env},
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    adapted = tmp_path / f"{caddyfile.name}.adapted.json"
    adapted.write_text(run.stdout)
    return adapted


def _caddy_version() -> str:
    assert CADDY is not None
    out = subprocess.run([CADDY, "version"], capture_output=True, text=True, check=False).stdout
    major, minor = out.split()[0].lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


@pytest.mark.skipif(CADDY is None and not os.environ.get("CI"), reason="caddy is not installed")
@pytest.mark.parametrize(
    ("name", "env"),
    [
        ("Caddyfile", {}),
        ("snippets.caddyfile", {}),
        ("php.caddyfile", {}),
        ("env", {"UPSTREAM": "unix//run/app.sock", "RHT": "12s"}),
    ],
)
def test_cross_check_with_caddy_adapt(tmp_path: Path, name: str, env: dict[str, str]) -> None:
    """gwlint's reading of a Caddyfile and its reading of what ``caddy adapt`` makes of it
    (Caddy's own parser, imports, snippets, placeholders) agree, route for route."""
    assert CADDY is not None, "CI needs caddy (.ci/run installs Debian's package)"
    if name == "env":
        caddyfile = tmp_path / "Caddyfile"
        caddyfile.write_text(
            ":8080 {\n\treverse_proxy {$UPSTREAM} {\n\t\ttransport http {\n"
            "\t\t\tresponse_header_timeout {$RHT}\n\t\t\tdial_timeout {$DIAL:4s}\n\t\t}\n\t}\n}\n"
        )
    else:
        for source in READER.iterdir():
            if source.is_file():
                shutil.copy(source, tmp_path / source.name)
        caddyfile = tmp_path / name
    version = _caddy_version()
    problems = Problems()
    written = load_caddy(str(caddyfile), problems, version=version, env=env)
    adapted = load_caddy(str(_adapt(caddyfile, tmp_path, env)), problems, version=version)
    assert messages(problems) == []
    assert written.routes
    # one Caddyfile site may become one route per server in Caddy's JSON: compare the sets
    assert {_essentials(r) for r in written.routes} == {_essentials(r) for r in adapted.routes}


_UPSTREAMS = [
    "localhost:8000",
    ":8001",
    "app",
    "http://app:8000",
    "https://app",
    "h2c://app:9000",
    "unix//run/a.sock",
    "[::1]:8000",
    "tcp4/127.0.0.1:8000",
    "{upstream}",
    "app:{env.P}",
    '"app:8000"',
    "{$UP:app:7000}",
    "http://app:8000/",
]
_DURATIONS = ["30s", "1m30s", "500ms", "1.5h", "2d", "0", "30", "1x"]
_TRANSPORT = [
    "read_timeout D",
    "write_timeout D",
    "dial_timeout D",
    "response_header_timeout D",
    "keepalive D",
    "keepalive off",
    "keepalive_idle_conns 8",
    "keepalive_interval D",
    "versions h2c 2",
    "versions 1.1 2",
    "tls",
    "max_conns_per_host x",
    "read_timout 5s",
]


def _generated(seed: int) -> str:
    """A Caddyfile from the forms this reader knows, right or wrong, for Caddy to judge."""
    r = random.Random(seed)

    def proxy(indent: str) -> list[str]:
        matcher = r.choice(["", "", "/api/* ", "@m ", "* "])
        ups = " ".join(r.choice(_UPSTREAMS) for _ in range(r.randint(0, 2)))
        lines = [f"{indent}reverse_proxy {matcher}{ups}".rstrip()]
        if r.random() < 0.7:
            lines[0] += " {"
            for _ in range(r.randint(0, 3)):
                k = r.random()
                if k < 0.2:
                    lines.append(f"{indent}\tto {r.choice(_UPSTREAMS)}")
                elif k < 0.3:
                    lines.append(f"{indent}\tlb_retries {r.choice(['2', 'x'])}")
                elif k < 0.4:
                    lines.append(f"{indent}\tlb_try_duration {r.choice(_DURATIONS)}")
                elif k < 0.55:
                    header = r.choice(
                        ["Host {upstream_hostport}", "Host {host}", "-X-Forwarded-For", "+X-A b"]
                    )
                    lines.append(f"{indent}\theader_up {header}")
                else:
                    kind = r.choice(["http", "http", "fastcgi", "tcp"])
                    lines.append(f"{indent}\ttransport {kind} {{")
                    for _ in range(r.randint(0, 3)):
                        option = r.choice(_TRANSPORT) if kind != "fastcgi" else "read_timeout D"
                        lines.append(f"{indent}\t\t{option.replace('D', r.choice(_DURATIONS))}")
                    lines.append(f"{indent}\t}}")
            lines.append(f"{indent}}}")
        return lines

    text = [
        "(snip) {",
        "\treverse_proxy {args.0} {",
        "\t\ttransport http {",
        "\t\t\tread_timeout {args.1}",
        "\t\t}",
        "\t}",
        "}",
    ]
    if r.random() < 0.3:
        text = [
            "{",
            "\tservers {",
            "\t\ttimeouts {",
            f"\t\t\tidle {r.choice(['1m', '9x'])}",
            "\t\t}",
            "\t}",
            "}",
            *text,
        ]
    for key in r.sample(
        ["example.com", ":8080", "http://a.example:8081", "b.example, c.example"], r.randint(1, 2)
    ):
        text += [f"{key} {{", "\t@m path /m/*"]
        if r.random() < 0.4:
            text += ["\trequest_body {", f"\t\tmax_size {r.choice(['10MB', '1MiB', 'x'])}", "\t}"]
        for _ in range(r.randint(1, 3)):
            k = r.random()
            if k < 0.45:
                text += proxy("\t")
            elif k < 0.75:
                block = r.choice(
                    ["handle /h/*", "handle_path /p/*", "route", "handle @m", "handle_errors"]
                )
                text += [f"\t{block} {{", *proxy("\t\t"), "\t}"]
            elif k < 0.9:
                text += [f"\timport snip {r.choice(_UPSTREAMS[:9])} {r.choice(_DURATIONS)}"]
            else:
                text += [f"\tphp_fastcgi {r.choice(_UPSTREAMS)}"]
        text.append("}")
    return "\n".join(text) + "\n"


@pytest.mark.skipif(CADDY is None and not os.environ.get("CI"), reason="caddy is not installed")
def test_generated_caddyfiles_read_as_caddy_reads_them(tmp_path: Path) -> None:
    """Caddyfiles made at random: where Caddy refuses one, gwlint says so (GW001); where it
    takes one, gwlint's reading agrees with its reading of Caddy's JSON."""
    assert CADDY is not None, "CI needs caddy (.ci/run installs Debian's package)"
    version = _caddy_version()
    caddyfile = tmp_path / "Caddyfile"
    for seed in range(30):
        caddyfile.write_text(_generated(seed))
        run = subprocess.run(
            [CADDY, "adapt", "--config", str(caddyfile), "--adapter", "caddyfile"],
            capture_output=True,
            text=True,
            env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)},
            timeout=60,
            check=False,
        )
        problems = Problems()
        written = load_caddy(str(caddyfile), problems, version=version)
        refused = [p.message for p in problems.items if p.code in ("GW001", "GW002")]
        if run.returncode != 0:
            assert refused, (seed, run.stderr)
            continue
        assert refused == [], (seed, refused)
        adapted = tmp_path / "adapted.json"
        adapted.write_text(run.stdout)
        read = load_caddy(str(adapted), Problems(), version=version)

        def key(route: FrontRoute) -> tuple[object, ...]:
            *known, unknown = _essentials(route)
            return (*known, unknown is None)

        assert {key(r) for r in written.routes} == {key(r) for r in read.routes}, seed
