"""The docs of the GW4xx (protocol) rules: why each matters, an Example that fires it, its
Fix, references and claims. Loaded on first use (``Rule.why``...), never by ``check``.
"""

from __future__ import annotations

from gwlint.rules.base import PREMATURELY, RuleDocs, ex, from_source, observed, rule_docs

SSL_WRONG_VERSION = (
    "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL "
    "handshaking to upstream"
)

REFUSED = "connect() failed (111: Connection refused) while connecting to upstream"


GW401 = rule_docs(
    why="""
The address in `proxy_pass`, `uwsgi_pass` or an `upstream {}` `server` is not one the given app
servers listen on: a different port, a different unix socket path, or an app that listens only on
loopback (`127.0.0.1`, gunicorn's default bind and uvicorn's default `--host`) while nginx connects
to it by a host or container name. Every request fails: nginx logs `connect() failed (111:
Connection refused) while connecting to upstream` (a unix socket: `connect() to unix:/run/app.sock
failed (2: No such file or directory)`) and answers **502**.

Pairing follows the sockets: unix paths must be equal; TCP ports equal, and the hosts equal, both
loopback (`localhost` = `127.0.0.1` = `::1`), or the app bound to all interfaces (`0.0.0.0`, `::`,
`:8000`). An upstream `server` without a port means port 80: that is a warning, since a port
mapping (a Kubernetes Service, a load balancer) may forward port 80 to the app's. So is an app
address gwlint assumes (no bind in the config or on the command: the command line,
`GUNICORN_CMD_ARGS`, `$PORT` or `$UVICORN_HOST`/`$UVICORN_PORT` where it runs may set one). With
several servers in an `upstream {}`, nginx takes the refusing one out for `fail_timeout` and
tries the next: clients get 502 only when every server fails (a warning too). A host name against
a specific address is left to DNS and not reported. gwlint only reports this when at least one
app server config was given; a route meant for another service will show up here too, so check
the address.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:8001;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
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
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server",
        "https://docs.gunicorn.org/en/stable/settings.html#bind",
        "https://github.com/benoitc/gunicorn/issues/1452",
    ),
    claims=(
        observed("gw401-tcp", status=502),
        observed("gw401-granian", status=502),
        observed(
            "gw401-granian",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed(
            "gw401-tcp",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        observed("gw401-unix", status=502),
        observed(
            "gw401-unix", where="nginx error.log", log="failed (2: No such file or directory)"
        ),
    ),
)


GW402 = rule_docs(
    why="""
`uwsgi_pass` speaks the binary uwsgi protocol; the app's socket speaks HTTP (gunicorn's default
`protocol = "http"`, a uWSGI `http-socket` or `http` router, uvicorn). Neither side understands
the other:

- gunicorn's sync worker waits for a request line that never comes until its `timeout`, then
  `[CRITICAL] WORKER TIMEOUT` and `Error handling request (no URI read)`: the client gets **500**
  after that timeout. When `uwsgi_read_timeout` is shorter, or the worker is one its `timeout`
  does not kill while it waits (gthread, gevent...), nginx gives up first and answers **504**.
- a uWSGI `http-socket` waits `socket-timeout` (4 s) and closes: nginx logs `upstream prematurely
  closed connection while reading response header from upstream` and answers **502**.
- uvicorn rejects the packet at once (its h11 and httptools parsers alike): it logs `WARNING:
  Invalid HTTP request received.` and answers **400**, which nginx passes to the client.

