"""Templates rendered for reading (loaders/templates): lines kept, unknowns marked, never run.

The promise to the nginx loader: ``Rendered.text`` has the template's lines (text outside tags on
its own line number), an unknown value is a one-token marker, a placeholder alone on its line is
a comment line, and ``render()`` never raises nor works without bound. Checked by hand on each
language's idioms (Ansible's ``default()``, the nginx image's envsubst, 3scale's Liquid) and on
generated text full of tags, broken tags and line breaks of every kind.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwlint.loaders.nginx import lex
from gwlint.loaders.templates import (
    KINDS,
    UNKNOWN_PREFIX,
    Placeholder,
    Rendered,
    TemplateKind,
    detect,
    marker,
    render,
    unknown_markers,
)
from tests.conftest import ROOT

M1, M2, M3 = marker(1), marker(2), marker(3)


def lines(rendered: Rendered) -> list[str]:
    return rendered.text.split("\n")


def same_lines(template: str, rendered: Rendered) -> None:
    """The invariant, by both counts: nginx's ("\\n") and str.splitlines()'s."""
    assert rendered.text.count("\n") == template.count("\n")
    assert len(rendered.text.splitlines()) == len(template.splitlines())


# --- markers ----------------------------------------------------------------------------------


def test_marker_is_one_nginx_token() -> None:
    assert marker(3) == "__GWLINT_UNKNOWN_3__"
    assert marker(3).startswith(UNKNOWN_PREFIX)
    assert set(marker(123)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def test_unknown_markers_finds_markers_glued_together_and_to_units() -> None:
    assert unknown_markers(f"{M1}{M2}s") == [M1, M2]
    assert unknown_markers(f'"http://{M3}:80"') == [M3]
    assert unknown_markers("x___GWLINT_UNKNOWN_7___0") == ["__GWLINT_UNKNOWN_7__"]
    assert unknown_markers("$host __GWLINT_UNKNOWN_x__") == []


def test_placeholder_and_rendered_are_frozen() -> None:
    rendered = render("listen {{ port }};\n", "jinja")
    with pytest.raises(AttributeError):
        rendered.text = ""  # type: ignore[misc]
    with pytest.raises(AttributeError):
        rendered.placeholders[0].line = 2  # type: ignore[misc]
    assert not hasattr(rendered, "__dict__")
    assert isinstance(rendered.placeholders[0], Placeholder)


# --- Jinja ------------------------------------------------------------------------------------

SITE_J2 = """\
upstream app {
    server {{ backend_host }}:{{ backend_port | default(8000) }};
}
server {
    listen {{ port }};
    proxy_read_timeout {{ proxy_read_timeout | default(60) }}s;
    {{ extra_config }}
    {% include 'snippets/proxy.conf' %}
}
"""


def test_jinja_keeps_lines_and_marks_unknowns() -> None:
    rendered = render(SITE_J2, "jinja")
    same_lines(SITE_J2, rendered)
    assert rendered.kind == "jinja"
    assert rendered.error is None
    out = lines(rendered)
    assert out[1] == f"    server {M1}:8000;"
    assert out[4] == f"    listen {M2};"
    assert out[5] == "    proxy_read_timeout 60s;"
    assert out[6] == "    # {{ extra_config }}"
    assert out[7] == "    # {% include 'snippets/proxy.conf' %}"
    assert out[8] == "}"
    first, port, extra, include = rendered.placeholders
    assert first == Placeholder(
        M1,
        "{{ backend_host }}",
        2,
        12,
        "Jinja expression {{ backend_host }}, filled in when the template is rendered",
    )
    assert (port.marker, port.text, port.line, port.column) == (M2, "{{ port }}", 5, 12)
    assert (extra.marker, extra.line, extra.column) == ("", 7, 5)
    assert (include.marker, include.text, include.line) == (
        "",
        "{% include 'snippets/proxy.conf' %}",
        8,
    )
    assert "not read" in include.why


def test_jinja_reads_with_the_nginx_lexer_at_template_lines(tmp_path: Path) -> None:
    rendered = render(SITE_J2, "jinja")
    path = tmp_path / "site.conf"
    path.write_text(rendered.text)
    where = {token: line for token, line, _ in lex(str(path))}
    assert where["proxy_read_timeout"] == 6
    assert where["60s"] == 6
    assert where[f"{M2}"] == 5
    assert where["}"] == 9  # (the last one)
    assert "extra_config" not in rendered.text.replace("# {{ extra_config }}", "")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ t | default(60) }}", "60"),
        ("{{ t | d('30s') }}", "30s"),
        ("{{ t | default(60, true) }}", "60"),
        ("{{ t.read | default(5) }}", "5"),
        ("{{ t | default() }}", ""),
        ("{{ t | default(other) }}", M1),
        ("{{ t | int | default(5) }}", M1),  # undefined | int is 0: default() does not apply
        ("{{ 'a' ~ 'b' }}", "ab"),
        ("{{ 42 }}", "42"),
        ("{{ t ~ 's' }}", M1),
        ("{{ t(1) }}", M1),
    ],
)
def test_jinja_values(template: str, expected: str) -> None:
    rendered = render(f"x {template};\n", "jinja")
    assert lines(rendered)[0] == f"x {expected};"


def test_jinja_variables_and_set() -> None:
    template = (
        "{% set timeout = 30 %}{% set host = upstream_host %}\n"
        "a {{ timeout }} {{ timeout | default(99) }};\n"
        "b {{ port | default(1) }} {{ known }} {{ host | default('h') }};\n"
        "{% set timeout = 45 %}\n"
        "c {{ timeout }};\n"
    )
    rendered = render(template, "jinja", variables={"port": "8080", "known": "k"})
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[0] == ""
    assert out[1] == "a 30 30;"
    assert out[2] == f"b 8080 k {M1};"  # host is set from an unknown: default() does not apply
    assert out[4] == "c 45;"


def test_jinja_known_value_with_a_newline_becomes_a_marker() -> None:
    template = "a {{ block }};\nb {{ x | default('1\\n2') }};\n"
    rendered = render(template, "jinja", variables={"block": "x;\ny"})
    same_lines(template, rendered)
    assert lines(rendered)[:2] == [f"a {M1};", f"b {M2};"]
    assert "spans several lines" in rendered.placeholders[0].why


def test_jinja_if_keeps_both_branches_with_their_conditions() -> None:
    template = """\
