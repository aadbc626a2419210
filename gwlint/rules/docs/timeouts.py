"""The docs of the GW1xx (timeouts) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import PREMATURELY, Claim, RuleDocs, ex, from_source, observed, rule_docs

# where the rule pages' claims are read (claims=): the servers' sources at a release
NGINX_UPSTREAM = "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c"
GUNICORN_SRC = "https://github.com/benoitc/gunicorn/blob/26.1.0/gunicorn"
UWSGI_SRC = "https://github.com/unbit/uwsgi/blob/2.0.30"
TIMED_OUT = "upstream timed out (110: Connection timed out)"
READING = "while reading response header from upstream"
TIMED_OUT_SHORT = "upstream timed out (110: "  # as the lab's claims check it


def _nginx_timeout_claims() -> tuple[Claim, ...]:
    """nginx's own 504 when its read timeout ends (``ngx_http_upstream_next``, FT_TIMEOUT)."""
    return (
        from_source(f"{NGINX_UPSTREAM}#L4645", status=504),
        from_source(
            f"{NGINX_UPSTREAM}#L4631-L4633", where="nginx error.log", log=f"{TIMED_OUT} {READING}"
        ),
    )


def _nginx_closed_claims() -> tuple[Claim, ...]:
    """nginx's 502 when the upstream closes before its response header (FT_ERROR)."""
    return (
        from_source(f"{NGINX_UPSTREAM}#L4674", status=502),
        from_source(f"{NGINX_UPSTREAM}#L2549", where="nginx error.log", log=PREMATURELY),
    )


