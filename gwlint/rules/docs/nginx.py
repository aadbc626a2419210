"""The docs of the GW6xx (nginx) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import RuleDocs, ex, from_source, observed, rule_docs
from gwlint.rules.nginx import URI_PART_ERROR

# what nginx does with a configuration it refuses, read in its source
NGINX_SOURCE = "https://github.com/nginx/nginx/blob/release-1.31.4/src"
RELOAD_KEEPS_OLD = from_source(
    f"{NGINX_SOURCE}/os/unix/ngx_process_cycle.c#L225",
    where="nginx",
    outcome="a reload with a configuration nginx refuses keeps the old one",
)
START_FAILS = from_source(
    f"{NGINX_SOURCE}/core/nginx.c#L293",
    where="nginx",
    outcome="nginx (or nginx -t) with a configuration it refuses exits 1",
)


GW601 = rule_docs(
    why="""
`health_check`, `match`, `queue`, `state`, `ntlm`, `zone_sync`, `api`, the `slow_start=` server
parameter, `random two least_time=` and a few more exist only in the commercial NGINX Plus.
Open-source nginx refuses the whole configuration: `[emerg] unknown directive "health_check" in
/etc/nginx/nginx.conf:12`, `invalid parameter "slow_start=30s"` or `invalid parameter
"least_time=header"`; `nginx -t` exits 1. A reload keeps the old configuration; a fresh start
serves nothing. `nginx -t` stops at the first error and hides any other: gwlint lists them all.

