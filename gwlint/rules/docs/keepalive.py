"""The docs of the GW2xx (keep-alive) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import PREMATURELY, RuleDocs, ex, from_source, observed, rule_docs

# the sources of the claims (nginx, uvicorn) at the release their line numbers are read at
NGINX_UPSTREAM_C = "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c"
UVICORN = "https://github.com/Kludex/uvicorn/blob/0.51.0/uvicorn"
PREMATURELY_CLAIM = from_source(
    f"{NGINX_UPSTREAM_C}#L2549", where="nginx error.log", log=PREMATURELY
)
# ngx_http_upstream_next: an upstream error (a closed or reset connection) answers 502
NGINX_502_CLAIM = from_source(f"{NGINX_UPSTREAM_C}#L4674", where="nginx", status=502)

ALB_DOCS = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application"
GCP_DOCS = "https://cloud.google.com/load-balancing/docs/https"
HEROKU_H13_H18 = (
    "https://help.heroku.com/Y6M4QI4V/"
    "how-do-i-fix-new-h18-or-h13-errors-that-have-started-since-switching-to-router-2-0"
)


GW201 = rule_docs(
    why="""
When nginx keeps connections to an `upstream {}` open (`keepalive N`, `proxy_http_version 1.1` and
`proxy_set_header Connection ""`; **all three are the default from nginx 1.29.7 on**), it may reuse
an idle connection for up to the upstream's `keepalive_timeout` (60 s). If the app closes idle
connections sooner (gunicorn `keepalive`, 2 s by default, for every worker but sync; uvicorn under
gunicorn uses the same setting; uvicorn on its own `--timeout-keep-alive`, 5 s by default), nginx
sometimes sends a request on a connection the app is closing: `upstream prematurely closed
connection while reading response header from upstream` or `recv() failed (104: Connection reset by
peer)`, and the client gets **502**, intermittently and mostly under real network latency. nginx
retries an idempotent request (a GET) on another connection when a cached connection fails, but
not a POST or PATCH (unless `proxy_next_upstream non_idempotent`), so those fail visibly.

gwlint's end-to-end test reproduces it: with gunicorn `keepalive = 1` behind an upstream that
keeps connections for 60 s, some POSTs sent after idle gaps of about a second answer 502; none do
once the app's keep-alive is longer than nginx's.

**Apache httpd** (mod_proxy) pools its connections to an `http://` backend and reuses them with no
idle limit unless the worker has `ttl=` (`modules/proxy/mod_proxy.c:127-135`, 209-226 of httpd
2.4.62). It checks that a pooled connection is still open before reusing it, but a close that
arrives between that check and the request is, in httpd's own words, "the unavoidable race"
(`mod_proxy_http.c:2010-2019`): `AH01102: error reading status line from remote server`, **502**
(on a client connection that already served requests, httpd closes it without an answer instead,
`mod_proxy_http.c:1122-1175`), and the request is not resent. The fix is `ttl=` below the app's
keep-alive (the app cannot be made to keep connections forever). `uwsgi://` and `scgi://`
connections are never reused.
**Caddy** keeps idle upstream connections 2 minutes by default (`transport http` `keepalive`); Go's
HTTP client resends an idempotent request (GET, HEAD) whose reused connection fails, not a POST,
which gets **502**. hypercorn closes idle connections after `keep_alive_timeout` (5 s by
default), daphne after Twisted's 60 s, granian after `--http1-header-read-timeout` (30 s).
""",
    example=ex(
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
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\n"),
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
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\nkeepalive = 75\n",
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout",
        "https://docs.gunicorn.org/en/stable/settings.html#keepalive",
        "https://www.uvicorn.org/settings/#timeouts",
        "https://github.com/RedHatProductSecurity/component-registry/issues/593",
        "https://github.com/conbench/conbench/issues/1156",
    ),
    claims=(
        observed("gw201-race", status=502),
        observed("gw201-apache", status=502),
        observed(
            "gw201-apache",
            where="Apache error_log",
            log="AH01102: error reading status line from remote server",
        ),
        observed(
            "gw201-apache",
            where="Apache error_log",
            log="AH00898: Error reading from remote server returned by",
        ),
        observed("gw201-caddy", status=502),
        observed("gw201-caddy", where="Caddy log", log='"logger":"http.log.error","msg":"EOF"'),
        observed("gw201-hypercorn", status=502),
        observed("gw201-granian", status=502),
        observed("gw201-daphne", status=502),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L2549",
            where="nginx error.log",
            log=PREMATURELY,
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/os/unix/ngx_recv.c#L190",
            where="nginx error.log",
            log="recv() failed (104: Connection reset by peer) while reading response header "
            "from upstream",
        ),
    ),
)


GW202 = rule_docs(
    why="""
