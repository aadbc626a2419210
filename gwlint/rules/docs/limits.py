"""The docs of the GW5xx (limits) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import PREMATURELY, RuleDocs, ex, from_source, observed, rule_docs

# the servers' sources the claims link to, at release tags
NGINX = "https://github.com/nginx/nginx/blob/release-1.31.4/src"
UWSGI = "https://github.com/unbit/uwsgi/blob/2.0.30"
GUNICORN = "https://github.com/benoitc/gunicorn/blob"


GW501 = rule_docs(
    why="""
uWSGI reads a whole request (the uwsgi packet: every header and `uwsgi_param` variable; on an
`http-socket`, the HTTP header block) into one buffer of `buffer-size` bytes, **4096 by default**.
nginx accepts request headers up to `large_client_header_buffers` (`4 8k`: 32 KiB in all, 8 KiB
per line). A request whose headers are bigger than the buffer (a few large cookies, a long URL, a
JWT) passes nginx and is refused by uWSGI, which logs `invalid request block size: 5363 (max
4096)...skip` (on an `http-socket`: `invalid HTTP request size (max 65535)...skip`) and closes the
connection; nginx answers **502** (`recv() failed (104: Connection reset by peer) while reading
response header from upstream`). **The defaults alone trip it**: a 5000-byte cookie is enough.

Set `buffer-size` to what nginx accepts: `32768` for the default `4 8k`. A uwsgi packet cannot be
larger than 65535 bytes: nginx refuses to build a bigger one (`uwsgi request is too big`, and the
client gets **500**), so on a uwsgi-protocol `socket` 65535 is enough for any nginx setting.

**uWSGI 2.0** reads any `buffer-size` above 65535 as 65535 (GW507), and gwlint compares that
value: on an `http-socket` behind `large_client_header_buffers 2 96k`, `buffer-size = 131072`
still refuses a 70 kB header (502). The fix is then on nginx's side: accept at most 65535 bytes of
headers (`3 16k`), and nginx refuses the larger ones itself with a clean **400** (`Request Header
Or Cookie Too Large`). `--uwsgi-version 2.1` compares the value as written.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\nbuffer-size = 32768\n"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#buffer-size",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers",
        "https://github.com/unbit/uwsgi/issues/1164",
        "https://github.com/GeoNode/geonode/issues/4344",
    ),
    claims=(
        observed("gw501-cookie", status=502),
        observed("gw501-cookie", where="uWSGI", log="invalid request block size: "),
        observed("gw501-cookie", where="uWSGI", log="(max 4096)...skip"),
        observed(
            "gw501-cookie",
            where="nginx error.log",
            log="recv() failed (104: Connection reset by peer) while reading response header "
            "from upstream",
        ),
        observed("gw501-uwsgi-2.0", status=502),
        observed(
            "gw501-uwsgi-2.0", where="uWSGI", log="invalid HTTP request size (max 65535)...skip"
        ),
        from_source(
            f"{NGINX}/http/modules/ngx_http_uwsgi_module.c#L1043",
            where="nginx error.log",
            log="uwsgi request is too big",
        ),
        from_source(f"{NGINX}/http/ngx_http_upstream.c#L670", status=500),
        from_source(f"{NGINX}/http/ngx_http_special_response.c#L254", status=400),
    ),
)


