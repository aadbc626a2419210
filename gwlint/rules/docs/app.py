"""The docs of the GW7xx (app server settings) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import RuleDocs, ex, from_source, observed, rule_docs

GW701 = rule_docs(
    why="""
gunicorn runs `gunicorn.conf.py` and takes every module-level name that is a setting; any other
name is **skipped without a word** (`gunicorn/app/base.py`: `if k not in self.cfg.settings:
continue`). `keep_alive = 75`, `worker_timeout = 120`, `max_request = 1000`, `log_level =
"debug"`, `num_workers = 3` or `threads_per_worker = 4` leave the setting at its default:
gunicorn starts as usual, says nothing about the name, and runs with the default (one worker
for `num_workers = 3`). What the setting was meant to prevent stays: the keep-alive race of
GW201, the worker timeouts of GW101, the missing recycling. A misspelled server hook (`def
post_forks(server, worker)`) is never called, for the same reason.

gwlint reports a name only when it is close to a setting: the same name in other case or with
other separators, one or two typos away, or a known spelling of another server (uvicorn's
`timeout_keep_alive`). Helper names (`port = 8000` used to build `bind`, `_private`, imports,
functions) are left alone. When the setting is also written correctly in the file, the finding is
info: the other name is most likely a leftover. An upper-case name (`TIMEOUT = 120`) is info too:
it may be a constant the file uses elsewhere.
""",
    example=ex(
        (
            "gunicorn.conf.py",
            """
            bind = "127.0.0.1:8000"
            worker_class = "gthread"
            threads = 4
            keep_alive = 75
            """,
        ),
    ),
    fix=ex(
        (
            "gunicorn.conf.py",
            """
            bind = "127.0.0.1:8000"
            worker_class = "gthread"
            threads = 4
            keepalive = 75
            """,
        ),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html",
        "https://docs.gunicorn.org/en/stable/configure.html#configuration-file",
        "https://github.com/benoitc/gunicorn/blob/26.1.0/gunicorn/app/base.py#L140",
    ),
    claims=(
        from_source(
            "https://github.com/benoitc/gunicorn/blob/26.1.0/gunicorn/app/base.py#L140",
            where="gunicorn",
            outcome="a name of the config file that is not a setting is skipped without a word",
        ),
        observed(
            "gw701-ignored",
            where="gunicorn",
            outcome="gunicorn starts without a word about `num_workers = 3` and boots one worker",
        ),
    ),
)


GW702 = rule_docs(
    why="""
uWSGI keeps any ini key it does not know as a placeholder for `%(name)` expansion, and starts
without a word about it: `harikiri = 60` sets no request timeout, and `buffer_size = 32768`
(options take dashes) leaves the 4096-byte buffer, so a request whose headers do not fit (a
5000-byte cookie) gets **502**: uWSGI logs `invalid request block size: N (max 4096)...skip` and
drops it. With `strict = true` uWSGI refuses to start instead (exit 1): `[strict-mode] unknown
config directive: harikiri`, and that finding is an error.

gwlint reports a key only when it is close to an option (a typo, underscores for dashes) and is
not used as a placeholder: keys referenced as `%(name)` elsewhere in the file or declared with
`set-placeholder` are left alone, and so are names far from any option (`base`, `project`).
""",
    example=ex(
        (
            "uwsgi.ini",
            """
            [uwsgi]
            socket = 127.0.0.1:3031
            harikiri = 60
            buffer_size = 32768
            """,
        ),
    ),
    fix=ex(
        (
            "uwsgi.ini",
            """
            [uwsgi]
            socket = 127.0.0.1:3031
            harakiri = 60
            buffer-size = 32768
            """,
        ),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Configuration.html#placeholders",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
    ),
    claims=(
        observed("gw702-buffer-size", status=502),
        observed("gw702-buffer-size", where="uWSGI", log="(max 4096)...skip"),
        observed(
            "gw702-buffer-size",
            where="uWSGI",
            outcome="uWSGI starts without a word about `buffer_size`",
        ),
        observed(
            "gw702-strict", where="uWSGI", log="[strict-mode] unknown config directive: harikiri"
        ),
        observed("gw702-strict", where="uWSGI", outcome="uWSGI exits 1 at start"),
        from_source(
            "https://github.com/unbit/uwsgi/blob/2.0.30/core/config.c#L383",
            where="uWSGI",
            log="[strict-mode] unknown config directive: ",
        ),
    ),
)


GW703 = rule_docs(
    why="""
