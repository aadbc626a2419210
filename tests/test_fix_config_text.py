"""``--fix`` editors of config files: gunicorn/hypercorn Python configs (``python_text``), uWSGI
ini files and hypercorn TOML configs (``ini_text``). Each case: the text before, the call, the
text after (the whole file, so the rest of it is byte-identical by comparison), and the text the
span replaced; the refusals name their reason. Fixed files are read back with gwlint's own
loaders."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from gwlint.fixes.ini_text import remove_option, set_option, set_toml_key
from gwlint.fixes.python_text import remove_assignment, set_assignment
from gwlint.fixes.spans import EditError, Span
from gwlint.loaders.common import Problems
from gwlint.loaders.gunicorn import read_settings
from gwlint.loaders.hypercorn import read_toml
from gwlint.loaders.uwsgi import load_uwsgi
from gwlint.model.facts import Facts


def applied(text: str, span: Span) -> str:
    assert 0 <= span.start <= span.end <= len(text)
    return text[: span.start] + span.replacement + text[span.end :]


def write(path: Path, text: str) -> str:
    path.write_bytes(text.encode("utf-8"))  # newlines kept as written
    return str(path)


# --- Python: set_assignment with a line --------------------------------------------------------

PY_SET = [
    # before, name, literal, line, after, the source replaced
    ("workers = 2\ntimeout = 30\n", "timeout", "75", 2, "workers = 2\ntimeout = 75\n", "30"),
    ('x = "é"; timeout = 30\n', "timeout", "75", 1, 'x = "é"; timeout = 75\n', "30"),
    (
        '# 🙂\nname = "日本🙂"; timeout = 30  # é\n',
        "timeout",
        "90",
        2,
        '# 🙂\nname = "日本🙂"; timeout = 90  # é\n',
        "30",
    ),
    (
        "# c\r\ntimeout = 30  # keep\r\nworkers = 4\r\n",
        "timeout",
        "75",
        2,
        "# c\r\ntimeout = 75  # keep\r\nworkers = 4\r\n",
        "30",
    ),
    ("a = 1\rtimeout = 30\r", "timeout", "75", 2, "a = 1\rtimeout = 75\r", "30"),
    (
        "timeout = (\n    30  # seconds\n)\n",
        "timeout",
        "75",
        1,
        "timeout = (\n    75  # seconds\n)\n",
        "30",
    ),
    ("timeout: int = 30\n", "timeout", "75", 1, "timeout: int = 75\n", "30"),
    ("a = timeout = 30\n", "timeout", "75", 1, "a = timeout = 75\n", "30"),
    ("timeout = 15 * 2\n", "timeout", "75", 1, "timeout = 75\n", "15 * 2"),
    ("timeout = int(\n  'é3'\n)\n", "timeout", "75", 1, "timeout = 75\n", "int(\n  'é3'\n)"),
    (
        'worker_class = "sync"\n',
        "worker_class",
        "'gthread'",
        1,
        "worker_class = 'gthread'\n",
        '"sync"',
    ),
    ("preload_app = False\n", "preload_app", "True", 1, "preload_app = True\n", "False"),
    ("\ufefftimeout = 30\n", "timeout", "75", 1, "\ufefftimeout = 75\n", "30"),
    ("timeout = 1; timeout = 2\n", "timeout", "75", 1, "timeout = 1; timeout = 75\n", "2"),
    (
        "import os\nif os.environ.get('X'):\n    timeout = 30\nelse:\n    timeout = 60\n",
        "timeout",
        "90",
        5,
        "import os\nif os.environ.get('X'):\n    timeout = 30\nelse:\n    timeout = 90\n",
        "60",
    ),
    (
        "try:\n    import x\nexcept ImportError:\n    worker_class = 'sync'\n",
        "worker_class",
        "'gthread'",
        4,
        "try:\n    import x\nexcept ImportError:\n    worker_class = 'gthread'\n",
        "'sync'",
    ),
    (
        "with open('x') as f:\n\ttimeout = 30\n",
        "timeout",
        "75",
        2,
        "with open('x') as f:\n\ttimeout = 75\n",
        "30",
    ),
    (
        "bind = ['a', 'b']\n",
        "bind",
        "['0.0.0.0:8000']",
        1,
        "bind = ['0.0.0.0:8000']\n",
        "['a', 'b']",
    ),
    ("timeout = 30\n", "timeout", " 75 ", 1, "timeout = 75\n", "30"),
]


@pytest.mark.parametrize(("before", "name", "literal", "line", "after", "old"), PY_SET)
def test_set_assignment_replaces_the_expression(
    before: str, name: str, literal: str, line: int, after: str, old: str
) -> None:
    span = set_assignment(before, name, literal, line)
    assert before[span.start : span.end] == old
    assert ast.literal_eval(span.replacement) == ast.literal_eval(literal)
    assert applied(before, span) == after


# --- Python: set_assignment appending a line ---------------------------------------------------

PY_APPEND = [
    ("workers = 2\n", "workers = 2\ntimeout = 75\n"),
    ("workers = 2", "workers = 2\ntimeout = 75\n"),
    ("a = 1\r\nworkers = 2\r\n", "a = 1\r\nworkers = 2\r\ntimeout = 75\r\n"),
    ("a = 1\r\nworkers = 2", "a = 1\r\nworkers = 2\r\ntimeout = 75\r\n"),
    ("", "timeout = 75\n"),
    ("# only a comment", "# only a comment\ntimeout = 75\n"),
    ("\ufeff", "\ufefftimeout = 75\n"),
    (  # assigned in a function or a class body: not a module global
        "def post_fork(server, worker):\n    timeout = 1\n",
        "def post_fork(server, worker):\n    timeout = 1\ntimeout = 75\n",
    ),
    ("class X:\n    timeout = 1\n", "class X:\n    timeout = 1\ntimeout = 75\n"),
    ("if x:\n    workers = 2\n", "if x:\n    workers = 2\ntimeout = 75\n"),
]


@pytest.mark.parametrize(("before", "after"), PY_APPEND)
def test_set_assignment_appends_a_line(before: str, after: str) -> None:
    span = set_assignment(before, "timeout", "75", None)
    assert span.start == span.end == len(before)
    assert applied(before, span) == after
    statement = ast.parse(span.replacement.strip()).body[0]
    assert isinstance(statement, ast.Assign)
    assert ast.literal_eval(statement.value) == 75


PY_SET_REFUSED = [
    # before, name, literal, line, a piece of the reason
    ("timeout += 5\n", "timeout", "75", 1, "augmented assignment"),
    ("a, timeout = 1, 2\n", "timeout", "75", 1, "unpacking"),
    ("[a, timeout] = 1, 2\n", "timeout", "75", 1, "unpacking"),
    ("timeout: int\n", "timeout", "75", 1, "without a value"),
    ("from x import timeout\n", "timeout", "75", 1, "otherwise than"),
    ("timeout = 30\n", "timeout", "75", 2, "no module-level statement starts at line 2"),
    ("workers = 2\n", "timeout", "75", 1, "line 1 does not assign timeout"),
    ("def f():\n    timeout = 1\n", "timeout", "75", 2, "no module-level statement"),
    ("class C:\n    timeout = 1\n", "timeout", "75", 2, "no module-level statement"),
    ("timeout = 30\n", "timeout", "75", 9, "no line 9"),
    ("timeout = (\n", "timeout", "75", 1, "not valid Python"),
    ("timeout = 30\x00\n", "timeout", "75", 1, "Python"),
    ("timeout = 30\n", "timeout", "gthread", 1, "not a Python literal"),
    ("timeout = 30\n", "timeout", "__import__('os')", 1, "not a Python literal"),
    ("timeout = 30\n", "timeout", "1\n2", 1, "one-line"),
    ("timeout = 30\n", "timeout", "", 1, "one-line"),
    # line=None while the name is set somewhere at module level
    ("timeout = 30\n", "timeout", "75", None, "already set at line 1"),
    ("if x:\n    pass\nelse:\n    timeout = 30\n", "timeout", "75", None, "line 4"),
    ("try:\n    pass\nexcept E as timeout:\n    pass\n", "timeout", "75", None, "already"),
    ("import timeout\n", "timeout", "75", None, "already set"),
    ("for timeout in (1,):\n    pass\n", "timeout", "75", None, "already set"),
    ("(timeout := 3)\n", "timeout", "75", None, "already set"),
    ("def timeout():\n    pass\n", "timeout", "75", None, "already set"),
    ("timeout = (\n", "timeout", "75", None, "not valid Python"),
]


@pytest.mark.parametrize(("before", "name", "literal", "line", "reason"), PY_SET_REFUSED)
def test_set_assignment_refuses(
    before: str, name: str, literal: str, line: int | None, reason: str
) -> None:
    with pytest.raises(EditError, match=reason):
        set_assignment(before, name, literal, line)


# --- Python: remove_assignment ------------------------------------------------------------------

PY_REMOVE = [
    ("a = 1\ntimeout = 30  # c\nb = 2\n", 2, "a = 1\nb = 2\n"),
    ("a = 1\r\ntimeout = 30\r\nb = 2\r\n", 2, "a = 1\r\nb = 2\r\n"),
    ("a = 1\ntimeout = (\n  30\n)\nb = 2\n", 2, "a = 1\nb = 2\n"),
    ("a = 1\ntimeout = 30", 2, "a = 1\n"),
    ("timeout = 30;\n", 1, ""),
    ("timeout: int = 30\n", 1, ""),
    ("if x:\n    a = 1\n    timeout = 2\n", 3, "if x:\n    a = 1\n"),
    ('x = "é"\ntimeout = 30\n', 2, 'x = "é"\n'),
]


@pytest.mark.parametrize(("before", "line", "after"), PY_REMOVE)
def test_remove_assignment(before: str, line: int, after: str) -> None:
    assert applied(before, remove_assignment(before, "timeout", line)) == after


PY_REMOVE_REFUSED = [
    ("x = 1; timeout = 30\n", 1, "another statement before"),
    ("timeout = 30; x = 1\n", 1, "another statement after"),
    ("if x:\n    timeout = 30\n", 2, "only statement of its block"),
    ("if x:\n    pass\nelse:\n    timeout = 30\n", 4, "only statement of its block"),
    ("a = timeout = 30\n", 1, "also assigns a"),
    ("timeout += 1\n", 1, "augmented"),
    ("workers = 1\n", 1, "does not assign timeout"),
]


@pytest.mark.parametrize(("before", "line", "reason"), PY_REMOVE_REFUSED)
def test_remove_assignment_refuses(before: str, line: int, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        remove_assignment(before, "timeout", line)


@pytest.mark.parametrize(
    ("before", "line", "literal", "expected"),
    [
        ("workers = 2\ntimeout = 30\n", 2, "75", 75),
        ('x = "é"; timeout = 30\r\n', 1, "75", 75),
        ("\ufefftimeout = 30  # s\n", 1, "75", 75),
        ("workers = 2", None, "75", 75),
        ("a = 1\r\nworkers = 2", None, "'gthread'", "gthread"),
        ("timeout: int = (\n    30\n)\n", 1, "True", True),
    ],
)
def test_gunicorn_reads_back_the_new_value(
    tmp_path: Path, before: str, line: int | None, literal: str, expected: object
) -> None:
    path = write(tmp_path / "gunicorn.conf.py", before)
    name = "worker_class" if expected == "gthread" else "timeout"
    after = applied(before, set_assignment(before, name, literal, line))
    write(tmp_path / "gunicorn.conf.py", after)
    settings = read_settings(path, Facts(), Problems())
    assert settings is not None
    assert settings[name].value == expected


# --- uWSGI ini: set_option on a line ------------------------------------------------------------

INI_SET = [
    # before, key, value, line, after
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "60", 2, "[uwsgi]\nharakiri = 60\n"),
    ("[uwsgi]\nbuffer-size=32k\n", "buffer-size", "32768", 2, "[uwsgi]\nbuffer-size=32768\n"),
    ("[uwsgi]\r\nharakiri = 30\r\n", "harakiri", "60", 2, "[uwsgi]\r\nharakiri = 60\r\n"),
    (
        "[uwsgi]\n  harakiri\t=\t30   \n",
        "harakiri",
        "60",
        2,
        "[uwsgi]\n  harakiri\t=\t60   \n",
    ),
    ("[uwsgi]\nharakiri = 30", "harakiri", "60", 2, "[uwsgi]\nharakiri = 60"),
    # uWSGI has no inline comments: "; seconds" is part of the old value (ini.c:41-55)
    ("[uwsgi]\nharakiri = 30 ; seconds\n", "harakiri", "60", 2, "[uwsgi]\nharakiri = 60\n"),
    ("[uwsgi]\nharakiri =\n", "harakiri", "60", 2, "[uwsgi]\nharakiri = 60\n"),
    ("[uwsgi]\nharakiri=\n", "harakiri", "60", 2, "[uwsgi]\nharakiri=60\n"),
    ("[uwsgi]\nenv = A=1\n", "env", "B=2", 2, "[uwsgi]\nenv = B=2\n"),
    (
        "[uwsgi]\n; harakiri = 5\nharakiri = 30\n# end\n",
        "harakiri",
        "60",
        3,
        "[uwsgi]\n; harakiri = 5\nharakiri = 60\n# end\n",
    ),
]


@pytest.mark.parametrize(("before", "key", "value", "line", "after"), INI_SET)
def test_set_option_replaces_the_value(
    before: str, key: str, value: str, line: int, after: str
) -> None:
    assert applied(before, set_option(before, "uwsgi", key, value, line)) == after


# --- uWSGI ini: set_option adding a line --------------------------------------------------------

INI_ADD = [
    # before, after (harakiri = 75 added to [uwsgi])
    (
        "[uwsgi]\nmaster = true\n\n[app]\nx = 1\n",
        "[uwsgi]\nmaster = true\nharakiri = 75\n\n[app]\nx = 1\n",
    ),
    (  # the comments after the last option (about the next section) stay below
        "[uwsgi]\n; workers\nprocesses = 4\n# next: the app\n\n[app]\n",
        "[uwsgi]\n; workers\nprocesses = 4\nharakiri = 75\n# next: the app\n\n[app]\n",
    ),
    (
        "[uwsgi]\nmaster=true\nprocesses=4\n",
        "[uwsgi]\nmaster=true\nprocesses=4\nharakiri=75\n",
    ),
    (  # the style most lines use
        "[uwsgi]\nmaster=true\nprocesses =4\nthreads=2\n",
        "[uwsgi]\nmaster=true\nprocesses =4\nthreads=2\nharakiri=75\n",
    ),
    ("[uwsgi]\r\nmaster = true\r\n", "[uwsgi]\r\nmaster = true\r\nharakiri = 75\r\n"),
    ("[uwsgi]\nmaster = true", "[uwsgi]\nmaster = true\nharakiri = 75\n"),
    ("[uwsgi]\n[app]\n", "[uwsgi]\nharakiri = 75\n[app]\n"),
    ("[uwsgi]", "[uwsgi]\nharakiri = 75\n"),
    (  # the first [uwsgi] of several
        "[uwsgi]\na = 1\n[app]\nb = 2\n[uwsgi]\nc = 3\n",
        "[uwsgi]\na = 1\nharakiri = 75\n[app]\nb = 2\n[uwsgi]\nc = 3\n",
    ),
    (  # another section's harakiri is not uWSGI's
        "[app]\nharakiri = 5\n[uwsgi]\nmaster = true\n",
        "[app]\nharakiri = 5\n[uwsgi]\nmaster = true\nharakiri = 75\n",
    ),
    ("[uwsgi]\n    master = true\n", "[uwsgi]\n    master = true\n    harakiri = 75\n"),
    (  # a closed logic block
        "[uwsgi]\nif-env = X\nprocesses = 8\nendif\n",
        "[uwsgi]\nif-env = X\nprocesses = 8\nendif\nharakiri = 75\n",
    ),
    (  # force-cwd is an option, not a "for" block
        "[uwsgi]\nforce-cwd = /app\n",
        "[uwsgi]\nforce-cwd = /app\nharakiri = 75\n",
    ),
    # no [uwsgi] section: one is appended
    ("[app]\nx = 1\n", "[app]\nx = 1\n\n[uwsgi]\nharakiri = 75\n"),
    ("[app]\nx = 1\n\n", "[app]\nx = 1\n\n[uwsgi]\nharakiri = 75\n"),
    ("[app]\r\nx = 1", "[app]\r\nx = 1\r\n\r\n[uwsgi]\r\nharakiri = 75\r\n"),
    ("", "[uwsgi]\nharakiri = 75\n"),
]


@pytest.mark.parametrize(("before", "after"), INI_ADD)
def test_set_option_adds_a_line(before: str, after: str) -> None:
    span = set_option(before, "uwsgi", "harakiri", "75", None)
    assert span.start == span.end
    assert applied(before, span) == after


INI_SET_REFUSED = [
    # before, key, value, line, a piece of the reason
    ("[uwsgi]\n; harakiri = 30\n", "harakiri", "60", 2, "a comment line"),
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "60", 1, "a section line"),
    ("[uwsgi]\n\nharakiri = 30\n", "harakiri", "60", 2, "a blank line"),
    ("[uwsgi]\nsocket = :3031\n", "harakiri", "60", 2, "sets 'socket', not harakiri"),
    ("[uwsgi]\nharakiri\n", "harakiri", "60", 2, "has no '='"),
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "60", 3, "no line 3"),
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "60 ", 2, "cannot be written"),
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "", 2, "cannot be written"),
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "6\n0", 2, "cannot be written"),
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "%(x)", 2, "would expand"),
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "$(X)", 2, "would expand"),
    # adding
    ("[uwsgi]\nharakiri = 30\n", "harakiri", "60", None, "already set in \\[uwsgi\\] at line 2"),
    ("[uwsgi]\na = 1\n[x]\n[uwsgi]\nharakiri = 3\n", "harakiri", "60", None, "at line 5"),
    (
        "[uwsgi]\nmaster = true\nif-env = DEBUG\npy-autoreload = 1\n",
        "harakiri",
        "60",
        None,
        "opened at line 3",
    ),
    ("[uwsgi]\nfor = a b\nx = %(_)\n", "harakiri", "60", None, "opened at line 2"),
    ("[uwsgi]\n", "a=b", "60", None, "cannot be written"),
    ("[uwsgi]\n", "", "60", None, "cannot be written"),
    ("[uwsgi]\n", "[x]", "60", None, "cannot be written"),
]


@pytest.mark.parametrize(("before", "key", "value", "line", "reason"), INI_SET_REFUSED)
def test_set_option_refuses(
    before: str, key: str, value: str, line: int | None, reason: str
) -> None:
    with pytest.raises(EditError, match=reason):
        set_option(before, "uwsgi", key, value, line)


@pytest.mark.parametrize(
    ("before", "line", "after"),
    [
        ("[uwsgi]\nharakiri = 30\nmaster = true\n", 2, "[uwsgi]\nmaster = true\n"),
        ("[uwsgi]\r\nharakiri = 30\r\nmaster = true\r\n", 2, "[uwsgi]\r\nmaster = true\r\n"),
        ("[uwsgi]\nmaster = true\nharakiri = 30", 3, "[uwsgi]\nmaster = true\n"),
        ("[uwsgi]\n  harakiri=30 ; s\n; c\n", 2, "[uwsgi]\n; c\n"),
    ],
)
def test_remove_option(before: str, line: int, after: str) -> None:
    assert applied(before, remove_option(before, line, "harakiri")) == after


@pytest.mark.parametrize(
    ("before", "line", "key", "reason"),
    [
        ("[uwsgi]\nmaster = true\n", 2, "harakiri", "no harakiri option"),
        ("[uwsgi]\n; harakiri = 30\n", 2, "harakiri", "no harakiri option"),
        ("[uwsgi]\nendif\n", 2, "endif", "config logic"),
        ("[uwsgi]\n", 4, "harakiri", "no line 4"),
    ],
)
def test_remove_option_refuses(before: str, line: int, key: str, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        remove_option(before, line, key)


@pytest.mark.parametrize(
    ("before", "line"),
    [
        ("[uwsgi]\nsocket = :3031\nharakiri = 30\n", 3),
        ("[uwsgi]\r\nsocket = :3031\r\nharakiri = 30 ; s\r\n", 3),
        ("[uwsgi]\nsocket = :3031\n\n; next\n[app]\nharakiri = 5\n", None),
        ("[app]\nharakiri = 5\n", None),
        ("[uwsgi]\r\nsocket=:3031", None),
    ],
)
def test_uwsgi_reads_back_the_new_value(tmp_path: Path, before: str, line: int | None) -> None:
    after = applied(before, set_option(before, "uwsgi", "harakiri", "75", line))
    path = write(tmp_path / "app.ini", after)
    server = load_uwsgi(path, Facts(), Problems())
    assert server is not None
    assert [option.value for option in server.options["harakiri"]] == ["75"]
    assert server.harakiri.value == 75


# --- hypercorn TOML -----------------------------------------------------------------------------

TOML_SET = [
    # before, key, literal, line, after
    ("keep_alive_timeout = 5\n", "keep_alive_timeout", "75", 1, "keep_alive_timeout = 75\n"),
    (
        "keep_alive_timeout = 5  # seconds\n",
        "keep_alive_timeout",
        "75",
        1,
        "keep_alive_timeout = 75  # seconds\n",
    ),
    ('bind = "a#b" # c\n', "bind", '"x"', 1, 'bind = "x" # c\n'),
    ("bind = 'a # b'\n", "bind", "'x'", 1, "bind = 'x'\n"),
    (
        "workers = 1\r\nkeep_alive_timeout = 5\r\n",
        "keep_alive_timeout",
        "75",
        2,
        "workers = 1\r\nkeep_alive_timeout = 75\r\n",
    ),
    ('"keep_alive_timeout" = 5\n', "keep_alive_timeout", "75", 1, '"keep_alive_timeout" = 75\n'),
    ("  keep_alive_timeout=5", "keep_alive_timeout", "75", 1, "  keep_alive_timeout=75"),
    (
        'bind = [\n  "a",  # one\n  "b",\n]\n# after\n',
        "bind",
        '["c"]',
        1,
        'bind = ["c"]\n# after\n',
    ),
    ("use_reloader = false\n", "use_reloader", "true", 1, "use_reloader = true\n"),
    (
        "workers = 1\nkeep_alive_timeout = 5\n[logging]\nkeep_alive_timeout = 1\n",
        "keep_alive_timeout",
        "75",
        2,
        "workers = 1\nkeep_alive_timeout = 75\n[logging]\nkeep_alive_timeout = 1\n",
    ),
]


@pytest.mark.parametrize(("before", "key", "literal", "line", "after"), TOML_SET)
def test_set_toml_key_replaces_the_value(
    before: str, key: str, literal: str, line: int, after: str
) -> None:
    assert applied(before, set_toml_key(before, key, literal, line)) == after


TOML_ADD = [
    ("workers = 2\n", "workers = 2\nkeep_alive_timeout = 75\n"),
    ("workers = 2", "workers = 2\nkeep_alive_timeout = 75\n"),
    ("workers = 2 # two", "workers = 2 # two\nkeep_alive_timeout = 75\n"),
    ("", "keep_alive_timeout = 75\n"),
    (
        'bind = "x"\n\n# logging\n[logging]\nlevel = 1\n',
        'bind = "x"\nkeep_alive_timeout = 75\n\n# logging\n[logging]\nlevel = 1\n',
    ),
    ("[t]\na = 1\n", "keep_alive_timeout = 75\n[t]\na = 1\n"),
    ("# c\n[t]\n", "# c\nkeep_alive_timeout = 75\n[t]\n"),
    ('a = """\n[x]\n"""\n[t]\n', 'a = """\n[x]\n"""\nkeep_alive_timeout = 75\n[t]\n'),
    (
        "bind = [\n 1, # x\n 2] # y\n[t]\n",
        "bind = [\n 1, # x\n 2] # y\nkeep_alive_timeout = 75\n[t]\n",
    ),
    ("workers = 2\r\n[t]\r\n", "workers = 2\r\nkeep_alive_timeout = 75\r\n[t]\r\n"),
    ("workers = 2\n[[t]]\nx = 1\n", "workers = 2\nkeep_alive_timeout = 75\n[[t]]\nx = 1\n"),
    ('"a=b" = 1\n[t]\n', '"a=b" = 1\nkeep_alive_timeout = 75\n[t]\n'),
]


@pytest.mark.parametrize(("before", "after"), TOML_ADD)
def test_set_toml_key_adds_a_line(before: str, after: str) -> None:
    span = set_toml_key(before, "keep_alive_timeout", "75", None)
    assert span.start == span.end
    assert applied(before, span) == after


TOML_REFUSED = [
    # before, literal, line, a piece of the reason
    ("[t]\nkeep_alive_timeout = 5\n", "75", 2, "not a top-level key"),
    ("workers = 1\n", "75", 1, "line 1 does not set keep_alive_timeout"),
    ("keep_alive_timeout.x = 1\n", "75", 1, "does not set"),
    ("keep_alive_timeout = 5\n", "abc", 1, "not valid TOML"),
    ("keep_alive_timeout = 5\n", "7\n5", 1, "one-line"),
    ("keep_alive_timeout = \n", "75", 1, "the file is not valid TOML"),
    ("keep_alive_timeout = 5\n", "75", 3, "no line 3"),
    ('x = """\nkeep_alive_timeout = 5\n"""\n', "75", 2, "not a top-level key"),
    ("keep_alive_timeout = 5\n", "75", None, "already set"),
    ("[keep_alive_timeout]\nx = 1\n", "75", None, "already set"),
]


@pytest.mark.parametrize(("before", "literal", "line", "reason"), TOML_REFUSED)
def test_set_toml_key_refuses(before: str, literal: str, line: int | None, reason: str) -> None:
    with pytest.raises(EditError, match=reason):
        set_toml_key(before, "keep_alive_timeout", literal, line)


@pytest.mark.parametrize(
    ("before", "line"),
    [
        ("workers = 2\nkeep_alive_timeout = 5  # s\n", 2),
        ("workers = 2\r\n\r\n[logging]\r\nlevel = 1\r\n", None),
        ("workers = 2", None),
    ],
)
def test_hypercorn_reads_back_the_new_value(tmp_path: Path, before: str, line: int | None) -> None:
    after = applied(before, set_toml_key(before, "keep_alive_timeout", "75", line))
    path = write(tmp_path / "hypercorn.toml", after)
    settings = read_toml(path, Problems(), by=None)
    assert settings is not None
    assert settings["keep_alive_timeout"].value == 75
    assert settings["workers"].value == 2
