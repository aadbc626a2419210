"""Realistic logs of any size, for ``gwlint diagnose``'s benchmark (1 GB in <= 20 s, <= 200 MB).

    python tests/bench/logs.py OUT_FOLDER --mb 1000      # write the logs
    python tests/bench/logs.py OUT_FOLDER --mb 200 --read  # write, then time reading.read()
    python tests/bench/logs.py OUT_FOLDER --mb 200 --read --gc 100000  # with gc.set_threshold
    python tests/bench/logs.py OUT_FOLDER --mb 1000 --diagnose  # write, then a whole diagnose

A script, not a test (pytest never collects it; no test asserts a duration). It writes, into
OUT_FOLDER, what one nginx in front of one gunicorn logs over a few hours of traffic:

- ``access.log``: nginx's ``combined`` (about 85% of the bytes), a request every few
  milliseconds, mostly 200s, some 404s, 499s, and the 5xx of the incidents below;
- ``error.log``: nginx's error log for those incidents (``upstream timed out (110: ...)``,
  ``connect() failed (111: ...)``, ``upstream prematurely closed connection``...) and [info]
  ``client closed keepalive connection`` noise;
- ``gunicorn.log``: gunicorn 27's error log (``WORKER TIMEOUT``, ``Error handling request`` with
  its traceback, ``Booting worker``, a restart) with its access lines.

Lines are those the servers write (tests/data/diagnose/capture holds real ones); times are in
order within each file and move forward at the same pace in the three, so ``read`` merges them.
The generator is seeded: the same size gives the same files.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

START = 1_796_600_000  # 2026-12-07 around 00:00 UTC
UPSTREAM = "127.0.0.1:8000"
PATHS = [
    "/",
    "/api/orders",
    "/api/orders/1234",
    "/api/users/me",
    "/static/app.3f9a1c.js",
    "/static/style.css",
    "/search?q=shoes&page=2",
    "/health",
    "/report/monthly?year=2026",
    "/login",
]
AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
    "Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "kube-probe/1.31",
]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _local(seconds: int) -> str:
    t = time.gmtime(seconds)
    return (
        f"{t.tm_mday:02d}/{MONTHS[t.tm_mon - 1]}/{t.tm_year}:{time.strftime('%H:%M:%S', t)} +0000"
    )


def _error_time(seconds: int) -> str:
    return time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(seconds))


def _gunicorn_time(seconds: int) -> str:
    return time.strftime("[%Y-%m-%d %H:%M:%S +0000]", time.gmtime(seconds))


def generate(folder: Path, megabytes: float, seed: int = 15) -> dict[str, int]:
    """Write the three logs into ``folder``, about ``megabytes`` MB in all; their sizes."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    target = int(megabytes * 1_000_000)
    access = (folder / "access.log").open("w")
    error = (folder / "error.log").open("w")
    app = (folder / "gunicorn.log").open("w")
    written = 0
    now = float(START)
    connection = 1
    worker = 2000
    master = 1000
    app.write(f"{_gunicorn_time(START)} [{master}] [INFO] Starting gunicorn 27.0.1\n")
    app.write(
        f"{_gunicorn_time(START)} [{master}] [INFO] Listening at: http://{UPSTREAM} ({master})\n"
    )
    app.write(f"{_gunicorn_time(START)} [{worker}] [INFO] Booting worker with pid: {worker}\n")
    error.write(f'{_error_time(START)} [notice] 900#900: using the "epoll" event method\n')
    incident = ""
    incident_left = 0
    while written < target:
        now += rng.expovariate(400.0)  # ~400 requests a second
        second = int(now)
        if incident_left == 0 and rng.random() < 0.0002:
            incident = rng.choice(["timeout", "exception", "restart", "race"])
            incident_left = rng.randint(3, 40)
        path = rng.choice(PATHS)
        client = f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        method = "POST" if path == "/api/orders" else "GET"
        request = f"{method} {path} HTTP/1.1"
        status, size = 200, rng.randint(200, 30_000)
        roll = rng.random()
        if roll < 0.03:
            status, size = 404, 153
        elif roll < 0.035:
            status, size = 499, 0
        connection += 1
        error_line = app_lines = ""
        stamp = _error_time(second)
        context = (
            f', client: {client}, server: example.com, request: "{request}", upstream: '
            f'"http://{UPSTREAM}{path}", host: "example.com"'
        )
        if incident_left and status == 200:
            incident_left -= 1
            if incident == "timeout":
                status, size = 504, 167
                error_line = (
                    f"{stamp} [error] 901#901: *{connection} upstream timed out (110: Connection "
                    f"timed out) while reading response header from upstream{context}\n"
                )
                app_lines = (
                    f"{_gunicorn_time(second)} [{master}] [CRITICAL] WORKER TIMEOUT "
                    f"(pid:{worker})\n"
                )
                worker += 1
                app_lines += (
                    f"{_gunicorn_time(second)} [{worker}] [INFO] Booting worker with pid: "
                    f"{worker}\n"
                )
            elif incident == "exception":
                status, size = 500, 141
                app_lines = (
                    f"{_gunicorn_time(second)} [{worker}] [ERROR] Error handling request "
                    f"{method} {path}\nTraceback (most recent call last):\n"
                    '  File "/app/views.py", line 42, in handler\n'
                    "    total = sum(rows) / len(rows)\n"
                    "ZeroDivisionError: division by zero\n"
                )
            elif incident == "restart":
                status, size = 502, 157
                error_line = (
                    f"{stamp} [error] 901#901: *{connection} connect() failed (111: Connection "
                    f"refused) while connecting to upstream{context}\n"
                )
            else:
                status, size = 502, 157
                error_line = (
                    f"{stamp} [error] 901#901: *{connection} upstream prematurely closed "
                    f"connection while reading response header from upstream{context}\n"
                )
        agent = rng.choice(AGENTS)
        referer = "-" if rng.random() < 0.6 else "https://example.com/"
        line = (
            f'{client} - - [{_local(second)}] "{request}" {status} {size} "{referer}" "{agent}"\n'
        )
        access.write(line)
        written += len(line)
        if status != 499 and status < 500 and rng.random() < 0.6:
            gline = f'127.0.0.1 - - [{_local(second)}] "{request}" {status} {size} "-" "{agent}"\n'
            app.write(gline)
            written += len(gline)
        if rng.random() < 0.02:
            noise = (
                f"{stamp} [info] 901#901: *{connection} client {client} closed keepalive "
                "connection\n"
            )
            error.write(noise)
            written += len(noise)
        if error_line:
            error.write(error_line)
            written += len(error_line)
        if app_lines:
            app.write(app_lines)
            written += len(app_lines)
    for handle in (access, error, app):
        handle.close()
    return {
        name: os.path.getsize(folder / name) for name in ("access.log", "error.log", "gunicorn.log")
    }