A load balancer in front (AWS ALB, Google Cloud load balancing, OCI, Heroku's router...) keeps
idle connections to its backend open and reuses them for up to its own idle timeout: 60 s on an
ALB, **600 s, fixed, on Google Cloud**, 300 s on OCI, 90 s on Heroku's router. If the backend
(nginx, or the app when nothing sits in between) closes an idle connection sooner, the load
balancer sometimes sends a request on a connection the backend is closing, and the request
fails at the load balancer, intermittently and with nothing in nginx's or the app's logs:

- an ALB answers **502** (its troubleshooting docs: "The target closed the connection with a TCP
  RST or a TCP FIN while the load balancer had an outstanding request"); its access log has
  `target_status_code` `-`, as no response came from the target;
- a Classic Load Balancer answers **504** ("Registered instances closing the connection");
- Google Cloud answers **502** or **503**, with `statusDetails`
  `backend_connection_closed_before_data_sent_to_client` in its log;
- OCI answers **502**;
- Heroku's router answers **503** and logs `code=H13 desc="Connection closed without response"`
  or `code=H18 desc="Server Request Interrupted"`.

Each of them tells you to make the backend's keep-alive longer than the load balancer's.

- With an nginx config, nginx is the first hop: its client-side `keepalive_timeout` (75 s by
  default) must be longer than the load balancer's idle timeout. Fine behind an ALB (60 s), wrong
  behind Google Cloud (needs more than 600 s, e.g. `keepalive_timeout 620s;`).
- Without one, the app is the first hop: gunicorn's `keepalive` (2 s by default, for every worker
  but sync; UvicornWorker uses it too), uvicorn's `--timeout-keep-alive` (5 s by default) or
  uWSGI's `socket-timeout` on an `http11-socket` must be longer. An app that only listens on
  loopback or a unix socket is not the first hop and is left alone.

Give the load balancer with `--front alb|gcp|oci|heroku|elb` (`alb:120` for a changed idle
timeout, `idle=SECONDS,read=SECONDS` for another one); without it, and behind Cloudflare (no idle
timeout to compare), the rule is quiet. Equal values are a race and count.
""",
    example=ex(
        (
            "nginx.conf",
            """
            events {}
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
        args=("--front", "gcp"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            events {}
            http {
                keepalive_timeout 620s;
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
        args=("--front", "gcp"),
    ),
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-idle-timeout.html",
        "https://cloud.google.com/load-balancing/docs/https#timeouts_and_retries",
        "https://docs.oracle.com/en-us/iaas/Content/Balance/Reference/connectionreuse.htm",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#keepalive_timeout",
        "https://docs.gunicorn.org/en/stable/settings.html#keepalive",
        "https://github.com/conbench/conbench/issues/1156",
        "https://github.com/ONSdigital/eq-survey-runner/issues/2379",
        "https://github.com/kserve/kserve/issues/5446",
        HEROKU_H13_H18,
    ),
    claims=(
        from_source(
            f"{ALB_DOCS}/load-balancer-troubleshooting.html#http-502-issues",
            where="AWS ALB",
            status=502,
        ),
        from_source(
            f"{ALB_DOCS}/load-balancer-access-logs.html",
            where="ALB access log",
            outcome="the ALB's access log has target_status_code - when the target sent no "
            "response",
        ),
        from_source(
            "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/"
            "ts-elb-error-message.html#ts-elb-errorcodes-http504",
            where="AWS Classic Load Balancer",
            status=504,
        ),
        from_source(
            f"{GCP_DOCS}/https-logging-monitoring#failure-messages",
            where="Google Cloud load balancer",
            status=502,
        ),
        from_source(
            f"{GCP_DOCS}/https-logging-monitoring#failure-messages",
            where="Google Cloud load balancer",
            status=503,
        ),
        from_source(
            f"{GCP_DOCS}/https-logging-monitoring#failure-messages",
            where="Google Cloud load balancer log",
            log="backend_connection_closed_before_data_sent_to_client",
        ),
        from_source(
            f"{GCP_DOCS}#timeouts_and_retries",
            where="Google Cloud load balancer",
            outcome="Google Cloud's load balancer keeps idle backend connections for 600 s, "
            "which cannot be changed",
        ),
        from_source(
            "https://docs.oracle.com/en-us/iaas/Content/Balance/Reference/connectionreuse.htm",
            where="OCI load balancer",
            status=502,
        ),
        from_source(
            HEROKU_H13_H18,
            where="Heroku router",
            outcome="Heroku's router (Router 2.0) keeps idle connections to dynos for 90 s",
        ),
        from_source(
            "https://devcenter.heroku.com/articles/error-codes#h13-connection-closed-without-response",
            where="Heroku router log",
            log='code=H13 desc="Connection closed without response"',
        ),
        from_source(
            "https://devcenter.heroku.com/articles/error-codes#h18-server-request-interrupted",
            where="Heroku router log",
            log='code=H18 desc="Server Request Interrupted"',
        ),
        from_source(
            "https://devcenter.heroku.com/articles/error-codes", where="Heroku router", status=503
        ),
    ),
)