GW502 = rule_docs(
    why="""
nginx accepts a request line as long as one `large_client_header_buffers` buffer (8 KiB by
default, 8190 bytes without the line end) and answers a longer one with its own **414**
(`client sent too long URI`); gunicorn's `limit_request_line` is **4094** by default, and values
above 8190 are capped at 8190 (`0` means no limit). A request line of 4095 to 8190 bytes (a long
query string, a search form with many filters) passes nginx, and gunicorn answers **414 URI Too
Long** (gunicorn 27; **400 Bad Request** before), logging `Invalid request from ip=127.0.0.1:
Request Line is too large (5023 > 2048)` (with `limit_request_line = 2048`).

The two defaults alone (4094 against 8 KiB) disagree too, but gwlint does not report them: such
URLs are rare, the failure is a clean 4xx, and the finding would sit on every deployment. It is
reported when either side was set: `limit_request_line` below nginx's line limit, or
`large_client_header_buffers` raised above what gunicorn takes. uvicorn has no request-line limit
of its own (see GW503 for h11's limit on the whole request head).
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nlimit_request_line = 2048\n"),
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nlimit_request_line = 8190\n"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#limit-request-line",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers",
        "https://github.com/benoitc/gunicorn/issues/1503",
        "https://github.com/benoitc/gunicorn/issues/2487",
        "https://github.com/getredash/redash/issues/7506",
    ),
    claims=(
        observed("gw502-long-uri", status=414),
        observed("gw502-long-uri", where="gunicorn", log="Invalid request from ip="),
        observed("gw502-long-uri", where="gunicorn", log="Request Line is too large ("),
        from_source(f"{GUNICORN}/26.1.0/gunicorn/workers/base.py#L213", status=400),
        from_source(
            f"{NGINX}/http/ngx_http_request.c#L1267",
            where="nginx error.log",
            log="client sent too long URI",
        ),
        from_source(f"{NGINX}/http/ngx_http_request.c#L1268", status=414),
    ),
)


GW503 = rule_docs(
    why="""
gunicorn refuses a header line longer than `limit_request_field_size` (8190 bytes by default,
and `0` means 8190 too; the line end counts) and a request with more than `limit_request_fields`
header fields (100 by default); nginx passes any header line that fits one
`large_client_header_buffers` buffer (8 KiB) and has no count limit, and adds fields of its own
(`proxy_set_header`). When one of these was set explicitly so that gunicorn's limit is below what
nginx passes, such requests get **431 Request Header Fields Too Large** from gunicorn (**400**
before gunicorn 21), logged as `Invalid request from ip=127.0.0.1: limit request headers fields
size` (or `... fields`).

The defaults match nginx's closely enough and are not reported.

uvicorn is not reported either. With `--http h11` (or without httptools installed) h11 refuses a
request head over `--h11-max-incomplete-event-size` (16 KiB by default) with **400** (`Invalid
HTTP request received.`), but only while the head is still incomplete in its buffer: nginx writes
the whole head at once, and on the same host (loopback, unix socket) uvicorn reads it in one
piece. Observed with uvicorn 0.55 and h11 0.16: a 30 KiB head through nginx gets **200**; sent
straight to uvicorn in 1000-byte pieces, a 20 KiB head gets the 400. Across a network it depends
on how the segments arrive, and httptools (`uvicorn[standard]`) has no such limit at all, so
gwlint cannot tell when it fails.
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nlimit_request_field_size = 4096\n"),
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\n"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#limit-request-field-size",
        "https://docs.gunicorn.org/en/stable/settings.html#limit-request-fields",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#large_client_header_buffers",
        "https://github.com/benoitc/gunicorn/issues/2546",
    ),
    claims=(
        observed("gw503-field-size", status=431),
        observed("gw503-field-size", where="gunicorn", log="Invalid request from ip="),
        observed("gw503-field-size", where="gunicorn", log="limit request headers fields size"),
        observed("gw503-fields", status=431),
        observed("gw503-fields", where="gunicorn", log="limit request headers fields"),
        from_source(f"{GUNICORN}/20.1.0/gunicorn/workers/base.py#L217", status=400),
        observed("gw503-uvicorn-whole-head", status=200),
        observed("gw503-uvicorn-in-pieces", status=400),
        observed("gw503-uvicorn-in-pieces", where="uvicorn", log="Invalid HTTP request received."),
    ),
)


