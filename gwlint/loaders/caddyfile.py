"""Caddyfile text -> server blocks, read the way Caddy's ``caddyconfig/caddyfile`` package reads it.

A port of Caddy's lexer, dispenser and parser (``lexer.go``, ``dispenser.go``, ``parse.go``,
``importargs.go``, ``importgraph.go`` of Caddy v2.10.0), with every quirk kept, so that a token,
its line and the way it groups are the ones Caddy sees:

- ``{$VAR}`` / ``{$VAR:default}`` are replaced in the raw text of each file before it is split
  into tokens (``parse.go:63-111``); the caller decides what an unset variable becomes
  (``replace_env``).
- Tokens are separated by Unicode white space; ``"..."`` (only ``\\"`` is an escape inside) and
  ```...``` (nothing is) quote; ``#`` starts a comment only at the start of a token; a ``\\`` before
  the end of a line joins the next line to it; ``<<MARKER`` opens a heredoc (Caddy 2.7 and later)
  whose closing marker's indentation is stripped from every line (``lexer.go:107-341``).
- A server block is its keys (site addresses, ``(snippet)``, ``&(named route)``) and its
  segments: a segment is one directive with its arguments and the block it opens
  (``parse.go:642-687``).
- ``import`` splices a snippet's tokens or a file's (a glob with one wildcard at most) in place,
  with ``{args[N]}``, ``{args[a:b]}`` (2.7+), ``{args.N}``, ``{block}`` and ``{blocks.name}``
  (2.9+) replaced, and a cycle of imports refused (``parse.go:356-634``).

Whether two tokens are on one line follows Caddy 2.7+ (``lexer.go:376-399``: tokens imported
by different ``import`` lines are never on one line); Caddy 2.6 compared file and line only,
which differs only for a line that mixes imported and written tokens.

Files are never opened here: the caller's ``importer`` finds, checks and tokenizes what an
``import`` names (``gwlint.loaders.caddy``). The work is bounded: ``MAX_TOKENS`` tokens after
every import is spliced in, ``MAX_IMPORTS`` imports; past either the Caddyfile is refused with
a located error rather than read for minutes (snippets importing snippets grow exponentially).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

MAX_TOKENS = 200_000
MAX_IMPORTS = 5_000
# Go's unicode.IsSpace: Latin-1 spaces and the Unicode White_Space characters
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_HEREDOC_MARKER = re.compile(r"[A-Za-z0-9_-]+")
_ATOI = re.compile(r"[+-]?[0-9]{1,19}")  # past 19 digits Atoi fails (out of range): no index
_ARGS_DEPRECATED = re.compile(r"args\.(.+)")
_ARGS_INDEX = re.compile(r"args\[(.+)]")


class CaddyfileError(Exception):
    """What Caddy refuses, with the file and line it names."""

    def __init__(self, message: str, path: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    path: str  # the file as gwlint names it (imports: joined to the importing file's folder)
    line: int
    quote: str = ""  # '"', '`', '<' (a heredoc), or "" when not quoted
    imports: tuple[str, ...] = ()  # the import lines that brought it here, outermost last
    snippet: str = ""  # the snippet it was defined in


@dataclass(frozen=True, slots=True)
class Versioned:
    """The syntax of the Caddy release read (each switch names the release it came with)."""

    heredocs: bool = True  # 2.7: <<MARKER heredocs (lexer.go)
    named_routes: bool = True  # 2.7: &(name) blocks (parse.go:162-179)
    args_index: bool = True  # 2.7: {args[N]} and {args[a:b]} (importargs.go)
    import_blocks: bool = True  # 2.9: import NAME { ... } with {block} / {blocks.x}
    brace_on_new_line: bool = True  # 2.7: a '{' alone on a line is refused (parse.go:655-657)

    @classmethod
    def of(cls, version: tuple[int, int, int]) -> Versioned:
        return cls(
            heredocs=version >= (2, 7, 0),
            named_routes=version >= (2, 7, 0),
            args_index=version >= (2, 7, 0),
            import_blocks=version >= (2, 9, 0),
            brace_on_new_line=version >= (2, 7, 0),
        )


# --- environment placeholders --------------------------------------------------------------


def replace_env(text: str, lookup: Callable[[str, str | None], str]) -> str:
    """``{$NAME}`` and ``{$NAME:default}`` replaced by ``lookup(NAME, default or None)``, as
    Caddy's ``replaceEnvVars`` does (parse.go:67-111 at v2.10.0): left to right, the text put
    in is not searched again, ``{$}`` stays, the default is what follows the first ``:``."""
    out: list[str] = []
    offset = 0
    while True:
        begin = text.find("{$", offset)
        if begin < 0:
            break
        end = text.find("}", begin + 2)
        if end < 0:
            break
        inner = text[begin + 2 : end]
        if not inner:
            out.append(text[offset : end + 1])
            offset = end + 1
            continue
        name, sep, default = inner.partition(":")
        out.append(text[offset:begin])
        out.append(lookup(name, default if sep else None))
        offset = end + 1
    out.append(text[offset:])
    return "".join(out)


# --- lexer ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``#`` comment: its line, column, text after the ``#``, and whether it is alone on its
    line (for ``# gwlint: ignore[...]`` suppressions)."""

    line: int
    column: int
    text: str
    own_line: bool


