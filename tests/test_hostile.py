"""Every reproducer of issue 12 (tests/hostile/cases.py), run as a hostile pull request would
be: gwlint in a child process under ``setrlimit`` (CPU seconds, address space: generous, so a
slow machine passes, yet a runaway case is killed rather than the test hanging). What is checked
is the result, never the duration (``python tests/bench/hostile.py`` measures those):

- the run ends as a check ends (exit 0 or 1; 2 only where the case is a usage error, with one
  line on stderr), and no internal error;
- nothing from outside the repository reaches the output (the secret of ``outside/``, the first
  line of /etc/passwd);
- the output is inert: no ESC or BEL byte, no line that starts with ``::`` unless the format is
  github, and then each such line is one well-formed annotation;
- a file outside the folders gwlint reads gets the same answer whether it exists or not.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.hostile.cases import CASES, PASSWD, SECRET, Case
from tests.hostile.run import Outcome, build, run

# a runaway case is killed, not waited for (the goal is 2 s and 200 MB: see tests/bench)
CPU_SECONDS = 60
MEMORY_MIB = 3072

# one annotation, as the github reporter writes it (escaped: no raw newline, no ``::`` inside
# the properties)
ANNOTATION = re.compile(
    r"::(error|warning|notice)( (file|line|endLine|col|endColumn|title)=[^,:\n]*"
    r"(,(file|line|endLine|col|endColumn|title)=[^,:\n]*)*)?::[^\n]*"
)


def _outcome(item: Case, *extra: str) -> Outcome:
    scratch, root = build(item)
    try:
        return run(item, root, *extra, cpu_seconds=CPU_SECONDS, memory_mib=MEMORY_MIB)
    finally:
        scratch.cleanup()


@pytest.mark.parametrize("item", CASES, ids=[f"{c.group}-{c.name}" for c in CASES])
def test_hostile_case(item: Case) -> None:
    outcome = _outcome(item)
    out = outcome.out.decode("utf-8", "replace")
    err = outcome.err.decode("utf-8", "replace")
    assert outcome.code >= 0, f"killed by signal {-outcome.code} (CPU or memory limit reached)"
    if item.usage_error and outcome.code == 2:
        assert err.startswith("gwlint: error: "), repr(err)
        assert err.count("\n") == 1, repr(err)
    else:
        assert outcome.code in (0, 1), f"exit {outcome.code}: {err}"
    assert "internal error" not in err, err
    assert "Traceback" not in out + err, err
    assert SECRET not in out + err, "a file outside the repository reached the output"
    assert PASSWD not in out + err, "/etc/passwd reached the output"
    for byte in (b"\x1b", b"\x07", b"\x9b"):
        assert byte not in outcome.out + outcome.err, f"{byte!r} reached the output"
    github = "github" in item.args
    for line in out.split("\n"):
        if line.startswith("::"):
            assert github, f"a line that GitHub Actions obeys: {line!r}"
            assert ANNOTATION.fullmatch(line), f"not one annotation: {line!r}"
    for line in err.splitlines():
        assert not line.startswith("::"), line
    if item.expect:
        document = json.loads(_outcome(item, "--format", "json").out)
        codes_and_messages = json.dumps(document["diagnostics"])
        for text in item.expect:
            assert text in codes_and_messages, f"{text!r} not in {codes_and_messages[:2000]}"


def _by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def _diagnostics(item: Case) -> list[tuple[str, str, int, str]]:
    # GW011 (one side only) says nothing of what these cases test
    document = json.loads(_outcome(item, "--format", "json", "--ignore", "GW011").out)
    return [
        (d["code"], Path(d["path"]).name, d["line"], d["message"]) for d in document["diagnostics"]
    ]


def test_no_oracle_for_a_uwsgi_ini_outside() -> None:
    """``ini = /etc/passwd`` and ``ini = /etc/no-such-file-x`` get the same finding, at the
    including line: whether a file exists outside is never told."""
    exists = _diagnostics(_by_name("uwsgi_ini_outside_exists"))
    missing = _diagnostics(_by_name("uwsgi_ini_outside_missing"))
    normal = [
        (code, path, line, message.replace("/etc/passwd", "FILE"))
        for code, path, line, message in exists
    ]
    other = [
        (code, path, line, message.replace("/etc/no-such-file-x", "FILE"))
        for code, path, line, message in missing
    ]
    assert normal == other
    assert ("GW004", "uwsgi.ini", 3) in [(c, p, n) for c, p, n, _ in normal]


def test_include_outside_is_reported_at_the_include() -> None:
    """From ``/``, ``include ../../../../../../etc/passwd`` is reported at the include line of the
    repository's file (never at a file of the host), the same way as a missing file there."""
    found = _diagnostics(_by_name("include_up_to_etc_from_cwd_root"))
    assert [(c, p, n) for c, p, n, _ in found] == [("GW002", "nginx.conf", 3)]
    assert "lies outside the folders gwlint reads" in found[0][3]
    missing = _diagnostics(_by_name("include_up_to_a_missing_file_from_cwd_root"))
    assert [(c, p, n, m.replace("no-such-file-x", "passwd")) for c, p, n, m in missing] == found


def test_no_oracle_for_launchers_naming_files_outside() -> None:
    """A compose ``env_file``, a sourced file, gunicorn ``-c`` and uWSGI ``--ini`` naming a file
    outside the repository: the same findings whether it exists or not."""
    exists = _diagnostics(_by_name("launchers_outside_exists"))
    missing = _diagnostics(_by_name("launchers_outside_missing"))
    assert exists  # the -c and --ini are reported as not in the repository
    assert [(c, p, n, m.replace("nope.ini", "app.ini")) for c, p, n, m in missing] == exists