GW101 = rule_docs(
    why="""
With the default **sync** worker, gunicorn's `timeout` kills a worker whose request runs longer
(master: `[CRITICAL] WORKER TIMEOUT (pid:1234)`, worker: `[ERROR] Error handling request GET
/report` and `SystemExit: 1`). If that happens while nginx is still willing to wait
(`proxy_read_timeout`, 60 s by default), the client gets **500** from gunicorn >= 22 instead of
nginx's 504, and every request that worker was serving dies with it. gunicorn <= 21 answers
nothing (the worker's `SystemExit` escapes the handler that writes the 500), and a worker stuck in
C code, which outlives the first signal (SIGABRT), gets SIGKILL at the master's next check: in
both cases nginx logs `upstream prematurely closed connection while reading response header from
upstream` and answers **502**. **The defaults alone trip it**: gunicorn 30 s < nginx 60 s. Equal
values are a race and count too. It is a warning when `proxy_read_timeout` is set: nginx was told
to wait longer than the app lets a request run; with nginx's default it is info, an ordering to
keep rather than a setting someone chose against the other (and an env file the repository does
not hold may set gunicorn's `timeout`: info too).

gwlint recommends the order *app deadlines < `proxy_read_timeout` < gunicorn `timeout`*: nginx
answers a clean **504** (`upstream timed out (110: Connection timed out) while reading response
header from upstream`; `Operation timed out`, musl's words for the same error, from an nginx built
with musl, as in Alpine images) and gunicorn's timeout stays a watchdog for hung workers. Lowering
`proxy_read_timeout` below gunicorn's `timeout` fixes the order too, when requests must not run
that long.

For `gthread`, `gevent`, `tornado`, `asgi` and uvicorn workers, `timeout` is only a heartbeat: a
long request is not killed unless it blocks the worker's loop, so the finding is info. uvicorn run
on its own (`uvicorn app:app`) has no request timeout at all: nothing to compare, the rule is
quiet for it, as for hypercorn, daphne and granian.

**Apache httpd** in front: its wait is the `timeout=` of the `ProxyPass`/`BalancerMember`, else
the `ProxyTimeout` in force where the worker is defined, else `Timeout` (60 s by default;
`modules/proxy/proxy_util.c:3965-3974`, `include/httpd.h:161` of httpd 2.4.62). When it ends,
httpd does not answer 504: it logs `(70007)The timeout specified has expired: AH01102: error
reading status line from remote server` and `AH00898: Error reading from remote server` and
answers **502** (`mod_proxy_http.c:1111-1121, 1193-1194`), but the worker lives on; a 500 from
gunicorn >= 22 passes through. **Caddy** in front: `response_header_timeout` or `read_timeout` of
`transport http` (**504** when it ends: `net/http: timeout awaiting response headers`). Caddy sets
neither by default and waits without a limit: gunicorn's timeout is then the only deadline, and
with the sync worker a slow request is always killed and answered 500; that is an info, with the
Caddy setting that gives a clean 504 as the fix.
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\n"),
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#timeout",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://github.com/benoitc/gunicorn/issues/2236",
        "https://github.com/aws/sagemaker-containers/issues/185",
    ),
    claims=(
        observed("gw101-sync-timeout", status=500),
        observed("gw101-sync-timeout", where="gunicorn", log="[CRITICAL] WORKER TIMEOUT"),
        observed("gw101-sync-timeout", where="gunicorn", log="Error handling request GET"),
        from_source(f"{GUNICORN_SRC}/workers/base.py#L198", where="gunicorn", log="SystemExit: 1"),
        from_source(
            "https://github.com/benoitc/gunicorn/blob/21.2.0/gunicorn/workers/sync.py#L157",
            outcome="gunicorn <= 21 writes no answer for a killed request: its handler catches "
            "Exception, which SystemExit is not",
        ),
        from_source(
            f"{GUNICORN_SRC}/arbiter.py#L618-L623",
            outcome="a worker still there after SIGABRT (stuck in C code) gets SIGKILL at the "
            "master's next check",
        ),
        *_nginx_closed_claims(),
        observed("gw101-inverse", status=504),
        observed("gw101-inverse", where="nginx error.log", log="upstream timed out (110: "),
        observed("gw101-apache", status=500),
        observed("gw101-apache", where="gunicorn", log="[CRITICAL] WORKER TIMEOUT"),
        observed("gw101-apache-inverse", status=502),
        observed(
            "gw101-apache-inverse",
            where="Apache error_log",
            log="(70007)The timeout specified has expired",
        ),
        observed(
            "gw101-apache-inverse",
            where="Apache error_log",
            log="AH01102: error reading status line from remote server",
        ),
        observed(
            "gw101-apache-inverse",
            where="Apache error_log",
            log="AH00898: Error reading from remote server returned by",
        ),
        observed("gw101-caddy", status=500),
        observed("gw101-caddy", where="gunicorn", log="[CRITICAL] WORKER TIMEOUT"),
        observed("gw101-caddy-inverse", status=504),
        observed(
            "gw101-caddy-inverse",
            where="Caddy log",
            log='"msg":"net/http: timeout awaiting response headers"',
        ),
        observed("gw101-caddy-inverse", where="Caddy log", log="i/o timeout"),
        observed("gw101-hypercorn-none", status=504),
        observed("gw101-hypercorn-none", where="nginx error.log", log="upstream timed out (110: "),
        from_source(
            "https://github.com/bminor/musl/blob/v1.2.5/src/errno/__strerror.h#L33",
            where="nginx error.log",
            log="Operation timed out",
        ),
    ),
)


GW102 = rule_docs(
    why="""
uWSGI's `harakiri` kills a worker whose request runs longer (`*** HARAKIRI ON WORKER 1 (pid: 1234,
try: 1, graceful: yes) ***`, `HARAKIRI [core 0] 127.0.0.1 - GET /report since ...`). If nginx is
still waiting (`uwsgi_read_timeout`, or `proxy_read_timeout` in front of an `http-socket`, 60 s by
default), nginx logs `upstream prematurely closed connection while reading response header from
upstream` and the client gets **502** instead of nginx's own **504**. Equal values are a race and
count.

gwlint recommends `harakiri` above nginx's read timeout, so nginx answers 504 first and harakiri
stays a watchdog; or lower the read timeout below `harakiri`.
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 30\n"),
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_read_timeout",
        "https://github.com/unbit/uwsgi/issues/1414",
    ),
    claims=(
        observed("gw102-harakiri", status=502),
        observed("gw102-harakiri", where="uWSGI", log="HARAKIRI ON WORKER"),
        observed(
            "gw102-harakiri",
            where="nginx error.log",
            log=PREMATURELY,
        ),
        from_source(
            f"{UWSGI_SRC}/core/master_utils.c#L1927", where="uWSGI", log="HARAKIRI [core 0]"
        ),
        from_source(f"{NGINX_UPSTREAM}#L4645", status=504),
    ),
)


GW103 = rule_docs(
    why="""
A load balancer in front of nginx gives up on a response after its own timeout: the AWS ALB after
its **idle timeout** (60 s by default, no byte in either direction), a Google Cloud load balancer
after the backend service **timeout** (30 s by default), the Heroku router after 30 s. When nginx's
`proxy_read_timeout` (or `uwsgi_read_timeout`, 60 s by default) is longer, the load balancer
answers first: the client gets **504** from the ALB (counted in CloudWatch as
`HTTPCode_ELB_504_Count`) or a Classic Load Balancer, **503** from Heroku (its router logs
`code=H12 desc="Request timeout"`), the load balancer's own error from Google Cloud. nginx logs
**499** (the client closed the connection) and the app keeps working on a request no one waits
for. The longer timeout in nginx never takes effect, and whoever raised it for slow requests
believes they are allowed.

gwlint recommends the order *app deadlines < `proxy_read_timeout` < the load balancer's timeout*,
with the app's watchdog (gunicorn `timeout`, uWSGI `harakiri`) just above nginx's
(GW101/GW102): nginx then answers a clean **504** that its error log explains (`upstream timed
out (110: Connection timed out) while reading response header from upstream`). When requests
really need longer, raise the load balancer's timeout too (and tell gwlint: `--front alb:300`).

A location whose app kills long requests sooner anyway (a sync worker's `timeout`, `harakiri`)
is left alone, and so are WebSocket and gRPC locations. Without nginx (no nginx config given), the
app talks to the load balancer itself: gwlint then flags a `timeout`/`harakiri` far above the load
balancer's (a watchdog a little above it is the recommended order); uvicorn on its own has no
request timeout, so there is nothing to compare. Needs `--front` (alb, elb, gcp,
heroku, or `idle=...,read=...`); Cloudflare is GW111.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /reports/ {
                        proxy_read_timeout 120s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 150\n"),
        args=("--front", "alb"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /reports/ {
                        proxy_read_timeout 55s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
        args=("--front", "alb"),
    ),
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout",
        "https://cloud.google.com/load-balancing/docs/https#timeouts_and_retries",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://repost.aws/knowledge-center/504-error-alb",
    ),
    claims=(
        from_source(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html#http-504-issues",
            status=504,
            outcome="the ALB answers 504 itself when the target does not answer within its idle "
            "timeout",
        ),
        from_source(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
            outcome="CloudWatch counts the ALB's own 504s in HTTPCode_ELB_504_Count",
        ),
        from_source(
            "https://repost.aws/knowledge-center/504-error-classic",
            status=504,
            outcome="a Classic Load Balancer answers 504 when the instance does not answer "
            "within its idle timeout",
        ),
        from_source(
            "https://devcenter.heroku.com/articles/error-codes#h12-request-timeout",
            status=503,
            where="Heroku router",
            log='code=H12 desc="Request timeout"',
        ),
        from_source(
            f"{NGINX_UPSTREAM}#L1553-L1556",
            outcome="nginx ends the request with 499 when its client (the load balancer) closes "
            "the connection first",
        ),
        *_nginx_timeout_claims(),
    ),
)


GW104 = rule_docs(
    why="""
A location that looks like it serves uploads, imports or exports (it raises
`client_max_body_size`, or its path says `upload`, `export`, `import`, `report` or `download`) and
sets its own `proxy_read_timeout`/`uwsgi_read_timeout` **shorter** than the app's request limit
(gunicorn `timeout` with the sync worker, uWSGI `harakiri`): the slow requests that location
exists for are cut by nginx first. The client gets **504** (`upstream timed out (110: Connection
timed out) while reading response header from upstream`) while the app finishes the work anyway:
an import that the client retries after the 504 runs twice.

This is a heuristic (info): the shorter timeout may be deliberate. gwlint suggests a read timeout
just below the app's limit (so nginx still answers first, GW101), or an app-side deadline that
matches nginx's. Locations that only inherit their timeout, and apps without a request limit, are
left alone.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /import/ {
                        client_max_body_size 100m;
                        proxy_read_timeout 30s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 120\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /import/ {
                        client_max_body_size 100m;
                        proxy_read_timeout 115s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 120\n"),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size",
        "https://github.com/netbox-community/netbox-chart/issues/23",
    ),
    claims=(*_nginx_timeout_claims(),),
)


GW105 = rule_docs(
    why="""
`proxy_connect_timeout` (and `uwsgi_connect_timeout`) bounds the TCP handshake with the app, not
the request. nginx's docs warn that it "cannot usually exceed 75 seconds": the operating system
gives up on unanswered SYNs on its own. An app on the same host or network accepts a connection in
milliseconds (a closed port is refused at once: `connect() failed (111: Connection refused)`,
**502**); a handshake that takes seconds means the app's host is down or its listen queue is full.
A long connect timeout only makes every request to that app wait that long before nginx tries the
next server or answers **504** (`upstream timed out (110: Connection timed out) while connecting
to upstream`), and hides the outage behind slow responses.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_connect_timeout 300s;
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
                        proxy_connect_timeout 10s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_connect_timeout",
        "https://github.com/rockstor/rockstor-core/issues/70",
    ),
    claims=(
        from_source(
            f"{NGINX_UPSTREAM}#L3065-L3066",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        from_source(f"{NGINX_UPSTREAM}#L4674", status=502),
        from_source(f"{NGINX_UPSTREAM}#L4645", status=504),
        from_source(
            f"{NGINX_UPSTREAM}#L4631-L4633",
            where="nginx error.log",
            log=f"{TIMED_OUT} while connecting to upstream",
        ),
    ),
)


GW106 = rule_docs(
    why="""
`timeout = 0` in gunicorn.conf.py turns off gunicorn's worker timeout, and `harakiri = 0` in a
uWSGI ini states that no request is ever killed. A request that hangs (a database lock, an external
call without a timeout, a deadlock) then holds its worker, or with gunicorn's threaded and async
workers a blocked event loop holds the whole worker, **forever**: nginx answers **504** after its
read timeout (`upstream timed out (110: Connection timed out) while reading response header from
upstream`) but nothing frees the worker; with one worker, or once every worker is stuck, every
request queues and ends in 504. The app's log shows nothing, since no `WORKER TIMEOUT` or
`HARAKIRI ON WORKER` ever fires. gwlint's end-to-end test observes it with one sync worker: the
hung request and every request after it get 504, while the same deployment with a `timeout`
logs `WORKER TIMEOUT`, starts a new worker and answers the next request.

This is info: some platforms recommend `timeout = 0` with the gthread worker (where `timeout` is
only a heartbeat) and leave hung workers to the platform. gwlint suggests a watchdog a little
longer than nginx's read timeout (GW101, GW102). Only a 0 written in the file is reported; uWSGI
without any `harakiri` in front of nginx is GW110.
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 0\n"),
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#timeout",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri",
        "https://github.com/benoitc/gunicorn/issues/2695",
    ),
    claims=(
        observed("gw106-timeout-zero", status=504),
        observed("gw106-timeout-zero", where="nginx error.log", log=TIMED_OUT_SHORT),
        observed(
            "gw106-timeout-zero",
            outcome="the next requests get 504 too, for good, and gunicorn logs nothing",
        ),
        observed("gw106-timeout-zero", where="gunicorn", log="WORKER TIMEOUT"),
        from_source(
            f"{UWSGI_SRC}/core/master_utils.c#L1564", where="uWSGI", log="HARAKIRI ON WORKER"
        ),
    ),
)


GW107 = rule_docs(
    why="""
With `uwsgi_request_buffering off` (or `proxy_request_buffering off` in front of an
`http-socket`), nginx passes the request body to uWSGI as the client sends it, instead of
collecting it first. uWSGI reads it with its `socket-timeout` (**4 s** by default) per read, while
nginx itself tolerates a client that pauses for `client_body_timeout` (60 s by default). An upload
from a slow or mobile client that stalls for a few seconds is then cut by uWSGI: it logs
`[uwsgi-body-read] Timeout reading 100000 bytes. Content-Length: 200000 consumed: 100000 left:
100000`, and the app gets an `OSError` reading `wsgi.input` (`timeout during read(200000) on
wsgi.input`). Unless the app answers anyway, uWSGI closes the connection without a response (its
request log still says `(HTTP/1.1 500) 0 headers`): nginx logs `upstream prematurely closed
connection while reading response header from upstream` and the client gets **502**. gwlint's
end-to-end test observes it with `socket-timeout = 1` and a 2.5 s pause in the middle of a
200,000-byte POST; with request buffering on again, the same upload gets 200.

gwlint recommends turning request buffering back on unless the app must stream uploads: nginx
then absorbs slow clients and uWSGI reads the body at local speed. Otherwise raise `socket-timeout`
above nginx's `client_body_timeout`. Reported when `socket-timeout` is 10 s or less; uWSGI's HTTP
router (`http =`) is left alone.
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n"),
    ),
    fix=ex(
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nsocket-timeout = 75\n"),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_request_buffering",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#socket-timeout",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#client_body_timeout",
        "https://github.com/dperson/moinmoin/issues/9",
    ),
    claims=(
        observed("gw107-pause", status=502),
        observed("gw107-pause", where="uWSGI", log="[uwsgi-body-read] Timeout reading "),
        observed("gw107-pause", where="uWSGI", log="timeout during read(200000) on wsgi.input"),
        observed("gw107-pause", where="uWSGI", log="(HTTP/1.1 500) 0 headers"),
        observed("gw107-pause", where="nginx error.log", log=PREMATURELY),
    ),
)


GW108 = rule_docs(
    why="""
On a deploy, the orchestrator sends SIGTERM and, after its grace period (Kubernetes
`terminationGracePeriodSeconds` 30 s, counted from the start of any `preStop` hook; `docker stop`
10 s; ECS `stopTimeout` 30 s; supervisord `stopwaitsecs` 10 s), SIGKILL. gunicorn's master
(`Handling signal: term`) lets workers finish their requests for up to `graceful_timeout` (30 s by
default), then kills them itself and exits (`Shutting down: Master`). When `graceful_timeout` is
not shorter than the grace period, the orchestrator's SIGKILL comes first: requests still running
are cut (nginx: `upstream prematurely closed connection while reading response header from
upstream`, **502**, on every deploy that catches a slow request), and gunicorn's shutdown never
finishes (no `Shutting down: Master`; `worker_exit`/`on_exit` hooks do not run, connections are
not closed; under supervisord without `killasgroup` the workers are orphaned). The defaults trip
it: gunicorn 30 s = Kubernetes 30 s. gwlint's end-to-end test observes it on a Deployment with
`terminationGracePeriodSeconds: 2` and `--graceful-timeout=6`; with gwlint's fix gunicorn exits by
itself before the SIGKILL, and with a grace period longer than `graceful_timeout` the running
request finishes.

uWSGI behaves the same when SIGTERM triggers its graceful shutdown (`hook-master-start =
unix_signal:15 gracefully_kill_them_all`): it waits `worker-reload-mercy` (60 s by default) for the
workers, then logs `worker 1 (pid: 1234) is taking too much time to die...NO MERCY !!!`.

uvicorn run on its own waits up to `--timeout-graceful-shutdown` for running requests, streaming
responses and background tasks, then cancels them (`Cancel 1 running task(s), timeout graceful
shutdown exceeded`) and runs the app's lifespan shutdown. **It has no limit by default**, so a
slow request or a long stream always outlasts the grace period: SIGKILL cuts it (502) and the
lifespan shutdown (closing database pools, flushing queues) never runs.

gwlint recommends a graceful timeout about 5 s shorter than the grace period, so the app ends
what is left itself and exits cleanly; raise the grace period instead when requests need the
time. Needs the stop timeout: `--stop-timeout`, or a Kubernetes manifest's
`terminationGracePeriodSeconds`.
""",
    example=ex(
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\n"),
        args=("--stop-timeout", "30"),
    ),
    fix=ex(
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ngraceful_timeout = 25\n"),
        args=("--stop-timeout", "30"),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#graceful-timeout",
        "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#worker-reload-mercy",
        "https://www.uvicorn.org/settings/#timeouts",
        "https://github.com/cds-snc/notification-api/pull/1237",
        "https://github.com/benoitc/gunicorn/pull/1106",
    ),
    claims=(
        observed("gw108-sigkill", status=502),
        observed("gw108-sigkill", where="nginx error.log", log=PREMATURELY),
        observed("gw108-sigkill", where="gunicorn", log="Handling signal: term"),
        observed("gw108-sigkill", where="gunicorn", log="Shutting down: Master"),
        observed(
            "gw108-sigkill",
            outcome="the SIGKILL comes before gunicorn's own shutdown: no 'Shutting down: "
            "Master' (logged when graceful_timeout is shorter)",
        ),
        from_source(
            f"{UWSGI_SRC}/core/master.c#L142",
            where="uWSGI",
            log="is taking too much time to die...NO MERCY !!!",
        ),
        from_source(
            "https://github.com/encode/uvicorn/blob/0.35.0/uvicorn/server.py#L285",
            where="uvicorn",
            log="running task(s), timeout graceful shutdown exceeded",
        ),
    ),
)


GW109 = rule_docs(
    why="""
Until uWSGI 2.1 (2.0.x is the released line), SIGTERM to the uWSGI master means "brutally reload
the stack", not "stop" (ThingsToKnow). Docker, Kubernetes, ECS and systemd stop a service with
SIGTERM: the master logs `...brutally killing workers...` and `binary reloading uWSGI...`, the
requests in flight are cut (nginx: **502** `upstream prematurely closed connection while reading
response header from upstream`), the reloaded stack takes new requests, and when the grace period
ends the orchestrator SIGKILLs it and cuts those too. Every deploy waits the full stop timeout.
gwlint's end-to-end test observes it on a Deployment with `terminationGracePeriodSeconds: 3`: the
running request gets 502, the reloaded uWSGI answers the next one, and it is still running when
the SIGKILL comes.

`die-on-term = true` makes SIGTERM stop uWSGI, at once (workers get SIGINT, their requests are
cut). For a graceful stop, where running requests finish, add `hook-master-start =
unix_signal:15 gracefully_kill_them_all` (with `master`); that hook alone also stops the reload.
With both (gwlint's fix), the test's running request finishes and uWSGI exits (`graceful shutdown
triggered...`, then `goodbye to uWSGI.`) before the SIGKILL. Reported only with a stop timeout
(`--stop-timeout`, or a Kubernetes manifest's `terminationGracePeriodSeconds`: an orchestrator
that sends SIGTERM) and a uWSGI master (`master = true`): without a master, uWSGI exits on
SIGTERM.
""",
    example=ex(
        ("uwsgi.ini", "[uwsgi]\nmaster = true\nsocket = 127.0.0.1:3031\nprocesses = 4\n"),
        args=("--stop-timeout", "30"),
    ),
    fix=ex(
        (
            "uwsgi.ini",
            "[uwsgi]\nmaster = true\nsocket = 127.0.0.1:3031\nprocesses = 4\ndie-on-term = true\n"
            "hook-master-start = unix_signal:15 gracefully_kill_them_all\n",
        ),
        args=("--stop-timeout", "30"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#die-on-term",
        "https://uwsgi-docs.readthedocs.io/en/latest/Management.html#signals-for-controlling-uwsgi",
        "https://github.com/unbit/uwsgi/issues/849",
        "https://github.com/tiangolo/uwsgi-nginx-docker/pull/30",
    ),
    claims=(
        observed("gw109-reload", status=502),
        observed("gw109-reload", where="uWSGI", log="...brutally killing workers..."),
        observed("gw109-reload", where="uWSGI", log="binary reloading uWSGI..."),
        observed("gw109-reload", where="nginx error.log", log=PREMATURELY),
        observed(
            "gw109-reload",
            outcome="after SIGTERM the reloaded uWSGI answers the next request and is still "
            "running at the stop timeout",
        ),
        observed("gw109-reload", where="uWSGI", log="graceful shutdown triggered..."),
        observed("gw109-reload", where="uWSGI", log="goodbye to uWSGI."),
        from_source(
            f"{UWSGI_SRC}/core/master.c#L346-L352",
            outcome="SIGTERM runs kill_them_all with die-on-term (workers get SIGINT), "
            "reap_them_all (the brutal reload) without",
        ),
    ),
)


GW110 = rule_docs(
    why="""
uWSGI kills no request unless `harakiri` is set (it is off by default). Behind nginx, a request
that hangs (a database lock, an external call without a timeout) gets **504** from nginx after
`uwsgi_read_timeout` (60 s by default: `upstream timed out (110: Connection timed out) while
reading response header from upstream`), but its worker stays busy for good; with a few stuck
workers the rest of the traffic queues, and once all are stuck every request ends in 504. uWSGI
logs nothing about it. gwlint's end-to-end test observes it with one process: the hung request
and every request after it get 504.

gwlint recommends `harakiri` a little longer than nginx's read timeout: nginx answers 504 first
and harakiri frees the worker soon after (`*** HARAKIRI ON WORKER 1 (pid: 1234, try: 1, graceful:
yes) ***`), and the next request is answered. Reported only for a uWSGI that an nginx location
reaches; a `harakiri = 0` written in the file is GW106.

gwlint does not report gunicorn's non-sync workers (nor uvicorn, which has no request timeout at
all) here, although their `timeout` is only a heartbeat: no setting bounds a request with those
servers (the bound belongs in the app: database statement timeouts, client timeouts), so the
finding would have no configuration fix.
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\n"),
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#harakiri",
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_read_timeout",
    ),
    claims=(
        observed("gw110-stuck", status=504),
        observed("gw110-stuck", where="nginx error.log", log=TIMED_OUT_SHORT),
        observed(
            "gw110-stuck",
            outcome="the next requests get 504 too, for good, and uWSGI logs nothing",
        ),
        observed("gw110-stuck", where="uWSGI", log="HARAKIRI ON WORKER"),
    ),
)


GW111 = rule_docs(
    why="""
Cloudflare waits a fixed time for the origin's response, its **Proxy Read Timeout**: 100 s for
years, 120 s from October 2025, 125 s in Cloudflare's connection-limits page since July 2026;
Enterprise plans can raise it up to 6000 s. A location whose `proxy_read_timeout` (or
`uwsgi_read_timeout`) is longer never gets to use it behind Cloudflare: when the time is up the
visitor gets Cloudflare's **524** ("A timeout occurred"), nginx logs **499** (the client closed
the connection), and the app keeps working on a request no one waits for.

gwlint recommends a read timeout below Cloudflare's, so nginx answers and logs the timeout itself,
and moving work that takes longer to a background job, to a hostname Cloudflare does not proxy, or
raising the Proxy Read Timeout on an Enterprise plan. `--front cloudflare` assumes 125 s, the
default Cloudflare documents today (cloudflare-docs pull request 32243, July 2026: "aligns the
documented default Proxy Read Timeout with the current Pingora behavior"); give the one your zone
has with `--front cloudflare:SECONDS`.
A location whose app kills long requests sooner anyway (a sync worker's `timeout`, `harakiri`)
is left alone, and so are WebSocket and gRPC locations. Without nginx, the app's own
`timeout`/`harakiri` far above Cloudflare's timeout is reported.
Needs `--front cloudflare`; other load balancers are GW103.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /exports/ {
                        proxy_read_timeout 300s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 360\n"),
        args=("--front", "cloudflare"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location /exports/ {
                        proxy_read_timeout 115s;
                        proxy_pass http://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 145\n"),
        args=("--front", "cloudflare"),
    ),
    references=(
        "https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/",
        "https://developers.cloudflare.com/fundamentals/reference/connection-limits/",
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout",
        "https://github.com/cloudflare/cloudflare-docs/pull/32243",
    ),
    claims=(
        from_source(
            "https://developers.cloudflare.com/support/troubleshooting/http-status-codes/cloudflare-5xx-errors/error-524/",
            status=524,
            outcome='Cloudflare answers 524 ("A timeout occurred") when the origin does not '
            "answer within the Proxy Read Timeout",
        ),
        from_source(
            f"{NGINX_UPSTREAM}#L1553-L1556",
            outcome="nginx ends the request with 499 when its client (Cloudflare) closes the "
            "connection first",
        ),
    ),
)


DOCS: dict[str, RuleDocs] = {
    "GW101": GW101,
    "GW102": GW102,
    "GW103": GW103,
    "GW104": GW104,
    "GW105": GW105,
    "GW106": GW106,
    "GW107": GW107,
    "GW108": GW108,
    "GW109": GW109,
    "GW110": GW110,
    "GW111": GW111,
}
