"""GW6xx: nginx-only hygiene around proxying."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from gwlint.model.diagnostics import Finding, Location, Severity
from gwlint.model.versions import Version, format_version
from gwlint.rules.base import ex, rule

if TYPE_CHECKING:
    from gwlint.model.deployment import Deployment

# directive -> first open-source version that has it (None: NGINX Plus only)
PLUS_DIRECTIVES: dict[str, Version | None] = {
    "health_check": None,
    "health_check_timeout": None,
    "match": None,
    "queue": None,
    "state": None,
    "ntlm": None,
    "zone_sync": None,
    "api": None,
    "session_log": None,
    "session_log_format": None,
    "session_log_zone": None,
    "sticky_cookie_insert": None,
    "mp4_limit_rate": None,
    "mp4_limit_rate_after": None,
    "status_zone": None,
    "internal_redirect": None,
    "f4f": None,
    "f4f_buffer_size": None,
    "hls": None,
    "sticky": (1, 29, 6),
    "least_time": (1, 31, 0),
}
PLUS_PREFIXES = ("zone_sync_", "hls_")
# the built-in sticky takes one of these first; the third-party nginx-sticky-module does not
STICKY_METHODS = frozenset({"cookie", "route", "learn"})
# upstream ``server`` parameters -> first open-source version that accepts them
PLUS_SERVER_PARAMS: dict[str, Version | None] = {
    "slow_start": None,
    "drain": (1, 29, 6),
    "route": (1, 29, 6),
    "resolve": (1, 27, 3),
    "service": (1, 27, 3),
    "max_conns": (1, 11, 5),
}
# blocks whose contents are data, not directives (map keys, mime types...), and the rtmp
# module's own blocks (its hls directive is not NGINX Plus's)
FREEFORM = frozenset({"map", "types", "geo", "split_clients", "charset_map", "match", "rtmp"})


def _since(version: Version | None) -> str:
    return (
        "NGINX Plus only"
        if version is None
        else f"NGINX Plus, or nginx >= {format_version(version)}"
    )


@rule(
    code="GW601",
    name="nginx-plus-only",
    title="NGINX Plus-only directive or parameter in an open-source config",
    severity=Severity.ERROR,
    why="""
`health_check`, `match`, `queue`, `state`, `ntlm`, `zone_sync`, `api`, the `slow_start=` server
parameter and a few more exist only in the commercial NGINX Plus. Open-source nginx refuses the
whole configuration: `nginx: [emerg] unknown directive "health_check" in /etc/nginx/nginx.conf:12`
or `invalid parameter "slow_start=30s"`, so a reload fails and a fresh start serves nothing.
`nginx -t` stops at this first error and hides any other.

Some moved to open source later and are checked against `--nginx-version`: the `resolve` and
`service=` server parameters (1.27.3), `sticky`, `drain` and `route=` (1.29.6), `least_time`
(1.31.0).
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
    ),
)
def gw601(dep: Deployment) -> Iterator[Finding]:
    nginx = dep.nginx
    if nginx is None:
        return
    version = dep.facts.nginx_version
    label = nginx.version_label
    for directive in nginx.directives:
        if FREEFORM.intersection(directive.context):
            continue
        location = Location.of(directive.source)
        if location is None:
            continue
        name = directive.name
        if name == "sticky" and (not directive.args or directive.args[0] not in STICKY_METHODS):
            continue  # nginx-sticky-module-ng: an open-source third-party module
        least_time = PLUS_DIRECTIVES["least_time"]
        if (
            name == "random"
            and any(arg.startswith("least_time=") for arg in directive.args)
            and least_time is not None
            and version < least_time
        ):
            yield Finding(
                location=location,
                message=(
                    f"random ... least_time= is {_since(least_time)}: {label} refuses to start "
                    "('nginx: [emerg] invalid parameter \"least_time=...\"')"
                ),
                fix="use random two (least_conn, the default) instead",
            )
            continue
        if name in PLUS_DIRECTIVES or name.startswith(PLUS_PREFIXES):
            since = PLUS_DIRECTIVES.get(name)
            if since is not None and version >= since:
                continue
            yield Finding(
                location=location,
                message=(
                    f"{name} is {_since(since)}: {label} refuses to start "
                    f"('nginx: [emerg] unknown directive \"{name}\"')"
                ),
                fix=(
                    f"remove {name}; open-source nginx checks upstreams passively (max_fails, "
                    "fail_timeout)"
                    if name in ("health_check", "match")
                    else f"remove {name}, or deploy on NGINX Plus"
                ),
            )
        elif name == "server" and directive.context[-1:] == ("upstream",):
            for param in directive.args[1:]:
                key = param.split("=", 1)[0]
                if key not in PLUS_SERVER_PARAMS:
                    continue
                since = PLUS_SERVER_PARAMS[key]
                if since is not None and version >= since:
                    continue
                yield Finding(
                    location=location,
                    message=(
                        f"server parameter {param} is {_since(since)}: {label} refuses to start "
                        f"('nginx: [emerg] invalid parameter \"{param}\"')"
                    ),
                    fix=f"remove {param} from this server line",
                )


RULES = (gw601,)
