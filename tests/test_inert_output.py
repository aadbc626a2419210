"""Inert output (issue 12): a pull request's author writes the configs gwlint reads, and CI shows
what gwlint prints. No value, file name or message from the input may reach a terminal as a
control sequence (ESC, BEL, C1...), or the GitHub Actions log as a workflow command (a line that
starts with ``::``, or a legacy ``##[command]`` anywhere in a line), in any format; standard
error is one line a message.

Every format runs on adversarial repositories (values with escape sequences and forged commands,
file names with line breaks, an ini key that is a command) and on the group-3 reproducers of
tests/hostile/cases.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gwlint.reporters import encodable, no_command, path_shown, printable
from tests.conftest import Run, gwlint
from tests.hostile.cases import CASES, Case, arguments, workdir

# what a value brings: terminal sequences (OSC title, BEL, clear screen, 8-bit CSI), line breaks
# of every kind, a bidirectional override, forged workflow commands old and new
ESCAPES = "\x1b]0;TITLE\x07\x1b[2J\x9b31m\x7f\u2028\x85\u202e"
FORGED = "\n::error file=README.md,line=1::forged\n::add-mask::x\n##[error]legacy"
# a file name may hold anything but "/" and NUL
HOSTILE_NAME = "a\n::error::forged\x1b[2J\r##[warning]x.conf"

# what stdout and stderr may never hold: every C0 character but the line feed, DEL, C1, the
# other line breaks and the bidirectional controls
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# a character the runner's culture-aware comparison may skip (to be safe: any non-ASCII
# character that is neither a letter nor a digit)
SKIPPABLE = re.compile(r"[^\x00-\x7f\w]")
HEAD = re.compile(r"\S.*:\d+:\d+: GW\d{3} \[(error|warning|info)\] ")
ANNOTATION = re.compile(
    r"::(error|warning|notice) file=([^,:]+),line=([1-9]\d*)(?:,col=([1-9]\d*))?"
    r",title=gwlint (GW\d{3})::(.*)"
)


def _python_string(text: str) -> str:
    """``text`` as a Python string literal made of printable ASCII only."""
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


def hostile_repository(root: Path) -> Path:
    value = ESCAPES + FORGED
    nginx_value = value.replace('"', "")
    (root / "conf.d").mkdir(parents=True)
    (root / "conf.d" / HOSTILE_NAME).write_text(
        "server { listen 8080; location /h { proxy_read_timeout x; } }\n"
    )
    (root / "::error::top.conf").write_text(
        "server { listen 8081; location /t { proxy_read_timeout y; } }\n"
    )
    (root / "nginx.conf").write_text(
        "events {}\nhttp {\n"
        "    include conf.d/*.conf;\n"
        "    include ::error::top.conf;\n"
        f'    include "missing.conf{FORGED}";\n'
        "    server {\n        listen 80;\n"
        f'        location /{ESCAPES} {{ proxy_pass "http://127.0.0.1:8000/{nginx_value}"; '
        f'proxy_read_timeout "{nginx_value}"; }}\n'
        "    }\n}\n"
    )
    (root / "gunicorn.conf.py").write_text(
        f"bind = '127.0.0.1:8000'\ntimeout = {_python_string(value)}\n"
        f"raw_env = [{_python_string('A=' + value)}]\n"
    )
    (root / "uwsgi.ini").write_text(
        "[uwsgi]\nsocket = 127.0.0.1:9000\n::error::k = v\n"
        f"harakiri = {ESCAPES}x\nprocesses = ##[error]p\n"
    )
    return root


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_repository(tmp_path_factory.mktemp("hostile"))


def runner_reads_a_command(line: str) -> bool:
    """Whether the Actions runner could read ``line`` as a workflow command: ``::`` at its
    start once leading white space is trimmed (and skippable characters ignored), or ``##[``
    anywhere (the legacy form)."""
    lead = SKIPPABLE.sub("", line.lstrip())
    return lead.lstrip().startswith("::") or "##[" in SKIPPABLE.sub("", line)


def assert_inert_stderr(err: str) -> None:
    assert not CONTROL.search(err), repr(err)
    if err:
        assert err.endswith("\n"), repr(err)
        for line in err.splitlines():
            assert line.startswith("gwlint: "), repr(err)
            assert not runner_reads_a_command(line), repr(line)


def assert_inert(run: Run, *, annotations: bool = False) -> list[str]:
    """No control character in stdout or stderr, stderr one line a message, and no stdout line
    a workflow command (``annotations``: but gwlint's own, returned)."""
    assert not CONTROL.search(run.out), repr(CONTROL.search(run.out))
    assert_inert_stderr(run.err)
    written = []
    for line in run.out.split("\n"):
        if annotations and line.startswith("::"):
            written.append(line)
            # well formed: what the runner reads back is gwlint's annotation, nothing more
            assert ANNOTATION.fullmatch(line), repr(line)
        else:
            assert not runner_reads_a_command(line), repr(line)
    return written


def unescape_property(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def unescape_data(text: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


# --- the helpers ---------------------------------------------------------------------------------


def test_printable_escape_forms() -> None:
    assert printable("a\nb\r\tc") == "a\\nb\\r\\tc"
    assert printable("\x1b]0;T\x07\x1b[2J\x00\x7f\x85\x9b") == (
        "\\x1b]0;T\\x07\\x1b[2J\\x00\\x7f\\x85\\x9b"
    )
    assert printable("\u2028\u2029\u202e\u2066\u061c") == "\\u2028\\u2029\\u202e\\u2066\\u061c"
    assert printable("\udce9\ud800") == "\\xe9\\ud800"  # as ``encodable`` writes them
    assert printable("##[error]x") == "##\\x5berror]x"
    assert printable("#\u00ad#\u200b[error]x") == "#\u00ad#\u200b\\x5berror]x"


@pytest.mark.parametrize(
    "text",
    [
        "nginx.conf:12: proxy_pass http://127.0.0.1:8000/;",
        "location ~ \\.php$ { } # comment [x] ## y",
        "héllo 日本語 — “quotes” · ∞",
        "C:\\path\\to\\file",
        "",
    ],
)
def test_printable_leaves_ordinary_text_alone(text: str) -> None:
    assert printable(text) == text
    assert no_command(text) == text


def test_no_command() -> None:
    assert no_command("::error::x") == "\\x3a:error::x"
    assert no_command("    ::error::k = v") == "    \\x3a:error::k = v"
    assert no_command("\t \u00a0::x::y") == "\t \u00a0\\x3a:x::y"
    assert no_command("\u200b\u00ad::x::y") == "\u200b\u00ad\\x3a:x::y"
    assert no_command(":\u200b:x::y") == "\\x3a\u200b:x::y"
    # the legacy form, anywhere: also where gwlint's words and a value's meet
    assert no_command("a ##[error]x") == "a ##\\x5berror]x"
    assert no_command("  --> x: #" + printable("#[error]x")) == "  --> x: ##\\x5berror]x"
    for harmless in ("a::b", "  --> ::x.conf:1:1: m", ": :x", "./::x", "x", "# [x] #x[ ##"):
        assert no_command(harmless) == harmless


def test_path_shown() -> None:
    assert path_shown("::error::x.conf") == "./::error::x.conf"
    assert path_shown(" ::x") == "./ ::x"
    assert path_shown("a\n::b") == "a\\n::b"
    for path in ("nginx.conf", "conf.d/a.conf", "/etc/nginx/nginx.conf", "./x", "../x"):
        assert path_shown(path) == path


@pytest.mark.parametrize("value", [ESCAPES + FORGED, HOSTILE_NAME, "\udce9", "plain"])
def test_json_keeps_values_exact_on_safe_lines(value: str) -> None:
    text = encodable(json.dumps({"v": value, "w": [value]}, ensure_ascii=False), in_json=True)
    assert not CONTROL.search(text)
    assert "##[" not in text
    decoded = json.loads(text)
    if "\udce9" in value:  # a lone surrogate is written as the byte it stands for
        assert decoded["v"] == "\\xe9"
    else:
        assert decoded == {"v": value, "w": [value]}


# --- every format on a hostile repository ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "junit"])
def test_every_format_is_inert(repository: Path, fmt: str) -> None:
    run = gwlint("check", "--isolated", "--format", fmt, cwd=repository)
    assert run.code == 1, run.err
    written = assert_inert(run, annotations=fmt == "github")
    as_json = json.loads(gwlint("check", "--isolated", "--format", "json", cwd=repository).out)
    diagnostics = as_json["diagnostics"]
    if fmt == "text":
        heads = [line for line in run.out.splitlines() if HEAD.match(line)]
        assert len(heads) == len(diagnostics)
        # a file name that would start a line with "::" is written "./" first
        assert any(line.startswith("./::error::top.conf:1:") for line in heads)
        assert any(
            line.startswith("conf.d/a\\n::error::forged\\x1b[2J\\r##\\x5b") for line in heads
        )
    elif fmt == "github":
        # exactly one annotation a finding, on the finding's file and line
        assert len(written) == len(diagnostics) == len(run.out.splitlines()) - 1
        for line, diagnostic in zip(written, diagnostics, strict=True):
            match = ANNOTATION.fullmatch(line)
            assert match is not None
            path = unescape_property(match.group(2))
            # the path exact but for what only an escape can show
            assert path == "\n".join(
                "\r".join(printable(part) for part in line.split("\r"))
                for line in diagnostic["path"].split("\n")
            )
            assert int(match.group(3)) == max(diagnostic["line"], 1)
            assert match.group(5) == diagnostic["code"]
            message = unescape_data(match.group(6))
            assert not CONTROL.search(message.replace("\n", "").replace("\r", ""))
    elif fmt == "junit":
        import xml.etree.ElementTree as ET

        # well-formed XML 1.0 (no control character at all), one test case a finding, each
        # on its file as text output shows it
        cases = list(ET.fromstring(run.out.encode("utf-8")).iter("testcase"))
        assert [case.attrib["classname"] for case in cases] == [
            printable(d["path"]) for d in diagnostics
        ]
    else:
        document = json.loads(run.out)
        if fmt == "json":
            assert document == as_json
            # the values are exact: the file names as they are on disk
            paths = {d["path"] for d in diagnostics}
            assert f"conf.d/{HOSTILE_NAME}" in paths
            assert "::error::top.conf" in paths
            assert any(ESCAPES in d["message"] for d in diagnostics)
        elif fmt == "gitlab":
            # the values exact, as in json
            assert [i["location"]["path"] for i in document] == [d["path"] for d in diagnostics]
        else:
            assert len(document["runs"][0]["results"]) == len(diagnostics)


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize(
    "show", [["--show-files"], ["--show-settings"], ["--show-files", "--show-settings"]]
)
def test_show_files_and_settings_are_inert(repository: Path, fmt: str, show: list[str]) -> None:
    run = gwlint("check", "--isolated", *show, "--format", fmt, cwd=repository)
    assert run.code == 0, run.err
    assert_inert(run)
    if fmt == "json":
        json.loads(run.out)
    elif "--show-settings" in show:
        assert "    \\x3a:error::k = v  (uwsgi.ini:3)" in run.out.splitlines()
    else:
        assert f"conf.d/{printable(HOSTILE_NAME)}" in run.out


def test_quiet_statistics_and_colour_are_inert(repository: Path) -> None:
    for extra in (["--quiet"], ["--statistics"], ["--color", "never"]):
        assert_inert(gwlint("check", "--isolated", *extra, cwd=repository))
    # colour: gwlint's own SGR sequences, and nothing else
    run = gwlint("check", "--isolated", "--color", "always", cwd=repository)
    assert_inert(Run(run.code, re.sub(r"\x1b\[[0-9;]*m", "", run.out), run.err))
    assert "\x1b[2J" not in run.out
    assert "\x07" not in run.out


def test_a_file_name_that_is_a_command_on_its_own(tmp_path: Path) -> None:
    (tmp_path / "::error::x.conf").write_text("events {}\nhttp {\n")
    (tmp_path / "##[error]y.conf").write_text("events {}\nhttp {\n")
    for fmt in ("text", "github"):
        run = gwlint(
            "check",
            "--isolated",
            "--format",
            fmt,
            "--nginx",
            "::error::x.conf",
            "--nginx",
            "##[error]y.conf",
            cwd=tmp_path,
        )
        assert run.code == 1, run.err
        assert_inert(run, annotations=fmt == "github")


# --- standard error ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        'nginx-prefix = "x\\n::error::y\\u001b[2J"\n',
        'nginx-prefix = "x\\n::error::y\\u001b[2J"\nbogus-key = 1\n',
        'front = "x\\u001b[2J\\u0085\\u2028y"\n',
        'select = ["x\\n::error::y\\u001b[2J"]\n',
        'nginx-version = "1.2\\n::error::y"\n',
        '"\\u001b[2J\\n::error::k" = 1\n',
        'cpus = "\\n::error::c"\n',
    ],
)
def test_configuration_errors_are_one_line(tmp_path: Path, config: str) -> None:
    (tmp_path / ".gwlint.toml").write_text(config)
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { server { listen 80; } }\n")
    for fmt in ("text", "github"):
        run = gwlint("check", "--format", fmt, cwd=tmp_path)
        assert run.code == 2, (run.out, run.err)
        assert run.err.startswith("gwlint: error: ")
        assert run.err.count("\n") == 1, repr(run.err)
        assert_inert_stderr(run.err)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--nginx", "no\n::error::such"],
        ["check", ".", "--front", "a\n::error::b\x1b[2J"],
        ["check", ".", "--cpus", "1\n::error::b"],
        ["check", ".", "--env", "x\x1b\n::error::e"],
        ["check", ".", "--nginx-prefix", "x\n::error::p\x07"],
        ["check", ".", "--select", "GW1\n::error::s"],
        ["check", ".", "--bogus\n::error::o"],
        ["check", ".", "--format", "x\n::error::f"],
        ["check", ".", "--output", "no/such/\n::error::o\x1b"],
        ["rule", "x\n::error::y\x1b[2J"],
    ],
)
def test_command_line_errors_are_one_line(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { server { listen 80; } }\n")
    run = gwlint(*args, cwd=tmp_path)
    assert run.code == 2, (run.out, run.err)
    assert run.err.count("\n") == 1, repr(run.err)
    assert_inert_stderr(run.err)


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_named_path_with_nothing_to_check_stays_inert(tmp_path: Path, fmt: str) -> None:
    """GW010 prints the path as named: a missing one and an empty folder with control
    characters and workflow commands in their names."""
    folder = tmp_path / "x\n::error::w\x1b[2J"
    folder.mkdir()
    run = gwlint("check", "--format", fmt, folder.name, "no\n::error::such\x1b[2J", cwd=tmp_path)
    assert run.code == 1, (run.out, run.err)
    assert run.out.count("GW010") == 2, run.out
    written = assert_inert(run, annotations=fmt == "github")
    assert len(written) == (2 if fmt == "github" else 0)
    assert run.err == ""


def test_an_internal_error_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gwlint import engine

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom\n::error::internal\x1b[2J")

    monkeypatch.setattr(engine, "lint", broken)
    run = gwlint("check", ".", cwd=tmp_path)
    assert run.code == 2
    assert run.err == "gwlint: internal error: RuntimeError: boom\\n::error::internal\\x1b[2J\n"


def test_a_python_warning_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from gwlint import engine

    lint = engine.lint

    def warns(*args: object, **kwargs: object) -> object:
        warnings.warn("about\n::error::w\x1b[2J", UserWarning, stacklevel=1)
        return lint(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "lint", warns)
    (tmp_path / "nginx.conf").write_text("events {}\nhttp { server { listen 80; } }\n")
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        run = gwlint("check", "nginx.conf", cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.err.startswith("gwlint: warning: ")
    assert "UserWarning: about\\n::error::w\\x1b[2J" in run.err
    assert run.err.count("\n") == 1
    assert_inert_stderr(run.err)


# --- the reproducers of issue 12, item 3 ----------------------------------------------------

# each reproducer once (the github variants build what the plain ones build), in every format
GROUP_3 = [case for case in CASES if case.group == 3 and "--format" not in case.args]


@pytest.mark.parametrize("item", GROUP_3, ids=[case.name for case in GROUP_3])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "show"])
def test_hostile_reproducers(tmp_path: Path, item: Case, fmt: str) -> None:
    item.build(tmp_path)
    cwd = workdir(item, tmp_path)
    args = arguments(item, tmp_path)
    shown = ["--show-files", "--show-settings"] if fmt == "show" else ["--format", fmt]
    run = gwlint(*args, *shown, cwd=cwd)
    assert run.code in ((2,) if item.usage_error else (0, 1)), run.err
    annotations = assert_inert(run, annotations=fmt == "github")
    if fmt == "github" and not item.usage_error:
        as_json = gwlint(*args, "--format", "json", cwd=cwd)
        assert len(annotations) == len(json.loads(as_json.out)["diagnostics"])
    if item.usage_error:
        assert run.err.count("\n") == 1
