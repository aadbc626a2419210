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