Some moved to open source later and are checked against `--nginx-version`: the `resolve` and
`service=` server parameters (1.27.3), `sticky`, `drain` and `route=` (1.29.6), the `least_time`
directive (1.31.0; the `least_time=` parameter of `random` is still NGINX Plus only).
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    zone app 64k;
                    server 127.0.0.1:8000 slow_start=30s;
                }
                server {
                    listen 80;
                    location / {
                        proxy_pass http://app;
                        health_check;
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
                upstream app {
                    zone app 64k;
                    server 127.0.0.1:8000 max_fails=3 fail_timeout=10s;
                }
                server {
                    listen 80;
                    location / {
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_hc_module.html",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server",
        "https://github.com/nginx/nginx-gateway-fabric/issues/5769",
        "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/modules/ngx_http_upstream_random_module.c",
    ),
    claims=(
        observed("gw601-plus-only", where="nginx -t", log='invalid parameter "least_time=header"'),
        observed("gw601-plus-only", where="nginx -t", log='invalid parameter "slow_start=30s"'),
        observed("gw601-plus-only", where="nginx -t", log='unknown directive "health_check"'),
        observed(
            "gw601-plus-only",
            where="nginx -t",
            outcome="nginx -t exits 1 and names only the first of the three",
        ),
        RELOAD_KEEPS_OLD,
        START_FAILS,
    ),
)


GW602 = rule_docs(
    why="""
nginx marks a server of an `upstream {}` unavailable for `fail_timeout` (10 s) after `max_fails`
(1) failed attempts, and sends the requests to the other servers meanwhile. With **a single
server** there is nothing to fail over to: "If there is only a single server in a group,
max_fails, fail_timeout and slow_start parameters are ignored, and such a server will never be
considered unavailable" (upstream module docs). `server 127.0.0.1:8000 max_fails=3
fail_timeout=30s;` alone in its group does nothing: while the app is down nginx keeps trying it
on every request, each answered **502** with `connect() failed (111: Connection refused) while
connecting to upstream`, rather than failing fast for 30 s.

Only servers written as an IP address or a unix socket count as single: a host name may resolve
to several addresses, each of which is a server. `max_fails=0` and `fail_timeout=0` (gunicorn's
deployment example) ask for what a single server gets anyway and are left alone.

gwlint does not report nginx's defaults on groups of several servers (`max_fails=1
fail_timeout=10s`: one failure takes a server out for 10 s, and once all are out nginx answers
**502** at once, `no live upstreams while connecting to upstream`): that is the passive health
check most deployments want.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000 max_fails=3 fail_timeout=30s;
                }
                server {
                    listen 80;
                    location / {
                        proxy_pass http://app;
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
                upstream app {
                    server 127.0.0.1:8000;
                }
                server {
                    listen 80;
                    location / {
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#max_fails",
        "https://docs.gunicorn.org/en/stable/deploy.html",
    ),
    claims=(
        observed("gw602-single-server", status=502),
        observed(
            "gw602-single-server",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed(
            "gw602-single-server",
            where="nginx error.log",
            outcome="every request tries the server again: one connect() failed line each",
        ),
        observed("gw602-two-servers", status=502),
        observed(
            "gw602-two-servers",
            where="nginx error.log",
            log="no live upstreams while connecting to upstream",
        ),
    ),
)


GW603 = rule_docs(
    why="""
nginx reads times and sizes its own way, and refuses the whole configuration when one is off:
`[emerg] "proxy_read_timeout" directive invalid value in /etc/nginx/nginx.conf:12`, and `nginx -t`
exits 1. A reload keeps the old configuration (and logs the same line to the error log); a fresh
start serves nothing.

- **Times**: a whole number with a unit, `ms s m h d w` (a bare number is seconds). No fractions
  (`1.5s`: write `1500ms`), units from the largest to the smallest (`1m30s`, not `30s1m`), no
  `y`/`M` in timeouts, and no `ms` where nginx counts whole seconds (`fail_timeout=500ms` on an
  upstream server: `invalid parameter "fail_timeout=500ms"`; the second argument of
  `keepalive_timeout`; `proxy_cache_valid`). Several units with spaces must be quoted:
  `"1h 30m"`; unquoted they are two arguments (reported as GW001).
- **Sizes**: bytes, `k` or `m`; `g` only for offsets (`client_max_body_size`, `directio`,
  `*_cache_max_range_offset`), not for buffer or temp file sizes (`proxy_max_temp_file_size
  2048m`, not `2g`); no fractions and no `kb`/`MB`.
- Upstream `server` parameters: `weight=` at least 1, `max_fails=`/`max_conns=` whole numbers.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000 fail_timeout=500ms;
                }
                server {
                    listen 80;
                    location / {
                        proxy_read_timeout 1.5m;
                        proxy_buffer_size 1g;
                        proxy_pass http://app;
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
                upstream app {
                    server 127.0.0.1:8000 fail_timeout=1s;
                }
                server {
                    listen 80;
                    location / {
                        proxy_read_timeout 90s;
                        proxy_buffer_size 16k;
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/syntax.html",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server",
        "https://github.com/nginx/nginx/blob/master/src/core/ngx_parse.c",
    ),
    claims=(
        observed("gw603-nginx-t", where="nginx -t", log='invalid parameter "fail_timeout=500ms"'),
        observed(
            "gw603-nginx-t", where="nginx -t", log='"proxy_read_timeout" directive invalid value'
        ),
        observed(
            "gw603-nginx-t",
            where="nginx -t",
            log='"proxy_max_temp_file_size" directive invalid value',
        ),
        observed("gw603-nginx-t", where="nginx -t", outcome="nginx -t exits 1"),
        observed(
            "gw603-reload",
            where="nginx error.log",
            log='"proxy_max_temp_file_size" directive invalid value',
        ),
        observed(
            "gw603-reload",
            where="nginx",
            outcome="the reload keeps the old configuration: requests still get 200",
        ),
        START_FAILS,
    ),
)


GW604 = rule_docs(
    why="""
`proxy_set_header` directives "are inherited from the previous configuration level if and only if
there are no proxy_set_header directives defined on the current level" (proxy module docs). A
location that adds one header, say `proxy_set_header X-Request-Id $request_id;`, silently loses
every header the server (or http) level sets, and an `include proxy_params;` there counts too:

- `Host`: the app gets the upstream's name instead of the client's host (nginx's `$proxy_host`:
  `app`, `127.0.0.1:8000`). Django refuses a host its `ALLOWED_HOSTS` lacks with **400**
  (`DisallowedHost`); redirects and absolute URLs name the wrong host.
- `X-Forwarded-Proto`: the app takes every request for plain HTTP, and a "redirect to HTTPS"
  setting (Django's `SECURE_SSL_REDIRECT`) redirects forever.
- `X-Forwarded-For`/`X-Real-IP`: logs, rate limits and allow lists see nginx's address.
- `Upgrade`/`Connection upgrade`: WebSocket handshakes fail.
- `Connection ""`: before nginx 1.29.7 nginx then sends `Connection: close`, and an upstream
  `keepalive` reuses nothing. From 1.29.7 on that is the default, and nothing is lost.

Headers whose outer value is what nginx sends anyway (`Host $proxy_host`, the client's own
`$http_x_name`) are not reported.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    location /api/ {
                        proxy_set_header X-Request-Id $request_id;
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
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header X-Request-Id $request_id;
                    location /api/ {
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header",
        "https://nginx.org/en/docs/http/websocket.html",
        "https://docs.djangoproject.com/en/stable/ref/settings/#secure-proxy-ssl-header",
        "https://docs.djangoproject.com/en/stable/ref/settings/#allowed-hosts",
    ),
    claims=(
        observed(
            "gw604-inherit",
            where="app",
            outcome="the app gets Host: 127.0.0.1:PORT (the upstream) and no X-Forwarded-Proto",
        ),
        from_source(
            "https://docs.djangoproject.com/en/5.2/ref/exceptions/#suspiciousoperation",
            status=400,
            where="Django",
            outcome="Django answers a DisallowedHost (a SuspiciousOperation) with 400",
        ),
    ),
)


GW605 = rule_docs(
    why="""
nginx checks the proxy (and uwsgi) buffers of every location when it loads the configuration
(`ngx_http_proxy_merge_loc_conf`), and refuses to start when they do not fit:

- `proxy_buffers` must have at least 2 buffers: `there must be at least 2 "proxy_buffers"`;
- `proxy_busy_buffers_size` must be at least the larger of `proxy_buffer_size` and one buffer:
  `"proxy_busy_buffers_size" must be equal to or greater than the maximum of the value of
  "proxy_buffer_size" and one of the "proxy_buffers"`;
- and at most all `proxy_buffers` but one: `"proxy_busy_buffers_size" must be less than the size of
  all "proxy_buffers" minus one buffer`.

When `proxy_busy_buffers_size` is not written nginx derives it: twice the larger of
`proxy_buffer_size` and one buffer. So raising `proxy_buffer_size` alone (the usual cure for
`upstream sent too big header`, **502**) to 16k breaks the configuration: the derived 32k is more
than the default `proxy_buffers 8 4k` minus one buffer, 28k (observed with `nginx -t`, which exits
1). A reload keeps the old configuration; a fresh start serves nothing.

The defaults assume 4k memory pages (x86-64): `proxy_buffer_size 4k`, `proxy_buffers 8 4k`.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_buffer_size 16k;
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
                        proxy_buffer_size 16k;
                        proxy_busy_buffers_size 28k;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_busy_buffers_size",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_buffer_size",
        "https://github.com/nginx/nginx/blob/master/src/http/modules/ngx_http_proxy_module.c",
        "https://github.com/puphpet/puphpet/issues/290",
    ),
    claims=(
        observed(
            "gw605-nginx-t",
            where="nginx -t",
            log='"proxy_busy_buffers_size" must be less than the size of all "proxy_buffers" '
            "minus one buffer",
        ),
        observed("gw605-nginx-t", where="nginx -t", log='there must be at least 2 "proxy_buffers"'),
        observed(
            "gw605-nginx-t",
            where="nginx -t",
            log='"proxy_busy_buffers_size" must be equal to or greater than the maximum of the '
            'value of "proxy_buffer_size" and one of the "proxy_buffers"',
        ),
        observed("gw605-nginx-t", where="nginx -t", outcome="nginx -t exits 1"),
        from_source(
            f"{NGINX_SOURCE}/http/ngx_http_upstream.c#L2586",
            where="nginx error.log",
            log="upstream sent too big header",
        ),
        from_source(f"{NGINX_SOURCE}/http/ngx_http_upstream.c#L4674", status=502),
        RELOAD_KEEPS_OLD,
        START_FAILS,
    ),
)


GW606 = rule_docs(
    why="""
When a server of an upstream group fails (`error`, `timeout`...), nginx passes the request to the
next server (`proxy_next_upstream`, `uwsgi_next_upstream`). Since nginx 1.9.13 it does **not**
do that for POST, LOCK and PATCH once the request has been sent, because the first server may
already have acted on it: the client gets the first failure (**504** after `proxy_read_timeout`),
and the POST has run once. `non_idempotent` lifts that guard. Then a POST that outlives
`proxy_read_timeout` on one server (still running there) or whose connection broke after the app
committed runs again on the next one: duplicate orders, double charges, two e-mails. nginx logs
`upstream timed out (110: Connection timed out) while reading response header from upstream` and
tries the next server; the client sees one answer (**200**, from the next server), the app has run
the POST twice.

Reported where a route's upstream has several servers; with a single server, nginx only retries a
request on a fresh connection after a cached keep-alive connection failed, which is what
`non_idempotent` is often set for. `proxy_next_upstream_tries 1` disables retries and stays quiet.

nginx's unlimited defaults (`proxy_next_upstream_tries 0`, `proxy_next_upstream_timeout 0`) are not
reported: they only make a client wait up to the number of servers times the read timeout for a GET
that times out everywhere.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 10.0.0.11:8000;
                    server 10.0.0.12:8000;
                }
                server {
                    listen 80;
                    location / {
                        proxy_next_upstream error timeout non_idempotent;
                        proxy_pass http://app;
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
                upstream app {
                    server 10.0.0.11:8000;
                    server 10.0.0.12:8000;
                }
                server {
                    listen 80;
                    location / {
                        proxy_next_upstream error timeout;
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#max_fails",
    ),
    claims=(
        observed("gw606-post-twice", status=200),
        observed(
            "gw606-post-twice",
            where="nginx error.log",
            log="upstream timed out (110: Connection timed out) while reading response header "
            "from upstream",
        ),
        observed("gw606-post-twice", where="app", outcome="the app runs the POST twice"),
        observed("gw606-no-retry", status=504),
        observed("gw606-no-retry", where="app", outcome="the POST runs once"),
    ),
)


GW607 = rule_docs(
    why="""
A directive or a value that appeared in a later nginx than the one in production stops nginx at
start-up. nginx 1.22.1 (Debian 12's) refuses `proxy_pass_trailers on;` (1.27.2) with `[emerg]
unknown directive "proxy_pass_trailers"`, `proxy_http_version 2` (1.29.4) with `invalid value "2"`
and `keepalive 16 local` (1.29.7) with `invalid number of arguments in "keepalive" directive`;
`nginx -t` exits 1, while nginx 1.31.3 accepts the same lines. Copying a config from current
documentation onto Debian 12 (1.22) or Ubuntu 24.04 (1.24) is the usual way to get there. A reload
keeps the old configuration; a fresh start serves nothing.

The versions come from nginx.org's module documentation ("This directive appeared in version
..."), for the core, proxy, upstream and uwsgi modules. Without `--nginx-version` gwlint assumes
the current stable line and reports these as warnings; give the version you deploy to make them
errors (or to silence them).
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000;
                    keepalive 16 local;
                }
                server {
                    listen 80;
                    location / {
                        proxy_pass_trailers on;
                        proxy_http_version 2;
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
        args=("--nginx-version", "1.22.1"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                upstream app {
                    server 127.0.0.1:8000;
                    keepalive 16;
                }
                server {
                    listen 80;
                    location / {
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
        args=("--nginx-version", "1.22.1"),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_http_version",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass_trailers",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive",
        "https://nginx.org/en/CHANGES",
    ),
    claims=(
        observed(
            "gw607-old-nginx",
            where="nginx -t",
            log='invalid number of arguments in "keepalive" directive',
        ),
        observed(
            "gw607-old-nginx", where="nginx -t", log='unknown directive "proxy_pass_trailers"'
        ),
        observed("gw607-old-nginx", where="nginx -t", log='invalid value "2"'),
        observed("gw607-old-nginx", where="nginx -t", outcome="nginx -t exits 1"),
        observed(
            "gw607-current-nginx",
            where="nginx -t",
            outcome="nginx 1.31.3 accepts the same configuration",
        ),
        RELOAD_KEEPS_OLD,
        START_FAILS,
    ),
)


GW608 = rule_docs(
    why="""
A `proxy_pass` with a URI part (`http://app/`, `http://app/v1/`) replaces the part of the request
path the location matched with that URI. Two things go wrong with it:

- **Where there is nothing to replace** nginx refuses the configuration: in a regex location (`~`,
  `~*`), a named location (`@name`), an `if` or a `limit_except` block: `[emerg] "proxy_pass"
  cannot have URI part in location given by regular expression, or inside named location, or
  inside "if" statement, or inside "limit_except" block`, and `nginx -t` exits 1. A reload keeps
  the old configuration; a fresh start serves nothing. This is an **error**. Use `proxy_pass
  http://app;` there, with `rewrite ... break;` if the path must change.
- **A trailing-slash mismatch** between the location and the URI glues or doubles slashes:
  `location /api { proxy_pass http://app/; }` sends `/api/users` as `//users`, and
  `location /api/ { proxy_pass http://app/v1; }` sends it as `/v1users`. An app with routes for
  `/users` and `/v1/users` answers **404** (nothing 5xx, nothing in nginx's error log). This is
  info: end both with `/`, or neither.

A `proxy_pass` with variables is left alone: nginx passes the URI it builds as it is.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /api {
                        proxy_pass http://127.0.0.1:8000/;
                    }
                    location ~ ^/static/ {
                        proxy_pass http://127.0.0.1:8000/static/;
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
                    location /api/ {
                        proxy_pass http://127.0.0.1:8000/;
                    }
                    location ~ ^/static/ {
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#location",
    ),
    claims=(
        observed("gw608-regex-uri", where="nginx -t", log=URI_PART_ERROR),
        observed("gw608-regex-uri", where="nginx -t", outcome="nginx -t exits 1"),
        observed("gw608-double-slash", status=404),
        observed("gw608-double-slash", where="app", outcome="the app gets /api/users as //users"),
        observed("gw608-glued", status=404),
        observed("gw608-glued", where="app", outcome="the app gets /app/users as /v1users"),
        RELOAD_KEEPS_OLD,
        START_FAILS,
    ),
)


GW609 = rule_docs(
    why="""
Each of nginx's upstream modules reads its own directives: `proxy_pass` reads `proxy_read_timeout`,
`proxy_buffer_size`, `proxy_set_header`...; `uwsgi_pass` reads `uwsgi_read_timeout`,
`uwsgi_buffer_size`, `uwsgi_param`. A `uwsgi_read_timeout 300s;` next to `proxy_pass` (a location
moved from uWSGI to gunicorn, a snippet copied from a PHP site's `fastcgi_read_timeout`) is
accepted and ignored: the proxy module's own value applies, 60 s by default, and the slow report
still ends in **504** (`upstream timed out (110: Connection timed out) while reading response header
from upstream`). Likewise `proxy_set_header X-Forwarded-Proto $scheme;` beside `uwsgi_pass` sends
nothing (uwsgi takes `uwsgi_param HTTP_X_FORWARDED_PROTO $scheme;`), and `uwsgi_param` beside
`proxy_pass` sends no header.

Reported for directives in the location's own block that have a counterpart in the module it
uses, unless a nested location of their own module inherits them. The stock `uwsgi_params` and
`fastcgi_params` files are left alone: including them by habit changes nothing. When the value
that applies is the same anyway, the finding is info.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /reports/ {
                        uwsgi_read_timeout 300s;
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
                    location /reports/ {
                        proxy_read_timeout 300s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Nginx.html",
    ),
    claims=(
        observed("gw609-timeout", status=504),
        observed(
            "gw609-timeout",
            where="nginx error.log",
            log="upstream timed out (110: Connection timed out) while reading response header "
            "from upstream",
        ),
        observed(
            "gw609-header",
            where="app",
            outcome="the app behind uwsgi_pass gets no X-Forwarded-Proto",
        ),
    ),
)


DOCS: dict[str, RuleDocs] = {
    "GW601": GW601,
    "GW602": GW602,
    "GW603": GW603,
    "GW604": GW604,
    "GW605": GW605,
    "GW606": GW606,
    "GW607": GW607,
    "GW608": GW608,
    "GW609": GW609,
}
