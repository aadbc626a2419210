"""The nginx 1.29.7 boundary itself: the release that turned upstream keep-alive on by default
(HTTP/1.1 without ``Connection: close`` to the upstream). The same config, on 1.29.6 and on
1.29.7: the first opens a connection per request, the second reuses one, and gwlint's GW203 knows
which is which from ``--nginx-version``.

No package or wheel ships those two releases: they are built from nginx's source with
``tests/e2e/build_nginx.sh`` (a few minutes, no network: a checkout of nginx's repository) and
found through ``GWLINT_NGINX_BUILDS`` (the folder holding ``nginx-1.29.6/sbin/nginx`` and
``nginx-1.29.7/sbin/nginx``). Without it the scenario is skipped, in CI too: CI has no nginx
source to build from; docs/evidence.json keeps the run made where they were built.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Nginx, Proc, _nginx
from tests.e2e.scenario import Site, claimed, one, record, site

pytestmark = pytest.mark.e2e

UPSTREAM = "upstream app {{\n    server 127.0.0.1:{app};\n    keepalive 16;\n}}"
GUNICORN = "bind = '127.0.0.1:{app}'\nworker_class = 'gthread'\nthreads = 4\nkeepalive = 75\n"
REQUESTS = 8


def _built(version: str) -> Nginx:
    builds = os.environ.get("GWLINT_NGINX_BUILDS")
    if not builds:
        pytest.skip("nginx 1.29.6 and 1.29.7 are built on request: set GWLINT_NGINX_BUILDS")
    path = Path(builds) / f"nginx-{version}" / "sbin" / "nginx"
    found = _nginx(str(path) if path.is_file() else None, "built from nginx's source")
    if found is None or found.version != version:
        pytest.fail(f"{path} is not nginx {version} (tests/e2e/build_nginx.sh builds it)")
    assert found is not None
    return found


def _start(lab: Lab, s: Site) -> Proc:
    folder = s.folder
    (folder / "tmp").mkdir(exist_ok=True)
    argv = [s.nginx.path, "-p", f"{folder}/", "-c", str(folder / "nginx.conf")]
    argv += ["-e", str(folder / "logs" / "nginx-error.log"), "-g", "daemon off;"]
    return lab.start("nginx", argv, cwd=folder, port=s.port)


def _connections(s: Site) -> int:
    replies = [s.get(f"/ka/{i}") for i in range(REQUESTS)]
    assert all(r.status == 200 for r in replies), replies
    return len({r.headers["x-conn"] for r in replies})


def test_gw203_on_both_sides_of_1_29_7(lab: Lab, evidence: Evidence) -> None:
    before, after = _built("1.29.6"), _built("1.29.7")
    locations = "location / {{\n    proxy_pass http://app;\n}}"
    files = {"upstreams": UPSTREAM, "gunicorn.conf.py": GUNICORN}
    sites = {}
    for nginx in (before, after):
        s = site(lab, f"gw203-{nginx.version}", locations, files)
        s.nginx = nginx  # linted with --nginx-version of this build, and run with it
        sites[nginx.version] = s
    old, new = sites["1.29.6"], sites["1.29.7"]
    diagnostic = one(old.lint("GW203", "nginx.conf", "gunicorn.conf.py"), "GW203")
    assert new.lint("GW203", "nginx.conf", "gunicorn.conf.py") == []
    expect_old = claimed("GW203", "gw203-boundary-1.29.6")
    expect_new = claimed("GW203", "gw203-boundary-1.29.7")
    for s in (old, new):
        lab.gunicorn(s.folder, "app:app", name="gunicorn")
        _start(lab, s)
    used_old, used_new = _connections(old), _connections(new)
    assert used_old == REQUESTS
    assert used_new == 1
    scenario = (
        "`upstream app { server ...; keepalive 16; }` and a location with only `proxy_pass "
        f"http://app;` -> gunicorn gthread, `keepalive = 75`; {REQUESTS} GETs one after the "
        "other, and the app tells which upstream connection carried each."
    )
    for s, expect, used in ((old, expect_old, used_old), (new, expect_new, used_new)):
        record(
            evidence,
            lab,
            id=f"gw203-boundary-{s.nginx.version}",
            code="GW203",
            variant=f"nginx {s.nginx.version}, built from its release tag",
            scenario=scenario,
            app="gunicorn (gthread worker)",
            nginx=s.nginx,
            diagnostic=diagnostic if s is old else None,
            request_=f"GET /ka/0 ... /ka/{REQUESTS - 1}, one after the other",
            predicted_=expect,
            reply=f"{used} connection{'s' * (used != 1)} for {REQUESTS} requests",
            logs=[],
            fix="none applied (the boundary run shows the versions, the fix is shown on 1.22.1)",
            fixed="(see gw203-old)",
        )