def measure(folder: Path) -> None:
    """Time ``reading.read`` over the folder's logs (one pass, after the imports)."""
    import resource

    from gwlint.diagnose.reading import ReadStats, read

    paths = [str(folder / name) for name in ("access.log", "error.log", "gunicorn.log")]
    size = sum(os.path.getsize(p) for p in paths)
    stats = ReadStats()
    started = time.perf_counter()
    count = 0
    failed = 0
    for event in read(paths, stats=stats):
        count += 1
        if event.status is not None and event.status >= 500:
            failed += 1
    taken = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read {size / 1e6:.0f} MB, {stats.lines:,} lines, {count:,} events ({failed:,} 5xx) in "
        f"{taken:.1f} s: {size / 1e6 / taken:.0f} MB/s; unparsed {stats.unparsed}; "
        f"peak RSS {peak:.0f} MB"
    )


def whole(folder: Path) -> None:
    """Time ``gwlint diagnose`` on the folder as a user runs it: a new process, from start to
    report (the goal: 1 GB in 20 s or less, 200 MB of memory or less)."""
    import resource
    import subprocess

    size = sum(p.stat().st_size for p in folder.iterdir() if p.suffix == ".log")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "gwlint", "diagnose", "--isolated", "--format", "json", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    taken = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 1):
        raise SystemExit(f"gwlint diagnose exited {done.returncode}: {done.stderr}")
    import json

    report = json.loads(done.stdout)
    print(
        f"gwlint diagnose: {size / 1e6:.0f} MB of logs, {report['requests']['total']:,} requests, "
        f"{len(report['causes'])} causes, in {taken:.1f} s ({size / 1e6 / taken:.0f} MB/s); "
        f"peak RSS {peak:.0f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--mb", type=float, default=1000.0, help="size of the logs, in MB")
    parser.add_argument("--read", action="store_true", help="then time reading.read() on them")
    parser.add_argument(
        "--diagnose", action="store_true", help="then time a whole `gwlint diagnose` on them"
    )
    parser.add_argument(
        "--gc",
        type=int,
        default=0,
        help="gc.set_threshold(N, 50, 50) before reading (an Event per line keeps the young "
        "generation busy: about 20%% of the time with the default 700)",
    )
    options = parser.parse_args(argv)
    if options.gc:
        import gc

        gc.set_threshold(options.gc, 50, 50)
    sizes = generate(options.folder, options.mb)
    for name, size in sizes.items():
        print(f"{options.folder / name}: {size / 1e6:.1f} MB")
    if options.read:
        measure(options.folder)
    if options.diagnose:
        whole(options.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