def tokenize(
    text: str,
    path: str,
    *,
    heredocs: bool = True,
    limit: int = MAX_TOKENS,
    comments: list[Comment] | None = None,
) -> list[Token]:
    """The tokens of one file, as ``caddyfile.Tokenize`` (lexer.go:56-295 at v2.10.0); more
    than ``limit`` of them is refused (a located error) before the rest is read. The comments
    go to ``comments`` when it is given."""
    tokens: list[Token] = []
    n = len(text)
    i = 1 if text.startswith("\ufeff") else 0  # a byte order mark is dropped (lexer.go:82-92)
    line = 1
    skipped = 0
    while True:
        val: list[str] = []
        comment = quoted = backquoted = in_heredoc = heredoc_escaped = escaped = False
        marker = ""
        start = line
        made: Token | None = None
        while True:
            if i >= n:
                if val:
                    if in_heredoc:
                        raise CaddyfileError(
                            f"incomplete heredoc <<{marker} opened on line {start}: no ending "
                            f"marker {marker} before the end of the file",
                            path,
                            start,
                        )
                    made = Token("".join(val), path, start)
                break
            ch = text[i]
            i += 1
            if (
                heredocs
                and not (quoted or backquoted)
                and not (in_heredoc or heredoc_escaped)
                and len(val) > 1
                and val[0] == "<"
                and val[1] == "<"
            ):
                if ch == " ":
                    made = Token("".join(val), path, start)
                    break
                if ch == "\r":
                    continue
                if ch == "\n":
                    if len(val) == 2:
                        raise CaddyfileError(
                            f"missing opening heredoc marker on line #{line}; must contain only "
                            "alpha-numeric characters, dashes and underscores; got empty string",
                            path,
                            line,
                        )
                    if val[2] == "<":
                        raise CaddyfileError(
                            f"too many '<' for heredoc on line #{line}; only use two, for "
                            "example <<END",
                            path,
                            line,
                        )
                    marker = "".join(val[2:])
                    if not _HEREDOC_MARKER.fullmatch(marker):
                        raise CaddyfileError(
                            f"heredoc marker on line #{line} must contain only alpha-numeric "
                            f"characters, dashes and underscores; got '{marker}'",
                            path,
                            line,
                        )
                    in_heredoc = True
                    skipped += 1
                    val = []
                    continue
                val.append(ch)
                continue
            if in_heredoc:
                val.append(ch)
                if ch == "\n":
                    skipped += 1
                if len(val) >= len(marker) and "".join(val[-len(marker) :]) == marker:
                    body = _finalize_heredoc("".join(val), marker, path, line)
                    line += skipped
                    skipped = 0
                    made = Token(body, path, start, "<")
                    break
                continue
            if not escaped and not backquoted and ch == "\\":
                escaped = True
                continue
            if quoted or backquoted:
                if quoted and escaped:
                    if ch != '"':  # inside quotes only a quote is escaped
                        val.append("\\")
                    escaped = False
                elif (quoted and ch == '"') or (backquoted and ch == "`"):
                    made = Token("".join(val), path, start, ch)
                    break
                if ch == "\n":
                    line += 1 + skipped
                    skipped = 0
                val.append(ch)
                continue
            if ch in _GO_SPACE:
                if ch == "\r":
                    continue
                if ch == "\n":
                    if escaped:  # a line continuation
                        skipped += 1
                        escaped = False
                    else:
                        line += 1 + skipped
                        skipped = 0
                    comment = False
                if val:
                    made = Token("".join(val), path, start)
                    break
                continue
            if ch == "#" and not val:
                comment = True
                if comments is not None:
                    comments.append(_comment(text, i - 1, line + skipped))
            if comment:
                continue
            if not val:
                start = line
                if ch == '"':
                    quoted = True
                    continue
                if ch == "`":
                    backquoted = True
                    continue
            if escaped:
                if heredocs and ch == "<":
                    heredoc_escaped = True  # \<<X is not a heredoc
                else:
                    val.append("\\")
                escaped = False
            val.append(ch)
        if made is None:
            return tokens
        if len(tokens) >= limit:
            raise CaddyfileError(
                f"more than {limit} tokens: gwlint stops reading this Caddyfile", path, made.line
            )
        tokens.append(made)