gunicorn 25.0 deprecated the `eventlet` worker (eventlet itself is no longer actively maintained)
and gunicorn 26.0 removed it. With `worker_class = "eventlet"` (or `-k eventlet`) gunicorn 26
and later exit at start-up (exit 1) with `Error: class uri 'eventlet' invalid or not found`,
followed by a traceback that ends in `ImportError: Entry point ('gunicorn.workers', 'eventlet')
not found`; the dotted `gunicorn.workers.geventlet.EventletWorker` ends in `No module named
'gunicorn.workers.geventlet'`. Nothing listens, and nginx answers **502** to every request
(`connect() failed (111: Connection refused) while connecting to upstream`).

It is an error for gunicorn >= 26 (the default, 27.0, unless `--gunicorn-version` says otherwise:
give the version you pin if it is older), a warning on 25.x (the next upgrade breaks it) and info
before. `gevent` is the closest replacement (cooperative green threads; `pip install gevent`);
code that calls eventlet directly (`eventlet.monkey_patch()`, Flask-SocketIO's
`async_mode="eventlet"`) has to move too. A plain WSGI app runs on `gthread` as well.
""",
    example=ex(("gunicorn.conf.py", 'bind = "127.0.0.1:8000"\nworker_class = "eventlet"\n')),
    fix=ex(("gunicorn.conf.py", 'bind = "127.0.0.1:8000"\nworker_class = "gevent"\n')),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#worker-class",
        "https://eventlet.readthedocs.io/en/latest/asyncio/migration.html",
        "https://github.com/hexbay/ocean_ctf/issues/65",
        "https://github.com/benoitc/gunicorn/blob/26.0.0/docs/content/news.md#L8",
    ),
    claims=(
        from_source(
            "https://github.com/benoitc/gunicorn/blob/26.0.0/docs/content/2026-news.md#L343",
            where="gunicorn",
            outcome="gunicorn 25.0 deprecates the eventlet worker",
        ),
        from_source(
            "https://github.com/benoitc/gunicorn/blob/26.0.0/docs/content/news.md#L8",
            where="gunicorn",
            outcome="gunicorn 26.0 removes the eventlet worker",
        ),
        observed("gw703-eventlet", status=502),
        observed("gw703-eventlet", where="gunicorn", outcome="gunicorn exits 1 at start"),
        observed(
            "gw703-eventlet",
            where="gunicorn",
            log="Error: class uri 'eventlet' invalid or not found",
        ),
        observed(
            "gw703-eventlet",
            where="gunicorn",
            log="ImportError: Entry point ('gunicorn.workers', 'eventlet') not found",
        ),
        observed(
            "gw703-eventlet",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed(
            "gw703-eventlet",
            where="gunicorn",
            log="No module named 'gunicorn.workers.geventlet'",
        ),
    ),
)


GW704 = rule_docs(
    why="""
uvicorn's own gunicorn worker module is deprecated: importing it warns ``DeprecationWarning: The
`uvicorn.workers` module is deprecated. Please use `uvicorn-worker` package instead.``, and
uvicorn's docs say it "will be removed in a future release". The warning goes unseen: Python hides a
`DeprecationWarning` raised outside `__main__`, so gunicorn starts and serves without it in its
log (it shows with `PYTHONWARNINGS=default`). When the module goes, `worker_class =
"uvicorn.workers.UvicornWorker"` stops gunicorn at start-up, as any worker class it cannot import
does: `Error: class uri 'uvicorn.workers.UvicornWorker' invalid or not found`. The same worker
lives on in the `uvicorn-worker` package as `uvicorn_worker.UvicornWorker`.

Either way its keep-alive is gunicorn's `keepalive` (2 s by default), not uvicorn's
`--timeout-keep-alive`: see GW201.
""",
    example=ex(
        (
            "gunicorn.conf.py",
            'bind = "127.0.0.1:8000"\nworker_class = "uvicorn.workers.UvicornWorker"\n',
        ),
    ),
    fix=ex(
        (
            "gunicorn.conf.py",
            'bind = "127.0.0.1:8000"\nworker_class = "uvicorn_worker.UvicornWorker"\n',
        ),
    ),
    references=(
        "https://www.uvicorn.org/deployment/#gunicorn",
        "https://github.com/Kludex/uvicorn-worker",
    ),
    claims=(
        from_source(
            "https://github.com/Kludex/uvicorn/blob/0.51.0/uvicorn/workers.py#L17",
            where="uvicorn",
            log="The `uvicorn.workers` module is deprecated. Please use `uvicorn-worker` package "
            "instead.",
        ),
        from_source(
            "https://github.com/Kludex/uvicorn/blob/0.51.0/docs/deployment/index.md#L88",
            outcome="the `uvicorn.workers` module will be removed in a future release",
        ),
        observed(
            "gw704-hidden-warning",
            where="gunicorn",
            outcome="gunicorn starts and serves 200 with no DeprecationWarning in its log",
        ),
        observed(
            "gw704-hidden-warning",
            where="gunicorn, PYTHONWARNINGS=default",
            log=("DeprecationWarning: The `uvicorn.workers` module is deprecated."),
        ),
        from_source(
            "https://github.com/benoitc/gunicorn/blob/26.1.0/gunicorn/util.py#L133",
            where="gunicorn",
            log="invalid or not found",
        ),
    ),
)


GW705 = RuleDocs(
    why="""
