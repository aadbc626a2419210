"""gwlint/fixes/nginx_text.py: nginx statements edited by token positions, the rest kept as is.

Table-driven cases (text before, the call, text after) for set_args, add_directive,
remove_directive and quote_arg, the refusals (EditError), CRLF and tab-indented files; the
positional lexer compared with gwlint's own (crossplane's tokens) on generated text, the fixtures
and the corpus; and every edit applied to the corpus read back by gwlint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwlint.fixes import nginx_text
from gwlint.fixes.nginx_text import add_directive, quote_arg, remove_directive, set_args
from gwlint.fixes.spans import EditError, Span
from gwlint.loaders.nginx import lex
from tests.conftest import FIXTURES, corpus_or_skip
from tests.test_nginx_lexer import FRAGMENTS as LEXER_FRAGMENTS


def apply(text: str, span: Span) -> str:
    assert 0 <= span.start <= span.end <= len(text)
    return text[: span.start] + span.replacement + text[span.end :]


NESTED = """\
http {
    server {
        listen 80;
        location /api/ {
            proxy_pass http://app;  # the app
            proxy_read_timeout 60s;
        }
    }
}
"""

# --- set_args --------------------------------------------------------------------------------

SET_CASES = [
    pytest.param(
        "proxy_read_timeout 60s;\n",
        1,
        "proxy_read_timeout",
        ["90s"],
        "proxy_read_timeout 90s;\n",
        id="simple",
    ),
    pytest.param(
        "keepalive_timeout 75s 60s;\n",
        1,
        "keepalive_timeout",
        ["65s"],
        "keepalive_timeout 65s;\n",
        id="two-args-to-one",
    ),
    pytest.param(
        "keepalive_timeout 75s;\n",
        1,
        "keepalive_timeout",
        ["75s", "60s"],
        "keepalive_timeout 75s 60s;\n",
        id="one-arg-to-two",
    ),
    pytest.param(
        "keepalive_timeout 75s\t  60s;\n",
        1,
        "keepalive_timeout",
        ["75s", "30s"],
        "keepalive_timeout 75s\t  30s;\n",
        id="same-count-keeps-blanks",
    ),
    pytest.param(
        NESTED,
        6,
        "proxy_read_timeout",
        ["300s"],
        NESTED.replace("proxy_read_timeout 60s;", "proxy_read_timeout 300s;"),
        id="nested-location",
    ),
    pytest.param(
        "http {\r\n    proxy_read_timeout 60s;\r\n}\r\n",
        2,
        "proxy_read_timeout",
        ["90s"],
        "http {\r\n    proxy_read_timeout 90s;\r\n}\r\n",
        id="crlf",
    ),
    pytest.param(
        "http {\r    a 1;\r    proxy_read_timeout 60s;\r}\r",
        3,
        "proxy_read_timeout",
        ["90s"],
        "http {\r    a 1;\r    proxy_read_timeout 90s;\r}\r",
        id="lone-cr-newlines",
    ),
    pytest.param(
        "proxy_read_timeout 60s;   # slow upstream\n",
        1,
        "proxy_read_timeout",
        ["90s"],
        "proxy_read_timeout 90s;   # slow upstream\n",
        id="comment-after-kept",
    ),
    pytest.param(
        "# proxy_read_timeout 10s;\nproxy_read_timeout 60s;\n",
        2,
        "proxy_read_timeout",
        ["90s"],
        "# proxy_read_timeout 10s;\nproxy_read_timeout 90s;\n",
        id="commented-out-statement-ignored",
    ),
    pytest.param(
        'proxy_read_timeout "60s";\n',
        1,
        "proxy_read_timeout",
        ["90s"],
        'proxy_read_timeout "90s";\n',
        id="double-quotes-kept",
    ),
    pytest.param(
        "add_header X-Note 'a b';\n",
        1,
        "add_header",
        ["X-Note", "c d"],
        "add_header X-Note 'c d';\n",
        id="single-quotes-kept",
    ),
    pytest.param(
        "add_header X-Note 'a b';\n",
        1,
        "add_header",
        ["X-Note", "it's"],
        "add_header X-Note 'it\\'s';\n",
        id="single-quote-escaped-in-single-quotes",
    ),
    pytest.param(
        "add_header X-Note ok;\n",
        1,
        "add_header",
        ["X-Note", "not ok; {really}"],
        'add_header X-Note "not ok; {really}";\n',
        id="quoted-when-needed",
    ),
    pytest.param(
        "return 200 ok;\n",
        1,
        "return",
        ["200", ""],
        'return 200 "";\n',
        id="empty-arg-quoted",
    ),
    pytest.param(
        "log_format main '$remote_addr - $remote_user '\n                '\"$request\" $status';\n",
        1,
        "log_format",
        ["main", "$status"],
        "log_format main $status;\n",
        id="args-span-lines",
    ),
    pytest.param(
        "log_format main '$remote_addr'\n                '$status';\n",
        1,
        "log_format",
        ["main", "$remote_addr", "$request_time"],
        "log_format main '$remote_addr'\n                '$request_time';\n",
        id="args-span-lines-same-count",
    ),
    pytest.param(
        "proxy_pass\n    http://a;\n",
        1,
        "proxy_pass",
        ["http://b"],
        "proxy_pass\n    http://b;\n",
        id="args-on-next-line",
    ),
    pytest.param(
        "a 1 # one\n  2;\n",
        1,
        "a",
        ["1", "3"],
        "a 1 # one\n  3;\n",
        id="comment-among-args-same-count",
    ),
    pytest.param("gzip;\n", 1, "gzip", ["on"], "gzip on;\n", id="no-args-yet"),
    pytest.param(
        "gzip ;\n", 1, "gzip", ["on"], "gzip on ;\n", id="no-args-yet-blank-before-semicolon"
    ),
    pytest.param("a b c;\n", 1, "a", [], "a;\n", id="args-removed"),
    pytest.param("a 1; a 2;\n", 1, "a", ["3"], "a 3; a 2;\n", id="first-on-its-line"),
    pytest.param(
        "location / { proxy_read_timeout 60s; }\n",
        1,
        "proxy_read_timeout",
        ["90s"],
        "location / { proxy_read_timeout 90s; }\n",
        id="one-line-block",
    ),
    pytest.param(
        "location /a {\n}\n", 1, "location", ["/b"], "location /b {\n}\n", id="block-args"
    ),
    pytest.param(
        'if ($http_x = "a") {\n    return 403;\n}\n',
        1,
        "if",
        ["(", "$http_x", "=", "b", ")"],
        "if ( $http_x = b ) {\n    return 403;\n}\n",
        id="if-args",
    ),
    pytest.param(
        "set $x ${y}; proxy_read_timeout 60s;\n",
        1,
        "proxy_read_timeout",
        ["90s"],
        "set $x ${y}; proxy_read_timeout 90s;\n",
        id="parameter-expansion-before",
    ),
    pytest.param(
        'content_by_lua_block {\n  ngx.say("}") -- }\n}\nproxy_read_timeout 60s;\n',
        4,
        "proxy_read_timeout",
        ["90s"],
        'content_by_lua_block {\n  ngx.say("}") -- }\n}\nproxy_read_timeout 90s;\n',
        id="after-a-lua-block",
    ),
    pytest.param(
        'x "}" \\} "a\\"}";\nproxy_read_timeout 60s;\n',
        2,
        "proxy_read_timeout",
        ["90s"],
        'x "}" \\} "a\\"}";\nproxy_read_timeout 90s;\n',
        id="braces-in-quotes-and-escapes",
    ),
    pytest.param(
        "location ~ ^/a\\.b {\n}\n",
        1,
        "location",
        ["~", "^/a b\\.c"],
        'location ~ "^/a b\\.c" {\n}\n',
        id="regex-backslash-kept-in-quotes",
    ),
]


@pytest.mark.parametrize(("before", "line", "name", "args", "after"), SET_CASES)
def test_set_args(before: str, line: int, name: str, args: list[str], after: str) -> None:
    assert apply(before, set_args(before, line, name, args)) == after


def test_set_args_span_covers_the_arguments_only() -> None:
    text = "    keepalive_timeout  75s 60s ;  # keep\n"
    span = set_args(text, 1, "keepalive_timeout", ["10s"])
    assert text[span.start : span.end] == "75s 60s"
    assert span.replacement == "10s"


SET_REFUSALS = [
    pytest.param("proxy_read_timeout 60s;\n", 2, "proxy_read_timeout", "line 2", id="wrong-line"),
    pytest.param("proxy_send_timeout 60s;\n", 1, "proxy_read_timeout", "no", id="wrong-name"),
    pytest.param(
        "proxy_read_timeout\n60s;\n", 2, "proxy_read_timeout", "line 1 does", id="name-elsewhere"
    ),
    pytest.param("# proxy_read_timeout 60s;\n", 1, "proxy_read_timeout", "no", id="commented"),
    pytest.param(
        'x "proxy_read_timeout 60s";\n', 1, "proxy_read_timeout", "no", id="inside-a-string"
    ),
    pytest.param("a 1 # c\n 2;\n", 1, "a", "comment", id="comment-among-args-count-changes"),
    pytest.param("http {\n a 1;\n", 2, "a", "not closed", id="unclosed-block"),
    pytest.param("a 1;\n}\n", 1, "a", "unexpected", id="stray-brace"),
    pytest.param("a 1", 1, "a", "ends inside", id="no-semicolon"),
    pytest.param("content_by_lua_block {\n}\n", 1, "content_by_lua_block", "Lua", id="lua"),
]


@pytest.mark.parametrize(("text", "line", "name", "reason"), SET_REFUSALS)
def test_set_args_refuses(text: str, line: int, name: str, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        set_args(text, line, name, ["2"])


def test_set_args_refuses_an_argument_nginx_cannot_read() -> None:
    with pytest.raises(EditError, match="one nginx argument"):
        set_args("root /a;\n", 1, "root", ["/a\\"])


# --- add_directive ---------------------------------------------------------------------------

ADD_CASES = [
    pytest.param(
        NESTED,
        4,
        "location",
        "proxy_http_version",
        ["1.1"],
        NESTED.replace(
            "            proxy_read_timeout 60s;\n",
            "            proxy_read_timeout 60s;\n            proxy_http_version 1.1;\n",
        ),
        id="nested-location",
    ),
    pytest.param(
        NESTED,
        2,
        "server",
        "client_max_body_size",
        ["10m"],
        NESTED.replace(
            "        }\n    }\n", "        }\n        client_max_body_size 10m;\n    }\n"
        ),
        id="server-skips-nested-location",
    ),
    pytest.param(
        "http {\n\tserver {\n\t\tlisten 80;\n\t}\n}\n",
        2,
        "server",
        "a",
        ["1"],
        "http {\n\tserver {\n\t\tlisten 80;\n\t\ta 1;\n\t}\n}\n",
        id="tabs-from-last-statement",
    ),
    pytest.param(
        "http {\n\tserver {\n\t}\n}\n",
        2,
        "server",
        "a",
        ["1"],
        "http {\n\tserver {\n\t\ta 1;\n\t}\n}\n",
        id="tabs-empty-block",
    ),
    pytest.param(
        "http {\r\n    server {\r\n        listen 80;\r\n    }\r\n}\r\n",
        2,
        "server",
        "a",
        ["1"],
        "http {\r\n    server {\r\n        listen 80;\r\n        a 1;\r\n    }\r\n}\r\n",
        id="crlf",
    ),
    pytest.param(
        "server {\r    listen 80;\r}\r",
        1,
        "server",
        "a",
        ["1"],
        "server {\r    listen 80;\r    a 1;\r}\r",
        id="lone-cr",
    ),
    pytest.param(
        "location / {\n}\n",
        1,
        "location",
        "proxy_buffering",
        ["off"],
        "location / {\n    proxy_buffering off;\n}\n",
        id="empty-block",
    ),
    pytest.param(
        "server {\n  location / {\n  }\n}\n",
        2,
        "location",
        "a",
        ["1"],
        "server {\n  location / {\n      a 1;\n  }\n}\n",
        id="empty-block-indented",
    ),
    pytest.param(
        "location / { proxy_pass http://a; }\n",
        1,
        "location",
        "proxy_http_version",
        ["1.1"],
        "location / { proxy_pass http://a; proxy_http_version 1.1; }\n",
        id="one-line-block",
    ),
    pytest.param(
        "location / {}\n", 1, "location", "a", ["1"], "location / { a 1; }\n", id="braces-touch"
    ),
    pytest.param(
        "location / {\n    proxy_pass http://a; }\n",
        1,
        "location",
        "a",
        ["1"],
        "location / {\n    proxy_pass http://a; a 1; }\n",
        id="brace-after-last-statement",
    ),
    pytest.param(
        "upstream app {\n    server 10.0.0.1:8000;\n}\n",
        1,
        "upstream",
        "keepalive",
        ["32"],
        "upstream app {\n    server 10.0.0.1:8000;\n    keepalive 32;\n}\n",
        id="upstream",
    ),
    pytest.param(
        'location / {\n    if ($request_method = "POST") {\n        return 405;\n    }\n}\n',
        2,
        "if",
        "add_header",
        ["Allow", "GET, HEAD"],
        'location / {\n    if ($request_method = "POST") {\n        return 405;\n'
        '        add_header Allow "GET, HEAD";\n    }\n}\n',
        id="if-block",
    ),
    pytest.param(
        'server {\n    location / {\n        return 200 "}";  # }\n        x \\};\n    }\n'
        "    # a comment }\n}\n",
        1,
        "server",
        "a",
        ["1"],
        'server {\n    location / {\n        return 200 "}";  # }\n        x \\};\n    }\n'
        "    # a comment }\n    a 1;\n}\n",
        id="braces-in-strings-comments-escapes",
    ),
    pytest.param(
        "server {\n    content_by_lua_block {\n        local t = { a = '}' }\n    }\n}\n",
        1,
        "server",
        "a",
        ["1"],
        "server {\n    content_by_lua_block {\n        local t = { a = '}' }\n    }\n    a 1;\n}\n",
        id="lua-block-skipped",
    ),
    pytest.param(
        "http {\n    server {\n        listen 80; }\n    server {\n        listen 81;\n    }\n}\n",
        1,
        "http",
        "a",
        ["1"],
        "http {\n    server {\n        listen 80; }\n    server {\n        listen 81;\n    }\n"
        "    a 1;\n}\n",
        id="last-child-indentation",
    ),
    pytest.param(
        "location / {\n}\n",
        1,
        "location",
        "gzip_static",
        [],
        "location / {\n    gzip_static;\n}\n",
        id="no-args",
    ),
    pytest.param(
        "server { listen 80;\n}\n",
        1,
        "server",
        "a",
        ["1"],
        "server { listen 80;\n    a 1;\n}\n",
        id="child-on-block-line",
    ),
    pytest.param(
        "location /a { } location /b {\n}\n",
        1,
        "location",
        "a",
        ["1"],
        "location /a { a 1; } location /b {\n}\n",
        id="first-block-on-the-line",
    ),
]


@pytest.mark.parametrize(("before", "line", "block", "name", "args", "after"), ADD_CASES)
def test_add_directive(
    before: str, line: int, block: str, name: str, args: list[str], after: str
) -> None:
    assert apply(before, add_directive(before, line, block, name, args)) == after


ADD_REFUSALS = [
    pytest.param("location / {\n}\n", 2, "location", "a", "line 2", id="wrong-line"),
    pytest.param("location / {\n}\n", 1, "server", "a", "no server", id="wrong-block-name"),
    pytest.param("proxy_pass http://a;\n", 1, "proxy_pass", "a", "no {", id="no-brace"),
    pytest.param(
        "content_by_lua_block {\n}\n", 1, "content_by_lua_block", "a", "Lua block", id="lua"
    ),
    pytest.param("location / {\n}\n", 1, "location", "a b", "not a directive", id="bad-name"),
    pytest.param("location / {\n", 1, "location", "a", "not closed", id="unclosed"),
]


@pytest.mark.parametrize(("text", "line", "block", "name", "reason"), ADD_REFUSALS)
def test_add_directive_refuses(text: str, line: int, block: str, name: str, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        add_directive(text, line, block, name, ["1"])


# --- remove_directive ------------------------------------------------------------------------

REMOVE_CASES = [
    pytest.param(
        NESTED,
        6,
        "proxy_read_timeout",
        NESTED.replace("            proxy_read_timeout 60s;\n", ""),
        id="alone-on-its-line",
    ),
    pytest.param(
        "http {\r\n    a 1;\r\n    b 2;\r\n}\r\n", 2, "a", "http {\r\n    b 2;\r\n}\r\n", id="crlf"
    ),
    pytest.param(
        "http {\n    a 1;   \n}\n", 2, "a", "http {\n}\n", id="trailing-blanks-go-with-it"
    ),
    pytest.param(
        NESTED,
        5,
        "proxy_pass",
        NESTED.replace("proxy_pass http://app;  # the app", "# the app"),
        id="trailing-comment-kept",
    ),
    pytest.param("    a 1; b 2;\n", 1, "b", "    a 1;\n", id="second-on-line"),
    pytest.param("    a 1;  b 2;\n", 1, "a", "    b 2;\n", id="first-on-line-keeps-indent"),
    pytest.param(
        "x;\nlog_format main 'a'\n    'b';\ny;\n", 2, "log_format", "x;\ny;\n", id="multi-line"
    ),
    pytest.param("x;\na 1;", 2, "a", "x;\n", id="last-line-without-newline"),
    pytest.param(
        "server {\n    location / {\n        a 1;\n    }\n    b 2;\n}\n",
        2,
        "location",
        "server {\n    b 2;\n}\n",
        id="a-block",
    ),
    pytest.param("location / { a 1; }\n", 1, "a", "location / { }\n", id="one-line-block"),
]


@pytest.mark.parametrize(("before", "line", "name", "after"), REMOVE_CASES)
def test_remove_directive(before: str, line: int, name: str, after: str) -> None:
    assert apply(before, remove_directive(before, line, name)) == after


@pytest.mark.parametrize(
    ("text", "line", "name"),
    [
        pytest.param("a 1;\n", 2, "a", id="wrong-line"),
        pytest.param("a 1;\n", 1, "b", id="wrong-name"),
        pytest.param("# a 1;\n", 1, "a", id="commented"),
    ],
)
def test_remove_directive_refuses(text: str, line: int, name: str) -> None:
    with pytest.raises(EditError, match=f"no {name} statement"):
        remove_directive(text, line, name)


# --- quote_arg -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arg", "written"),
    [
        ("60s", "60s"),
        ("http://app:8000/x?a=1&b=2", "http://app:8000/x?a=1&b=2"),
        ("$host$request_uri", "$host$request_uri"),
        ("^/a\\.b$", "^/a\\.b$"),
        ("a#b", "a#b"),
        ("a\\\\", "a\\\\"),
        ("", '""'),
        ("a b", '"a b"'),
        ("a\tb", '"a\tb"'),
        ("a;b", '"a;b"'),
        ("{a}", '"{a}"'),
        ("a}", '"a}"'),
        ("#a", '"#a"'),
        ("it's", '"it\'s"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("${x}", '"${x}"'),
        ("a b\\d", '"a b\\d"'),
        ('a\\"b', "'a\\\"b'"),
        ("a\xa0b", '"a\xa0b"'),
    ],
)
def test_quote_arg(arg: str, written: str) -> None:
    assert quote_arg(arg) == written
    tokens = list(lex("x.conf", f"x {written};\n"))
    assert tokens[1][0] == arg
    assert [t[0] for t in tokens[2:]] == [";"]


@pytest.mark.parametrize("arg", ["a\\", "a b\\", "\\", "a\\\"b\\'c"])
def test_quote_arg_refuses(arg: str) -> None:
    with pytest.raises(EditError, match="one nginx argument"):
        quote_arg(arg)


# --- the lexer against gwlint's --------------------------------------------------------------


def gwlint_tokens(text: str) -> list[tuple[str, int, bool]]:
    """gwlint's tokens (crossplane's) of a text read with universal newlines, up to a syntax
    error."""
    out: list[tuple[str, int, bool]] = []
    with contextlib.suppress(Exception):
        out.extend(lex("x.conf", text.replace("\r\n", "\n").replace("\r", "\n")))
    return out


def own_tokens(text: str) -> list[tuple[str, int, bool]]:
    """nginx_text's tokens in gwlint's form (a Lua block is its body and a ";")."""
    out: list[tuple[str, int, bool]] = []
    for token in nginx_text._tokens(text):
        out.append((token.value, token.line, token.kind in ("quoted", "lua")))
        if token.kind == "lua":
            out.append((";", token.line, False))
    return out


def assert_lexes_alike(text: str) -> None:
    theirs = gwlint_tokens(text)
    mine = own_tokens(text)
    assert mine[: len(theirs)] == theirs
    # tokens beyond gwlint's only where gwlint stopped at a syntax error (a "}" too many)
    if len(mine) > len(theirs):
        with pytest.raises(Exception):  # noqa: B017, PT011 - any syntax error
            list(lex("x.conf", text.replace("\r\n", "\n").replace("\r", "\n")))


# the lexer's own generated fragments, with the ones that matter to positions: CRLF inside an
# escape, another Lua block, dashes
FRAGMENTS = [*LEXER_FRAGMENTS, "\\\r\n", "set_by_lua_block", "--", "-"]


@settings(max_examples=600, deadline=None)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_generated_text_lexes_as_gwlint_does(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        assert_lexes_alike(text)
    except EditError:
        # only a Lua block without its "{", which gwlint refuses too
        with pytest.raises(Exception):  # noqa: B017, PT011
            list(lex("x.conf", text.replace("\r\n", "\n").replace("\r", "\n")))


@pytest.mark.parametrize(
    "text",
    [
        "a 1;\n",
        "a # c\\\nb;\n",
        "\\\nword;\n",
        "set $x ${a} b;\n",
        "set $x a${a b}c;\n",
        'content_by_lua_block { a = "}" -- }\n }\nfoo 1;\n',
        "set_by_lua_block $x\n{ return 1 }\nb;\n",
        "a 'x\\'y' \"p\\\"q\";\r\nb\r;\r",
        'x "a"b;\n',
    ],
)
def test_tricky_text_lexes_as_gwlint_does(text: str) -> None:
    assert_lexes_alike(text)


def test_every_fixture_lexes_as_gwlint_does() -> None:
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    assert len(files) > 100
    for path in files:
        assert_lexes_alike(path.read_bytes().decode("utf-8", errors="replace"))


# --- every edit on the corpus, read back by gwlint -------------------------------------------


@dataclass
class Stmt:
    name: str
    line: int
    args: list[str]
    children: list[Stmt] | None = None  # a block's


def parse(tokens: list[tuple[str, int, bool]]) -> list[Stmt]:
    """gwlint's tokens as statements (every one, in order); ValueError when they are not."""
    every: list[Stmt] = []

    def block(position: int, into: list[Stmt], depth: int) -> int:
        while position < len(tokens):
            value, line, quoted = tokens[position]
            if not quoted and value.startswith("#"):
                position += 1
                continue
            if not quoted and value == "}":
                if depth == 0:
                    raise ValueError("stray }")
                return position + 1
            if not quoted and value in ("{", ";"):
                raise ValueError(value)
            stmt = Stmt(value, line, [])
            every.append(stmt)
            into.append(stmt)
            position += 1
            while True:
                if position >= len(tokens):
                    raise ValueError("end")
                value, _line, quoted = tokens[position]
                position += 1
                if quoted or value not in ("{", ";", "}"):
                    if quoted or not value.startswith("#"):
                        stmt.args.append(value)
                    continue
                if value == "}":
                    raise ValueError("}")
                break
            if value == "{":
                stmt.children = []
                position = block(position, stmt.children, depth + 1)
        if depth:
            raise ValueError("unclosed")
        return position

    block(0, [], 0)
    return every