GW504 = rule_docs(
    why="""
nginx reads the status line and headers of the app's response into one buffer of
`proxy_buffer_size` (`uwsgi_buffer_size`...). By default that is one memory page, "either 4K or
8K, depending on a platform" (nginx's docs,
<https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffer_size>): 4k on x86-64
Linux. A response whose headers do not fit (a few `Set-Cookie` headers, a long
`Content-Security-Policy`, a JWT) makes nginx log `upstream sent too big header while reading
response header from upstream` and answer **502** (`ngx_http_upstream.c`; observed with
`proxy_buffer_size 1k` and a 2000-byte response header, see the evidence page).

gwlint cannot know how large the app's response headers are, so it only reports the buffer when
it was set below 4k, less than the default on any platform: such a buffer fails on response
headers that are quite ordinary.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_buffer_size 1k;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
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
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffer_size",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_buffer_size",
        "https://github.com/code-dot-org/code-dot-org/issues/12301",
        "https://github.com/webcompat/webcompat.com/issues/1009",
    ),
    claims=(
        observed("gw504-buffer-1k", status=502),
        observed(
            "gw504-buffer-1k",
            where="nginx error.log",
            log="upstream sent too big header while reading response header from upstream",
        ),
    ),
)


GW505 = rule_docs(
    why="""
nginx refuses request bodies larger than `client_max_body_size` (1m by default, `0` = no limit)
with a clean **413** (`client intended to send too large body`). A uWSGI `limit-post` below that
refuses the bodies in between itself: uWSGI logs `Invalid (too big) CONTENT_LENGTH. skip.` and
closes the connection, and nginx answers **502** (`writev() failed (104: Connection reset by peer)
while sending request to upstream`, or `recv() failed (104: Connection reset by peer) while reading
response header from upstream` when nginx had already sent the whole body) instead of 413: an
upload error that looks like a crash. Reproduced with `limit-post = 1048576` behind
`client_max_body_size 10m` and a 2 MB POST.

gunicorn and uvicorn have no body size limit: nginx's is the only one, nothing to compare.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    client_max_body_size 10m;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nlimit-post = 1048576\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    client_max_body_size 10m;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nlimit-post = 10485760\n"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#limit-post",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size",
        "https://github.com/unbit/uwsgi/blob/2.0.30/core/protocol.c",
    ),
    claims=(
        observed("gw505-limit-post", status=502),
        observed("gw505-limit-post", where="uWSGI", log="Invalid (too big) CONTENT_LENGTH. skip."),
        observed(
            "gw505-limit-post",
            where="nginx error.log",
            log="client intended to send too large body",
        ),
        from_source(
            f"{NGINX}/os/unix/ngx_writev_chain.c#L210",
            where="nginx error.log",
            log="writev() failed (104: Connection reset by peer) while sending request to upstream",
        ),
        from_source(
            f"{NGINX}/os/unix/ngx_recv.c#L190",
            where="nginx error.log",
            log="recv() failed (104: Connection reset by peer) while reading response header "
            "from upstream",
        ),
        from_source(f"{NGINX}/http/ngx_http_core_module.c#L1020", status=413),
    ),
)


GW506 = rule_docs(
    why="""
uWSGI reads numeric options with C's `atoi`/`strtoul`, which stop at the first non-digit: there
are no unit suffixes. `buffer-size = 32k` is 32 bytes, so every request is rejected (`invalid
request block size: ... (max 32)...skip`) and nginx answers **502**; `limit-post = 1M` is 1 byte,
so every POST with a body is refused (`Invalid (too big) CONTENT_LENGTH. skip.`: **502** behind
nginx, see GW505); `harakiri = 2m` is 2 seconds. Only the `*-rss`/`*-as` options are in
megabytes, and they also take a bare number.

Where the suffix happens to match uWSGI's own unit (`harakiri = 60s` is 60 seconds), nothing breaks
and the finding is info; write the bare number anyway.
""",
    example=ex(("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nbuffer-size = 32k\n")),
    fix=ex(("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nbuffer-size = 32768\n")),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#buffer-size",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://github.com/unbit/uwsgi/blob/2.0.30/core/uwsgi.c",
    ),
    claims=(
        observed("gw506-32k", status=502),
        observed("gw506-32k", where="uWSGI", log="(max 32)...skip"),
        from_source(
            f"{UWSGI}/proto/uwsgi.c#L25", where="uWSGI", log="invalid request block size: "
        ),
        from_source(
            f"{UWSGI}/core/protocol.c#L457",
            where="uWSGI",
            log="Invalid (too big) CONTENT_LENGTH. skip.",
        ),
    ),
)