GW203 = rule_docs(
    why="""
Keep-alive settings that silently do nothing, so the connection reuse they promise never happens:

- gunicorn `keepalive` with the **sync** worker: it closes every connection after one response
  (`Connection: close`); the setting is ignored.
- an upstream `keepalive N` used by `uwsgi_pass` or `scgi_pass`: those protocols have no
  persistent connections (nginx's upstream docs).
- an upstream `keepalive N` used by a location that speaks HTTP/1.0 or sends `Connection: close` to
  the upstream, the defaults before nginx 1.29.7. Both `proxy_http_version 1.1;` and
  `proxy_set_header Connection "";` are needed there (a location whose own `proxy_set_header`
  directives drop an inherited `Connection ""` is GW604's finding).
- an upstream `keepalive N` in front of gunicorn's sync worker, which closes every connection.

Nothing fails, but every request pays a new TCP (and, behind TLS, handshake) connection. A
WebSocket location (`Connection "upgrade"` or `$connection_upgrade`) is left alone: an upgraded
connection is never reused, by design.
""",
    example=ex(
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
                        proxy_pass http://app;
                    }
                }
            }
            """,
        ),
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\nkeepalive = 75\n",
        ),
        args=("--nginx-version", "1.24.0"),
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
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'gthread'\nthreads = 4\nkeepalive = 75\n",
        ),
        args=("--nginx-version", "1.24.0"),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive",
        "https://docs.gunicorn.org/en/stable/settings.html#keepalive",
        "https://docs.gunicorn.org/en/stable/faq.html",
    ),
    claims=(
        observed(
            "gw203-old",
            where="nginx before 1.29.7",
            outcome="each request opens a new upstream connection: none is reused",
        ),
        observed(
            "gw203-new",
            where="nginx 1.29.7 and later",
            outcome="the same config reuses one connection",
        ),
        observed(
            "gw203-boundary-1.29.6",
            where="nginx 1.29.6",
            outcome="each request opens a new upstream connection: none is reused",
        ),
        observed(
            "gw203-boundary-1.29.7",
            where="nginx 1.29.7",
            outcome="the same config reuses one connection",
        ),
    ),
)


GW204 = rule_docs(
    why="""