gunicorn >= 24 speaks uwsgi with `protocol = "uwsgi"`, so that pairing is fine.
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
                        uwsgi_pass 127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
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
        "https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_pass",
        "https://docs.gunicorn.org/en/stable/settings.html#protocol",
        "https://github.com/benoitc/gunicorn/issues/3296",
        "https://github.com/maxking/docker-mailman/issues/64",
    ),
    claims=(
        observed("gw402-gunicorn", status=500),
        observed("gw402-daphne", status=504),
        observed("gw402-daphne", where="nginx error.log", log="upstream timed out (110: "),
        observed("gw402-gunicorn", where="gunicorn", log="WORKER TIMEOUT"),
        observed("gw402-gunicorn", where="gunicorn", log="Error handling request (no URI read)"),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L4645",
            status=504,
        ),
        observed("gw402-uwsgi-http-socket", status=502),
        observed(
            "gw402-uwsgi-http-socket",
            where="nginx error.log",
            log=PREMATURELY,
        ),
        observed("gw402-uvicorn", status=400),
        observed("gw402-uvicorn", where="uvicorn", log="WARNING:  Invalid HTTP request received."),
        from_source(
            "https://github.com/encode/uvicorn/blob/0.35.0/uvicorn/protocols/http/httptools_impl.py#L173",
            where="uvicorn (httptools)",
            log="Invalid HTTP request received.",
        ),
    ),
)


GW403 = rule_docs(
    why="""
`proxy_pass` speaks HTTP; the app's socket expects the binary uwsgi protocol (a uWSGI `socket` or
`uwsgi-socket`, or gunicorn with `protocol = "uwsgi"`). uWSGI reads the first bytes of `GET` as a
packet size and logs `invalid request block size: 21573 (max 4096)...skip` (21327 for a POST),
then closes: nginx logs `upstream prematurely closed connection while reading response header
from upstream` and answers **502**. With a `buffer-size` of 21573 or more, uWSGI waits for the
rest of that packet instead, until `socket-timeout`, then closes the same way. gunicorn with
`protocol = "uwsgi"` answers **500** and logs `Error handling request (no URI read)` with
`Unsupported uWSGI modifier1: 71` (the `G` of `GET`).
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://127.0.0.1:3031;
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
        ("uwsgi.ini", "[uwsgi]\nsocket = 127.0.0.1:3031\nharakiri = 75\n"),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Nginx.html",
        "https://github.com/mapproxy/mapproxy/issues/1353",
    ),
    claims=(
        observed("gw403-uwsgi-socket", status=502),
        observed(
            "gw403-uwsgi-socket",
            where="uWSGI",
            log="invalid request block size: 21573 (max 4096)...skip",
        ),
        observed(
            "gw403-uwsgi-socket",
            where="nginx error.log",
            log=PREMATURELY,
        ),
        from_source(
            "https://github.com/unbit/uwsgi/blob/2.0.30/proto/uwsgi.c#L25",
            where="uWSGI",
            log="invalid request block size: 21327 (max 4096)...skip",
        ),
        observed("gw403-gunicorn", status=500),
        observed("gw403-gunicorn", where="gunicorn", log="Error handling request (no URI read)"),
        observed("gw403-gunicorn", where="gunicorn", log="Unsupported uWSGI modifier1: 71"),
    ),
)


GW404 = rule_docs(
    why="""
The uwsgi protocol is meant to be spoken only by a trusted proxy: a uwsgi packet carries
variables such as `UWSGI_FILE`, `UWSGI_MODULE` or `UWSGI_SCRIPT` that make uWSGI load and run
another application, so anyone who can connect to a uWSGI `socket`/`uwsgi-socket` can make it run
code of their choosing (uWSGI's own docs: "never expose a socket speaking the uwsgi protocol to
the public network"). `socket = :3031` and `socket = 0.0.0.0:3031` listen on every interface;
nothing is logged, the attack looks like an ordinary request.

gunicorn (`protocol = "uwsgi"`, gunicorn >= 24) loads no code from uwsgi variables, but it only
accepts uwsgi requests from `uwsgi_allow_ips` (`127.0.0.1,::1` by default); with `'*'` on a
public interface anyone can bypass nginx and send requests with whatever variables (client
address, scheme, headers) they like. `uwsgi_allow_ips` takes addresses, not networks.

When nginx reaches the socket by a host name (another container or host), or the app runs in a
container (a Dockerfile, a compose service or a Kubernetes container starts it), listening beyond
loopback is how nginx reaches it: binding `127.0.0.1` would break it. The finding is then info,
unless the port is published on every interface of the host (compose `ports:`), and the fix
keeps the port on a network only nginx shares, or serves HTTP there instead (`http-socket`, with
`proxy_pass`: an HTTP request carries no uwsgi variables). Where gwlint does not know where nginx
runs, that advice comes first, and loopback (or a unix socket) second, for nginx on the same
host.
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
        ("uwsgi.ini", "[uwsgi]\nsocket = :3031\nharakiri = 75\n"),
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
        "https://uwsgi-docs.readthedocs.io/en/latest/ThingsToKnow.html",
        "https://uwsgi-docs.readthedocs.io/en/latest/Vars.html",
        "https://docs.gunicorn.org/en/stable/settings.html#uwsgi-allow-ips",
        "https://github.com/wofeiwo/webcgi-exploits/blob/master/python/uwsgi-rce-zh.md",
    ),
)


