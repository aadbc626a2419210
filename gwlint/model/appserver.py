"""The app-server side: gunicorn or uWSGI, its listeners and the settings the rules compare."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from gwlint.model.address import Address
from gwlint.model.defaults import UWSGI_DEFAULTS
from gwlint.model.source import Source, Sourced
from gwlint.model.units import uwsgi_number

ListenerProtocol = Literal["http", "uwsgi"]

# effective gunicorn worker kinds; "custom" is a class gwlint does not know
WorkerKind = Literal[
    "sync",
    "gthread",
    "gevent",
    "gevent_pywsgi",  # gevent_wsgi / gevent_pywsgi: gevent's own server, no idle limit
    "eventlet",
    "tornado",
    "asgi",
    "uvicorn",
    "custom",
]


class Listener(NamedTuple):
    """A socket the app server accepts connections on, and the protocol it speaks there."""

    address: Address
    protocol: ListenerProtocol
    option: str  # "bind", "socket", "uwsgi-socket", "http-socket", "http11-socket", "http", ...
    source: Source
    keepalive: bool = False  # uWSGI http11-socket: HTTP/1.1 persistent connections
    tls: bool = False


class GunicornServer(NamedTuple):
    path: str
    version_label: str  # "gunicorn 27.0"
    settings: dict[str, Sourced[Any]]  # every module-level name the file assigns, known or not
    listeners: tuple[Listener, ...]
    protocol: Sourced[str]  # "http" or "uwsgi" (gunicorn >= 24)
    worker_class: Sourced[str]  # as written
    worker_kind: (
        WorkerKind | None
    )  # effective (threads > 1 turns sync into gthread); None = unknown
    workers: Sourced[int]
    threads: Sourced[int]
    timeout: Sourced[int]  # seconds; 0 disables
    graceful_timeout: Sourced[int]
    keepalive: Sourced[int]  # seconds
    # every gunicorn setting as it takes effect, written or default, typed (int settings as
    # int, bool settings as bool): what rules read beyond the fields above
    values: dict[str, Sourced[Any]]
    kind: Literal["gunicorn"] = "gunicorn"
    listeners_unknown: str | None = None  # why bind is not statically known
    # how long a worker keeps an idle connection open (seconds); None when it never closes one
    # first (sync keeps none, gevent_pywsgi has no limit) or when that is not known
    idle_limit: Sourced[int] | None = None
    # started by a launcher ("Procfile web", "Dockerfile CMD"...): path is then the launcher's,
    # and config_file the gunicorn.conf.py its command reads (-c, or ./gunicorn.conf.py)
    launcher: str | None = None
    launcher_line: int | None = None  # where the command starts in its launcher
    config_file: str | None = None
    beside_nginx: str | None = None  # "supervisord.conf:12": its launcher also starts nginx
    # the container it runs in ("compose service web"), and the names other containers reach
    # it by: (host, port the name is reached on, container port it leads to); None ports: the
    # same port (a compose service name)
    container: str | None = None
    hosts: tuple[tuple[str, int | None, int | None], ...] = ()
    # the container ports it publishes on the host: (host address or None for every interface,
    # container port, where: "docker-compose.yml:45")
    published: tuple[tuple[str | None, int, str], ...] = ()

    def int_value(self, name: str) -> Sourced[int]:
        value: Sourced[int] = self.values[name]
        return value

    @property
    def label(self) -> str:
        return f"gunicorn ({self.path})"


class UwsgiServer(NamedTuple):
    path: str
    section: str
    version_label: str  # "uWSGI 2.0"
    options: dict[
        str, tuple[Sourced[str], ...]
    ]  # every key, every occurrence, placeholders expanded
    listeners: tuple[Listener, ...]
    harakiri: Sourced[int]  # seconds; 0 = off
    socket_timeout: Sourced[int]
    http_timeout: Sourced[int]  # the http router's wait for its backend
    buffer_size: Sourced[int]  # bytes; the largest request (uwsgi packet or HTTP header block)
    processes: Sourced[int]
    threads: Sourced[int]
    kind: Literal["uwsgi"] = "uwsgi"
    listeners_unknown: str | None = None  # why a socket option is not statically known
    processes_option: str = "processes"  # or "workers", its alias: the one set last
    async_cores: Sourced[int] | None = None  # async / gevent / asyncio cores per process
    # started by a launcher: path is then the launcher's, config_file the ini it reads
    launcher: str | None = None
    launcher_line: int | None = None  # where the command starts in its launcher
    config_file: str | None = None
    beside_nginx: str | None = None  # "supervisord.conf:12": its launcher also starts nginx
    # the container it runs in ("compose service web"), and the names other containers reach
    # it by: (host, port the name is reached on, container port it leads to); None ports: the
    # same port (a compose service name)
    container: str | None = None
    hosts: tuple[tuple[str, int | None, int | None], ...] = ()
    # the container ports it publishes on the host: (host address or None for every interface,
    # container port, where: "docker-compose.yml:45")
    published: tuple[tuple[str | None, int, str], ...] = ()
    # why options this config does not set are not known either (a layered ini that sets no
    # socket: the command line or environment that completes it is not in the repository);
    # None: an option not set has its default
    incomplete: str | None = None

    @property
    def label(self) -> str:
        return f"uWSGI ({self.path})"

    def last(self, name: str) -> Sourced[str] | None:
        """The occurrence of an option that takes effect (the last one), if it is set; for an
        incomplete config, an unknown value when it is not."""
        occurrences = self.options.get(name)
        if occurrences:
            return occurrences[-1]
        if self.incomplete is not None:
            return Sourced[str](
                value=None, raw="?", source=Source(path=self.path, line=1), unknown=self.incomplete
            )
        return None

    def number(self, name: str) -> Sourced[int]:
        """A numeric option as uWSGI reads it (atoi: no units), or its default."""
        occurrence = self.last(name)
        if occurrence is None:
            raw = UWSGI_DEFAULTS.get(name, "0")
            return Sourced[int](
                value=uwsgi_number(raw), raw=raw, source=Source(default_of=self.version_label)
            )
        if occurrence.value is None:
            return Sourced[int](
                value=None, raw=occurrence.raw, source=occurrence.source, unknown=occurrence.unknown
            )
        return Sourced[int](
            value=uwsgi_number(occurrence.value), raw=occurrence.raw, source=occurrence.source
        )

    def flag(self, name: str) -> Sourced[bool]:
        """A flag option: any value but false/off/no/0 is true (uwsgi_opt_true)."""
        occurrence = self.last(name)
        if occurrence is None:
            return Sourced[bool](value=False, raw="", source=Source(default_of=self.version_label))
        if occurrence.value is None:
            return Sourced[bool](
                value=None, raw=occurrence.raw, source=occurrence.source, unknown=occurrence.unknown
            )
        value = occurrence.value.strip().lower() not in ("false", "off", "no", "0")
        return Sourced[bool](value=value, raw=occurrence.raw, source=occurrence.source)


class UvicornServer(NamedTuple):
    """uvicorn run on its own (``uvicorn app:app --port 8000``), started by a launcher.

    (uvicorn as a gunicorn worker class is a ``GunicornServer`` with worker_kind "uvicorn".)
    """

    path: str  # the launcher file
    version_label: str  # "uvicorn 0.54"
    listeners: tuple[Listener, ...]
    timeout_keep_alive: Sourced[int]  # seconds an idle connection is kept (default 5)
    workers: Sourced[int]  # processes ($WEB_CONCURRENCY or 1)
    backlog: Sourced[int]
    timeout_graceful_shutdown: Sourced[int]  # seconds; value None when unlimited (default)
    # every option as it takes effect, written or default, typed (int options as int, flags
    # as bool): what rules read beyond the fields above
    values: dict[str, Sourced[Any]]
    kind: Literal["uvicorn"] = "uvicorn"
    listeners_unknown: str | None = None
    launcher: str | None = None  # "Procfile web", "compose service api"...
    launcher_line: int | None = None  # where the command starts in its launcher
    config_file: str | None = None  # uvicorn has none
    beside_nginx: str | None = None  # "supervisord.conf:12": its launcher also starts nginx
    # the container it runs in ("compose service web"), and the names other containers reach
    # it by: (host, port the name is reached on, container port it leads to); None ports: the
    # same port (a compose service name)
    container: str | None = None
    hosts: tuple[tuple[str, int | None, int | None], ...] = ()
    # the container ports it publishes on the host: (host address or None for every interface,
    # container port, where: "docker-compose.yml:45")
    published: tuple[tuple[str | None, int, str], ...] = ()

    @property
    def idle_limit(self) -> Sourced[int] | None:
        """How long an idle keep-alive connection stays open: uvicorn always has a limit."""
        return self.timeout_keep_alive

    @property
    def label(self) -> str:
        return f"uvicorn ({self.path})"


class AsgiServer(NamedTuple):
    """daphne, granian or hypercorn run on its own, started by a launcher (``daphne -b 0.0.0.0
    -p 8000 app.asgi:application``, ``granian --interface asgi app:app``, ``hypercorn -c
    hypercorn.toml app:app``): HTTP listeners, workers, and how long it keeps an idle keep-alive
    connection (see gwlint/model/asgi_options.py). hypercorn's ``values`` are keyed by its
    ``Config`` attribute names (``keep_alive_timeout``), whether the command line or its config
    file (``-c``) sets them."""

    kind: Literal["daphne", "granian", "hypercorn"]
    path: str  # the launcher file
    version_label: str  # "daphne 4.2"
    listeners: tuple[Listener, ...]
    workers: Sourced[int]
    # every option as it takes effect, written or default, typed
    values: dict[str, Sourced[Any]]
    listeners_unknown: str | None = None
    # seconds an idle HTTP/1.1 connection stays open; None when it is never closed first or
    # not known
    idle_limit: Sourced[int] | None = None
    idle_what: str = ""  # what sets that limit, for messages
    launcher: str | None = None
    launcher_line: int | None = None
    config_file: str | None = None  # hypercorn's -c file (daphne and granian have none)
    beside_nginx: str | None = None
    container: str | None = None
    hosts: tuple[tuple[str, int | None, int | None], ...] = ()
    published: tuple[tuple[str | None, int, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.path})"


AppServer = GunicornServer | UwsgiServer | UvicornServer | AsgiServer