def find(stmts: list[Stmt], line: int, name: str) -> Stmt:
    return next(s for s in stmts if s.line == line and s.name == name)


def universal(text: str) -> str:
    """The text as gwlint reads a file: universal newlines."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def nginx_configs(root: Path) -> Iterator[tuple[Path, str, list[tuple[str, int, bool]]]]:
    """Every .conf under ``root`` that gwlint reads as nginx statements (not supervisord's)."""
    for path in sorted(root.rglob("*.conf")):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        if "${" in raw:
            continue  # crossplane's parameter expansion, not nginx's
        try:
            tokens = list(lex(str(path), universal(raw)))
            parse(tokens)
        except Exception:
            continue
        if tokens:
            yield path, raw, tokens


def check_edits_read_back(root: Path) -> dict[str, int]:
    """On every nginx config under ``root``, for its first statements and blocks: set_args,
    add_directive and remove_directive applied, the result read back by gwlint."""
    checked = {"set": 0, "add": 0, "remove": 0}
    refused: list[str] = []
    for path, text, tokens in nginx_configs(root):
        assert_lexes_alike(text)
        stmts = parse(tokens)
        with_args = [s for s in stmts if s.args and not s.name.endswith("_by_lua_block")][:4]
        for stmt in with_args:
            try:
                span = set_args(text, stmt.line, stmt.name, ["1"])
            except EditError as error:
                refused.append(str(error))
                continue
            after = list(lex("x.conf", universal(apply(text, span))))
            assert find(parse(after), stmt.line, stmt.name).args == ["1"], (path, stmt)
            assert len(after) == len(tokens) - len(stmt.args) + 1, (path, stmt)
            # the same args again: the text does not change (quotes and blanks kept)
            same = set_args(text, stmt.line, stmt.name, stmt.args)
            assert apply(text, same) == text, (path, stmt)
            checked["set"] += 1
        blocks = [s for s in stmts if s.children is not None and not s.name.endswith("_block")]
        for stmt in blocks[:3]:
            span = add_directive(text, stmt.line, stmt.name, "gw_probe", ["1"])
            after = list(lex("x.conf", universal(apply(text, span))))
            assert len(after) == len(tokens) + 3
            block = find(parse(after), stmt.line, stmt.name)
            assert block.children is not None
            assert stmt.children is not None
            names = [c.name for c in block.children]
            assert names == [c.name for c in stmt.children] + ["gw_probe"], path
            assert block.children[-1].args == ["1"]
            checked["add"] += 1
        for stmt in stmts[:3]:
            span = remove_directive(text, stmt.line, stmt.name)
            after_stmts = parse(list(lex("x.conf", universal(apply(text, span)))))
            assert len(after_stmts) == len(stmts) - 1 - len(inner(stmt)), (path, stmt)
            checked["remove"] += 1
    # refused only where a comment sits among arguments whose number changes
    assert all("comment" in reason for reason in refused), refused
    return checked


def test_fixture_edits_read_back() -> None:
    checked = check_edits_read_back(FIXTURES)
    assert all(count > 20 for count in checked.values()), checked


@pytest.mark.corpus
def test_corpus_edits_read_back() -> None:
    checked = check_edits_read_back(corpus_or_skip())
    assert all(count > 100 for count in checked.values()), checked


def inner(stmt: Stmt) -> list[Stmt]:
    """The statements inside a block statement, at every depth."""
    out: list[Stmt] = []
    for child in stmt.children or []:
        out.append(child)
        out.extend(inner(child))
    return out