GW507 = rule_docs(
    why="""
**uWSGI 2.0** (every 2.0.x release; gwlint assumes 2.0.30 unless `--uwsgi-version` or the
deployment says otherwise) keeps `buffer-size` in a 16-bit field: a value above 65535 is read as
65535 (`uwsgi_opt_set_16bit` in `core/uwsgi.c`, `uint16_t buffer_size` in `uwsgi.h`, in every tag
from 2.0.18 to 2.0.30). Whatever is set, uWSGI 2.0 refuses a request bigger than 65535 bytes: on
an `http-socket`, a request whose header block is larger (a 70 kB header, with `buffer-size =
131072`) is dropped, `proto/http.c` logging `invalid HTTP request size (max 65535)...skip`, and
the connection is closed without a response: nginx logs `recv() failed (104: Connection reset by
peer) while reading response header from upstream` and answers **502**. A larger `buffer-size`
only suggests that headers over 64 KiB work; they need uWSGI 2.1. Behind nginx, GW501 compares
the 65535 with the headers nginx accepts.

**uWSGI 2.1** (`--uwsgi-version 2.1`) keeps `buffer-size` in 64 bits, and an `http-socket` does
use a buffer larger than 65535. A uwsgi packet is still at most 65535 bytes (its size field has
16 bits), and nginx refuses to build a bigger one (`uwsgi request is too big: 70000`, answered
with **500**): there a `buffer-size` above 65535 costs memory in every core for nothing on a
uwsgi-protocol `socket` (uWSGI's docs: "Increase it (up to 65535)"). With 2.1 it is not
reported when the app also has an HTTP socket.

The example below is checked as uWSGI 2.0.30, gwlint's default; with `--uwsgi-version 2.1` the
same file is quiet (its socket is an `http-socket`).
""",
    example=ex(("uwsgi.ini", "[uwsgi]\nhttp-socket = 127.0.0.1:8000\nbuffer-size = 131072\n")),
    fix=ex(("uwsgi.ini", "[uwsgi]\nhttp-socket = 127.0.0.1:8000\nbuffer-size = 65535\n")),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Protocol.html",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html",
        "https://github.com/unbit/uwsgi/blob/2.0.30/core/uwsgi.c",
        "https://github.com/unbit/uwsgi/blob/2.0.30/proto/http.c",
    ),
    claims=(
        observed("gw507-http-socket", status=502),
        observed(
            "gw507-http-socket", where="uWSGI", log="invalid HTTP request size (max 65535)...skip"
        ),
        observed(
            "gw507-http-socket",
            where="nginx error.log",
            log="recv() failed (104: Connection reset by peer) while reading response header "
            "from upstream",
        ),
        from_source(
            f"{NGINX}/http/modules/ngx_http_uwsgi_module.c#L1043",
            where="nginx error.log",
            log="uwsgi request is too big: ",
        ),
        from_source(f"{NGINX}/http/ngx_http_upstream.c#L670", status=500),
    ),
)


GW508 = rule_docs(
    why="""
With `uwsgi_request_buffering off` (or `proxy_request_buffering off` in front of an
`http-socket`), nginx passes the request body on as the client sends it, so a uWSGI worker spends
the whole upload inside the request, and `harakiri` counts that time too: an upload slower than
`harakiri` seconds is killed (`*** HARAKIRI ON WORKER 1 (pid: ..., try: 1, graceful: yes) ***`)
and nginx answers **502** (`upstream prematurely closed connection while reading response header
from upstream`). uWSGI warns at start when `post-buffering` is not set (`you have enabled harakiri
without post buffering. Slow upload could be rejected on post-unbuffered webservers`);
`post-buffering` does not help here, as uWSGI reads the body after arming harakiri (2.0
`wsgi_req_recv`).
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /upload/ {
                        uwsgi_request_buffering off;
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /upload/ {
                        include uwsgi_params;
                        uwsgi_pass 127.0.0.1:3031;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#post-buffering",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_request_buffering",
        "https://github.com/unbit/uwsgi/blob/2.0.30/core/utils.c",
    ),
    claims=(
        observed("gw508-slow-upload", status=502),
        observed("gw508-slow-upload", where="uWSGI", log="HARAKIRI ON WORKER 1 (pid: "),
        observed("gw508-slow-upload", where="nginx error.log", log=PREMATURELY),
        observed(
            "gw508-slow-upload",
            where="uWSGI",
            log="you have enabled harakiri without post buffering. Slow upload could be "
            "rejected on post-unbuffered webservers",
        ),
        from_source(
            f"{UWSGI}/core/utils.c#L1414",
            where="uWSGI",
            outcome="harakiri is armed before the request's body is read, post-buffering or not",
        ),
    ),
)


DOCS: dict[str, RuleDocs] = {
    "GW501": GW501,
    "GW502": GW502,
    "GW503": GW503,
    "GW504": GW504,
    "GW505": GW505,
    "GW506": GW506,
    "GW507": GW507,
    "GW508": GW508,
}
