"""Facts about the target machine and server versions that the config files do not hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from gwlint.model.versions import Version, format_version

DEFAULT_NGINX_VERSION: Version = (1, 30, 0)  # current stable line
DEFAULT_GUNICORN_VERSION: Version = (27, 0, 0)
DEFAULT_UWSGI_VERSION: Version = (2, 0, 30)


# the load balancer or CDN in front of nginx: (name, idle keep-alive to its backend in seconds,
# how long it waits for a response), documented defaults (rules-research.md §2)
FRONTS: dict[str, tuple[str, int | None, int | None]] = {
    "alb": ("AWS Application Load Balancer", 60, 60),  # one idle timeout for both
    "elb": ("AWS Classic Load Balancer", 60, 60),
    "gcp": ("Google Cloud load balancer", 600, 30),  # backend keep-alive fixed at 600 s
    "cloudflare": ("Cloudflare", None, 125),  # Proxy Read Timeout (see GW111): 125 s since 2026-07
    "heroku": ("Heroku router", 90, 30),
    "oci": ("OCI load balancer", 300, None),
}


class Front(NamedTuple):
    """The load balancer or CDN that talks to nginx (or straight to the app)."""

    kind: str
    name: str
    idle: int | None = None  # seconds it keeps an idle connection to its backend
    read: int | None = None  # seconds it waits for the backend's response

    @classmethod
    def parse(cls, text: str) -> Front:
        """``alb``, ``alb:120``, ``gcp:60`` (its response timeout), ``idle=75,read=60``."""
        text = text.strip()
        if "=" in text:
            values: dict[str, int] = {}
            for part in text.split(","):
                key, _, text_value = part.partition("=")
                if key.strip() not in ("idle", "read") or not text_value.strip().isdigit():
                    raise ValueError(f"{part!r}: expected idle=SECONDS and/or read=SECONDS")
                values[key.strip()] = int(text_value)
            return cls(kind="custom", name="the load balancer in front", **values)
        kind, _, seconds = text.partition(":")
        kind = kind.lower()
        if kind not in FRONTS:
            raise ValueError(f"unknown front {kind!r} (one of {', '.join(FRONTS)}, or idle=,read=)")
        name, idle, read = FRONTS[kind]
        if seconds:
            if not seconds.isdigit():
                raise ValueError(f"{seconds!r} is not a number of seconds")
            number = int(seconds)
            if kind in ("alb", "elb"):
                idle = read = number  # the ALB idle timeout is the one setting
            elif kind == "oci":
                idle = number
            else:
                read = number  # gcp backend timeout, Cloudflare proxy read timeout...
        return cls(kind=kind, name=name, idle=idle, read=read)


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """Target facts given on the command line. Same input + same facts = same output."""

    cpus: int | None = None  # at least 1
    nginx_version: Version = DEFAULT_NGINX_VERSION
    nginx_version_given: bool = False  # False: the default stable line is assumed
    gunicorn_version_given: bool = False
    gunicorn_version: Version = DEFAULT_GUNICORN_VERSION
    uwsgi_version: Version = DEFAULT_UWSGI_VERSION
    uwsgi_version_given: bool = False
    # where a version comes from: "--nginx-version", "gwlint.toml", "Dockerfile:1, FROM
    # nginx:1.24-alpine", "requirements.txt:3, gunicorn==21.2.0"; None when assumed
    nginx_version_source: str | None = None
    gunicorn_version_source: str | None = None
    uwsgi_version_source: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    front: Front | None = None  # load balancer / CDN in front of nginx
    stop_timeout: int | None = None  # orchestrator's grace period, s; 0 or more
    # where cpus and stop_timeout come from when the deployment says (a Kubernetes manifest's
    # resources.limits.cpu, terminationGracePeriodSeconds); None: the flag or configuration
    cpus_source: str | None = None
    stop_timeout_source: str | None = None
    somaxconn: int = 4096  # net.core.somaxconn of the target; at least 1
    somaxconn_given: bool = False  # False: the 4096 of kernels >= 5.4 is assumed

    def __post_init__(self) -> None:
        # settings.py says which flag or configuration key is wrong before it gets here
        if self.cpus is not None and self.cpus < 1:
            raise ValueError("cpus: must be at least 1")
        if self.stop_timeout is not None and self.stop_timeout < 0:
            raise ValueError("stop_timeout: must be 0 or more seconds")
        if self.somaxconn < 1:
            raise ValueError("somaxconn: must be at least 1")

    @property
    def cpus_from(self) -> str:
        """``--cpus``, or the manifest line that says how many CPUs the container has."""
        return self.cpus_source or "--cpus"

    @property
    def stop_timeout_from(self) -> str:
        return self.stop_timeout_source or "--stop-timeout"

    @property
    def nginx_label(self) -> str:
        return f"nginx {format_version(self.nginx_version, short=True)}"

    @property
    def gunicorn_label(self) -> str:
        return f"gunicorn {format_version(self.gunicorn_version, short=True)}"

    @property
    def uwsgi_label(self) -> str:
        return f"uWSGI {format_version(self.uwsgi_version, short=True)}"