server {
{% if ssl_enabled %}
    listen 443 ssl;

    ssl_certificate {{ cert }};
{% elif http2 %}
    listen 443;
{% else %}
    listen 80;
{% endif %}
    root /srv;
}
"""
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[2] == "    listen 443 ssl;"
    assert out[6] == "    listen 443;"
    assert out[8] == "    listen 80;"
    assert out[1] == out[5] == out[7] == out[9] == ""
    assert rendered.conditions == {
        3: "inside {% if ssl_enabled %} (line 2)",
        4: "inside {% if ssl_enabled %} (line 2)",
        5: "inside {% if ssl_enabled %} (line 2)",
        7: "inside the {% elif http2 %} of {% if ssl_enabled %} (line 2)",
        9: "inside the {% else %} of {% if ssl_enabled %} (line 2)",
    }


def test_jinja_innermost_block_wins_and_for_loops() -> None:
    template = """\
upstream app {
{%- for s in servers %}
    server {{ s }}:{{ port | default(80) }};
  {%- if s.backup %}
    server {{ s }} backup;
  {%- endif %}
{% endfor %}
}
"""
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[2] == f"    server {M1}:80;"
    assert out[4] == f"    server {M2} backup;"
    assert rendered.conditions == {
        3: "inside {% for s in servers %} (line 2)",
        5: "inside {% if s.backup %} (line 4)",
    }
    # a loop variable is unknown, whatever default() says
    assert (
        lines(render("{% for p in ps %}\nx {{ p | default(1) }};\n{% endfor %}\n", "jinja"))[1]
        == f"x {M1};"
    )


def test_jinja_inline_if_is_one_marker() -> None:
    template = (
        "    listen {% if ssl %}443 ssl{% else %}80{% endif %};\n{% if a %}gzip on;{% endif %}\n"
    )
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[0] == f"    listen {M1};"
    assert out[1] == "# {% if a %}gzip on;{% endif %}"
    inline = rendered.placeholders[0]
    assert inline.text == "{% if ssl %}443 ssl{% else %}80{% endif %}"
    assert (inline.line, inline.column) == (1, 12)
    assert "{% if ssl %}" in inline.why
    assert rendered.conditions == {}


def test_jinja_whitespace_control_strips_blanks_but_keeps_lines() -> None:
    template = (
        "a {{- x -}} b;\n"
        "server {\n"
        "    {%- if y -%}\n"
        "    listen 80;\n"
        "    {%- endif %}\n"
        "}\n"
        "{#- a comment\n"
        "    over lines -#}\n"
        "c;\n"
    )
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    assert lines(rendered) == [
        "a" + M1 + "b;",
        "server {",
        "",
        "listen 80;",
        "",
        "}",
        "",
        "",
        "c;",
        "",
    ]


def test_jinja_macro_raw_and_set_block() -> None:
    template = """\
{% macro upstream(name) %}
upstream {{ name }} {}
{% endmacro %}
{% set body %}
  secret {{ x }};
{% endset %}
{% raw %}{{ not_a_tag }}{% endraw %}
{% import 'm.j2' as m %}
"""
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[:6] == [""] * 6
    assert out[6] == "{{ not_a_tag }}"
    assert out[7] == "# {% import 'm.j2' as m %}"
    assert rendered.placeholders == ()


def test_jinja_with_call_filter_bodies_are_kept() -> None:
    template = (
        "{% with t = 30 %}\na {{ t }} {{ t | default(1) }};\n{% endwith %}\n"
        "{% filter upper %}\nb;\n{% endfilter %}\n"
        "{% call(u) m() %}\nc {{ u | default(2) }};\n{% endcall %}\n"
    )
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[1] == "a 30 30;"
    assert out[4] == "b;"
    assert out[7] == f"c {M1};"


def test_jinja_set_inside_a_block_is_unknown_after_it() -> None:
    template = "{% set t = 1 %}\n{% if a %}\n{% set t = 2 %}\nx {{ t }};\n{% endif %}\ny {{ t }};\n"
    out = lines(render(template, "jinja"))
    assert out[3] == "x 2;"
    assert out[5] == f"y {M1};"


def test_jinja_syntax_error_falls_back_to_placeholders() -> None:
    template = "server {\n    listen {{ port }};\n    {% if ssl %}\n    listen 443 ssl;\n}\n"
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    assert rendered.error is not None
    line, message = rendered.error
    assert line >= 3
    assert "endif" in message
    out = lines(rendered)
    assert out[1] == f"    listen {M1};"
    assert out[2].strip() == ""
    assert out[3] == "    listen 443 ssl;"
    assert rendered.conditions[4] == "inside {% if ssl %} (line 3)"


def test_jinja_crlf_and_lone_cr() -> None:
    template = "a {{ x }};\r\n{% if y %}\r\nb {{ z | default(3) }};\r\n{% endif %}\rc;\r\n"
    rendered = render(template, "jinja")
    same_lines(template, rendered)
    assert rendered.text.split("\n")[0] == f"a {M1};\r"
    assert rendered.text.split("\n")[2] == "b 3;\r"
    assert rendered.placeholders[0].column == 3
    assert rendered.conditions == {3: "inside {% if y %} (line 2)"}


def test_importing_templates_does_not_import_jinja2() -> None:
    code = "import sys, gwlint.loaders.templates; assert 'jinja2' not in sys.modules"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_jinja_is_never_executed() -> None:
    # rendering would call these; parsing only reads them
    template = "{{ ''.__class__.__mro__[1].__subclasses__() }}\n{{ cycler.__init__.__globals__ }}\n"
    rendered = render(template, "jinja")
    assert lines(rendered)[:2] == [f"# {template.splitlines()[0]}", f"# {template.splitlines()[1]}"]


# --- envsubst ---------------------------------------------------------------------------------

DEFAULT_CONF_TEMPLATE = """\
server {
    listen ${NGINX_PORT};
    server_name $host ${server_name};
    location / {
        proxy_pass http://$BACKEND:${BACKEND_PORT}/;
        proxy_set_header Host $host;
        proxy_read_timeout ${TIMEOUT:-60}s;
        ${EXTRA_DIRECTIVES}
    }
}
"""


def test_envsubst_unknown_marks_only_environment_like_names() -> None:
    rendered = render(DEFAULT_CONF_TEMPLATE, "envsubst")
    same_lines(DEFAULT_CONF_TEMPLATE, rendered)
    out = lines(rendered)
    assert out[1] == f"    listen {M1};"
    assert out[2] == "    server_name $host ${server_name};"  # nginx's variables stay
    assert out[4] == f"        proxy_pass http://{M2}:{M3}/;"
    assert out[5] == "        proxy_set_header Host $host;"
    assert out[6] == "        proxy_read_timeout ${TIMEOUT:-60}s;"  # not an envsubst reference
    assert out[7] == "        # ${EXTRA_DIRECTIVES}"
    assert [p.text for p in rendered.placeholders] == [
        "${NGINX_PORT}",
        "$BACKEND",
        "${BACKEND_PORT}",
        "${EXTRA_DIRECTIVES}",
    ]
    assert rendered.placeholders[0].why.startswith("environment variable NGINX_PORT")


def test_envsubst_env_values() -> None:
    env = {"NGINX_PORT": "8080", "BACKEND": None, "BACKEND_PORT": "8000", "host": "evil"}
    rendered = render(DEFAULT_CONF_TEMPLATE, "envsubst", env=env, undefined="keep")
    out = lines(rendered)
    assert out[1] == "    listen 8080;"
    assert out[2] == "    server_name evil ${server_name};"  # envsubst replaces any name it has
    assert out[4] == f"        proxy_pass http://{M1}:8000/;"
    assert out[7] == "        ${EXTRA_DIRECTIVES}"
    assert "is set" in rendered.placeholders[0].why


def test_envsubst_only_is_the_shell_format() -> None:
    env = {"NGINX_PORT": "80", "BACKEND": "app"}
    rendered = render(DEFAULT_CONF_TEMPLATE, "envsubst", env=env, only={"NGINX_PORT"})
    out = lines(rendered)
    assert out[1] == "    listen 80;"
    assert out[4] == "        proxy_pass http://$BACKEND:${BACKEND_PORT}/;"
    assert rendered.placeholders == ()


def test_envsubst_empty_is_plain_envsubst() -> None:
    rendered = render("listen ${PORT};\nset $x $host;\n", "envsubst", undefined="empty")
    assert lines(rendered)[:2] == ["listen ;", "set  ;"]  # $x and $host too, as envsubst does


def test_envsubst_multiline_value_is_a_marker() -> None:
    template = "a ${A};\nb;\n"
    rendered = render(template, "envsubst", env={"A": "1;\nc 2"})
    same_lines(template, rendered)
    assert lines(rendered)[0] == f"a {M1};"
    assert "spans several lines" in rendered.placeholders[0].why


# --- Liquid, ERB, Go, mustache ----------------------------------------------------------------


def test_liquid_3scale_apicast_shape() -> None:
    template = (
        "{%- assign x = env.X %}{% if x -%}\n  proxy_buffers 8 {{ x }};\n{%- endif %}\nnext;\n"
    )
    rendered = render(template, "liquid")
    same_lines(template, rendered)
    assert rendered.error is None
    assert lines(rendered) == ["", f"proxy_buffers 8 {M1};", "", "next;", ""]
    assert rendered.conditions == {2: "inside {% if x %} (line 1)"}
    assert rendered.placeholders[0].why.startswith("Liquid output {{ x }}")


def test_liquid_blocks() -> None:
    template = """\
{% capture body %}
  hidden {{ y }};
{% endcapture %}
{% case mode %}
{% when 'a' %}
  a;
{% else %}
  b;
{% endcase %}
{% unless off %}c {{ z | default: 1 }};{% endunless %}
{% comment %} {{ w }} {% endcomment %}
{% raw %}{{ raw }}{% endraw %}
  {% include 'x' %}