GW405 = rule_docs(
    why="""
Connecting to a unix socket needs write permission on the socket file. uWSGI creates its socket
with the process umask (`srwxr-xr-x` with the usual `022`) unless `chmod-socket` is set, owned by
its `uid`/`gid` (or by `chown-socket`); gunicorn creates it with mode `0777 & ~umask` (`umask` is
`0` by default, so anyone may connect), owned by its `user`/`group`. If nginx's workers (the
`user` of nginx.conf: `www-data` on Debian, `nginx` in the nginx.org and most other packages) are
neither the owner, nor in a group that may write, nor allowed as "other", every request fails:
nginx logs `[crit] ... connect() to unix:/run/app.sock failed (13: Permission denied) while
connecting to upstream` and answers **502**.

gwlint reports it when the socket's owner is written in the config (uWSGI `uid`/`chown-socket`,
gunicorn `user`) and is not nginx's user, and neither its group nor "other" may write. When the
config sets no owner, the socket belongs to whoever starts the app (root, a systemd `User=`, a
distribution's packaged defaults), which gwlint cannot see: it stays quiet. A
socket in `/tmp` of a systemd service with `PrivateTmp=true` fails the same way (`2: No such file
or directory`) and is not detected either. uvicorn's `--uds` socket is made mode 0666 (anyone may
connect), so it is never reported.
""",
    example=ex(
        (
            "nginx.conf",
            """
            user www-data;
            events {}
            http {
                server {
                    listen 80;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass unix:/run/app/app.sock;
                    }
                }
            }
            """,
        ),
        ("uwsgi.ini", "[uwsgi]\nsocket = /run/app/app.sock\nuid = app\nharakiri = 75\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            user www-data;
            events {}
            http {
                server {
                    listen 80;
                    location / {
                        include uwsgi_params;
                        uwsgi_pass unix:/run/app/app.sock;
                    }
                }
            }
            """,
        ),
        (
            "uwsgi.ini",
            "[uwsgi]\nsocket = /run/app/app.sock\nuid = app\ngid = www-data\nchmod-socket = 660\n"
            "harakiri = 75\n",
        ),
    ),
    references=(
        "https://uwsgi-docs.readthedocs.io/en/latest/Options.html#chmod-socket",
        "https://uwsgi-docs.readthedocs.io/en/latest/tutorials/Django_and_nginx.html",
        "https://docs.gunicorn.org/en/stable/settings.html#umask",
        "https://nginx.org/en/docs/ngx_core_module.html#user",
        "https://github.com/unbit/uwsgi/issues/1624",
        "https://github.com/vfxGer/alternative_nginx_uwsgi_flask_docker/issues/1",
    ),
    claims=(
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/event/ngx_event_connect.c#L254",
            where="nginx error.log",
            log="failed (13: Permission denied) while connecting to upstream",
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L4674",
            status=502,
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/event/ngx_event_connect.c#L254",
            where="nginx error.log",
            log="failed (2: No such file or directory)",
        ),
    ),
)


GW406 = rule_docs(
    why="""
The scheme of `proxy_pass` decides whether nginx opens TLS to the app; the app decides whether
it expects TLS (gunicorn with `certfile`/`keyfile`, uWSGI `https-socket`, uvicorn with
`--ssl-certfile`, which alone is enough when the PEM holds the key). When they disagree,
every request fails:

- `proxy_pass https://` to a plain-HTTP listener: the app reads the TLS ClientHello as a broken
  request (gunicorn logs `Invalid request from ip=...: Invalid HTTP request line`, uvicorn
  `WARNING:  Invalid HTTP request received.`) and answers in plain text; nginx logs
  `SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL
  handshaking to upstream` (OpenSSL 3's wording) and answers **502**.
- `proxy_pass http://` to a TLS listener: gunicorn logs `Invalid request from ip=...: [SSL:
  HTTP_REQUEST] http request` and closes the connection without a response (uvicorn closes it
  without a log line); nginx logs `upstream prematurely closed connection while reading response
  header from upstream` and answers **502**.

Both ways observed with gunicorn 27.0.1 and uvicorn 0.55 behind nginx 1.31.3 (OpenSSL 3).
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass https://127.0.0.1:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
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
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
        "https://docs.gunicorn.org/en/stable/settings.html#certfile",
        "https://uwsgi-docs.readthedocs.io/en/latest/HTTPS.html",
        "https://github.com/tiangolo/uvicorn-gunicorn-fastapi-docker/issues/106",
        "https://github.com/evertramos/nginx-proxy-automation/issues/10",
    ),
    claims=(
        observed("gw406-https-to-plain", status=502),
        observed("gw406-https-to-plain", where="nginx error.log", log=SSL_WRONG_VERSION),
        observed("gw406-https-to-plain", where="gunicorn", log="Invalid HTTP request line"),
        observed("gw406-http-to-tls", status=502),
        observed("gw406-http-to-tls", where="gunicorn", log="[SSL: HTTP_REQUEST] http request"),
        observed("gw406-http-to-tls", where="nginx error.log", log=PREMATURELY),
        observed("gw406-https-to-plain-uvicorn", status=502),
        observed("gw406-https-to-plain-uvicorn", where="nginx error.log", log=SSL_WRONG_VERSION),
        observed(
            "gw406-https-to-plain-uvicorn",
            where="uvicorn",
            log="WARNING:  Invalid HTTP request received.",
        ),
        observed("gw406-http-to-tls-uvicorn", status=502),
        observed("gw406-http-to-tls-uvicorn", where="nginx error.log", log=PREMATURELY),
    ),
)


GW407 = rule_docs(
    why="""
When the argument of `proxy_pass` (or `uwsgi_pass`...) contains a variable, even only in the URI
part (`proxy_pass http://backend:8000$request_uri`), nginx works out the address per request:
an IP address or an `upstream {}` name is used directly, a host name must be resolved with the
`resolver` of the location. nginx does not read `/etc/hosts` at request time, so this holds for
`localhost` too. Without a `resolver`, every request fails: nginx logs `no resolver defined to
resolve backend while ...` and answers **502**. gwlint's fix for `localhost` is the address
itself (`127.0.0.1`); for another name, a `resolver` (Docker's `127.0.0.11` when the name is a
compose service, else your DNS server) or an `upstream {}` under a new name.

A host that a `proxy_pass` without variables (same host and port) also names is quiet: nginx
reuses the address it resolved at start. When the host itself is a variable
(`proxy_pass http://$backend`), gwlint cannot tell and stays quiet.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location ~ ^/api/(.*)$ {
                        proxy_pass http://backend:8000/$1;
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
                resolver 127.0.0.11 valid=10s;  # Docker's DNS; elsewhere, your DNS server
                server {
                    listen 80;
                    location ~ ^/api/(.*)$ {
                        proxy_pass http://backend:8000/$1;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver",
        "https://github.com/TeamPiped/Piped/issues/1104",
        "https://github.com/nextcloud/all-in-one/pull/1451",
    ),
    claims=(
        observed("gw407-localhost", status=502),
        observed("gw407-localhost", where="nginx error.log", log="no resolver defined to resolve"),
    ),
)


GW408 = rule_docs(
    why="""
`proxy_pass http://web:8000` (without variables, not an `upstream {}` name) is resolved once,
when nginx starts or reloads, and nginx keeps those addresses. When the app's address changes (a
container recreated, a pod rescheduled, a cloud load balancer's IPs rotating), nginx keeps
connecting to the old one: `connect() failed (113: No route to host) while connecting to
upstream` or `(111: Connection refused)`, or `upstream timed out (110: Connection timed out)
while connecting to upstream`, and **502** or **504** until nginx is reloaded. If the name does
not resolve when nginx starts, nginx does not start: `[emerg] host not found in upstream "web"`.

Where addresses change, open-source nginx >= 1.27.3 re-resolves `upstream` servers marked
`resolve` (with a `zone` and a `resolver`); before that, a `resolver` and a variable in
`proxy_pass` make nginx resolve per request. The fix names the new upstream differently from the
host (`web_app`): with `upstream web`, any `proxy_pass http://web:8000` left in the config stops
nginx (`upstream "web" may not have port 8000`). The resolver is Docker's `127.0.0.11` when the
name is a compose service, else your DNS server. `localhost` and IP addresses are not reported.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://web:8000;
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
                resolver 127.0.0.11 valid=10s;  # Docker's DNS; elsewhere, your DNS server
                upstream web_app {
                    zone web_app 64k;
                    server web:8000 resolve;
                }
                server {
                    listen 80;
                    location / {
                        proxy_pass http://web_app;
                    }
                }
            }
            """,
        ),
    ),
    references=(
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
        "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolve",
        "https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver",
        "https://github.com/NginxProxyManager/nginx-proxy-manager/issues/1021",
        "https://github.com/medic/cht-core/issues/8205",
    ),
    claims=(
        observed("gw408-not-found", outcome="nginx does not start", where="nginx"),
        observed("gw408-not-found", where="nginx", log="host not found in upstream"),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L3066",
            where="nginx error.log",
            log="connect() failed (113: No route to host) while connecting to upstream",
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L3066",
            where="nginx error.log",
            log="connect() failed (111: Connection refused) while connecting to upstream",
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L4633",
            where="nginx error.log",
            log="upstream timed out (110: Connection timed out) while connecting to upstream",
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L6825",
            where="nginx",
            log='upstream "web" may not have port 8000',
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L4674",
            status=502,
        ),
        from_source(
            "https://github.com/nginx/nginx/blob/release-1.31.4/src/http/ngx_http_upstream.c#L4645",
            status=504,
        ),
    ),
)


GW409 = rule_docs(
    why="""
gunicorn applies `X-Forwarded-Proto` (and the other `secure_scheme_headers`) only on connections
from `forwarded_allow_ips`: `127.0.0.1,::1` by default (gunicorn >= 23; `127.0.0.1` before),
or `$FORWARDED_ALLOW_IPS` where gunicorn runs. When nginx connects from another host or container
(`proxy_pass http://web:8000`), gunicorn ignores the header: `wsgi.url_scheme` stays `http`, so
the app builds `http://` links and redirects, secure cookies and CSRF checks misbehave, and an
app that redirects to HTTPS loops (`ERR_TOO_MANY_REDIRECTS`). Nothing is logged. Under
uvicorn's worker, `X-Forwarded-For` is ignored too and the app sees nginx's address as the client.

uvicorn run on its own does the same with `--forwarded-allow-ips` (`$FORWARDED_ALLOW_IPS`, else
`127.0.0.1,::1`), and ignores the headers altogether with `--no-proxy-headers`.

Connections over a unix socket are always trusted by gunicorn (not by uvicorn, nor its worker,
unless the list is `'*'`); a loopback connection is trusted by default. gwlint reports a host-name
or non-loopback target only when `forwarded_allow_ips` lists no address but loopback ones, and a
header that carries `$scheme` only when nginx itself serves HTTPS (`listen ... ssl`): otherwise it
always says `http`.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 443 ssl;
                    ssl_certificate /etc/ssl/site.pem;
                    ssl_certificate_key /etc/ssl/site.key;
                    location / {
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_pass http://web:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '0.0.0.0:8000'\ntimeout = 75\n"),
    ),
    fix=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 443 ssl;
                    ssl_certificate /etc/ssl/site.pem;
                    ssl_certificate_key /etc/ssl/site.key;
                    location / {
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_pass http://web:8000;
                    }
                }
            }
            """,
        ),
        (
            "gunicorn.conf.py",
            "bind = '0.0.0.0:8000'\ntimeout = 75\nforwarded_allow_ips = '172.16.0.0/12'\n",
        ),
    ),
    references=(
        "https://docs.gunicorn.org/en/stable/settings.html#forwarded-allow-ips",
        "https://docs.gunicorn.org/en/stable/deploy.html",
        "https://www.uvicorn.org/settings/#http",
        "https://www.uvicorn.org/deployment/#proxies-and-forwarded-headers",
        "https://github.com/benoitc/gunicorn/pull/2400",
        "https://github.com/mozilla-services/syncserver/pull/132",
    ),
)


GW410 = rule_docs(
    why="""
