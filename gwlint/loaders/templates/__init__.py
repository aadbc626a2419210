"""Configuration templates, rendered in memory so the nginx loader reads them line for line.

Real repositories ship nginx configs as templates: the official nginx Docker image runs
``envsubst`` over ``/etc/nginx/templates/*.template`` when the container starts, entrypoints run
``envsubst '${A} ${B}' < in > out``, Ansible ships Jinja2 (``.j2``), 3scale APIcast ships Liquid,
others ERB, Go templates or mustache. gwlint reads them as inputs, not as syntax errors, and stays
quiet about the values it cannot know.

``render()`` turns a template into text that nginx's parser can read:

* the text has exactly as many lines as the template, and every piece of the template that is not
  part of a tag stays on its own line number, so a finding points at the template's line;
* a value gwlint cannot know becomes a *marker*, ``__GWLINT_UNKNOWN_<n>__``: one unquoted nginx
  token, which survives inside quoted strings and next to units (``{{ t }}s`` gives
  ``__GWLINT_UNKNOWN_3__s``), so the loader can tell an unknown value from a wrong one;
* a placeholder alone on its line (``{{ extra_config }}``, ``{% include 'x' %}``) becomes a
  comment line, so it never turns into an nginx directive;
* nothing is ever executed: Jinja2 only parses (``Environment().parse()``), the other languages
  are scanned for their tags.

Which language a file is written in comes from ``detect()``. Only ``templates/jinja.py`` imports
jinja2, and only when a Jinja template is read: importing this package does not.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

UNKNOWN_PREFIX = "__GWLINT_UNKNOWN_"

TemplateKind = Literal["jinja", "envsubst", "liquid", "erb", "go", "mustache"]
KINDS: tuple[TemplateKind, ...] = ("jinja", "envsubst", "liquid", "erb", "go", "mustache")

# Bounds on the work one template can cause, whatever its shape.
MAX_OUTPUT = 16 * 1024 * 1024  # characters of rendered text (and of template read)
MAX_PLACEHOLDERS = 100_000  # placeholders recorded; beyond, the rest is not substituted
MAX_TAGS = 250_000  # tags scanned; beyond, the rest of the template is left blank

_MARKER = re.compile(r"__GWLINT_UNKNOWN_[0-9]+__")


def marker(n: int) -> str:
    """The marker that stands for the n-th unknown value of a rendering."""
    return f"{UNKNOWN_PREFIX}{n}__"


def unknown_markers(text: str) -> list[str]:
    """Every marker in ``text`` (a directive's argument, say), in order."""
    return _MARKER.findall(text)


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A value of the template that gwlint cannot know.

    ``marker`` is what stands for it in ``Rendered.text``; it is "" when the placeholder stood
    alone on its line and became a comment line.
    """

    marker: str
    text: str  # as written in the template, e.g. "{{ proxy_timeout }}" or "${BACKEND}"
    line: int  # 1-based, in the template
    column: int  # 1-based
    why: str  # e.g. "Jinja expression {{ proxy_timeout }}, filled in when the template is rendered"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A template rendered for reading: ``text`` has the template's lines (see the module doc)."""

    text: str
    kind: TemplateKind
    placeholders: tuple[Placeholder, ...]
    # template line -> "inside {% if ssl_enabled %} (line 10)"; the innermost block wins
    conditions: dict[int, str]
    # (line, message) when the template could not be parsed; text is then a best-effort rendering
    error: tuple[int, str] | None


# --- detect -----------------------------------------------------------------------------------

_BY_SUFFIX: dict[str, TemplateKind] = {
    ".j2": "jinja",
    ".jinja": "jinja",
    ".jinja2": "jinja",
    ".liquid": "liquid",
    ".erb": "erb",
    ".mustache": "mustache",
}
_GO_SUFFIXES = (".tmpl", ".tpl", ".gotmpl")

# Go template actions that no Jinja or Liquid template has: {{ .Foo }}, {{ if ... }}, {{ end }}...
_GO_ACTION = re.compile(
    r"\{\{-?\s*(?:\.[A-Za-z_]|(?:if|range|with|else)\s|end\s*-?\}\}"
    r"|(?:define|template|block)\s+\"|/\*|\$[A-Za-z0-9_]*\s*:=)"
)
# Liquid statements (and the {% if %}/{% endif %} family both languages share)
_LIQUID_TAG = re.compile(
    r"\{%-?\s*(?:assign|capture|endcapture|unless|endunless|elsif|case|when|endcase|liquid|echo"
    r"|render|increment|decrement|comment|endcomment|tablerow|endtablerow|if|endif|for|endfor"
    r"|else|raw|include)\b"
)
# what envsubst substitutes: $NAME or ${NAME}
_ENV_REFERENCE = re.compile(r"\$(?:[A-Za-z_]|\{[A-Za-z_][A-Za-z0-9_]*\})")
# what only an environment variable looks like in an nginx config: ${UPPER_CASE}
_ENV_BRACED = re.compile(r"\$\{[A-Z_][A-Z0-9_]*\}")
# an nginx comment: "#" at the start of a line or after blanks (so "{#" is not one)
_NGINX_COMMENT = re.compile(r"(?:^|(?<=[ \t]))#[^\n]*", re.MULTILINE)


def detect(name: str, text: str) -> TemplateKind | None:
    """The template language of a file, from its name first, then from its content.

    ``.j2``/``.jinja``/``.jinja2`` are Jinja, ``.liquid`` Liquid, ``.erb`` ERB, ``.mustache``
    mustache. ``.tmpl``/``.tpl``/``.gotmpl`` are Go templates when they hold Go actions, else
    Jinja when they hold tags, else envsubst when they reference ``$NAME`` (as ``.template``
    files do: the nginx image runs envsubst over them). Any other file is a template only by its
    content: tags outside ``#`` comments (Jinja when Jinja2 parses it, else Liquid or Go), or
    ``${UPPER_CASE}`` references and no tags (envsubst). A plain nginx config, ``$host`` and all,
    is None.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    suffix = "." + base.rsplit(".", 1)[-1] if "." in base else ""
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    has_tags = "{{" in text or "{%" in text
    if suffix in _GO_SUFFIXES:
        if _GO_ACTION.search(text) or (suffix == ".gotmpl" and "{%" not in text and has_tags):
            return "go"
        if has_tags:
            return "jinja"
        return "envsubst" if _ENV_REFERENCE.search(text) else None
    if suffix == ".template" and not has_tags and _ENV_REFERENCE.search(text):
        return "envsubst"
    code = _NGINX_COMMENT.sub("", text)
    if "{{" in code or "{%" in code:
        if _jinja_parses(text):
            return "jinja"
        if _LIQUID_TAG.search(code):
            return "liquid"
        if _GO_ACTION.search(code):
            return "go"
        return "liquid"
    if _ENV_BRACED.search(code):
        return "envsubst"
    return None


def _jinja_parses(text: str) -> bool:
    """Whether Jinja2's own parser accepts the text (nothing is rendered)."""
    if len(text) > MAX_OUTPUT:
        return False
    from gwlint.loaders.templates import jinja

    return jinja.parses(text)


# --- render -----------------------------------------------------------------------------------


def render(
    text: str,
    kind: TemplateKind,
    *,
    env: Mapping[str, str | None] | None = None,
    only: Collection[str] | None = None,
    undefined: Literal["keep", "unknown", "empty"] = "unknown",
    variables: Mapping[str, str] | None = None,
    branches: Literal["all", "first"] = "all",
) -> Rendered:
    """Render a template for reading, never running it. Never raises.

    envsubst: ``env`` holds what is known of the environment (a value, or None for "set, value
    unknown"), ``only`` the names of envsubst's SHELL-FORMAT argument, ``undefined`` what becomes
    of a name ``env`` does not hold (see ``templates/envsubst.py``). Jinja, Liquid, ERB, Go and
    mustache: ``variables`` holds the values known of the template's variables; ``branches``
    "first" reads only the first branch of each conditional, for a template whose branches
    cannot stand together (the default reads them all).
    """
    from gwlint.loaders.templates import _layout

    if kind not in KINDS:
        return _layout.blank(text, kind="jinja", error=(1, f"unknown template kind {kind!r}"))
    if len(text) > MAX_OUTPUT:
        return _layout.blank(text, kind, error=(1, "template larger than 16 MiB: not read"))
    try:
        if kind == "envsubst":
            from gwlint.loaders.templates import envsubst

            return envsubst.render(text, env=env, only=only, undefined=undefined)
        if kind == "jinja":
            from gwlint.loaders.templates import jinja

            return jinja.render(text, variables, branches)
        from gwlint.loaders.templates import placeholder

        return placeholder.render(text, kind, variables, branches=branches)
    except Exception as exc:  # the promise is "never raises": a bug here must not stop a run
        return _layout.blank(text, kind, error=(1, f"gwlint could not read the template: {exc!r}"))