d {{ known }};
"""
    rendered = render(template, "liquid", variables={"known": "k"})
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[:3] == ["", "", ""]
    assert out[5] == "  a;"
    assert out[7] == "  b;"
    assert out[9] == "# {% unless off %}c {{ z | default: 1 }};{% endunless %}"
    assert out[10].strip() == ""
    assert out[11] == "{{ raw }}"
    assert out[12] == "  # {% include 'x' %}"
    assert out[13] == "d k;"
    assert rendered.conditions[6] == "inside the {% when 'a' %} of {% case mode %} (line 4)"
    assert rendered.conditions[8] == "inside the {% else %} of {% case mode %} (line 4)"


def test_erb_basics() -> None:
    template = """\
server {
<% if @ssl -%>
  listen 443 ssl;
<% else -%>
  listen 80;
<% end -%>
  proxy_read_timeout <%= @timeout %>s;
<%# a comment %>
<% @servers.each do |s| %>
  server <%= s %>;
<% end %>
  add_header X-Tag "<%%";
}
"""
    rendered = render(template, "erb")
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[2] == "  listen 443 ssl;"
    assert out[4] == "  listen 80;"
    assert out[6] == f"  proxy_read_timeout {M1}s;"
    assert out[7] == ""
    assert out[9] == f"  server {M2};"
    assert out[11] == '  add_header X-Tag "<%";'
    assert rendered.conditions == {
        3: "inside <% if @ssl %> (line 2)",
        5: "inside the <% else %> of <% if @ssl %> (line 2)",
        10: "inside <% @servers.each do |s| %> (line 9)",
    }


def test_go_basics() -> None:
    template = """\