The command that starts the app server has an option it does not know, an abbreviation that
matches several options, or a value of the wrong type. gunicorn stops at once (exit 2) with
`gunicorn: error: ambiguous option: --worker could match --workers, --worker-class, ...` (or
`unrecognized arguments: --worker-timeout 60`, `argument -t/--timeout: invalid int value:
'30s'`), uvicorn (exit 2) with `Error: No such option '--keepalive'.`, uWSGI (exit 1) with
`unrecognized option '--harikiri'`. Nothing listens on the port, and nginx answers every request
with **502** (`connect() failed (111: Connection refused) while connecting to upstream`).

gwlint reads the command where it is written: Procfile, Dockerfile `CMD`/`ENTRYPOINT`, compose
`command:`, systemd `ExecStart=`, supervisord `command=`, shell entrypoints, and
`GUNICORN_CMD_ARGS`. gunicorn accepts a unique prefix of a long option (`--time 60` is
`--timeout 60`; `--work 3` matches four options and is refused), as argparse does; uvicorn
(click) does not. An option a uWSGI plugin may add is reported as a warning.
""",
    example=ex(("Procfile", "web: gunicorn app:app --bind 127.0.0.1:8000 --worker 3\n")),
    fix=ex(("Procfile", "web: gunicorn app:app --bind 127.0.0.1:8000 --workers 3\n")),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html",
        "https://www.uvicorn.org/settings/",
        "https://docs.python.org/3/library/argparse.html#prefix-matching",
    ),
    claims=(
        observed("gw705-ambiguous", status=502),
        observed("gw705-ambiguous", where="gunicorn", outcome="gunicorn exits 2 at start"),
        observed(
            "gw705-ambiguous",
            where="gunicorn",
            log="gunicorn: error: ambiguous option: --worker could match --workers, --worker-class",
        ),
        observed(
            "gw705-ambiguous",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed(
            "gw705-refusals",
            where="gunicorn",
            log="gunicorn: error: unrecognized arguments: --worker-timeout 60",
        ),
        observed(
            "gw705-refusals",
            where="gunicorn",
            log="gunicorn: error: argument -t/--timeout: invalid int value: '30s'",
        ),
        observed("gw705-refusals", where="uvicorn", log="Error: No such option '--keepalive'."),
        observed("gw705-refusals", where="uWSGI", log="unrecognized option '--harikiri'"),
        observed(
            "gw705-refusals",
            outcome="each server exits at start: gunicorn and uvicorn 2, uWSGI 1",
        ),
        observed(
            "gw705-refusals",
            where="gunicorn",
            outcome="`--time 60` is read as `--timeout 60` (`--print-config`: `timeout = 60`)",
        ),
    ),
)


GW706 = RuleDocs(
    why="""
Copied from a blog post or a chat, `—workers 3` starts with an em dash (U+2014), or `–timeout`
with an en dash: they are not `--`, so the server's parser takes the word for a plain argument.
What follows depends on where it stands.

- **After an option that follows the app module** (`gunicorn app:app --bind 127.0.0.1:8000
  —workers 3`): gunicorn's parser (`Config.parser` in `gunicorn/config.py`, argparse) has one
  positional, `args` with `nargs="*"`, and it takes only the first run of plain words (the app
  module and the plain words right after it). A plain word after a later option is left over,
  and gunicorn stops at once with `gunicorn: error: unrecognized arguments: —workers 3` (exit
  2). Nothing listens, and nginx answers every request with **502**. This is an error. uvicorn
  (click, one `APP` argument) always refuses an extra word (exit 2): `Error: Got unexpected
  extra arguments (—workers 3)`.
- **In the first run of plain words** (`gunicorn app:app —workers 3 --bind 127.0.0.1:8000`,
  `gunicorn --bind 127.0.0.1:8000 app:app —workers 3`, or `GUNICORN_CMD_ARGS="—workers 3"`):
  gunicorn takes it as one more application argument and ignores it, so the setting silently
  keeps its default (one worker, a 30 s timeout) and the deployment runs with settings nobody
  chose. `GUNICORN_CMD_ARGS` is parsed on its own, without the app module: its first plain
  words are that run, even after an option. This is a warning.

