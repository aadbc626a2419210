"""uWSGI ini read like uWSGI 2.0 reads it: sections, comments, repeated keys, placeholders."""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gwlint.loaders import uwsgi
from gwlint.loaders.common import Problems
from gwlint.loaders.uwsgi import load_uwsgi
from gwlint.model.appserver import UwsgiServer
from gwlint.model.facts import Facts


def load(tmp_path: Path, text: str, section: str = "uwsgi", **facts: Any) -> UwsgiServer:
    path = tmp_path / "app.ini"
    path.write_text(textwrap.dedent(text))
    server = load_uwsgi(str(path), Facts(**facts), Problems(), section=section)
    assert server is not None
    return server


def test_sections_comments_repeated_keys(tmp_path: Path) -> None:
    server = load(
        tmp_path,
        """
        [other]
        harakiri = 5
        [uwsgi]
        ; a comment
        # another
        socket = 127.0.0.1:3031
        socket = /run/app.sock
        http-socket = :8080
        harakiri = 20
        harakiri = 30
        master
        """,
    )
    assert [str(x.address) for x in server.listeners] == [
        "127.0.0.1:3031",
        "unix:/run/app.sock",
        ":8080",
    ]
    assert [x.protocol for x in server.listeners] == ["uwsgi", "uwsgi", "http"]
    assert server.harakiri.value == 30  # scalars: the last one wins
    assert server.harakiri.source.line == 11
    assert server.options["master"][0].value == ""  # a bare key is a flag


def test_placeholders_env_and_magic(tmp_path: Path) -> None:
    server = load(
        tmp_path,
        """
        [uwsgi]
        base = /srv/app
        port = 3031
        socket = 127.0.0.1:%(port)
        chdir = %(base)/src
        processes = %(%k + 1)
        threads = $(THREADS)
        logto = %d%n.log
        logname = %n.log
        """,
        cpus=4,
        env={"THREADS": "8"},
    )
    assert str(server.listeners[0].address) == "127.0.0.1:3031"
    assert server.options["chdir"][0].value == "/srv/app/src"
    assert server.processes.value == 5
    assert server.threads.value == 8
    # %d is the config's folder on the server, not on the machine that lints
    assert server.options["logto"][0].value is None
    assert server.options["logname"][0].value == "app.log"


