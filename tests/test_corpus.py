"""Sweep over ../shared/corpus: real configs from public projects, read-only, never copied here.

Every nginx, gunicorn and uWSGI file and every launcher (Procfile, compose, systemd unit,
supervisord config...) alone, and every deployment pair of the manifest together: no
traceback, no exit 2, and no GW001 on a file that real nginx accepts. Skipped where the corpus
is absent, unless CI is set.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import corpus_or_skip, gwlint

pytestmark = pytest.mark.corpus

# Files that are not nginx configs as they stand, each with the reason: GW001 is expected there
# (checked with nginx -t 1.31.3 on the corpus: these are the files it rejects, or their templates).
_CROSSPLANE = "nginxinc__crossplane/tests/configs"
_APICAST = "3scale__APIcast/gateway"
NOT_PLAIN_NGINX: dict[str, str] = {
    f"{_CROSSPLANE}/bad-args/nginx.conf": "broken on purpose: `user;` takes an argument",
    f"{_CROSSPLANE}/includes-globbed/servers/locations/not-included.conf": (
        "broken on purpose: never included with the right prefix"
    ),
    f"{_CROSSPLANE}/includes-regular/conf.d/bar.conf": "broken on purpose",
    f"{_CROSSPLANE}/includes-regular/conf.d/foo.conf": "broken on purpose",
    f"{_CROSSPLANE}/missing-semicolon/broken-above.conf": "broken on purpose: missing ;",
    f"{_CROSSPLANE}/missing-semicolon/broken-below.conf": "broken on purpose: missing ;",
    f"{_CROSSPLANE}/spelling-mistake/nginx.conf": "broken on purpose: proxy_passs",
    "frappe__frappe_docker/resources/core/nginx/nginx-template.conf": "envsubst template",
    "ansible__awx/tools/docker-compose/ansible/roles/sources/templates/nginx.conf.j2": "Jinja",
    "ansible__awx/tools/docker-compose/ansible/roles/sources/templates/nginx.locations.conf.j2": (
        "Jinja template"
    ),
    "alerta__docker-alerta/config/templates/app/nginx.conf.j2": "Jinja template",
    f"{_APICAST}/conf/nginx.conf.liquid": "Liquid template",
    f"{_APICAST}/apicast.d/buffers.conf": "Liquid template",
    f"{_APICAST}/http.d/shdict.conf": "Liquid template",
    f"{_APICAST}/http.d/init.conf": "Liquid template",
    f"{_APICAST}/conf.d/apicast.conf": "Liquid template",
}

KINDS = ("nginx", "gunicorn", "uwsgi", "launcher")
FLAG = {"nginx": "--nginx", "gunicorn": "--gunicorn", "uwsgi": "--uwsgi"}  # launchers: by name


def _manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open() as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _check(corpus: Path, files: list[tuple[str, str]]) -> dict[str, object]:
    args = ["check", "--format", "json"]
    for kind, path in files:
        args += [FLAG[kind], path] if kind in FLAG else [path]
    run = gwlint(*args, cwd=corpus)
    assert run.err == "", f"{files}: {run.err}"
    assert run.code in (0, 1), f"{files}: exit {run.code}"
    document: dict[str, object] = json.loads(run.out)
    return document


def _usable(row: dict[str, str]) -> bool:
    """A launcher template (supervisord.conf.j2) is not a launcher as it stands: gwlint
    refuses it by name (exit 2, "lint the file it renders"); nginx templates are GW001."""
    from gwlint.loaders import TEMPLATE_SUFFIXES

    template = row["local_path"].lower().endswith(TEMPLATE_SUFFIXES)
    return row["kind"] in KINDS and not (row["kind"] == "launcher" and template)


def test_every_file_alone() -> None:
    corpus = corpus_or_skip()
    rows = [r for r in _manifest(corpus) if _usable(r)]
    assert len(rows) > 100
    false_alarms = []
    for row in rows:
        document = _check(corpus, [(row["kind"], row["local_path"])])
        diagnostics = document["diagnostics"]
        assert isinstance(diagnostics, list)
        for diagnostic in diagnostics:
            expected = {row["local_path"], diagnostic["path"]} & set(NOT_PLAIN_NGINX)
            if diagnostic["code"] == "GW001" and not expected:
                false_alarms.append(
                    f"{diagnostic['path']}:{diagnostic['line']} {diagnostic['message']}"
                )
    assert false_alarms == []


def test_every_deployment_pair() -> None:
    corpus = corpus_or_skip()
    rows = _manifest(corpus)
    kinds = {r["local_path"]: r["kind"] for r in rows if _usable(r)}
    pairs = 0
    for row in rows:
        if row["kind"] != "nginx" or not row["pairs_with"]:
            continue
        others = [p for p in row["pairs_with"].split(";") if kinds.get(p) in KINDS]
        if not others:
            continue
        pairs += 1
        _check(corpus, [("nginx", row["local_path"]), *((kinds[p], p) for p in others)])
    assert pairs > 0


def test_every_folder_walked() -> None:
    """Each project folder as a whole, the way `gwlint check DIR` discovers it."""
    corpus = corpus_or_skip()
    for project in sorted(p for p in corpus.iterdir() if p.is_dir()):
        run = gwlint("check", project.name, "--format", "json", cwd=corpus)
        assert run.err == "", f"{project.name}: {run.err}"
        assert run.code in (0, 1), project.name
