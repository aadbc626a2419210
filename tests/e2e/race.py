"""GW201's keep-alive race, counted: nginx reuses idle upstream connections longer than gunicorn
keeps them open, and some POSTs get 502.

Three deployments run side by side for DURATION seconds, each nginx 1.31.3 -> FIN-delay shim ->
gunicorn (gthread, ``keepalive = 1``), with the same client: one thread POSTing, with idle gaps of
0.9 to 1.7 s between requests, around gunicorn's keep-alive of 1 s (nginx reuses the connection it
released last, so more clients in parallel would mostly reuse connections idle for less than 1 s):

- ``mismatch``: an ``upstream {}`` block as nginx >= 1.29.7 runs it by default (keep-alive on,
  ``keepalive_timeout`` 60 s): gwlint reports GW201;
- ``fixed``: the same, with the fix gwlint proposes applied to gunicorn.conf.py;
- ``control``: ``proxy_pass`` straight to the address (no upstream block: nginx opens a connection
  per request): no keep-alive, nothing to race.

nginx.conf and gunicorn.conf.py name the app's address (the shim's port); gunicorn is started
with ``--bind`` on another port behind the shim, which stands in for the network between them.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.harness import Lab, free_port, lint, nginx_conf, request, write

DURATION = 24.0
THREADS = 1  # one client per deployment: nginx reuses the connection it released last
GAPS = (0.9, 1.7)  # idle gaps straddling gunicorn's keepalive (1 s) + the shim's delay (0.5 s)
FIN_DELAY = 0.5
APP_KEEPALIVE = 1

GUNICORN_CONF = """\
bind = '127.0.0.1:{app}'
worker_class = 'gthread'
threads = 2
keepalive = {keepalive}
"""


@dataclass
class Site:
    name: str
    folder: Path
    port: int  # nginx
    app: int  # the app's address in the configs: the shim
    backend: int  # where gunicorn really listens, behind the shim
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[int | str] = field(default_factory=Counter)


class KeepaliveRace:
    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.sites: dict[str, Site] = {}
        self.fix = ""  # gwlint's fix text, as applied to the fixed site
        self.started = 0.0
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _site(self, name: str, *, upstream: bool, keepalive: int) -> Site:
        site = Site(name, self.lab.folder(name), free_port(), free_port(), free_port())
        if upstream:
            blocks = f"upstream app {{\n    server 127.0.0.1:{site.app};\n}}\n"
            locations = "location / {\n    proxy_pass http://app;\n}\n"
        else:
            blocks = ""
            locations = f"location / {{\n    proxy_pass http://127.0.0.1:{site.app};\n}}\n"
        write(
            site.folder,
            {
                "nginx.conf": nginx_conf(site.folder, site.port, locations, blocks),
                "gunicorn.conf.py": GUNICORN_CONF.format(app=site.app, keepalive=keepalive),
            },
        )
        self.sites[name] = site
        return site

    def start(self) -> None:
        tools = self.lab.tools
        mismatch = self._site("mismatch", upstream=True, keepalive=APP_KEEPALIVE)
        files = ("nginx.conf", "gunicorn.conf.py")
        mismatch.diagnostics = lint(
            mismatch.folder, "GW201", *files, nginx=tools.nginx, tools=tools
        )
        fix = mismatch.diagnostics[0]["fix"] if mismatch.diagnostics else ""
        found = re.match(r"set keepalive = (\d+) in gunicorn\.conf\.py \(", fix)
        if not found:
            raise AssertionError(f"GW201 did not fire, or its fix changed: {mismatch.diagnostics}")
        self.fix = fix
        fixed = self._site("fixed", upstream=True, keepalive=int(found.group(1)))
        fixed.diagnostics = lint(fixed.folder, "GW201", *files, nginx=tools.nginx, tools=tools)
        control = self._site("control", upstream=False, keepalive=APP_KEEPALIVE)
        control.diagnostics = lint(control.folder, "GW201", *files, nginx=tools.nginx, tools=tools)
        for site in self.sites.values():
            self.lab.gunicorn(
                site.folder,
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{site.backend}",
                "app:app",
            )
            self.lab.shim(site.folder, site.app, site.backend, FIN_DELAY)
            self.lab.nginx(site.folder)
        self.started = time.monotonic()
        for site in self.sites.values():
            for seed in range(THREADS):
                thread = threading.Thread(target=self._client, args=(site, seed), daemon=True)
                thread.start()
                self._threads.append(thread)

    def _client(self, site: Site, seed: int) -> None:
        rnd = random.Random(seed)
        end = self.started + DURATION
        while time.monotonic() < end:
            reply = request(site.port, "POST", "/race", body=b"x" * 100, timeout=10)
            with self._lock:
                site.counts[reply.status] += 1
            time.sleep(rnd.uniform(*GAPS))

    def wait(self) -> dict[str, Site]:
        for thread in self._threads:
            thread.join(timeout=DURATION + 30)
        self.lab.close()  # the servers are done; their logs stay
        return self.sites

    def close(self) -> None:
        self.lab.close()