def _comment(text: str, at: int, line: int) -> Comment:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    body = text[at + 1 : end if end >= 0 else len(text)].rstrip("\r")
    return Comment(line, at - start + 1, body, not text[start:at].strip())


def _finalize_heredoc(value: str, marker: str, path: str, line: int) -> str:
    """lexer.go:300-341: the closing marker's indentation is stripped from every line."""
    last_newline = value.rfind("\n")
    lines = value[: last_newline + 1].split("\n")
    padding = value[last_newline + 1 : len(value) - len(marker)]
    out: list[str] = []
    for number, text in enumerate(lines[:-1]):
        if text in ("", "\r"):
            out.append("\n")
            continue
        if not text.startswith(padding):
            raise CaddyfileError(
                f"mismatched leading whitespace in heredoc <<{marker} on line #{line + number + 1} "
                f"[{text}], expected whitespace [{padding}] to match the closing marker",
                path,
                line + number + 1,
            )
        out.append((text[len(padding) :] + "\n").replace("\r", ""))
    joined = "".join(out)
    return joined[:-1] if joined.endswith("\n") else joined


def line_breaks(token: Token) -> int:
    """lexer.go:350-359."""
    count = token.text.count("\n")
    return count + 2 if token.quote == "<" else count


def next_on_new_line(first: Token, second: Token) -> bool:
    """lexer.go:376-399: another file or another import chain is another line."""
    if first.path != second.path or first.imports != second.imports:
        return True
    return first.line + line_breaks(first) < second.line


# --- dispenser -----------------------------------------------------------------------------