gunicorn's gthread worker keeps at most `worker_connections - threads` idle connections per
worker (`max_keepalived` in `gthread.py`). When that is zero or less, it answers every request
with `Connection: close`, so `keepalive` does nothing and nginx's upstream `keepalive` or a load
balancer opens a new connection for every request; gunicorn says so once at start: `No
keepalived connections can be handled. Check the number of worker connections and threads.`
Nothing fails, but every request pays a new connection. gwlint's end-to-end test sees both behind
nginx's default upstream keep-alive (`threads = 4`, `worker_connections = 4`): the warning at
start, and one upstream connection per request; with gwlint's fix, one connection carries them
all.

When `worker_connections` is below `threads`, a worker also never accepts more connections than
`worker_connections`, so the threads beyond it never get work.
""",
    example=ex(
        (
            "gunicorn.conf.py",
            "worker_class = 'gthread'\nthreads = 8\nworker_connections = 8\nkeepalive = 75\n",
        )
    ),
    fix=ex(
        (
            "gunicorn.conf.py",
            "worker_class = 'gthread'\nthreads = 8\nworker_connections = 1000\nkeepalive = 75\n",
        )
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#worker-connections",
        "https://docs.gunicorn.org/en/stable/settings.html#keepalive",
        "https://github.com/benoitc/gunicorn/blob/master/gunicorn/workers/gthread.py",
    ),
    claims=(
        observed(
            "gw204-no-room",
            where="gunicorn",
            log="No keepalived connections can be handled. Check the number of worker "
            "connections and threads.",
        ),
        observed(
            "gw204-no-room",
            where="nginx 1.29.7 and later",
            outcome="each request opens a new upstream connection: none is reused",
        ),
    ),
)


GW205 = rule_docs(
    why="""
Under gunicorn, `uvicorn.workers.UvicornWorker` (and `uvicorn_worker.UvicornWorker`) starts
uvicorn with `timeout_keep_alive=cfg.keepalive`: the idle limit of its connections is **gunicorn's
`keepalive`, 2 s by default**, not uvicorn's `--timeout-keep-alive` (5 s). Two mistakes follow:

- `timeout_keep_alive = 75` (or `timeout_keepalive`) in gunicorn.conf.py: gunicorn ignores names
  it does not know, so the value never reaches uvicorn, and connections still close after 2 s.
  Behind nginx's upstream keep-alive or a load balancer, that is the race behind intermittent
  **502**s (`upstream prematurely closed connection while reading response header from
  upstream`; see GW201 and GW202).