def test_unknown_cpu_count_and_env_stay_unknown(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nprocesses = %k\nthreads = $(THREADS)\n")
    assert server.processes.value is None
    assert "--cpus" in (server.processes.unknown or "")
    assert server.threads.value is None


def test_numbers_are_read_without_units(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nharakiri = 60s\nsocket-timeout = 1m\n")
    assert server.harakiri.value == 60
    assert server.socket_timeout.value == 1  # atoi stops at 'm'
    assert server.harakiri.raw == "60s"  # the raw text is kept for GW506


def test_socket_protocol_option(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nsocket = :8000\nprotocol = http\n")
    assert server.listeners[0].protocol == "http"


def test_other_section(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nharakiri = 5\n[prod]\nharakiri = 50\n", section="prod")
    assert server.harakiri.value == 50


def test_missing_section_is_gw004(tmp_path: Path) -> None:
    path = tmp_path / "app.ini"
    path.write_text("[uwgsi]\nsocket = :3031\n")
    problems = Problems()
    assert load_uwsgi(str(path), Facts(), problems) is None
    assert [(p.code, p.location.line) for p in problems.items] == [("GW004", 1)]


def test_ini_include(tmp_path: Path) -> None:
    (tmp_path / "base.ini").write_text("[uwsgi]\nharakiri = 40\n")
    server = load(tmp_path, "[uwsgi]\nini = base.ini\nsocket = :3031\n")
    assert server.harakiri.value == 40
    assert server.harakiri.source.path == str(tmp_path / "base.ini")


def test_config_logic(tmp_path: Path) -> None:
    text = """
        [uwsgi]
        harakiri = 120
        if-env = DEV_MODE
        harakiri = 5
        endif =
        if-not-env = DEV_MODE
        threads = 4
        endif =
        if-exists = /etc/app/prod
        processes = 8
        endif =
        socket = :3031
        """
    server = load(tmp_path, text)
    assert server.harakiri.value == 120  # $DEV_MODE not given: taken as unset
    assert server.threads.value == 4
    assert server.processes.value is None  # only the server knows whether the file exists
    assert server.processes.unknown is not None
    assert "if-exists" in server.processes.unknown
    server = load(tmp_path, text, env={"DEV_MODE": "1"})
    assert server.harakiri.value == 5
    assert server.threads.value == 1


def test_processes_and_workers_are_one_setting(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nprocesses = 4\nworkers = 1\n")
    assert server.processes.value == 1
    assert server.processes_option == "workers"
    server = load(tmp_path, "[uwsgi]\nworkers = 1\nprocesses = 4\n")
    assert server.processes.value == 4


def test_no_socket_means_listeners_unknown(tmp_path: Path) -> None:
    server = load(tmp_path, "[uwsgi]\nmodule = app:app\n")
    assert server.listeners == ()
    assert server.listeners_unknown


# --- bounded work (issue 12): every shape ends with the result, or a located GW004 ----------------


# the problems of a load: (code, line, message, severity)
Found = list[tuple[str | None, int, str, str | None]]


def load_reporting(tmp_path: Path, text: str, **facts: Any) -> tuple[UwsgiServer, Found]:
    """The server, and the problems as (code, line, message, severity)."""
    path = tmp_path / "app.ini"
    path.write_text(text)
    problems = Problems()
    server = load_uwsgi(str(path), Facts(**facts), problems)
    assert server is not None
    found = [
        (p.code, p.location.line, p.message, p.severity.value if p.severity else None)
        for p in problems.items
    ]
    return server, found


def limits(found: Found) -> list[tuple[int, str]]:
    """The budget warnings (GW004, located, a warning): (line, message)."""
    reached = [(code, line, message, severity) for code, line, message, severity in found]
    reached = [item for item in reached if "(gwlint's limit" in item[2]]
    assert all(code == "GW004" and severity == "warning" for code, _, _, severity in reached)
    return [(line, message) for _, line, message, _ in reached]


def test_unclosed_openings_are_kept_as_written(tmp_path: Path) -> None:
    # the regexes looked for a ")" after every opening: quadratic; none after one means none
    # after a later one either
    for text in ("%(" * 100_000, "$(" * 100_000, "$(%(" * 50_000, "@(" * 100_000):
        server, found = load_reporting(tmp_path, f"[uwsgi]\nsocket = :8000\nx = {text}\n")
        assert server.options["x"][0].value == text
        assert found == []


def test_nested_openings_expand_the_first_complete_one(tmp_path: Path) -> None:
    server, found = load_reporting(
        tmp_path, "[uwsgi]\nport = 8000\nsocket = %(%(port))\nx = $($(A))\n", env={"$(A": "1"}
    )
    # %(port) inside %( ... ): the placeholder named "%(port", not set; $($(A)) reads "$(A"
    assert server.options["socket"][0].unknown == "uses %(%(port), which is not set before"
    assert server.options["x"][0].value == "1)"
    assert found == [
        (
            "GW005",
            3,
            "uWSGI option socket is not statically known: uses %(%(port), which is not set "
            "before; rules that need it are skipped",
            None,
        )
    ]


def test_deep_nesting_with_math_is_unknown_with_a_short_reason(tmp_path: Path) -> None:
    text = "%(" * 50_000 + "1 + 1" + ")" * 50_000
    server, found = load_reporting(tmp_path, f"[uwsgi]\nsocket = :8000\nprocesses = {text}\n")
    reason = server.processes.unknown or ""
    assert reason.startswith("uses %(%(%(")
    assert reason.endswith("...), not known statically")
    assert len(reason) < 200  # the reason quotes the placeholder, cut
    assert [code for code, *_ in found] == ["GW005"]


def test_math(tmp_path: Path) -> None:
    server = load(
        tmp_path,
        """
        [uwsgi]
        a = 6
        b = %(a * 7)
        c = %(a + -2)
        d = %(7 /2)
        e = %(1- 3)
        f = %(a / 0)
        g = %(a + b c)
        h = %(1--5)
        """,
    )
    values = {name: server.options[name][0].value for name in "bcde"}
    assert values == {"b": "42", "c": "4", "d": "3", "e": "-2"}
    assert server.options["f"][0].unknown == "divides by zero in %(a / 0)"
    assert server.options["g"][0].unknown == "uses %(a + b c), which is not set before"
    assert server.options["h"][0].unknown == "uses %(1--5), not known statically"  # 1- and 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a+1", ("a", "+", "1")),
        ("a+a+a", ("a+a", "+", "a")),  # no space: the last operator
        ("1--5", ("1-", "-", "5")),
        ("-5", None),
        ("+", None),
        (" a -1 ", ("a", "-", "1")),
        ("a- -1", ("a-", "-", "1")),
        ("a- 1", ("a", "-", "1")),
        ("a + 1", ("a", "+", "1")),
        ("a ++ 1", None),
        ("a + 1 b", None),
        ("a b", None),
        ("", None),
    ],
)
def test_math_operands(text: str, expected: tuple[str, str, str] | None) -> None:
    assert uwsgi._math(text) == expected


def test_math_operands_as_the_regex_read_them() -> None:
    # the one-pass reading gives what ^\s*(\S+)\s*([-+*/])\s*(\S+)\s*$ matched
    regex = re.compile(r"^\s*(\S+)\s*([-+*/])\s*(\S+)\s*$")
    chosen = random.Random(12)
    for _ in range(20_000):
        text = "".join(chosen.choice("a1+-*/ \t") for _ in range(chosen.randint(0, 8)))
        match = regex.match(text)
        assert uwsgi._math(text) == (match.groups() if match else None), text


def test_long_sums_end_quickly(tmp_path: Path) -> None:
    # "%(a+a+...+a)": the last + splits it, and a+a+...+a is no number; with a word after it, the
    # regex backtracked over every +
    for tail, why in ((")", "not known statically"), (" b)", "which is not set before")):
        text = "%(" + "a+" * 20_000 + "a" + tail
        server = load(tmp_path, f"[uwsgi]\na = 1\nx = {text}\n")
        assert (server.options["x"][0].unknown or "").endswith(why)


def test_many_keys_stop_at_max_keys(tmp_path: Path) -> None:
    keys = "".join(f"k{i} = {i}\n" for i in range(20_000))
    server, found = load_reporting(
        tmp_path, "[uwsgi]\nsocket = :8000\nprocesses = 4\n" + keys + "processes = 8\n"
    )
    # socket, processes and k0..k497: MAX_KEYS names; k498 is one more
    assert len(server.options) == uwsgi.MAX_KEYS
    line = 4 + uwsgi.MAX_KEYS - 2
    assert limits(found) == [
        (
            line,
            f"uWSGI ini: more than {uwsgi.MAX_KEYS} different option names (gwlint's limit); "
            "the rest is not read, so the settings the rules read are taken as unknown",
        )
    ]
    assert [severity for code, *_, severity in found] == ["warning"]
    # processes = 8 is not read: the value is not 4 but unknown
    assert server.processes.value is None
    assert server.processes.source.line == line
    assert server.listeners_unknown is not None


def test_many_keys_under_the_limit_keep_their_order(tmp_path: Path) -> None:
    keys = "".join(f"k{i} = {i}\n" for i in range(uwsgi.MAX_KEYS - 3))
    server, found = load_reporting(
        tmp_path, "[uwsgi]\nsocket = :8000\nworkers = 2\n" + keys + "processes = 3\n"
    )
    assert found == []
    assert server.processes.value == 3
    assert server.processes_option == "processes"  # set last, after every k


def test_a_big_value_used_on_many_lines(tmp_path: Path) -> None:
    big = "v" * 65_000
    server, found = load_reporting(
        tmp_path, f"[uwsgi]\nsocket = :8000\nbig = {big}\n" + "x = %(big)\n" * 1000
    )
    values = server.options["x"]
    fit = uwsgi.MAX_EXPANDED // len(big)  # then the config's budget is spent
    assert [v.value for v in values[:fit]] == [big] * fit
    assert all(v.value is None for v in values[fit:])
    assert values[fit].unknown == (
        f"not expanded: placeholders expand to more than {uwsgi.MAX_EXPANDED} characters"
    )
    assert limits(found) == [
        (
            4 + fit,
            f"uWSGI ini: placeholders and variables expand to more than {uwsgi.MAX_EXPANDED} "
            "characters in this config (gwlint's limit); the values that expand more are taken "
            "as unknown",
        )
    ]


def test_a_value_longer_than_max_value(tmp_path: Path) -> None:
    half = "v" * (uwsgi.MAX_VALUE // 2 + 1)
    server, found = load_reporting(
        tmp_path,
        f"[uwsgi]\nsocket = :8000\nhalf = {half}\nx = %(half)\nx = %(half)%(half)\n",
    )
    first, second = server.options["x"]
    assert first.value == half
    assert second.value is None
    assert second.unknown == f"expands to more than {uwsgi.MAX_VALUE} characters"
    assert limits(found) == [
        (
            5,
            f"uWSGI ini: a value expands to more than {uwsgi.MAX_VALUE} characters (gwlint's "
            "limit for one value); it is taken as unknown",
        )
    ]


def test_doubling_placeholders(tmp_path: Path) -> None:
    # each line twice as long as the one before: MAX_VALUE stops it, once reported
    text = "[uwsgi]\nsocket = :8000\na = xxxxxxxxxx\n" + "a = %(a)%(a)\n" * 40 + "b = %(a)\n"
    server, found = load_reporting(tmp_path, text)
    sizes = [len(v.value) if v.value is not None else None for v in server.options["a"]]
    assert sizes[:13] == [10 * 2**n for n in range(13)]  # 40960 characters
    assert sizes[13:] == [None] * 28
    assert server.options["b"][0].unknown == f"expands to more than {uwsgi.MAX_VALUE} characters"
    assert [line for line, _ in limits(found)] == [16]


def test_max_expansions(tmp_path: Path) -> None:
    server, found = load_reporting(
        tmp_path,
        "[uwsgi]\nsocket = :8000\n"
        + "x = "
        + "%n" * (uwsgi.MAX_EXPANSIONS + 5)
        + "\ny = %()%()\nz = %n\n",
    )
    assert server.options["x"][0].value is None
    assert server.options["x"][0].unknown == (
        f"not expanded: more than {uwsgi.MAX_EXPANSIONS} placeholders in the config"
    )
    assert server.options["z"][0].value is None  # the budget is spent for the whole config
    assert limits(found) == [
        (
            3,
            f"uWSGI ini: more than {uwsgi.MAX_EXPANSIONS} placeholders and variables to expand "
            "in this config (gwlint's limit); the values that use more are taken as unknown",
        )
    ]


def test_empty_placeholders_many_times(tmp_path: Path) -> None:
    server, found = load_reporting(tmp_path, "[uwsgi]\nsocket = :8000\nx = " + "%()" * 500_000)
    assert server.options["x"][0].unknown == "uses %(), which is not set before"
    assert len(limits(found)) == 1


def test_max_lines(tmp_path: Path) -> None:
    text = (
        "[uwsgi]\nsocket = :8000\nharakiri = 30\n"
        + "; a comment\n\n[other]\nx = 1\n[uwsgi]\n" * (uwsgi.MAX_LINES // 5)
        + "harakiri = 60\nthreads = 4\n"
    )
    server, found = load_reporting(tmp_path, text)
    assert limits(found) == [
        (
            uwsgi.MAX_LINES + 1,
            f"uWSGI ini: more than {uwsgi.MAX_LINES} lines in this config and the files it "
            "includes (gwlint's limit); the rest is not read, so the settings the rules read are "
            "taken as unknown",
        )
    ]
    why = (
        f"gwlint stopped reading this uWSGI config at line {uwsgi.MAX_LINES + 1} of "
        f"{tmp_path / 'app.ini'} (more than {uwsgi.MAX_LINES} lines in this config and the files "
        "it includes)"
    )
    # set before the limit, maybe again after it; not set before it: maybe set after it
    assert (server.harakiri.value, server.harakiri.unknown) == (None, why)
    assert (server.threads.value, server.threads.unknown) == (None, why)
    assert server.listeners_unknown == why  # a socket may follow
    assert [x.value for x in server.options["harakiri"]] == ["30", None]


def test_blank_lines_count(tmp_path: Path) -> None:
    server, found = load_reporting(
        tmp_path, "[uwsgi]\nsocket = :8000\n" + "\n" * 4_000_000 + "processes = 4\n"
    )
    assert server.processes.value is None
    assert [line for line, _ in limits(found)] == [uwsgi.MAX_LINES + 1]


def test_lines_are_split_as_splitlines_does() -> None:
    text = "a\r\nb\rc\nd\x0be\x0cf\x1cg\x1dh\x1ei\x85j\u2028k\u2029l\n\nm"
    assert list(uwsgi._lines(text)) == text.splitlines()
    assert list(uwsgi._lines("a\n")) == ["a"]
    assert list(uwsgi._lines("")) == []


def test_unknown_blocks_many_deep(tmp_path: Path) -> None:
    # the condition of a line is kept per level: no walk over every open block per line
    text = "[uwsgi]\nsocket = :8000\n" + "if-exists = /x\n" * 4000 + "processes = 4\n"
    server = load(tmp_path, text + "if-env = NOPE\nthreads = 8\n" + "endif =\n" * 4001)
    assert server.processes.unknown == (
        "set inside if-exists = /x (line 3), which only the server can decide"
    )
    assert "threads" not in server.options  # inside a block that is skipped


def test_conditions_nest(tmp_path: Path) -> None:
    server = load(
        tmp_path,
        """
        [uwsgi]
        if-env = NOPE
        if-exists = /x
        a = 1
        endif =
        endif =
        if-exists = /x
        if-not-env = NOPE
        b = 2
        if-env = NOPE
        c = 3
        endif =
        endif =
        d = 4
        endif =
        e = 5
        """,
    )
    assert "a" not in server.options
    assert "c" not in server.options
    assert server.options["b"][0].unknown == (
        "set inside if-exists = /x (line 8), which only the server can decide"
    )
    assert server.options["d"][0].unknown == server.options["b"][0].unknown
    assert server.options["e"][0].value == "5"


def test_a_long_condition_is_quoted_short(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = :8000\nif-exists = /" + "x" * 1_000_000 + "\n"
    server = load(tmp_path, text + "".join(f"k{i} = 1\n" for i in range(400)))
    reasons = [v[0].unknown or "" for k, v in server.options.items() if k.startswith("k")]
    assert len(reasons) == 400
    assert all(r.startswith("set inside if-exists = /xxx") and len(r) < 250 for r in reasons)


def test_huge_loops_are_not_run(tmp_path: Path) -> None:
    server = load(
        tmp_path,
        "[uwsgi]\nsocket = :8000\nfor-times = 1000000000\nx = %(_)\nendfor =\n"
        + "for = "
        + " ".join(map(str, range(100_000)))
        + "\ny = %(_)\nendfor =\n",
    )
    assert [v.value for v in server.options["x"] + server.options["y"]] == [None, None]
    assert (server.options["x"][0].unknown or "").startswith("set inside for-times = 1000000000")


def test_includes_stop_at_max_includes(tmp_path: Path) -> None:
    (tmp_path / "base.ini").write_text("[uwsgi]\nthreads = 2\n")
    text = "[uwsgi]\nsocket = :8000\n" + "ini = base.ini\n" * (uwsgi.MAX_INCLUDES + 50)
    server, found = load_reporting(tmp_path, text)
    assert len(server.options["threads"]) == uwsgi.MAX_INCLUDES
    assert server.threads.value == 2
    assert limits(found) == [
        (
            3 + uwsgi.MAX_INCLUDES,
            f"uWSGI ini: more than {uwsgi.MAX_INCLUDES} ini files to include (gwlint's limit, "
            "each include counted); this one and the next ones are not followed",
        )
    ]


def test_an_ini_that_includes_itself_many_times(tmp_path: Path) -> None:
    text = "[uwsgi]\nsocket = :8000\n" + "ini = app.ini\n" * 5000
    _, found = load_reporting(tmp_path, text)
    cycles = [line for code, line, message, _ in found if "includes itself" in message]
    assert cycles == list(range(3, 3 + uwsgi.MAX_INCLUDES))
    assert [line for line, _ in limits(found)] == [3 + uwsgi.MAX_INCLUDES]


def test_included_files_fit_in_max_ini_chars(tmp_path: Path) -> None:
    big = "[uwsgi]\nthreads = 2\n" + "; " + "x" * (uwsgi.MAX_INI_CHARS // 2) + "\n"
    (tmp_path / "big.ini").write_text(big)
    server, found = load_reporting(tmp_path, "[uwsgi]\nsocket = :8000\nini = big.ini\n" * 2)
    assert len(server.options["threads"]) == 1  # the second one would pass the limit
    assert limits(found) == [
        (
            6,
            f"uWSGI ini: the ini files read would pass {uwsgi.MAX_INI_CHARS} characters in all "
            "(gwlint's limit); this include and the next ones that do are not followed",
        )
    ]


def test_includes_nested_too_deep(tmp_path: Path) -> None:
    for n in range(1, uwsgi.MAX_INI_DEPTH + 3):
        (tmp_path / f"i{n}.ini").write_text(f"[uwsgi]\nini = i{n + 1}.ini\nlevel = {n}\n")
    server, found = load_reporting(tmp_path, "[uwsgi]\nsocket = :8000\nini = i1.ini\n")
    assert [v.value for v in server.options["level"]][-1] == "1"
    assert len(server.options["level"]) == uwsgi.MAX_INI_DEPTH
    depth = uwsgi.MAX_INI_DEPTH
    assert limits(found) == [
        (
            2,
            f"uWSGI ini: includes nested deeper than {depth} levels (gwlint's limit); "
            f"i{depth + 1}.ini is not followed",
        )
    ]


def test_a_command_line_with_many_ini_options(tmp_path: Path) -> None:
    base = tmp_path / "base.ini"
    base.write_text("[uwsgi]\nsocket = :8000\nthreads = 2\n")
    options = [
        uwsgi.CommandOption(
            name="ini", value="base.ini", raw="base.ini", line=4, resolved=str(base)
        )
    ] * (uwsgi.MAX_INCLUDES + 10)
    problems = Problems()
    launcher = str(tmp_path / "start.sh")
    server = uwsgi.uwsgi_from_command(launcher, options, Facts(), problems, folder=str(tmp_path))
    assert server is not None
    assert len(server.options["threads"]) == uwsgi.MAX_INCLUDES
    found = [(p.code, p.location.path, p.location.line) for p in problems.items]
    assert found == [("GW004", launcher, 4)]
    assert f"more than {uwsgi.MAX_INCLUDES} ini files to include" in problems.items[0].message
