"""Text output puts the findings that matter first within each file (errors, warnings, info);
JSON keeps path and line order."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import gwlint

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"
RANK = {"error": 3, "warning": 2, "info": 1}
FINDING = re.compile(r"^(?P<path>[^ ]+?):(?P<line>\d+):(?:\d+:)? GW\d{3} \[(?P<severity>\w+)\]")


def test_text_lists_errors_first_within_each_file() -> None:
    text = gwlint("check", cwd=DEMO).out
    found = [m for m in map(FINDING.match, text.splitlines()) if m]
    assert found
    by_file: dict[str, list[tuple[int, int]]] = {}
    for match in found:
        rank = RANK[match["severity"]]
        by_file.setdefault(match["path"], []).append((rank, int(match["line"])))
    # the demo has a file where an info comes before an error in line order
    assert any(
        sorted(entries, key=lambda e: e[1]) != sorted(entries, key=lambda e: (-e[0], e[1]))
        for entries in by_file.values()
    )
    for entries in by_file.values():
        assert entries == sorted(entries, key=lambda e: (-e[0], e[1]))
    # each file's findings together, files in the report's order
    paths = [m["path"] for m in found]
    assert paths == sorted(paths, key=paths.index)


def test_json_keeps_path_and_line_order() -> None:
    document = json.loads(gwlint("check", "--format", "json", cwd=DEMO).out)
    places = [(d["path"], d["line"]) for d in document["diagnostics"]]
    assert places == sorted(places)