uWSGI reads a bare word of its command line as a config file to load (`core/init.c`), so it
stops at start (exit 1): `unable to load configuration from —workers`.
""",
    example=ex(("Procfile", "web: gunicorn app:app --bind 127.0.0.1:8000 \u2014workers 3\n")),
    fix=ex(("Procfile", "web: gunicorn app:app --bind 127.0.0.1:8000 --workers 3\n")),
    references=(
        "https://docs.gunicorn.org/en/stable/run.html#commonly-used-arguments",
        "https://github.com/benoitc/gunicorn/blob/master/gunicorn/config.py",
        "https://docs.python.org/3/library/argparse.html#nargs",
    ),
    claims=(
        observed("gw706-refused", status=502),
        observed("gw706-refused", where="gunicorn", outcome="gunicorn exits 2 at start"),
        observed(
            "gw706-refused",
            where="gunicorn",
            log="gunicorn: error: unrecognized arguments: \u2014workers 3",
        ),
        observed(
            "gw706-refused",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed(
            "gw706-refused",
            where="uvicorn",
            log="Error: Got unexpected extra arguments (\u2014workers 3)",
        ),
        observed(
            "gw706-refused", where="uWSGI", log="unable to load configuration from \u2014workers"
        ),
        observed(
            "gw706-ignored",
            where="gunicorn",
            outcome="`gunicorn app:app \u2014workers 3 --bind ...` starts and boots one worker",
        ),
        from_source(
            "https://github.com/unbit/uwsgi/blob/2.0.30/core/init.c#L308",
            where="uWSGI",
            outcome="a bare word of the command line is loaded as a config file",
        ),
    ),
)


GW707 = rule_docs(
    why="""
The launcher that starts the app server also starts nginx (a supervisord `[program:nginx]`, a
Procfile process or Heroku's `bin/start-nginx` wrapper, an entrypoint script that runs `nginx`):
both share one network namespace, and the app binds the address one of nginx's `server` blocks
listens on. Only one process can: whichever starts second fails. nginx logs `[emerg] bind() to
0.0.0.0:80 failed (98: Address already in use)` and `try again to bind() after 500ms` five times,
then `still could not bind()`, and exits 1 (the words after `98:` are the C library's: the
statically linked nginx 1.31.3 of the lab says `Address in use`); gunicorn logs `Connection in use:
('0.0.0.0', 80)`, retries five times a second apart and exits (`Can't connect to ('0.0.0.0',
80)`); uvicorn `[Errno 98] error while attempting to bind on
address ('0.0.0.0', 80): address already in use`; uWSGI `probably another instance of uWSGI is
running on the same address (0.0.0.0:80)`. When nginx wins, the app never serves and nginx answers
**502** (`connect() failed (111: Connection refused) while connecting to upstream`); when the app
wins, nginx is down.

It usually comes from a bind meant for a container without nginx (`--bind 0.0.0.0:$PORT` with
`PORT=80`), copied into an image that runs nginx as well. gwlint only reports it when the same
launcher starts both; separate containers each have their own addresses.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        (
            "supervisord.conf",
            """
            [program:nginx]
            command=nginx -g "daemon off;"

            [program:web]
            command=gunicorn app:app --bind 0.0.0.0:80
            """,
        ),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        (
            "supervisord.conf",
            """
            [program:nginx]
            command=nginx -g "daemon off;"

            [program:web]
            command=gunicorn app:app --bind 127.0.0.1:8000
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#listen",
        "https://docs.gunicorn.org/en/stable/settings.html#bind",
        "https://supervisord.org/configuration.html#program-x-section-settings",
    ),
    claims=(
        observed("gw707-nginx-first", status=502),
        observed("gw707-nginx-first", where="gunicorn", log="Connection in use: ('127.0.0.1', "),
        observed("gw707-nginx-first", where="gunicorn", log="Can't connect to ('127.0.0.1', "),
        observed("gw707-nginx-first", where="gunicorn", outcome="gunicorn exits 1 after 5 tries"),
        observed(
            "gw707-nginx-first",
            where="uvicorn",
            log="[Errno 98] error while attempting to bind on address ('127.0.0.1', ",
        ),
        observed(
            "gw707-nginx-first",
            where="uWSGI",
            log="probably another instance of uWSGI is running on the same address (127.0.0.1:",
        ),
        observed(
            "gw707-nginx-first",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed("gw707-app-first", where="nginx", log="failed (98: Address already in use)"),
        observed("gw707-app-first", where="nginx", log="failed (98: Address in use)"),
        observed("gw707-app-first", where="nginx", log="try again to bind() after 500ms"),
        observed("gw707-app-first", where="nginx", log="still could not bind()"),
        observed("gw707-app-first", where="nginx", outcome="nginx exits 1 at start"),
    ),
)


DOCS: dict[str, RuleDocs] = {
    "GW701": GW701,
    "GW702": GW702,
    "GW703": GW703,
    "GW704": GW704,
    "GW705": GW705,
    "GW706": GW706,
    "GW707": GW707,
}
