"""gwlint's nginx lexer yields exactly crossplane's tokens and syntax errors, at regex speed.

``gwlint.loaders.nginx.lex`` (loaders/nginx_lexer.py) replaces ``crossplane.lexer.lex`` (a
character-at-a-time generator, most of the time of a large config): every difference would
change what gwlint reads. Compared on generated text full of what lexers get wrong (quotes,
escapes, comments, braces, blanks of every kind, invalid UTF-8, carriage returns, input cut
anywhere), on every fixture, and on every file of the corpus.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from crossplane.errors import NgxParserSyntaxError
from crossplane.lexer import lex as crossplane_lex
from hypothesis import given, settings
from hypothesis import strategies as st

from gwlint.loaders import nginx_lexer
from gwlint.loaders.nginx import lex as gwlint_lex
from tests.conftest import FIXTURES, corpus_or_skip

Lexer = Callable[[str], Iterator[tuple[str, int, bool]]]


def tokens(lexer: Lexer, path: str) -> list[Any]:
    """Every token, then the syntax error (or other exception) that ended the lexing."""
    out: list[Any] = []
    try:
        out.extend(lexer(path))
    except NgxParserSyntaxError as exc:
        out.append(("syntax error", exc.strerror, exc.lineno))
    except Exception as exc:  # the kind of failure must match too
        out.append(("exception", type(exc).__name__))
    return out


def assert_same(path: str) -> None:
    expected = tokens(crossplane_lex, path)
    assert tokens(gwlint_lex, path) == expected, Path(path).read_bytes()[:2000]


FRAGMENTS = [
    "a",
    "server",
    "proxy_pass",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\xa0",
    "\u2028",
    "\u3000",
    "{",
    "}",
    ";",
    "#",
    "# comment",
    '"',
    "'",
    '"quoted value"',
    "'single'",
    "\\",
    "\\\\",
    '\\"',
    "\\'",
    "\\\n",
    "\\{",
    "\\;",
    "\\ ",
    "$",
    "$var",
    "${",  # crossplane's own lexer takes over
    "content_by_lua_block",  # likewise (its Lua extension)
    "é",
    "😀",
]


@settings(max_examples=400, deadline=None)
@given(
    parts=st.lists(st.sampled_from(FRAGMENTS), max_size=40),
    raw=st.binary(max_size=12),
    cut=st.integers(min_value=0, max_value=400),
)
def test_generated_text_lexes_alike(parts: list[str], raw: bytes, cut: int) -> None:
    data = "".join(parts).encode("utf-8")
    data = (data[:cut] + raw + data[cut:]).replace(b"\x00", b"")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "nginx.conf")
        with open(path, "wb") as handle:
            handle.write(data)
        assert_same(path)


def test_a_missing_file_fails_alike(tmp_path: Path) -> None:
    assert_same(str(tmp_path / "missing.conf"))
    assert tokens(gwlint_lex, str(tmp_path / "missing.conf")) == [
        ("exception", "FileNotFoundError")
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("http { server { }", ('unexpected end of file, expecting "}"', 1)),
        ("a;\n}\nb;\n", ('unexpected "}"', 2)),
        ('x "}";\n', None),
        ("x \\};\n", None),
    ],
)
def test_brace_errors(tmp_path: Path, text: str, error: tuple[str, int] | None) -> None:
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    assert_same(str(path))
    last = tokens(gwlint_lex, str(path))[-1]
    assert (last[1:] if last[0] == "syntax error" else None) == error


def test_every_fixture_lexes_alike() -> None:
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    assert len(files) > 100
    for path in files:
        assert_same(str(path))


@pytest.mark.corpus
def test_every_corpus_file_lexes_alike() -> None:
    corpus = corpus_or_skip()
    files = [p for p in corpus.rglob("*") if p.is_file() and p.stat().st_size < 4_000_000]
    assert files
    for path in files:
        assert_same(str(path))


# --- the scans over a file's tokens that skip ahead (``list.index``, the lexer's matched
# blocks) find what a pass over every token finds


def include_args_reference(stream: list[tuple[str, int, bool]]) -> list[tuple[str, int]]:
    """``include`` arguments, token by token: a statement starts after ``;`` ``{`` ``}``."""
    out: list[tuple[str, int]] = []
    at_start, previous_include = True, False
    for token, line, quoted in stream:
        if previous_include:
            previous_include = False
            out.append((token, line))
        if not quoted and token in (";", "{", "}"):
            at_start = True
            continue
        if not quoted and token.startswith("#"):
            continue
        if at_start and token == "include" and not quoted:
            previous_include = True
        at_start = False
    return out


def assert_scans_alike(path: str) -> None:
    from gwlint.loaders import nginx as loader

    lexed = loader._lex(path)
    stream = list(lexed.tokens)
    reference = nginx_lexer.Tokens()
    for token in stream:
        reference.append(token)  # no matched blocks: the token-by-token scan
    assert reference.blocks is None
    top = list(loader._top_level_statements(lexed.tokens))
    assert top == list(loader._top_level_statements(reference)), Path(path).read_bytes()[:2000]
    assert list(loader._include_args(lexed.tokens)) == include_args_reference(stream)


# (not the Lua block name: crossplane's Lua lexer raises its own error there, outside this test)
INCLUDE_FRAGMENTS = [
    *(part for part in FRAGMENTS if part != "content_by_lua_block"),
    "include",
    "include ",
    "include x;",
    "events",
    "http",
]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(INCLUDE_FRAGMENTS), max_size=40))
def test_generated_text_scans_alike(parts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "nginx.conf")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("".join(parts))
        assert_scans_alike(path)


def test_every_fixture_scans_alike() -> None:
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    for path in files:
        assert_scans_alike(str(path))


@pytest.mark.parametrize(
    "text",
    [
        "http { a }\nb;\n",
        "a { b { c } d } e;\nf { g }",
        "x { include a; } include b;",
        "include x; # c\ninclude y;",
        '"include" a; include\n"b";',
        "# include a;\ninclude b;",
        "a b # c\n{ d } include e;",
        "events {}\nhttp { server { } }\nworker_processes 2;",
    ],
)
def test_written_text_scans_alike(tmp_path: Path, text: str) -> None:
    path = tmp_path / "nginx.conf"
    path.write_text(text)
    assert_scans_alike(str(path))
