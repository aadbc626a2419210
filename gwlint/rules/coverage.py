"""The servers each rule covers: the proxies in front and the app servers behind, as data.

``COVERS[code] = (proxies, apps)``, by display name; ``()`` on a side: the rule does not read
that side (an nginx-only rule has no apps, an app-only rule no proxies). A server is covered
when its config (or, for the causes of ``gwlint diagnose``, its log) decides whether, where or
how severely the rule reports; a server a check reads only to word a message ("nginx answers
502") is not. Each entry was read in the rule's check function (the ``app.kind`` and
``worker_kind`` it handles, whether it reads ``dep.nginx``, ``dep.routes``, ``dep.links``,
``dep.front`` or ``front_app_links``), in the loader that reports it (GW0xx, GW705, GW706), or
in the classification of ``gwlint diagnose`` (GW9xx, ``gwlint.diagnose.causes.TABLE``).

The table claims only what a fixture proves: tests/test_coverage.py checks that for every
(rule, server) pair here some ``fixtures/<CODE>/fires-*`` case fires the rule with that server
taking part. What a check handles in its code but no fixture shows yet is in ``UNPROVEN``;
what a check names without covering it (a kind it passes over, a proxy it reads for wording)
is in ``NOT_COVERED``, each with the reason. The rule pages, their index and the README's rule
table show ``servers_line`` (``gwlint.reporters.docs``).
"""

from __future__ import annotations

NGINX = "nginx"
APACHE = "Apache httpd"
CADDY = "Caddy"
GUNICORN = "gunicorn"
UWSGI = "uWSGI"
UVICORN = "uvicorn"
DAPHNE = "daphne"
GRANIAN = "granian"
HYPERCORN = "hypercorn"

PROXIES: tuple[str, ...] = (NGINX, APACHE, CADDY)
APPS: tuple[str, ...] = (GUNICORN, UWSGI, UVICORN, DAPHNE, GRANIAN, HYPERCORN)

# the model's kinds (``NginxConfig``, ``FrontConfig.kind``, ``AppServer.kind``) -> display name
KIND_NAMES: dict[str, str] = {
    "nginx": NGINX,
    "apache": APACHE,
    "caddy": CADDY,
    "gunicorn": GUNICORN,
    "uwsgi": UWSGI,
    "uvicorn": UVICORN,
    "daphne": DAPHNE,
    "granian": GRANIAN,
    "hypercorn": HYPERCORN,
}

_N = (NGINX,)
_ALL_PROXIES = PROXIES
_NONE: tuple[str, ...] = ()

COVERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # --- input: what the loaders report about the files they read
    "GW001": (_N, _NONE),  # loaders/nginx.py
    "GW002": (_N, _NONE),  # loaders/nginx.py
    "GW003": (_NONE, (GUNICORN,)),  # loaders/gunicorn.py
    "GW004": (_NONE, (UWSGI,)),  # loaders/uwsgi.py
    "GW005": (_NONE, (GUNICORN,)),  # loaders/gunicorn.py (uWSGI: UNPROVEN)
    "GW006": (_N, (GUNICORN, UWSGI)),  # a suppression comment in the server's config (filtering)
    "GW007": (_N, (GUNICORN, UWSGI)),
    "GW008": (_NONE, (GUNICORN,)),  # launchers, commands, loaders/gunicorn.py
    "GW009": (_NONE, _NONE),  # gwlint's own configuration file
    "GW010": (_NONE, _NONE),  # a path that holds no config
    "GW011": ((NGINX, APACHE, CADDY), (GUNICORN, HYPERCORN)),  # engine._one_sided: one side alone
    # --- timeouts
    "GW101": (_ALL_PROXIES, (GUNICORN,)),
    "GW102": (_N, (UWSGI,)),
    "GW103": (_N, (GUNICORN, UWSGI)),  # nginx's read timeout, else the app's request limit
    "GW104": (_N, (GUNICORN, UWSGI)),
    "GW105": (_N, _NONE),
    "GW106": (_NONE, (GUNICORN, UWSGI)),
    "GW107": (_N, (UWSGI,)),
    "GW108": (_NONE, (GUNICORN, UWSGI, UVICORN)),
    "GW109": (_NONE, (UWSGI,)),
    "GW110": (_N, (UWSGI,)),
    "GW111": (_N, (GUNICORN, UWSGI)),
    # --- keep-alive
    "GW201": (_ALL_PROXIES, (GUNICORN, UWSGI, UVICORN, DAPHNE, GRANIAN, HYPERCORN)),
    "GW202": (_N, (GUNICORN, UWSGI, UVICORN)),  # nginx's keepalive_timeout, else the app's
    "GW203": (_N, (GUNICORN,)),
    "GW204": (_NONE, (GUNICORN,)),
    "GW205": (_N, (GUNICORN,)),
    "GW206": (_N, (GUNICORN, UWSGI, UVICORN)),
    # --- workers
    "GW301": (_NONE, (GUNICORN, UWSGI, UVICORN)),
    "GW302": (_NONE, (GUNICORN,)),
    "GW303": (_NONE, (GUNICORN,)),
    "GW304": (_N, (GUNICORN, UWSGI, UVICORN)),
    "GW305": (_NONE, (GUNICORN, UWSGI, UVICORN)),
    "GW306": (_NONE, (UWSGI,)),
    "GW307": (_NONE, (GUNICORN,)),
    "GW308": (_N, (GUNICORN,)),
    # --- protocol
    "GW401": (_ALL_PROXIES, (GUNICORN, UWSGI, UVICORN, DAPHNE, GRANIAN, HYPERCORN)),
    "GW402": ((NGINX, APACHE), (GUNICORN, UWSGI, UVICORN, DAPHNE, GRANIAN, HYPERCORN)),
    "GW403": (_ALL_PROXIES, (GUNICORN, UWSGI)),
    "GW404": (_N, (GUNICORN, UWSGI)),
    "GW405": (_N, (GUNICORN, UWSGI)),
    "GW406": (_N, (GUNICORN, UWSGI, UVICORN)),
    "GW407": (_N, _NONE),
    "GW408": (_N, _NONE),
    "GW409": (_N, (GUNICORN, UVICORN)),
    "GW410": (_N, (GUNICORN, UWSGI, UVICORN)),
    # --- limits
    "GW501": (_N, (UWSGI,)),
    "GW502": (_N, (GUNICORN,)),
    "GW503": (_N, (GUNICORN,)),
    "GW504": (_N, _NONE),
    "GW505": (_N, (UWSGI,)),
    "GW506": (_NONE, (UWSGI,)),
    "GW507": (_NONE, (UWSGI,)),
    "GW508": (_N, (UWSGI,)),
    # --- nginx
    "GW601": (_N, _NONE),
    "GW602": (_N, _NONE),
    "GW603": (_N, _NONE),
    "GW604": (_N, _NONE),
    "GW605": (_N, _NONE),
    "GW606": (_N, _NONE),
    "GW607": (_N, _NONE),
    "GW608": (_N, _NONE),
    "GW609": (_N, _NONE),
    # --- app
    "GW701": (_NONE, (GUNICORN,)),
    "GW702": (_NONE, (UWSGI,)),
    "GW703": (_NONE, (GUNICORN,)),
    "GW704": (_NONE, (GUNICORN,)),
    "GW705": (_NONE, (GUNICORN, UWSGI, UVICORN)),  # loaders/commands.py
    "GW706": (_NONE, (GUNICORN, UWSGI, UVICORN)),  # loaders/commands.py
    "GW707": (_N, (GUNICORN, UVICORN)),
    # --- causes of gwlint diagnose: the logs they read (reading.py: nginx's error and access
    # logs, gunicorn's, uWSGI's and uvicorn's)
    "GW900": (_N, _NONE),
    "GW901": (_N, (GUNICORN,)),
    "GW902": (_N, (GUNICORN,)),
    "GW903": (_N, _NONE),
    "GW904": (_N, (GUNICORN, UWSGI)),
    "GW905": (_N, _NONE),
    "GW906": (_N, _NONE),
}


def _each(servers: tuple[str, ...], why: str) -> dict[str, str]:
    return dict.fromkeys(servers, why)


_ASGI = (DAPHNE, GRANIAN, HYPERCORN)
_ANY_APP = "kind-agnostic: reads any app server's listeners"

