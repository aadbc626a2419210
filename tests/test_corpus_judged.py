"""gwlint on the real repositories of the corpus, as a user runs it, against the hand-judged
findings of ``../shared/reference/corpus-judged.tsv``.

Each repository is its ``corpus/`` files merged with its ``corpus-next/`` ones (the Dockerfiles,
start scripts, env files and manifests of the same deployments), copied to a scratch folder, and
checked with no arguments from inside it. The judged table marks every finding gwlint gave on
the corpus alone TRUE, FALSE or DUBIOUS against the servers' real behaviour:

- no finding judged FALSE may come back;
- a finding judged DUBIOUS may stay only as info;
- at least 90 % of the findings judged TRUE must still be reported.

A judged path starting with ``(ABS)`` was printed as an absolute path; it is compared as the
relative path it should have been. Skipped where the corpus is absent, unless CI is set.
"""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import JUDGED, corpus_repositories, gwlint, merged_repository

pytestmark = pytest.mark.corpus

Finding = tuple[str, str, int, str]  # repository, path, line, code
MESSAGES: list[tuple[Finding, str]] = []  # every message reported, filled by ``reported``


def _judged() -> list[dict[str, str]]:
    if not JUDGED.is_file():
        pytest.fail(f"{JUDGED} is missing beside the corpus")
    with JUDGED.open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> dict[Finding, str]:
    """(repository, path, line, code) -> severity of everything gwlint reports."""
    found: dict[Finding, str] = {}
    scratch = tmp_path_factory.mktemp("repositories")
    for name in corpus_repositories():
        repository = merged_repository(name, scratch)
        run = gwlint("check", "--format", "json", "--exit-zero", cwd=repository)
        assert run.code == 0, f"{name}: {run.err}"
        assert "internal error" not in run.err, run.err
        assert "Traceback" not in run.err, run.err
        for diagnostic in json.loads(run.out)["diagnostics"]:
            key = (name, diagnostic["path"], diagnostic["line"], diagnostic["code"])
            assert not diagnostic["path"].startswith("/"), f"{name}: absolute path {key}"
            found[key] = diagnostic["severity"]
            MESSAGES.append((key, diagnostic["message"]))
    return found


def _key(row: dict[str, str]) -> Finding:
    return (row["repo"], row["path"].removeprefix("(ABS)"), int(row["line"]), row["code"])


def test_no_finding_judged_false_comes_back(reported: dict[Finding, str]) -> None:
    back = [_key(row) for row in _judged() if row["verdict"] == "FALSE" and _key(row) in reported]
    assert back == []


def test_dubious_findings_are_info_at_most(reported: dict[Finding, str]) -> None:
    loud = [
        (*_key(row), reported[_key(row)])
        for row in _judged()
        if row["verdict"] == "DUBIOUS" and reported.get(_key(row), "info") != "info"
    ]
    assert loud == []


def test_true_findings_are_still_reported(reported: dict[Finding, str]) -> None:
    true = [_key(row) for row in _judged() if row["verdict"] == "TRUE"]
    missing = [key for key in true if key not in reported]
    assert len(true) >= 30
    assert len(true) - len(missing) >= 0.9 * len(true), missing


def test_every_repository_is_read(reported: dict[Finding, str]) -> None:
    """The judged repositories are all there (a renamed folder would pass the tests above)."""
    names = set(corpus_repositories())
    assert {row["repo"] for row in _judged()} <= names


def test_messages_are_at_most_200_characters(reported: dict[Finding, str]) -> None:
    assert reported
    long = [(key, len(message)) for key, message in MESSAGES if len(message) > 200]
    assert not long, long
