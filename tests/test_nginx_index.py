"""What the rules and loaders look up instead of passing over every statement gives the same
statements, in the same order, as the pass over every statement did."""

from __future__ import annotations

import textwrap
from pathlib import Path

from gwlint.loaders import nginx as nginx_loader
from gwlint.loaders.common import Problems
from gwlint.loaders.nginx import load_nginx
from gwlint.model.facts import Facts

CONFIG = """
user www-data www-data;
events { worker_connections 512; }
http {
    include conf.d/*.conf;
    upstream app { server 127.0.0.1:8000 max_fails=2; keepalive 8; }
    server {
        listen 80;
        listen 8080 backlog=100000;
        location / { proxy_pass http://app; proxy_set_header Host $host; }
        location /b { proxy_pass http://app; proxy_set_header X-A 1; proxy_set_header X-B 2; }
    }
}
"""
FRAGMENT = """
server {
    listen 81;
    location /c { proxy_pass http://127.0.0.1:9000; proxy_set_header Host $host; }
}
"""


def test_named_gives_the_statements_of_those_names_in_file_order(tmp_path: Path) -> None:
    (tmp_path / "conf.d").mkdir()
    (tmp_path / "nginx.conf").write_text(textwrap.dedent(CONFIG))
    (tmp_path / "conf.d" / "extra.conf").write_text(textwrap.dedent(FRAGMENT))
    config = load_nginx([str(tmp_path / "nginx.conf")], Facts(), Problems())
    for names in (
        ("listen",),
        ("proxy_set_header", "listen"),
        ("server", "proxy_pass", "keepalive", "user"),
        ("missing",),
        (),
    ):
        expected = [d for d in config.directives if d.name in names]
        assert config.named(names) == expected
        assert config.named(list(names) * 2) == expected  # a name given twice counts once
    assert sorted(i for found in config.positions.values() for i in found) == list(
        range(len(config.directives))
    )
    for name, found in config.positions.items():
        assert [config.directives[i].name for i in found] == [name] * len(found)


def test_top_level_statements_are_found_once_and_alike(tmp_path: Path) -> None:
    path = tmp_path / "nginx.conf"
    path.write_text(textwrap.dedent(CONFIG))
    lexed = nginx_loader._lex(str(path))
    first = lexed.statements()
    assert first == list(nginx_loader._top_level_statements(lexed.tokens))
    assert [name for name, _ in first] == ["user", "events", "http"]
    assert lexed.statements() is first  # kept for the next loader of the run