server {
  {{- if .SSL }}
  listen 443 ssl;
  {{- else }}
  listen 80;
  {{- end }}
  proxy_read_timeout {{ .Timeout }}s;
{{ range $i, $s := .Servers }}
  server {{ $s }};
{{ end }}
{{/* a comment with "quotes" and }} inside */}}
  {{ template "extra" . }}
  return 200 '{{ printf "}}" }}';
{{ define "x" }}
  hidden {{ .Y }};
{{ end }}
}
"""
    rendered = render(template, "go", variables={"Timeout": "30"})
    same_lines(template, rendered)
    assert rendered.error is None
    out = lines(rendered)
    assert out[0] == "server {"
    assert out[2] == "  listen 443 ssl;"
    assert out[6] == "  proxy_read_timeout 30s;"
    assert out[8] == f"  server {M1};"
    assert out[10] == ""
    assert out[11] == '  # {{ template "extra" . }}'
    assert out[12] == f"  return 200 '{M2}';"
    assert out[13:16] == ["", "", ""]
    assert rendered.conditions == {
        3: "inside {{ if .SSL }} (line 2)",
        5: "inside the {{ else }} of {{ if .SSL }} (line 2)",
        9: "inside {{ range $i, $s := .Servers }} (line 8)",
    }


def test_mustache_basics() -> None:
    template = (
        "{{#ssl}}\nlisten 443 ssl;\n{{/ssl}}\n{{^ssl}}\nlisten 80;\n{{/ssl}}\n"
        "timeout {{timeout}}s;\n{{! a comment }}\n{{> partial}}\n{{{raw}}}\n"
    )
    rendered = render(template, "mustache")
    same_lines(template, rendered)
    out = lines(rendered)
    assert out[1] == "listen 443 ssl;"
    assert out[4] == "listen 80;"
    assert out[6] == f"timeout {M1}s;"
    assert out[7] == ""
    assert out[8] == "# {{> partial}}"
    assert out[9] == "# {{{raw}}}"
    assert rendered.conditions == {2: "inside {{#ssl}} (line 1)", 5: "inside {{^ssl}} (line 4)"}


@pytest.mark.parametrize(
    ("kind", "template"),
    [
        ("liquid", "a;\nb {{ x\n"),
        ("erb", "a;\nb <%= x\n"),
        ("go", "a;\nb {{ x\n"),
        ("go", 'a;\nb {{ "x }}\n'),
        ("mustache", "a;\nb {{{x}}\n"),
    ],
)
def test_unterminated_tags_give_an_error_and_keep_the_rest(
    kind: TemplateKind, template: str
) -> None:
    rendered = render(template + "c;\n", kind)
    same_lines(template + "c;\n", rendered)
    assert rendered.error is not None
    assert rendered.error[0] == 2
    assert lines(rendered)[0] == "a;"
    assert lines(rendered)[1] == "b "
    assert lines(rendered)[-2] == "c;"


# --- detect -----------------------------------------------------------------------------------

PLAIN_NGINX = """\
server {
    listen 80;  # {{ not a tag in a comment }}
    location / {
        proxy_pass http://app;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        return 200 '${request_uri}';
    }
}
"""


@pytest.mark.parametrize(
    ("name", "text", "kind"),
    [
        ("nginx.conf.j2", "listen 80;", "jinja"),
        ("templates/site.JINJA2", "", "jinja"),
        ("x.jinja", "{{ x }}", "jinja"),
        ("apicast.conf.liquid", "{{ x }}", "liquid"),
        ("nginx.conf.erb", "<%= x %>", "erb"),
        ("nginx.mustache", "{{x}}", "mustache"),
        ("nginx.conf.tmpl", "listen {{ .Port }};", "go"),
        ("nginx.conf.tpl", "{{ if .SSL }}ssl{{ end }}", "go"),
        ("nginx.gotmpl", "{{ range .Servers }}x{{ end }}", "go"),
        ("nginx.conf.tmpl", "listen {{ port }};", "jinja"),
        ("nginx.conf.tmpl", "listen ${PORT};", "envsubst"),
        ("nginx.conf.tmpl", "listen 80;", None),
        ("default.conf.template", "listen ${NGINX_PORT}; set $a $host;", "envsubst"),
        ("default.conf.template", "proxy_set_header Host $host;", "envsubst"),
        ("default.conf.template", "listen 80;", None),
        ("default.conf.template", "listen {{ port }};", "jinja"),
        ("nginx.conf", "{% if ssl %}listen 443;{% endif %}", "jinja"),
        ("nginx.conf", "{%- assign x = env.X %}{% if x -%}\nx;\n{%- endif %}", "liquid"),
        ("nginx.conf", "listen {{ .Port }};", "go"),
        ("nginx.conf", "listen {{ port ;", "liquid"),
        ("nginx.conf", "proxy_pass http://${BACKEND_HOST}:8000;", "envsubst"),
        ("nginx.conf", "proxy_pass http://${backend}:8000;", None),
        ("nginx.conf", PLAIN_NGINX, None),
        ("nginx.conf", "# listen ${PORT};\nlisten 80;", None),
        ("conf.d/app.conf", "", None),
    ],
)
def test_detect(name: str, text: str, kind: TemplateKind | None) -> None:
    assert detect(name, text) == kind


# --- invariants on generated text -------------------------------------------------------------

PIECES = [
    "{{", "}}", "{%", "%}", "{#", "#}", "{{-", "-}}", "{%-", "-%}", "{{{", "}}}", "<%", "<%=",
    "%>", "-%>", "<%%", "%%>", "$", "${", "}", "{", "$A", "${B}", "$host", " ", "  ", "\t",
    "\n", "\r", "\r\n", "\x0b", "\x85", "\u2028", "if x", "elif", "else", "endif", "for s in y",
    "endfor", "set x = 1", "set x", "endset", "macro m()", "endmacro", "raw", "endraw",
    "include 'a'", "x", " | default(60) ", ".X", "range .Y", "end", "define \"d\"", "/*", "*/",
    "#s", "/s", "^s", "!c", ">p", '"', "'", "`", "\\", "listen 80;", "assign a = 1", "comment",
    "endcomment", "capture c", "endcapture", "do |s|", "when 1", "case x",
]  # fmt: skip
TEMPLATES = st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | st.text(max_size=80)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template=TEMPLATES, kind=st.sampled_from(KINDS))
def test_lines_are_kept_and_render_never_raises(template: str, kind: TemplateKind) -> None:
    rendered = render(
        template,
        kind,
        env={"A": "1", "B": None, "C": "two\nlines"},
        variables={"x": "1", "y": "a\nb"},
    )
    same_lines(template, rendered)
    assert rendered.kind == kind
    assert rendered.error is None or not rendered.error[1].startswith("gwlint could not")
    for placeholder in rendered.placeholders:
        assert placeholder.line >= 1
        assert placeholder.column >= 1
        assert placeholder.marker == "" or placeholder.marker in rendered.text
    assert all(1 <= line <= template.count("\n") + 1 for line in rendered.conditions)
    detect("t", template)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "\t"]),
            st.sampled_from(["listen 80;", "a b;", "}", "server {", "x"]),
            st.sampled_from(["", "{{ v }}", "{# c #}", "{% if a %}", "{% endif %}", "${E}"]),
        ),
        max_size=20,
    ),
    kind=st.sampled_from(KINDS),
)
def test_text_outside_tags_stays_on_its_line(
    rows: list[tuple[str, str, str]], kind: TemplateKind
) -> None:
    template = "".join(f"{indent}{text} {tag}\n" for indent, text, tag in rows)
    rendered = render(template, kind)
    same_lines(template, rendered)
    for (_, text, _), line in zip(rows, lines(rendered), strict=False):
        assert text in line


def test_placeholder_alone_on_its_line_never_becomes_a_directive() -> None:
    for kind, tag in [
        ("jinja", "{{ extra }}"),
        ("liquid", "{{ extra }}"),
        ("erb", "<%= extra %>"),
        ("go", "{{ .Extra }}"),
        ("mustache", "{{extra}}"),
        ("envsubst", "${EXTRA}"),
    ]:
        rendered = render(f"server {{\n    {tag}\n}}\n", kind)  # type: ignore[arg-type]
        assert lines(rendered)[1] == f"    # {tag}", kind
        assert rendered.placeholders[0].marker == ""


# --- bounds -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "{{" * 100_000,
        "$$$${{{" * 30_000,
        "{%" * 100_000,
        "{#" * 100_000,
        "<%" * 100_000,
        "{{ '" * 50_000,
        "{{ `" * 50_000,
        "{% raw %}" * 22_000,
        "${a" * 70_000,
        "{{\n" * 66_000,
        "{{ (" * 50_000,
    ],
)
def test_adversarial_input_is_bounded_in_time(template: str) -> None:
    for kind in KINDS:
        start = time.perf_counter()
        rendered = render(template, kind)
        assert time.perf_counter() - start < 1.0, kind
        same_lines(template, rendered)
    start = time.perf_counter()
    detect("nginx.conf", template)
    assert time.perf_counter() - start < 1.0


def test_output_size_is_capped() -> None:
    template = "x $A;\n" * 20_000
    rendered = render(template, "envsubst", env={"A": "v" * 1000})
    same_lines(template, rendered)
    assert len(rendered.text) <= 16 * 1024 * 1024 + 20_000
    assert rendered.error is not None
    assert "16 MiB" in rendered.error[1]


def test_placeholder_count_is_capped() -> None:
    template = "$A " * 100_005 + "\nlast;\n"
    rendered = render(template, "envsubst")
    same_lines(template, rendered)
    assert len(rendered.placeholders) == 100_000
    assert rendered.error is not None
    assert "placeholders" in rendered.error[1]
    assert lines(rendered)[1] == "last;"


def test_too_large_a_template_is_not_read() -> None:
    template = "a;\n" * (6 * 1024 * 1024)
    rendered = render(template, "jinja")
    assert rendered.error == (1, "template larger than 16 MiB: not read")
    assert rendered.text.count("\n") == template.count("\n")


def test_unknown_kind_is_an_error_not_an_exception() -> None:
    rendered = render("a;\n", "php")  # type: ignore[arg-type]
    assert rendered.error is not None
