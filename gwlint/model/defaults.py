"""Every default gwlint relies on, with the version where it changed; the only place with them.

Sources: rules-research.md §2 (nginx source and docs, gunicorn 27.0.1 settings registry, uWSGI
2.0.30 ``core/init.c``). A default is a raw value as the server's docs write it; loaders parse it
with the same code as a written value.
"""

from __future__ import annotations

from typing import NamedTuple

from gwlint.model.gunicorn_settings import GUNICORN_SETTINGS
from gwlint.model.versions import Version


class Default(NamedTuple):
    raw: str
    since: Version = (0, 0, 0)


def _pick(history: tuple[Default, ...], version: Version) -> Default | None:
    chosen: Default | None = None
    for default in history:
        if default.since <= version:
            chosen = default
    return chosen


NGINX_KEEPALIVE_BY_DEFAULT: Version = (1, 29, 7)  # explicit upstreams keep connections, HTTP/1.1

# ``upstream:`` keys are directives inside ``upstream {}``; ``header:`` keys are request headers
# nginx sends to the upstream when ``proxy_set_header`` does not say otherwise ("" = not sent).
NGINX_DEFAULTS: dict[str, tuple[Default, ...]] = {
    "proxy_connect_timeout": (Default("60s"),),
    "proxy_read_timeout": (Default("60s"),),
    "proxy_send_timeout": (Default("60s"),),
    "uwsgi_connect_timeout": (Default("60s"),),
    "uwsgi_read_timeout": (Default("60s"),),
    "uwsgi_send_timeout": (Default("60s"),),
    "proxy_http_version": (Default("1.0"), Default("1.1", NGINX_KEEPALIVE_BY_DEFAULT)),
    "proxy_buffering": (Default("on"),),
    "proxy_request_buffering": (Default("on"),),
    "uwsgi_buffering": (Default("on"),),
    "uwsgi_request_buffering": (Default("on"),),
    "proxy_buffer_size": (Default("4k"),),  # one memory page: 4k on x86-64 Linux
    "proxy_buffers": (Default("8 4k"),),
    "proxy_busy_buffers_size": (Default("8k"),),
    "uwsgi_buffer_size": (Default("4k"),),
    "uwsgi_buffers": (Default("8 4k"),),
    "uwsgi_busy_buffers_size": (Default("8k"),),
    "client_max_body_size": (Default("1m"),),
    "proxy_next_upstream": (Default("error timeout"),),
    "proxy_next_upstream_tries": (Default("0"),),
    "proxy_next_upstream_timeout": (Default("0"),),
    "uwsgi_next_upstream": (Default("error timeout"),),
    "uwsgi_next_upstream_tries": (Default("0"),),
    "uwsgi_next_upstream_timeout": (Default("0"),),
    "client_header_buffer_size": (Default("1k"),),
    "large_client_header_buffers": (Default("4 8k"),),
    "keepalive_timeout": (Default("75s"),),
    "keepalive_requests": (Default("100"), Default("1000", (1, 19, 10))),
    "header:Connection": (Default("close"), Default("", NGINX_KEEPALIVE_BY_DEFAULT)),
    # "" = no connection cache (before 1.29.7 an upstream keeps nothing unless told to)
    "upstream:keepalive": (Default(""), Default("32 local", NGINX_KEEPALIVE_BY_DEFAULT)),
    # before 1.15.3 there was no upstream keepalive_timeout: idle connections were kept forever
    "upstream:keepalive_timeout": (Default("unlimited"), Default("60s", (1, 15, 3))),
    "upstream:keepalive_requests": (Default("100", (1, 15, 3)), Default("1000", (1, 19, 10))),
    "upstream:keepalive_time": (Default("1h", (1, 19, 10)),),
}


def nginx_default(key: str, version: Version) -> Default | None:
    history = NGINX_DEFAULTS.get(key)
    return _pick(history, version) if history else None


# gunicorn: the 27.0.1 registry, with the changes of earlier versions on top.
GUNICORN_CHANGES: dict[str, tuple[Default, ...]] = {
    "forwarded_allow_ips": (Default("'127.0.0.1'"), Default("'127.0.0.1,::1'", (23, 0, 0))),
}


def gunicorn_default(name: str, version: Version) -> Default | None:
    if name in GUNICORN_CHANGES:
        return _pick(GUNICORN_CHANGES[name], version)
    entry = GUNICORN_SETTINGS.get(name)
    return Default(entry[1]) if entry else None


# gunicorn settings whose value is only honoured from a version on
GUNICORN_SINCE: dict[str, Version] = {
    "protocol": (24, 0, 0),
}

GUNICORN_SYNC_WORKERS = frozenset({"sync"})
# workers whose idle connections close after ``keepalive`` seconds (sync keeps none; gevent's
# pywsgi server has no idle limit)
GUNICORN_KEEPALIVE_WORKERS = frozenset({"gthread", "gevent", "eventlet", "asgi", "uvicorn"})
# the tornado worker: gunicorn sets no_keep_alive after tornado's HTTPServer copied it, so
# tornado's own idle_connection_timeout (None -> 3600 s) applies
TORNADO_IDLE_SECONDS = 3600
GUNICORN_REMOVED_WORKERS: dict[str, Version] = {"eventlet": (26, 0, 0)}

# uWSGI 2.0.30 (core/init.c); every number in seconds or bytes unless said
UWSGI_DEFAULTS: dict[str, str] = {
    "buffer-size": "4096",
    "listen": "100",
    "socket-timeout": "4",
    "harakiri": "0",
    "http-timeout": "60",
    "processes": "1",
    "threads": "1",
    "max-requests": "0",
    "limit-post": "0",
    "post-buffering": "0",
    "worker-reload-mercy": "60",
    "min-worker-lifetime": "10",
}