nginx resolves `localhost` when it reads its config and, where `/etc/hosts` lists both (Debian,
Ubuntu, most container images), gets `::1` and `127.0.0.1`, which it uses in turn like two
upstream servers (`::1` first, in the order the system's resolver gives). An app bound only to
`127.0.0.1` (gunicorn's default), `0.0.0.0` or only `::1` refuses the other address: nginx logs
`connect() failed (111: Connection refused) while connecting to upstream, ... upstream:
"http://[::1]:8000/"` and `upstream server temporarily disabled while connecting to upstream`,
takes that address out for `fail_timeout` (10 s) and retries on the other one, so the client
gets **200**: requests succeed, with extra latency and error-log noise. With `proxy_next_upstream
off` (or `_tries 1`) the request that meets the refused address gets **502** (one every
`fail_timeout`), which makes the finding a warning. Where `/etc/hosts` gives `localhost` only
`127.0.0.1`, nothing is refused.
""",
    example=ex(
        (
            "nginx.conf",
            """
            http {
                server {
                    listen 80;
                    location / {
                        proxy_pass http://localhost:8000;
                    }
                }
            }
            """,
        ),
        ("gunicorn.conf.py", "bind = '127.0.0.1:8000'\ntimeout = 75\n"),
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
        "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass",
        "https://github.com/ietf-tools/mailarchive/pull/4016",
        "https://github.com/graphite-project/docker-graphite-statsd/issues/87",
        "https://github.com/unbit/uwsgi/issues/1465",
    ),
    claims=(
        observed("gw410-localhost", status=200),
        observed("gw410-localhost", where="nginx error.log", log=REFUSED),
        observed("gw410-localhost", where="nginx error.log", log='upstream: "http://[::1]:'),
        observed(
            "gw410-localhost",
            where="nginx error.log",
            log="upstream server temporarily disabled while connecting to upstream",
        ),
        observed("gw410-no-retry", status=502),
        observed("gw410-no-retry", where="nginx error.log", log=REFUSED),
    ),
)


DOCS: dict[str, RuleDocs] = {
    "GW401": GW401,
    "GW402": GW402,
    "GW403": GW403,
    "GW404": GW404,
    "GW405": GW405,
    "GW406": GW406,
    "GW407": GW407,
    "GW408": GW408,
    "GW409": GW409,
    "GW410": GW410,
}