- `keepalive = 0`, meant to turn keep-alive off: gunicorn's own workers then answer with
  `Connection: close`, but uvicorn gets `timeout_keep_alive=0` and closes each idle connection
  right after its response without saying so. nginx or a load balancer that keeps connections
  can still pick one that is closing (a much smaller window than 2 s, but the same failure: 502
  from nginx; for a load balancer's status see GW202). Reported only where something does reuse
  connections.

A keepalive left at the 2 s default behind nginx's upstream keep-alive is GW201's finding, and
behind a load balancer GW202's, so this rule does not repeat it.
""",
    example=ex(
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'uvicorn.workers.UvicornWorker'\n"
            "timeout_keep_alive = 75\n",
        )
    ),
    fix=ex(
        (
            "gunicorn.conf.py",
            "bind = '127.0.0.1:8000'\nworker_class = 'uvicorn.workers.UvicornWorker'\n"
            "keepalive = 75\n",
        )
    ),
    references=(
        "https://www.uvicorn.org/deployment/#gunicorn",
        "https://docs.gunicorn.org/en/stable/settings.html#keepalive",
        "https://github.com/Kludex/uvicorn/issues/194",
        "https://github.com/Kludex/uvicorn-worker",
    ),
    claims=(
        from_source(
            f"{UVICORN}/workers.py#L48",
            where="uvicorn",
            outcome="UvicornWorker starts uvicorn with timeout_keep_alive=cfg.keepalive",
        ),
        from_source(
            f"{UVICORN}/protocols/http/h11_impl.py#L331",
            where="uvicorn",
            outcome="uvicorn closes a connection once it is idle for timeout_keep_alive seconds "
            "after a response (0: at once)",
        ),
        NGINX_502_CLAIM,
        PREMATURELY_CLAIM,
    ),
)


GW206 = rule_docs(
    why="""
An upstream's `keepalive N` is the number of idle connections **each nginx worker process** may
keep to the group, so nginx can hold `N x worker_processes` of them (the docs: it "does not limit
the total number of connections", and should be "small enough to let upstream servers process new
incoming connections as well"). A heuristic, so info:

- **uWSGI `http11-socket`**: every idle keep-alive connection occupies a core (a process or
  thread) until `socket-timeout`. When nginx can cache as many connections as uWSGI has cores,
  the connections one nginx worker keeps can occupy every core while requests arriving through
  the other nginx workers wait in the listen queue for up to `socket-timeout`.
- **gunicorn gthread** (an explicit `keepalive N` only): idle connections wait in the worker's
  poller, not in a thread, so nothing blocks; but nginx never needs more connections than
  `workers x threads`, and the surplus stays open in gunicorn until its `keepalive` expires.
- **uvicorn with `--limit-concurrency N`**: each uvicorn process answers **503** and logs `Exceeded
  concurrency limit.` for a request that arrives while it holds N connections, and idle keep-alive
  connections count. When nginx can cache `--limit-concurrency x --workers` connections or more,
  the cache alone can fill the limit and requests get 503 at any load. (Without
  `--limit-concurrency`, an idle connection costs uvicorn nothing.)

Quiet when nginx's `worker_processes` is not known (`auto` needs `--cpus`; a fragment without the
main nginx.conf), when gunicorn's `workers` comes from the command line, for async workers (an
idle connection costs them nothing), and when an upstream server is not one of the given apps.
""",
    example=ex(
        (
            "nginx.conf",
            """
            worker_processes 4;
            events {}
            http {
                upstream app {
                    server unix:/run/app.sock;
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
        (
            "uwsgi.ini",
            "[uwsgi]\nhttp11-socket = /run/app.sock\nprocesses = 8\nsocket-timeout = 75\n",
        ),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            worker_processes 4;
            events {}
            http {
                upstream app {
                    server unix:/run/app.sock;
                    keepalive 1;
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
        (
            "uwsgi.ini",
            "[uwsgi]\nhttp11-socket = /run/app.sock\nprocesses = 8\nsocket-timeout = 75\n",
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive",
        "https://nginx.org/en/docs/ngx_core_module.html#worker_processes",
        "https://uwsgi-docs.readthedocs.io/en/latest/HTTP.html",
        "https://docs.gunicorn.org/en/stable/design.html#how-many-workers",
        "https://www.uvicorn.org/settings/#resource-limits",
    ),
    claims=(
        from_source(f"{UVICORN}/protocols/http/flow_control.py#L46", where="uvicorn", status=503),
        from_source(
            f"{UVICORN}/protocols/http/h11_impl.py#L229",
            where="uvicorn",
            log="Exceeded concurrency limit.",
        ),
    ),
)


DOCS: dict[str, RuleDocs] = {
    "GW201": GW201,
    "GW202": GW202,
    "GW203": GW203,
    "GW204": GW204,
    "GW205": GW205,
    "GW206": GW206,
}
