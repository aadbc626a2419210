"""Sweep over ../shared/corpus and ../shared/corpus-next: real configs from public projects,
read-only, never copied into the project.

Every nginx, gunicorn and uWSGI file and every launcher (Procfile, compose, systemd unit,
supervisord config...) of both alone, every context file (Kubernetes manifest, template, env
file, version pins) alone, every deployment pair of the manifest together, and every repository
as a whole (its two parts merged): no traceback, no exit 2, and no GW001 on a file that real
nginx accepts. Skipped where the corpus is absent, unless CI is set.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import (
    CORPUS_NEXT,
    corpus_or_skip,
    corpus_repositories,
    gwlint,
    merged_repository,
)

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
CONTEXT_KINDS = ("env", "requirements", "k8s", "template")
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


def _roots() -> list[Path]:
    corpus = corpus_or_skip()
    return [corpus, CORPUS_NEXT] if (CORPUS_NEXT / "MANIFEST.tsv").is_file() else [corpus]


def test_every_file_alone() -> None:
    rows = [(root, r) for root in _roots() for r in _manifest(root) if _usable(r)]
    assert len(rows) > 100
    false_alarms = []
    for root, row in rows:
        document = _check(root, [(row["kind"], row["local_path"])])
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


def test_every_context_file_alone() -> None:
    """A Kubernetes manifest, a template, an env file or a requirements file named alone: read
    as context, never a traceback; at most the warning that no config was found."""
    rows = [(root, r) for root in _roots() for r in _manifest(root) if r["kind"] in CONTEXT_KINDS]
    assert len(rows) > 20
    for root, row in rows:
        run = gwlint("check", row["local_path"], "--format", "json", cwd=root)
        assert run.code in (0, 1, 2), f"{row['local_path']}: {run.err}"
        assert "internal error" not in run.err, run.err
        assert "Traceback" not in run.err, run.err
        if run.code == 2:  # a file that is no config and no context: refused by name
            assert run.err.startswith(f"gwlint: error: {row['local_path']}: "), run.err
            assert run.err.count("\n") == 1, run.err
        else:
            assert run.err in (
                "",
                f"gwlint: warning: no nginx, Apache, Caddy, gunicorn or uWSGI config found "
                f"in {row['local_path']}\n",
            ), run.err


def test_every_folder_walked(tmp_path: Path) -> None:
    """Each project folder as a whole (its corpus and corpus-next parts merged), the way
    `gwlint check DIR` discovers it."""
    for name in corpus_repositories():
        merged_repository(name, tmp_path)
        run = gwlint("check", name, "--format", "json", cwd=tmp_path)
        assert run.err in (
            "",
            f"gwlint: warning: no nginx, Apache, Caddy, gunicorn or uWSGI config found in {name}\n",
        ), f"{name}: {run.err}"
        assert run.code in (0, 1), name
