"""At scale, the same results: what the engine does so that large inputs stay fast.

Grouping a repository of many deployments on one port: the engine ranks deployments by how much
of the folder tree they share with an app by walking up from the app's folder
(``_by_closeness``) instead of comparing it with every deployment's home; the ranking must be the
one the common path gives, and each app still pairs with its own nginx. Each nginx file is lexed
once per run, though grouping reads it before loading does. A run collects garbage less often,
and leaves the collector as it found it. (No timing here: tests/bench/bench.py measures.)
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from gwlint import engine
from gwlint.deployment import grouping
from gwlint.loaders import nginx as nginx_loader
from tests.conftest import gwlint


def _common(a: str, b: str) -> int:
    """The closeness the ranking stands for: the length of the common path."""
    try:
        return len(os.path.commonpath([a, b]))
    except ValueError:
        return 0


def _expected(here: str, groups: list[grouping.Group]) -> list[list[grouping.Group]]:
    ranks: dict[int, list[grouping.Group]] = {}
    for group in groups:
        ranks.setdefault(_common(here, group.home), []).append(group)
    return [ranks[key] for key in sorted(ranks, reverse=True)]


@pytest.mark.parametrize("seed", range(30))
def test_ranking_is_by_common_path(seed: int) -> None:
    rng = random.Random(seed)
    names = ["a", "b", "ab", "deploy", "svc", "a b"]

    def folder() -> str:
        return "/" + "/".join(rng.choice(names) for _ in range(rng.randint(0, 4)))

    groups = [grouping.Group(home=os.path.normpath(folder())) for _ in range(rng.randint(1, 12))]
    under: dict[str, list[grouping.Group]] = {}
    for group in groups:
        for parent in grouping.ancestors(group.home):
            under.setdefault(parent, []).append(group)
    for _ in range(10):
        here = os.path.normpath(folder())
        wanted = rng.sample(groups, rng.randint(0, len(groups)))
        ordered = [g for g in groups if g in wanted]
        got = list(grouping.by_closeness(here, ordered, under))
        assert [[id(g) for g in rank] for rank in got] == [
            [id(g) for g in rank] for rank in _expected(here, ordered)
        ]


NGINX = """events {{}}
http {{
    server {{
        listen 80;
        server_name service{n}.example.com;
        location / {{
            proxy_read_timeout {read}s;
            proxy_pass http://127.0.0.1:8000;
        }}
    }}
}}
"""
GUNICORN = 'bind = "127.0.0.1:8000"\nworkers = 3\ntimeout = {timeout}\n'


def test_each_app_of_many_on_one_port_pairs_with_its_own_nginx(tmp_path: Path) -> None:
    count = 40
    for n in range(count):
        home = tmp_path / "services" / f"svc{n:02d}"
        home.mkdir(parents=True)
        # one deployment whose app gives up before nginx does
        (home / "nginx.conf").write_text(NGINX.format(n=n, read=120 if n == 17 else 30))
        (home / "gunicorn.conf.py").write_text(GUNICORN.format(timeout=60))
    run = gwlint("check", "--isolated", "--select", "GW101", cwd=tmp_path)
    assert f"Checked {2 * count} files in {count} deployments" in run.out
    found = [line for line in run.out.splitlines() if " GW101 " in line]
    assert len(found) == 1
    assert found[0].startswith("services/svc17/nginx.conf:")


def test_each_nginx_file_is_lexed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "nginx.conf").write_text("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
    (tmp_path / "conf.d" / "app.conf").write_text(
        "server {\n    location / {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n"
    )
    (tmp_path / "gunicorn.conf.py").write_text(GUNICORN.format(timeout=60))
    lexed: list[str] = []
    real = nginx_loader._lex  # the loader lexes each file it reads here

    def counting(path: str, text: str | None = None) -> nginx_loader.Lexed:
        lexed.append(os.path.basename(path))
        return real(path, text)

    monkeypatch.setattr(nginx_loader, "_lex", counting)
    run = gwlint("check", "--isolated", cwd=tmp_path)
    assert run.code in (0, 1), run.err
    assert sorted(lexed) == ["app.conf", "nginx.conf"]


def test_a_run_leaves_the_garbage_collector_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    before = gc.get_threshold()
    seen: list[tuple[int, ...]] = []

    def spy(request: engine.Request) -> engine.Report:
        seen.append(gc.get_threshold())
        raise engine.UsageError("stop here")

    monkeypatch.setattr(engine, "_lint_request", spy)
    with pytest.raises(engine.UsageError):
        engine.lint(engine.Request(paths=["."]))
    assert seen[0][0] >= engine.YOUNG_COLLECTION_THRESHOLD
    assert gc.get_threshold() == before