class Dispenser:
    """dispenser.go at v2.10.0: a cursor over tokens that knows lines and blocks."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.cursor = -1
        self.nesting = 0

    def next(self) -> bool:
        if self.cursor < len(self.tokens) - 1:
            self.cursor += 1
            return True
        return False

    def prev(self) -> bool:
        if self.cursor > -1:
            self.cursor -= 1
            return self.cursor > -1
        return False

    def next_arg(self) -> bool:
        if not self._next_on_same_line():
            return False
        if self.val() == "{":
            self.cursor -= 1  # a block opening is not an argument
            return False
        return True

    def _next_on_same_line(self) -> bool:
        if self.cursor < 0:
            self.cursor += 1
            return True
        if self.cursor >= len(self.tokens) - 1:
            return False
        if not next_on_new_line(self.tokens[self.cursor], self.tokens[self.cursor + 1]):
            self.cursor += 1
            return True
        return False

    def next_block(self, initial: int) -> bool:
        if self.nesting > initial:
            if not self.next():
                return False
            if self.val() == "}" and not self._next_on_same_line():
                self.nesting -= 1
            elif self.val() == "{" and not self._next_on_same_line():
                self.nesting += 1
            return self.nesting > initial
        if not self._next_on_same_line():  # a block opens on the same line
            return False
        if self.val() != "{":
            self.cursor -= 1
            return False
        self.next()
        if self.val() == "}":
            return False  # opened and closed at once
        self.nesting += 1
        return True

    def val(self) -> str:
        if 0 <= self.cursor < len(self.tokens):
            return self.tokens[self.cursor].text
        return ""

    def token(self) -> Token | None:
        if 0 <= self.cursor < len(self.tokens):
            return self.tokens[self.cursor]
        return None

    def remaining_args(self) -> list[str]:
        args: list[str] = []
        while self.next_arg():
            args.append(self.val())
        return args

    def remaining_tokens(self) -> list[Token]:
        """The argument tokens left on the line (``RemainingArgs`` with their places)."""
        args: list[Token] = []
        while self.next_arg():
            token = self.token()
            if token is not None:
                args.append(token)
        return args

    def next_segment(self) -> list[Token]:
        """dispenser.go NextSegment: this token, its arguments and the block it opens."""
        first = self.token()
        tokens: list[Token] = [first] if first is not None else []
        while self.next_arg():
            token = self.token()
            if token is not None:
                tokens.append(token)
        opened = False
        nesting = self.nesting
        while self.next_block(nesting):
            if not opened:
                self.prev()
                brace = self.token()
                if brace is not None:
                    tokens.append(brace)
                self.next()
                opened = True
            token = self.token()
            if token is not None:
                tokens.append(token)
        if opened:
            token = self.token()
            if token is not None:
                tokens.append(token)
        return tokens

    def is_new_line(self) -> bool:
        if self.cursor < 1:
            return True
        if self.cursor > len(self.tokens) - 1:
            return False
        return next_on_new_line(self.tokens[self.cursor - 1], self.tokens[self.cursor])

    def is_next_on_new_line(self) -> bool:
        if self.cursor < 0:
            return False
        if self.cursor >= len(self.tokens) - 1:
            return True
        return next_on_new_line(self.tokens[self.cursor], self.tokens[self.cursor + 1])

    def error(self, message: str) -> CaddyfileError:
        token = self.token() or (self.tokens[-1] if self.tokens else None)
        if token is None:
            return CaddyfileError(message, "", 1)
        return CaddyfileError(message, token.path, token.line)

    def arg_error(self) -> CaddyfileError:
        if self.val() == "{":
            return self.error("unexpected token '{', expecting argument")
        return self.error(f"wrong argument count or unexpected line ending after '{self.val()}'")


# --- parser --------------------------------------------------------------------------------


@dataclass
class ServerBlock:
    keys: list[Token] = field(default_factory=list)
    segments: list[list[Token]] = field(default_factory=list)
    has_braces: bool = False
    named_route: bool = False


# what an import of a file pattern yields: each matching file's path and tokens ([] = empty)
Importer = Callable[[str, Token], list[tuple[str, list[Token]]]]
# a file's real path, for the import graph (Caddy names files by absolute path)
Realpath = Callable[[str], str]


class _ImportGraph:
    """importgraph.go: a cycle of imports is refused."""

    def __init__(self) -> None:
        self.nodes: set[str] = set()
        self.edges: dict[str, list[str]] = {}
        self.shown: dict[str, str] = {}  # node -> its name in messages

    def add_edges(self, source: str, targets: list[str]) -> str | None:
        self.nodes.add(source)
        self.nodes.update(targets)
        for target in targets:
            if self._reaches(target, source):
                self.nodes.difference_update(targets)
                first = self.shown.get(source, source)
                second = self.shown.get(target, target)
                return f"a cycle of imports exists between {first} and {second}"
            if target not in self.edges.get(source, []):
                self.edges.setdefault(source, []).append(target)
        return None

    def _reaches(self, start: str, goal: str) -> bool:
        seen: set[str] = set()
        stack = list(self.edges.get(start, []))
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(self.edges.get(node, []))
        return goal in seen


class Parser(Dispenser):
    """parse.go at v2.10.0: server blocks from tokens, imports spliced in as they are met."""

    def __init__(
        self,
        tokens: list[Token],
        importer: Importer,
        realpath: Realpath,
        syntax: Versioned,
    ) -> None:
        super().__init__(tokens)
        self.importer = importer
        self.realpath = realpath
        self.syntax = syntax
        self.block = ServerBlock()
        self.eof = False
        self.snippets: dict[str, list[Token]] = {}
        self.graph = _ImportGraph()
        self.imports = 0
        # where each open block began, for a clearer message when a '}' is missing
        self.opened: list[Token] = []

    def parse_all(self) -> list[ServerBlock]:
        blocks: list[ServerBlock] = []
        while self.next():
            self.block = ServerBlock()
            self._begin()
            if self.block.keys or self.block.segments:
                blocks.append(self.block)
            if self.nesting > 0:
                raise self._eof_error()
        return blocks

    def _eof_error(self) -> CaddyfileError:
        if self.opened:
            brace = self.opened[-1]
            return CaddyfileError(
                f"unexpected EOF: the '{{' on line {brace.line} is never closed (a '}}' is "
                "missing)",
                brace.path,
                brace.line,
            )
        return self.error("unexpected EOF")

    def _begin(self) -> None:
        if not self.tokens:
            return
        self._addresses()
        if self.eof:
            return
        keys = self.block.keys
        if self.syntax.named_routes and len(keys) == 1:
            text = keys[0].text
            if text.startswith("&(") and text.endswith(")"):
                name_token = replace(keys[0], text=text[2:-1])
                self.block.keys = [name_token]
                self.block.named_route = True
                self.block.segments = [[name_token, *self._block_tokens(retain=True)]]
                return
        if len(keys) == 1 and keys[0].text.startswith("(") and keys[0].text.endswith(")"):
            name = keys[0].text[1:-1]
            if name in self.snippets:
                raise self.error(f"redeclaration of previously declared snippet {name}")
            self.snippets[name] = [replace(t, snippet=name) for t in self._block_tokens()]
            self.block.keys = []
            return
        self._block_contents()

    def _addresses(self) -> None:
        expecting_another = False
        while True:
            value = self.val()
            token = self.token()
            if value.startswith("@"):
                raise self.error(
                    "request matchers may not be defined globally, they must be in a site "
                    f"block; found {value}"
                )
            if value == "import" and self.is_new_line():
                self._import(0)
                continue
            if value == "{":
                if expecting_another:
                    raise self.error(
                        f"Expected another address but had '{value}' - check for extra comma"
                    )
                self.block.has_braces = True
                break
            if value.endswith("{"):
                raise self.error(
                    f"Site addresses cannot end with a curly brace: '{value}' - put a space "
                    "between the token and the brace"
                )
            if value:
                if value.endswith(","):
                    value = value[:-1]
                    expecting_another = True
                else:
                    expecting_another = False
                if "," in value:
                    raise self.error(
                        f"Site addresses cannot contain a comma ',': '{value}' - put a space "
                        "after the comma to separate site addresses"
                    )
                if value and token is not None:
                    self.block.keys.append(replace(token, text=value))
            has_next = self.next()
            if expecting_another and not has_next:
                raise self.error("unexpected EOF")
            if not has_next:
                self.eof = True
                break
            if not expecting_another and self.is_new_line():
                break

    def _block_contents(self) -> None:
        braced = self.val() == "{"
        if braced:
            brace = self.token()
            if brace is not None:
                self.opened.append(brace)
        else:
            self.cursor -= 1  # one site without braces
        self._directives()
        if braced:
            if self.val() != "}":
                raise (
                    self._eof_error()
                    if self.cursor >= len(self.tokens) - 1
                    else self.error(
                        f"syntax error: unexpected token '{self.val()}', expecting '}}'"
                    )
                )
            self.opened.pop()

    def _directives(self) -> None:
        while self.next():
            if self.val() == "}":
                break
            if self.val() == "import":
                self._import(1)
                self.cursor -= 1
                continue
            self._directive()

    def _directive(self) -> None:
        first = self.token()
        segment: list[Token] = [first] if first is not None else []
        while self.next():
            value = self.val()
            token = self.token()
            if value == "{":
                self.nesting += 1
                if token is not None:
                    self.opened.append(token)
                if not self.is_next_on_new_line() and token is not None and not token.quote:
                    raise self.error("Unexpected next token after '{' on same line")
                if self.syntax.brace_on_new_line and self.is_new_line():
                    raise self.error(
                        "Unexpected '{' on a new line; did you mean to place the '{' on the "
                        "previous line?"
                    )
            elif value == "{}":
                if self.is_next_on_new_line() and token is not None and not token.quote:
                    raise self.error("Unexpected '{}' at end of line")
            elif self.is_new_line() and self.nesting == 0:
                self.cursor -= 1  # read too far
                break
            elif value == "}" and self.nesting > 0:
                self.nesting -= 1
                if self.opened:
                    self.opened.pop()
            elif value == "}" and self.nesting == 0:
                raise self.error("Unexpected '}' because no matching opening brace")
            elif value == "import" and self.is_new_line():
                self._import(1)
                self.cursor -= 1
                continue
            if token is not None:
                segment.append(token)
        self.block.segments.append(segment)
        if self.nesting > 0:
            raise self._eof_error()

    def _block_tokens(self, *, retain: bool = False) -> list[Token]:
        if self.val() != "{":
            raise self.error(f"syntax error: unexpected token '{self.val()}', expecting '{{'")
        opening = self.token()
        nesting = 1
        tokens: list[Token] = [opening] if retain and opening is not None else []
        while self.next():
            token = self.tokens[self.cursor]
            if token.text == "}":
                nesting -= 1
                if nesting == 0:
                    if retain:
                        tokens.append(token)
                    break
            if token.text == "{":
                nesting += 1
            tokens.append(token)
        if nesting != 0:
            if opening is not None:
                raise CaddyfileError(
                    f"unexpected EOF: the '{{' on line {opening.line} is never closed (a '}}' "
                    "is missing)",
                    opening.path,
                    opening.line,
                )
            raise self.error("syntax error: expecting '}'")
        return tokens

    # --- import ---------------------------------------------------------------------------

    def _import(self, nesting: int) -> None:
        self.imports += 1
        if self.imports > MAX_IMPORTS:
            raise self.error(
                f"more than {MAX_IMPORTS} imports: gwlint stops reading this Caddyfile "
                "(snippets importing snippets?)"
            )
        import_token = self.token()
        if not self.next_arg():
            raise self.arg_error()
        pattern = self.val()
        if not pattern:
            raise self.error("Import requires a non-empty filepath")
        args = self.remaining_args()
        block_tokens: list[Token] = []
        if self.syntax.import_blocks:
            current = self.nesting
            while self.next_block(current):
                token = self.token()
                if token is not None:
                    block_tokens.append(token)
        mapping = self._block_mapping(block_tokens)

        before = self.tokens[: max(self.cursor - 1 - len(args) - len(block_tokens), 0)]
        after = self.tokens[self.cursor + 1 :]
        imported: list[Token]
        nodes: list[str]
        current_token = self.token()
        here = current_token.path if current_token is not None else ""
        shown = self.graph.shown
        if pattern in self.snippets:
            imported = self.snippets[pattern]
            nodes = []
            if imported:
                first = imported[0]
                nodes = [f"{self.realpath(first.path)}:{first.snippet}"]
                shown[nodes[0]] = f"snippet ({first.snippet}) of {first.path}"
        else:
            if import_token is None:
                raise self.error("import outside any file")
            imported = []
            nodes = []
            for path, tokens in self.importer(pattern, import_token):
                nodes.append(self.realpath(path))
                shown[nodes[-1]] = path
                imported.extend(tokens)
        node = self.realpath(here)
        shown.setdefault(node, here)
        if current_token is not None and current_token.snippet:
            node += f":{current_token.snippet}"
            shown[node] = f"snippet ({current_token.snippet}) of {here}"
        cycle = self.graph.add_edges(node, nodes)
        if cycle is not None:
            raise self.error(cycle)

        line = import_token.line if import_token is not None else 0
        copied = self._substitute(imported, args, block_tokens, mapping, nesting, here, line)
        if len(before) + len(copied) + len(after) > MAX_TOKENS:
            raise self.error(
                f"the Caddyfile expands to more than {MAX_TOKENS} tokens with its imports: "
                "gwlint stops reading it"
            )
        self.tokens = before + copied + after
        self.cursor -= len(args) + len(block_tokens) + 1

    def _block_mapping(self, block_tokens: list[Token]) -> dict[str, list[Token]]:
        mapping: dict[str, list[Token]] = {}
        if not block_tokens:
            return mapping
        inner = Dispenser(block_tokens)
        while inner.next():
            if inner.val() == "{":
                raise self.error("anonymous blocks are not supported")
            key = inner.val()
            values: list[Token] = []
            if inner.next_arg():
                token = inner.token()
                if token is not None:
                    values.append(token)
                values.extend(inner.remaining_tokens())
            else:
                nesting = inner.nesting
                while inner.next_block(nesting):
                    token = inner.token()
                    if token is not None:
                        values.append(token)
            mapping[key] = values
        return mapping

    def _substitute(
        self,
        imported: list[Token],
        args: list[str],
        block_tokens: list[Token],
        mapping: dict[str, list[Token]],
        nesting: int,
        here: str,
        line: int,
    ) -> list[Token]:
        """parse.go:491-582: each imported token marked with the import line, ``{args...}``,
        ``{block}`` and ``{blocks.x}`` replaced (not inside a snippet defined by the
        imported file)."""
        copied: list[Token] = []
        maybe_snippet = False
        maybe_snippet_id = False
        index = 0
        for i, original in enumerate(imported):
            where = (
                f"{here}:{line} (import {original.snippet})"
                if original.snippet
                else (f"{here}:{line} (import)")
            )
            token = replace(original, imports=(*original.imports, where))
            if not maybe_snippet and nesting == 0:
                if i == 0 or i - 1 >= len(copied) or next_on_new_line(copied[i - 1], token):
                    index = 0
                else:
                    index += 1
                text = token.text
                if index == 0 and len(text) >= 3 and text.startswith("(") and text.endswith(")"):
                    maybe_snippet_id = True
            if token.text == "{":
                nesting += 1
                if index == 1 and maybe_snippet_id and nesting == 1:
                    maybe_snippet = True
                    maybe_snippet_id = False
            elif token.text == "}":
                nesting -= 1
                if nesting == 0 and maybe_snippet:
                    maybe_snippet = False
            if self.syntax.import_blocks:
                added: list[Token] | None = None
                if token.text == "{block}":
                    added = block_tokens
                elif token.text.startswith("{blocks.") and token.text.endswith("}"):
                    added = mapping.get(token.text[len("{blocks.") : -1], [])
                if added is not None:
                    copied.extend(added if added else [token])
                    continue
            if maybe_snippet:
                copied.append(token)
                continue
            variadic = self._variadic(token.text, len(args)) if self.syntax.args_index else None
            if variadic is not None:
                start, end = variadic
                copied.extend(replace(token, text=arg) for arg in args[start:end])
            else:
                copied.append(replace(token, text=_replace_known(token.text, args, self.syntax)))
        return copied

    @staticmethod
    def _variadic(text: str, count: int) -> tuple[int, int] | None:
        """importargs.go parseVariadic: ``{args[a:b]}`` as a token of its own."""
        if not text.startswith("{args[") or not text.endswith("]}"):
            return None
        inner = text[len("{args[") : -len("]}")]
        if not inner:
            return None
        start_text, colon, end_text = inner.partition(":")
        if not colon or "}" in start_text or "{" in end_text:
            return None
        start, end = 0, count
        if start_text:
            if not _ATOI.fullmatch(start_text):
                return None
            start = int(start_text)
        if end_text:
            if not _ATOI.fullmatch(end_text):
                return None
            end = int(end_text)
        if start < 0 or start > end or end > count:
            return None
        return start, end


def _arg(key: str, args: list[str], syntax: Versioned) -> str | None:
    """importargs.go makeArgsReplacer: ``args.N`` and (2.7+) ``args[N]``."""
    found = _ARGS_DEPRECATED.fullmatch(key)
    if found is not None:
        if not _ATOI.fullmatch(found.group(1)):
            return None
        index = int(found.group(1))
        return args[index] if 0 <= index < len(args) else None
    if not syntax.args_index:
        return None
    found = _ARGS_INDEX.fullmatch(key)
    if found is None or ":" in found.group(1) or not _ATOI.fullmatch(found.group(1)):
        return None
    index = int(found.group(1))
    return args[index] if 0 <= index < len(args) else None


def _replace_known(text: str, args: list[str], syntax: Versioned) -> str:
    """replacer.go ReplaceKnown (v2.10.0:163-275) with the import arguments as the only known
    placeholders: unknown ones stay, ``\\{`` and ``\\}`` lose their backslash."""
    if "{" not in text and "}" not in text:
        return text
    out: list[str] = []
    last = 0
    unclosed = 0
    i = 0
    n = len(text)
    while i < n:
        if i > 0 and text[i - 1] == "\\" and text[i] in "{}":
            out.append(text[last : i - 1])
            last = i
            i += 1
            continue
        if text[i] != "{":
            i += 1
            continue
        if unclosed > 100:
            return text  # Caddy gives up on the token (an error it ignores here)
        end = text.find("}", i)
        if end < 0:
            unclosed += 1
            i += 1
            continue
        skip = False
        while 0 < end < n - 1 and text[end - 1] == "\\":
            following = text.find("}", end + 1)
            if following < 0:
                unclosed += 1
                skip = True
                break
            end = following
        if skip:
            i += 1
            continue
        out.append(text[last:i])
        value = _arg(text[i + 1 : end], args, syntax)
        if value is None:
            last = i
            i += 1
            continue
        out.append(value)
        i = end + 1
        last = i
    out.append(text[last:])
    return "".join(out)


def display_join(folder_of: str, pattern: str) -> str:
    """An import pattern as gwlint names it: relative to the importing file's folder."""
    if os.path.isabs(pattern):
        return pattern
    return os.path.normpath(os.path.join(os.path.dirname(folder_of), pattern))