# handled in the code, not yet proven by a fixture: code -> server -> what the code does for it
UNPROVEN: dict[str, dict[str, str]] = {
    "GW005": {UWSGI: "loaders/uwsgi.py: an option the rules read whose value is unknown"},
    "GW008": {
        UWSGI: "loaders/uwsgi.py: an option set from a launcher's unknown variable",
        UVICORN: "loaders/commands.py: an option of the command line gwlint cannot know",
        DAPHNE: "loaders/commands.py: an option of the command line gwlint cannot know",
        GRANIAN: "loaders/commands.py: an option of the command line gwlint cannot know",
        HYPERCORN: "loaders/hypercorn.py: a -c config file gwlint cannot read",
    },
    "GW011": _each((UWSGI, UVICORN, DAPHNE, GRANIAN), "engine._one_sided: any app server alone"),
    "GW202": _each(_ASGI, "keepalive.idle_limit_of, when the app is the first hop"),
    "GW406": _each(_ASGI, "gw406 reads the listener's tls (the message then names uWSGI)"),
    "GW410": _each(_ASGI, _ANY_APP),
    "GW705": _each(_ASGI, "loaders/commands.py parse_asgi: what the server refuses at start"),
    "GW706": _each(_ASGI, "loaders/commands.py: a typographic dash on its command line"),
    "GW707": _each((UWSGI, *_ASGI), "kind-agnostic: any app started beside nginx"),
    "GW900": _each(
        (GUNICORN, UWSGI, UVICORN), "diagnose: the app's own requests >= 500 where no nginx log is"
    ),
    "GW901": {
        UWSGI: "diagnose: uwsgi.traceback",
        UVICORN: "diagnose: uvicorn.exception, uvicorn.no_response, uvicorn.traceback",
    },
    "GW902": _each((UWSGI, UVICORN), "diagnose: the app server's start and stop lines"),
}

_WORDING = "read only to word the message (nginx answers 502, or not)"
_NO_LIMIT = "passed over: timeouts._request_limit gives it no per-request limit"
_LATER = "passed over by the check: not judged yet"
_BETWEEN = "quiet when it stands between the load balancer (--front) and the app: not judged yet"
_HTTP_ONLY = "named only in the listener's wording (protocol._listener_text): no uwsgi listener"

# named by a check, not covered by it: code -> server -> why
NOT_COVERED: dict[str, dict[str, str]] = {
    "GW103": {**_each((UVICORN, *_ASGI), _NO_LIMIT), **_each((APACHE, CADDY), _BETWEEN)},
    "GW104": _each((UVICORN, *_ASGI), _NO_LIMIT),
    "GW106": {
        NGINX: "read only for the value the fix suggests",
        **_each((UVICORN, *_ASGI), "passed over: no request watchdog in gwlint's model of it"),
    },
    "GW108": _each(_ASGI, _LATER),
    "GW111": {**_each((UVICORN, *_ASGI), _NO_LIMIT), **_each((APACHE, CADDY), _BETWEEN)},
    "GW202": _each((APACHE, CADDY), _BETWEEN),
    "GW205": _each((APACHE, CADDY), _BETWEEN),
    "GW206": _each(_ASGI, "passed over: keepalive._capacity counts no worker per connection"),
    "GW301": {NGINX: _WORDING, **_each(_ASGI, _LATER)},
    "GW304": _each(_ASGI, _LATER),
    "GW305": {NGINX: _WORDING, **_each(_ASGI, _LATER)},
    "GW306": {NGINX: _WORDING},
    # Caddy's reverse_proxy transports are http and fastcgi: module ids
    # http.reverse_proxy.transport.http (modules/caddyhttp/reverseproxy/httptransport.go:170)
    # and .fastcgi (modules/caddyhttp/reverseproxy/fastcgi/fastcgi.go:99) of Caddy v2.11.4
    "GW402": {CADDY: "Caddy has no uwsgi transport (http and fastcgi only)"},
    "GW403": {UVICORN: _HTTP_ONLY},
    "GW404": {UVICORN: _HTTP_ONLY},
    "GW405": {
        # uvicorn/server.py:156-162 of uvicorn 0.51.0: os.chmod(config.uds, 0o666)
        UVICORN: "passed over: uvicorn --uds makes its socket 0666, anyone may connect",
        **_each(_ASGI, "passed over: its socket's mode is not read yet"),
    },
    "GW409": {UWSGI: "passed over: uWSGI's proxy headers are not judged", **_each(_ASGI, _LATER)},
    "GW506": {NGINX: _WORDING},
    "GW703": {NGINX: _WORDING},
}


def covers(code: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(proxies, apps) the rule ``code`` covers; ``((), ())`` for a code not in the table."""
    return COVERS.get(code, ((), ()))


def servers_line(code: str) -> str:
    """``nginx, Apache httpd → gunicorn, uWSGI``; one side alone when the rule reads only that
    side (``nginx``, ``gunicorn``); ``none`` for a rule about gwlint's own input."""
    proxies, apps = covers(code)
    if proxies and apps:
        return f"{', '.join(proxies)} → {', '.join(apps)}"
    if proxies or apps:
        return ", ".join(proxies or apps)
    return "none"
