"""nginx loading: includes, fragments, inheritance, defaults per version, all errors located."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gwlint.loaders import nginx as nginx_loader
from gwlint.loaders.common import Problems
from gwlint.loaders.nginx import group_roots, load_nginx
from gwlint.model.facts import Facts
from gwlint.model.nginx import NginxConfig


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def load(
    folder: Path,
    roots: list[str],
    version: tuple[int, int, int] = (1, 30, 0),
    prefix: str | None = None,
) -> tuple[NginxConfig, Problems]:
    problems = Problems()
    config = load_nginx(
        [str(folder / r) for r in roots], Facts(nginx_version=version), problems, prefix=prefix
    )
    return config, problems


def test_inheritance_http_server_location_nested_if(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": """
            events {}
            http {
                proxy_read_timeout 90s;
                proxy_set_header Connection "";
                server {
                    proxy_read_timeout 1m30s;
                    location / {
                        proxy_pass http://127.0.0.1:8000;
                    }
                    location /slow/ {
                        proxy_read_timeout "1h 30m";
                        proxy_set_header X-Request-Id $request_id;
                        location /slow/nested/ {
                            proxy_pass http://127.0.0.1:8000;
                        }
                        if ($arg_x) {
                            proxy_pass http://127.0.0.1:8001;
                        }
                    }
                }
            }
            """,
        },
    )
    config, problems = load(tmp_path, ["nginx.conf"], version=(1, 24, 0))
    assert problems.items == []
    by_location = {(r.location, r.pass_directive.source.line): r for r in config.routes}
    root = by_location[("/", 9)]
    assert root.read_timeout.value == 90_000
    assert root.read_timeout.source.line == 7  # the server's value, not http's
    assert root.connection_header is not None
    assert root.connection_header.value == ""  # inherited from http
    nested = by_location[("/slow/nested/", 15)]
    assert nested.read_timeout.value == 5_400_000
    assert nested.connection_header is not None
    # the location sets its own proxy_set_header: the inherited Connection "" is gone
    assert nested.connection_header.value == "close"
    assert nested.connection_header.is_default
    inside_if = by_location[("/slow/", 18)]
    assert inside_if.read_timeout.source.line == 12


def test_defaults_follow_the_version(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": """
            http {
                upstream app { server 127.0.0.1:8000; }
                server { location / { proxy_pass http://app; } }
            }
            """
        },
    )
    old, _ = load(tmp_path, ["nginx.conf"], version=(1, 24, 0))
    new, _ = load(tmp_path, ["nginx.conf"], version=(1, 29, 7))
    assert old.upstreams["app"].keepalive.value == 0
    assert new.upstreams["app"].keepalive.value == 32
    old_version, new_version = old.routes[0].http_version, new.routes[0].http_version
    assert old_version is not None
    assert old_version.value == "1.0"
    assert new_version is not None
    assert new_version.value == "1.1"
    assert old.routes[0].read_timeout.source.default_of == "nginx 1.24"


def test_upstream_targets_and_default_port(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": """
            http {
                server {
                    location /a { proxy_pass http://app/x; }
                    location /b { proxy_pass http://unix:/run/app.sock:/y; }
                    location /c { uwsgi_pass unix:/run/u.sock; }
                    location /d { proxy_pass http://$backend; }
                    location /e { proxy_pass https://api.example.com; }
                }
                upstream app { server backend; server 10.0.0.2:8000 down; }
            }
            """
        },
    )
    config, _ = load(tmp_path, ["nginx.conf"])
    routes = {r.location: r for r in config.routes}
    assert routes["/a"].target.upstream == "app"  # defined after its use
    assert [str(s.address) for s in routes["/a"].target.servers] == [
        "backend:80",
        "10.0.0.2:8000",
    ]
    assert str(routes["/b"].target.servers[0].address) == "unix:/run/app.sock"
    assert routes["/c"].protocol == "uwsgi"
    assert routes["/d"].target.dynamic
    assert str(routes["/e"].target.servers[0].address) == "api.example.com:443"


def test_includes_prefix_tail_and_globs(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": """
            http {
                include /etc/nginx/conf.d/*.conf;
                include /etc/nginx/snippets/timeouts.conf;
                include missing.conf;
                include nothing/*.conf;
            }
            """,
            "conf.d/app.conf": "server { location / { proxy_pass http://127.0.0.1:8000; } }\n",
            "snippets/timeouts.conf": "proxy_read_timeout 10s;\n",
        },
    )
    config, problems = load(tmp_path, ["nginx.conf"])
    assert config.routes[0].read_timeout.value == 10_000
    assert config.routes[0].pass_directive.source.path == str(tmp_path / "conf.d/app.conf")
    assert [(p.code, p.location.line) for p in problems.items] == [("GW002", 5)]


def test_fragments_are_read_inside_http(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "sites-enabled/app.conf": """
            upstream app { server 127.0.0.1:8000; }
            server {
                listen 80;
                location / { proxy_pass http://app; }
            }
            """,
            "locations.conf": "location /x { proxy_pass http://127.0.0.1:9000; }\n",
        },
    )
    config, problems = load(tmp_path, ["sites-enabled/app.conf", "locations.conf"])
    assert problems.items == []
    assert {r.location for r in config.routes} == {"/", "/x"}


def test_every_error_is_reported_with_file_and_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": """
            http {
                include site.conf;
                server {
                    location / {
                        proxy_read_timeout 60s
                        proxy_pass http://127.0.0.1:8000;
                    }
                    proxy_pass http://127.0.0.1:8000;
                }
            }
            """,
            "site.conf": "server {\n    listen 80\n}\n",
        },
    )
    _, problems = load(tmp_path, ["nginx.conf"])
    located = sorted((Path(p.location.path).name, p.location.line) for p in problems.items)
    assert located == [("nginx.conf", 6), ("nginx.conf", 9), ("site.conf", 2)]
    assert all(p.code == "GW001" for p in problems.items)


def test_root_included_by_another_root_is_read_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": "http { include sites/*.conf; }\n",
            "sites/a.conf": "server { location / { proxy_pass http://127.0.0.1:8000; } }\n",
        },
    )
    config, _ = load(tmp_path, ["nginx.conf", "sites/a.conf"])
    assert len(config.routes) == 1


def test_include_cycle_is_reported_not_followed(tmp_path: Path) -> None:
    write(tmp_path, {"nginx.conf": "http { include a.conf; }\n", "a.conf": "include a.conf;\n"})
    _, problems = load(tmp_path, ["nginx.conf"])
    assert [p.code for p in problems.items] == ["GW001"]
    assert "include cycle: a.conf -> a.conf" in problems.items[0].message


def test_stream_proxies_are_not_http_routes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"nginx.conf": "stream { server { listen 5432; proxy_pass db:5432; } }\n"},
    )
    config, problems = load(tmp_path, ["nginx.conf"])
    assert problems.items == []
    assert config.routes == ()


def test_files_outside_the_given_folders_are_never_read(tmp_path: Path) -> None:
    """An untrusted config cannot make gwlint read (and echo) a file elsewhere on the host."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "token").write_text("hunter2 is the password\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    write(
        repo,
        {
            "nginx.conf": f"""
            http {{
                include {secret / "token"};
                include ../secret/token;
                include /etc/hostname;
            }}
            """
        },
    )
    problems = Problems()
    config = load_nginx([str(repo / "nginx.conf")], Facts(), problems)
    assert config.files == (str(repo / "nginx.conf"),)
    assert [p.code for p in problems.items] == ["GW002", "GW002", "GW002"]
    assert not any("hunter2" in p.message for p in problems.items)


def test_deep_nesting_is_reported_not_a_crash(tmp_path: Path) -> None:
    depth = 1000
    text = "http { server { " + "location / { " * depth + "}" * depth + " } }\n"
    write(tmp_path, {"nginx.conf": text})
    _, problems = load(tmp_path, ["nginx.conf"])
    assert [p.code for p in problems.items] == ["GW001"]
    assert "nested deeper" in problems.items[0].message


def test_route_buffers_headers_retries_and_local_directives(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": """
            http {
                proxy_buffers 16 8k;
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-Proto $scheme;
                large_client_header_buffers 8 16k;
                resolver 127.0.0.11;
                server {
                    location /a/ {
                        proxy_set_header X-Request-Id $request_id;
                        proxy_buffering off;
                        proxy_next_upstream error timeout non_idempotent;
                        uwsgi_read_timeout 5s;
                        proxy_pass http://127.0.0.1:8000/;
                    }
                    location ~ ^/b/ {
                        proxy_pass http://$host:8000$request_uri;
                    }
                }
            }
            """
        },
    )
    config, problems = load(tmp_path, ["nginx.conf"])
    assert problems.items == []
    a, b = config.routes
    assert a.buffers.value == (16, 8192)
    assert a.buffering.value == "off"
    assert a.buffering.source.line == 11
    assert b.buffering.is_default
    assert set(a.headers) == {"x-request-id"}
    assert [name for name, _ in a.headers_dropped] == ["host", "x-forwarded-proto"]
    assert set(b.headers) == {"host", "x-forwarded-proto"}
    assert b.headers_dropped == ()
    assert a.next_upstream.value == "error timeout non_idempotent"
    assert b.next_upstream.is_default
    assert a.large_client_header_buffers.value == (8, 16384)
    assert a.resolver is not None
    assert a.resolver.value == "127.0.0.11"
    assert [d.name for d in a.local] == [
        "proxy_set_header",
        "proxy_buffering",
        "proxy_next_upstream",
        "uwsgi_read_timeout",
        "proxy_pass",
    ]
    assert a.target.uri == "/"
    assert b.location_modifier == "~"
    assert b.target.dynamic
    assert b.target.variables


def test_invalid_values_are_recorded_like_nginx_t(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": """
            http {
                proxy_read_timeout 1.5s;
                proxy_buffer_size 1g;
                client_max_body_size 1g;
                keepalive_timeout 65 500ms;
                proxy_buffers eight 4k;
                server {
                    location / {
                        proxy_connect_timeout 30s1m;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """
        },
    )
    config, _ = load(tmp_path, ["nginx.conf"])
    invalid = {d.name: d.invalid for d in config.directives if d.invalid}
    assert invalid == {
        "proxy_read_timeout": 'invalid value "1.5s" in "proxy_read_timeout" directive',
        "proxy_buffer_size": 'invalid value "1g" in "proxy_buffer_size" directive',
        "keepalive_timeout": 'invalid value "500ms" in "keepalive_timeout" directive',
        "proxy_buffers": 'invalid value "eight" in "proxy_buffers" directive',
        "proxy_connect_timeout": 'invalid value "30s1m" in "proxy_connect_timeout" directive',
    }
    assert config.routes[0].read_timeout.value is None  # unknown: nginx would not start


def test_main_level_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "nginx.conf": (
                "user www-data;\nworker_processes auto;\nevents { worker_connections 768; }\n"
            )
        },
    )
    config, _ = load(tmp_path, ["nginx.conf"])
    assert {k: v.value for k, v in config.main.items()} == {
        "user": "www-data",
        "worker_processes": "auto",
        "worker_connections": "768",
    }


# --- the work of includes is bounded (issue 12) --------------------------------------------------


def _found(problems: Problems) -> list[tuple[str, str, int]]:
    return [(p.code, Path(p.location.path).name, p.location.line) for p in problems.items]


def test_a_glob_follows_a_symlinked_folder_once(tmp_path: Path) -> None:
    """Three links to the folder itself and a glob 14 levels deep: 3**14 paths to one file, each
    read by nginx (gwlint ran for minutes). A glob goes into a folder once: a link that leads
    where it went already is not followed, and said so at the include."""
    write(
        tmp_path,
        {
            "nginx.conf": "http {\n    include " + "*/" * 14 + "x.conf;\n"
            "    include links/*/site.conf;\n}\n",
            "x.conf": "server { listen 80; }\n",
            "shared/site.conf": "server { listen 81; }\n",
        },
    )
    for name in ("a", "b", "c"):
        (tmp_path / name).symlink_to(".")
    (tmp_path / "links").mkdir()
    for name in ("l1", "l2", "l3"):
        (tmp_path / "links" / name).symlink_to("../shared")
    config, problems = load(tmp_path, ["nginx.conf"])
    assert _found(problems) == [("GW001", "nginx.conf", 2), ("GW001", "nginx.conf", 3)]
    first, second = (p.message for p in problems.items)
    assert f"the symlink {tmp_path}/a leads to {tmp_path}, a folder this glob went through" in first
    assert f"the symlink {tmp_path}/links/l2 leads to {tmp_path}/links/l1" in second
    # x.conf is never reached; shared/site.conf once, through links/l1
    assert config.files == (str(tmp_path / "nginx.conf"), str(tmp_path / "links/l1/site.conf"))


def test_a_symlink_loop_is_still_read_once(tmp_path: Path) -> None:
    """A link to the folder above is followed the first time: what nginx reads there is read."""
    write(
        tmp_path,
        {
            "nginx.conf": "http {\n    include conf.d/*/*.conf;\n}\n",
            "conf.d/sites/site.conf": "server { listen 80; }\n",
        },
    )
    (tmp_path / "conf.d" / "up").symlink_to("..")
    _, problems = load(tmp_path, ["nginx.conf"])
    # conf.d/up/nginx.conf is nginx.conf itself: a cycle, as nginx finds it
    assert _found(problems) == [("GW001", "nginx.conf", 2)]
    assert "include cycle: nginx.conf -> nginx.conf" in problems.items[0].message


def test_snippets_that_include_one_another(tmp_path: Path) -> None:
    """200 snippets that each include conf.d/*.conf (9 KB in all) took minutes: which file
    includes which is found once for them all (one cycle), and each is read once."""
    files = {"nginx.conf": "events {}\nhttp {\n    include conf.d/*.conf;\n}\n"}
    for i in range(200):
        files[f"conf.d/s{i:03}.conf"] = "include conf.d/*.conf;\n"
    write(tmp_path, files)
    main = str(tmp_path / "nginx.conf")
    snippets = [str(tmp_path / f"conf.d/s{i:03}.conf") for i in range(200)]
    assert group_roots([main], snippets) == [[main]]
    # alone, they include one another: the first one named is the root
    assert group_roots(snippets[::-1]) == [[snippets[-1]]]
    config, problems = load(tmp_path, ["nginx.conf"])
    assert _found(problems) == [("GW001", f"s{i:03}.conf", 1) for i in range(200)]
    assert all("include cycle" in p.message for p in problems.items)
    assert len(config.files) == 201


def test_roots_of_files_that_include_one_another(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.conf": "include b.conf;\n",
            "b.conf": "include a.conf;\n",
            "c.conf": "include a.conf;\n",
            "d.conf": "include d.conf;\n",
            "e.conf": "server { listen 80; }\n",
        },
    )

    def path(name: str) -> str:
        return str(tmp_path / name)

    # c includes the cycle a <-> b; d includes itself; e includes nothing
    groups = group_roots([path(n) for n in ("a.conf", "b.conf", "c.conf", "d.conf", "e.conf")])
    assert groups == [[path("c.conf"), path("d.conf"), path("e.conf")]]
    assert group_roots([path("b.conf"), path("a.conf")]) == [[path("b.conf")]]
    # a file found beside them is a root only if it includes a file named
    assert group_roots([path("a.conf")], [path("c.conf"), path("e.conf")]) == [[path("c.conf")]]


def test_layers_of_includes_stop_at_the_expansion_limit(tmp_path: Path) -> None:
    """Ten layers of 30 files, each including the next layer's *.conf: 30**10 files to read
    (it took half a minute). Stopped after 10,000 inclusions, at the include that reached the
    limit; the rest of the configuration is still read."""
    files = {
        "nginx.conf": "events {}\nhttp {\n    include l0/*.conf;\n    server { listen 8080; }\n}\n"
    }
    for layer in range(10):
        for i in range(30):
            files[f"l{layer}/f{i:02}.conf"] = (
                f"include l{layer + 1}/*.conf;\n" if layer < 9 else "server { listen 80; }\n"
            )
    write(tmp_path, files)
    config, problems = load(tmp_path, ["nginx.conf"])
    assert [p.message for p in problems.items] == [
        "nginx: includes read files into the configuration more than 10,000 times (the same "
        "files included over and over); not followed"
    ]
    # at the include of a file of one of the layers
    assert _found(problems)[0][::2] == ("GW001", 1)
    assert re.search(r"/l\d/f\d\d\.conf$", problems.items[0].location.path)
    assert 8080 in {listen.address.port for listen in config.listens}


def test_glob_entries_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nginx_loader, "MAX_GLOB_ENTRIES", 10)
    files = {
        "nginx.conf": "http {\n    include conf.d/*.conf;\n    include more/*.conf;\n"
        "    server { location / { proxy_pass http://127.0.0.1:8000; } }\n}\n",
        "more/x.conf": "proxy_read_timeout 5s;\n",
    }
    for i in range(20):
        files[f"conf.d/s{i:02}.conf"] = f"server {{ listen {8000 + i}; }}\n"
    write(tmp_path, files)
    config, problems = load(tmp_path, ["nginx.conf"])
    # once, at the first include that reached it (the second one stops at once)
    assert _found(problems) == [("GW001", "nginx.conf", 2)]
    assert problems.items[0].message == (
        'nginx: include "conf.d/*.conf": the globs of includes look at more than 10 folder '
        "entries; not followed"
    )
    assert config.files == (str(tmp_path / "nginx.conf"),)
    # what the includes hold is not known: a value they may set is unknown, not a default
    assert config.routes[0].read_timeout.value is None
    assert "may be set in include" in str(config.routes[0].read_timeout.unknown)


def test_include_matches_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nginx_loader, "MAX_INCLUDE_MATCHES", 3)
    files = {"nginx.conf": "http {\n    include conf.d/*.conf;\n    include one/*.conf;\n}\n"}
    files.update({f"conf.d/s{i}.conf": f"server {{ listen {8000 + i}; }}\n" for i in range(5)})
    files["one/a.conf"] = "server { listen 80; }\n"
    write(tmp_path, files)
    config, problems = load(tmp_path, ["nginx.conf"])
    assert _found(problems) == [("GW001", "nginx.conf", 2)]
    assert problems.items[0].message == (
        'nginx: include "conf.d/*.conf" names more than 3 files; not followed'
    )
    assert [listen.address.port for listen in config.listens] == [80]


def test_included_files_and_bytes_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"nginx.conf": "http {\n    include conf.d/*.conf;\n}\n"}
    files.update({f"conf.d/s{i}.conf": f"server {{ listen {8000 + i}; }}\n" for i in range(5)})
    write(tmp_path, files)
    monkeypatch.setattr(nginx_loader, "MAX_INCLUDED_FILES", 2)
    config, problems = load(tmp_path, ["nginx.conf"])
    assert _found(problems) == [("GW001", "nginx.conf", 2)]
    assert problems.items[0].message == (
        'nginx: include "conf.d/*.conf": includes open more than 2 different files; not followed'
    )
    assert [listen.address.port for listen in config.listens] == [8000, 8001]
    monkeypatch.setattr(nginx_loader, "MAX_INCLUDED_FILES", 100)
    monkeypatch.setattr(nginx_loader, "MAX_INCLUDED_BYTES", 70)  # 25 bytes each
    config, problems = load(tmp_path, ["nginx.conf"])
    assert problems.items[0].message == (
        'nginx: include "conf.d/*.conf": the files includes open hold more than 70 bytes in '
        "all; not followed"
    )
    assert [listen.address.port for listen in config.listens] == [8000, 8001]


def test_a_file_included_again_and_again_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nginx reads a file each time it is included; gwlint opens it once (and counts each
    inclusion against the limit)."""
    write(
        tmp_path,
        {
            "nginx.conf": "http {\n"
            + "    server { location / { include proxy.conf; } }\n" * 50
            + "}\n",
            "proxy.conf": "proxy_pass http://127.0.0.1:8000;\n",
        },
    )
    opened: list[str] = []
    real = nginx_loader.read_text

    def counting(path: str, *args: Any, **kwargs: Any) -> str | None:
        opened.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(nginx_loader, "read_text", counting)
    config, problems = load(tmp_path, ["nginx.conf"])
    assert problems.items == []
    assert len(config.routes) == 50
    assert opened == ["nginx.conf", "proxy.conf"]


def test_only_the_comments_of_suppressions_are_kept(tmp_path: Path) -> None:
    """A suppression on a line of its own covers the next line that is not a comment: the
    comment lines right after it are kept with it; other comments change nothing, and are
    not passed on (each cost a real path lookup: thousands in a deep dump took seconds)."""
    write(
        tmp_path,
        {
            "nginx.conf": "# the site\n"
            * 100
            + "http {\n    # gwlint: ignore[GW101] reports run long\n    # (see the docs)\n"
            "    proxy_read_timeout 120s;  # two minutes\n    # gwlint: ignore GW101\n}\n"
        },
    )
    _, problems = load(tmp_path, ["nginx.conf"])
    assert problems.comment_lines == {str(tmp_path / "nginx.conf"): {102, 103, 105}}
    assert [(s.line, s.codes) for s in problems.suppressions] == [(102, ("GW101",))]
    assert _found(problems) == [("GW007", "nginx.conf", 105)]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("proxy_read_timeout 120s\n", 'directive "proxy_read_timeout" is not terminated by ";"'),
        ("proxy_read_timeout 120s 5s;\n", "invalid number of arguments"),
        ("proxy_read_timout 120s;\n", 'unknown directive "proxy_read_timout"'),
    ],
    ids=["no-semicolon", "two-values", "misspelled"],
)
def test_a_directive_that_failed_to_parse_is_unknown_not_its_default(
    tmp_path: Path, broken: str, message: str
) -> None:
    """What a broken statement meant to set is not known: the route's value is unknown (no rule
    advises from the default), and only that directive is: the others keep their values."""
    write(
        tmp_path,
        {
            "nginx.conf": """
            events {}
            http {
                proxy_read_timeout 30s;
                server {
                    location / {
                        proxy_connect_timeout 5s;
                        proxy_pass http://127.0.0.1:8000;
                        BROKEN
                    }
                }
            }
            """.replace("BROKEN", broken.rstrip("\n")),
        },
    )
    config, problems = load(tmp_path, ["nginx.conf"])
    assert [p.code for p in problems.items] == ["GW001"]
    assert message in problems.items[0].message
    (route,) = config.routes
    assert route.read_timeout.value is None
    assert route.read_timeout.unknown == (
        f"proxy_read_timeout at {tmp_path / 'nginx.conf'}:9 could not be parsed"
    )
    assert route.connect_timeout.value == 5_000
    assert route.send_timeout.is_default
    assert all(d.name != "#broken" for d in config.directives)
