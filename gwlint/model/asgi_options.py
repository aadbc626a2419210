"""daphne, granian and hypercorn command-line options: name -> (flags, default, kind), and
their idle keep-alive limits, read from their source.

daphne 4.2.2 (``daphne/cli.py``, argparse; no environment variables):
https://github.com/django/daphne/blob/4.2.2/daphne/cli.py. No ``--bind``/``--port``/
``--unix-socket``/``--fd``/``--endpoint``: 127.0.0.1:8000 (cli.py:15-16, 259-275).
Idle keep-alive: daphne's ``HTTPFactory`` calls ``http.HTTPFactory.__init__(self)`` with no
``timeout`` (daphne/http_protocol.py:392-393), so Twisted's default applies: ``_REQUEST_TIMEOUT
= 1 * 60`` (twisted 24.7.0 src/twisted/web/http.py:206), the factory's ``timeout`` (http.py:3329)
copied to each ``HTTPChannel.timeOut`` (http.py:3417), set when a connection is made and after
each response (http.py:2354, 2662): an idle connection is closed after 60 s. No daphne option
changes it (``--http-timeout`` bounds a request, not an idle connection).

granian 2.8.1 (``granian/cli.py``, click, ``auto_envvar_prefix='GRANIAN'`` at cli.py:606: every
option can be set as ``GRANIAN_<NAME>``): https://github.com/emmett-framework/granian/blob/v2.8.1/
granian/cli.py. Idle keep-alive: HTTP/1 connections are served by hyper 1.x (Cargo.toml: hyper
=1.11) with ``.header_read_timeout(...)`` and ``.keep_alive(...)`` (src/workers.rs:518-519);
since hyper 1.4 (``fix(server): start header read timeout immediately``, #3185) the header read
timer starts when the connection waits for the next request head (hyper v1.11.0
src/proto/h1/conn.rs:211-235), so an idle keep-alive connection closes after
``--http1-header-read-timeout`` milliseconds: 30000 by default (granian/http.py:6,
cli.py:181-186). ``--no-http1-keep-alive`` closes each connection after its response.

hypercorn 0.18.0 (``src/hypercorn/__main__.py``, argparse, so unique prefixes of long options;
no environment variables): https://github.com/pgjones/hypercorn/blob/0.18.0/src/hypercorn/.
Every setting is an attribute of ``Config`` (config.py:57-115) and ``HYPERCORN_OPTIONS`` is
keyed by those names, so one table serves the command line and the config files (TOML keys,
names of a ``python:``/``file:`` module). ``-c`` loads the file first (__main__.py:14-22, 225),
then each flag given overrides it (__main__.py:228-310: ``if args.X is not sentinel``); ``-b``,
``--insecure-bind``, ``--quic-bind`` and ``--server-name`` replace the file's whole list when
given (__main__.py:303-310). Two quirks of __main__.py: ``--statsd-prefix`` defaults to ``""``,
not the sentinel, so it always overrides the file's ``statsd_prefix`` (185, 288-289), and
``--max-requests-jitter`` stores ``args.max_requests`` (278-279). Defaults, unchanged from 0.11.0
to 0.18.0 (config.py of each tag): ``bind`` ``["127.0.0.1:8000"]`` (58), ``backlog`` 100 (70),
``graceful_timeout`` 3 s (78), ``read_timeout`` None (79; the option is new in 0.12.0),
``keep_alive_timeout`` 5 s (88), ``keep_alive_max_requests`` 1000 (89), ``worker_class``
``asyncio`` (113), ``workers`` 1 (114; 0 serves in the main process, run.py:45-46).
``--max-requests``/``--max-requests-jitter`` are new in 0.16.0 and ``-D/--daemon`` in 0.18.0.

Listeners (config.py:196-283): with ``certfile`` and ``keyfile`` both set (``ssl_enabled``),
``bind`` is TLS and ``insecure_bind`` plain HTTP; without them ``bind`` is plain HTTP and
``insecure_bind`` is not bound at all (200-210). A bind is ``unix:PATH``, ``fd://N``, or
``HOST[:PORT]`` (port 8000 when none, brackets of an IPv6 host dropped; 230-250). Each plain
listener also speaks HTTP/2 without TLS: a ``PRI * HTTP/2.0`` preface or an ``Upgrade: h2c``
request without a body switches the connection to HTTP/2 (protocol/h11.py:296-323,
protocol/__init__.py:64-96).

Idle keep-alive: each connection runs an idle task, started when it opens and again when a
response completes (``Updated(idle=True)``: protocol/h11.py:271-286; asyncio/tcp_server.py:72,
89-93), that closes it after ``keep_alive_timeout`` seconds (asyncio/tcp_server.py:136-141;
trio/tcp_server.py:131-140); a new request stops it (h11.py:170-171). ``read_timeout``, when
set, bounds each wait for bytes from the client (asyncio/tcp_server.py:95-110): once an idle
connection has waited that long hypercorn stops reading it, so a request sent on it later is
never read and the connection closes without a response when the idle task fires (observed
with 0.18.0: ``--read-timeout 1``, a second request 2 s after the first got no answer and the
connection closed at 5 s). The idle limit is then the shorter of the two.
No request timeout: nothing bounds how long the app takes to respond. ``read_timeout`` does
not (the app's response is still written after the read loop gave up: ``HTTPStream.app_send``
does not check ``closed``, protocol/http_stream.py:134-152; observed: a 3 s response with
``--read-timeout 1`` was delivered), ``graceful_timeout`` bounds only the shutdown
(asyncio/run.py:170, trio/run.py:118).
"""

DAPHNE_VERSION = "4.2.2"
DAPHNE_IDLE_SECONDS = 60  # Twisted's HTTPFactory timeout, not configurable from daphne
DAPHNE_DEFAULT_HOST = "127.0.0.1"
DAPHNE_DEFAULT_PORT = 8000

# kind: int, str, bool (a flag), list (repeatable), count
DAPHNE_OPTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "port": (("-p", "--port"), "None", "int"),
    "host": (("-b", "--bind"), "None", "str"),
    "websocket_timeout": (("--websocket_timeout",), "86400", "int"),
    "websocket_connect_timeout": (("--websocket_connect_timeout",), "5", "int"),
    "unix_socket": (("-u", "--unix-socket"), "None", "str"),
    "file_descriptor": (("--fd",), "None", "int"),
    "socket_strings": (("-e", "--endpoint"), "[]", "list"),
    "verbosity": (("-v", "--verbosity"), "1", "int"),
    "http_timeout": (("-t", "--http-timeout"), "None", "int"),
    "access_log": (("--access-log",), "None", "str"),
    "log_fmt": (("--log-fmt",), "None", "str"),
    "ping_interval": (("--ping-interval",), "20", "int"),
    "ping_timeout": (("--ping-timeout",), "30", "int"),
    "websocket_max_message_size": (("--websocket-max-message-size",), "1048576", "int"),
    "websocket_max_frame_size": (("--websocket-max-frame-size",), "1048576", "int"),
    "application_close_timeout": (("--application-close-timeout",), "10", "int"),
    "root_path": (("--root-path",), "''", "str"),
    "proxy_headers": (("--proxy-headers",), "False", "bool"),
    "proxy_headers_host": (("--proxy-headers-host",), "None", "str"),
    "proxy_headers_port": (("--proxy-headers-port",), "None", "str"),
    "server_name": (("-s", "--server-name"), "'daphne'", "str"),
    "no_server_name": (("--no-server-name",), "False", "bool"),
}

GRANIAN_VERSION = "2.8.1"
GRANIAN_IDLE_MS = 30_000  # --http1-header-read-timeout default (granian/http.py:6)
# the most it accepts: click.IntRange(1, 60_000) (granian/cli.py:183); above, granian exits 2
GRANIAN_MAX_HEADER_READ_MS = 60_000

# bool options list their "--x" then "--no-x" spelling
GRANIAN_OPTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "host": (("--host",), "'127.0.0.1'", "str"),
    "port": (("--port",), "8000", "int"),
    "uds": (("--uds",), "None", "str"),
    "uds_permissions": (("--uds-permissions",), "None", "str"),
    "interface": (("--interface",), "'rsgi'", "str"),
    "http": (("--http",), "'auto'", "str"),
    "websockets": (("--ws", "--no-ws"), "True", "bool"),
    "workers": (("--workers",), "1", "int"),
    "blocking_threads": (("--blocking-threads",), "None", "int"),
    "blocking_threads_idle_timeout": (("--blocking-threads-idle-timeout",), "30", "int"),
    "runtime_threads": (("--runtime-threads",), "1", "int"),
    "runtime_blocking_threads": (("--runtime-blocking-threads",), "None", "int"),
    "runtime_mode": (("--runtime-mode",), "'auto'", "str"),
    "loop": (("--loop",), "'auto'", "str"),
    "task_impl": (("--task-impl",), "'asyncio'", "str"),
    "backlog": (("--backlog",), "1024", "int"),
    "backpressure": (("--backpressure",), "None", "int"),
    "http1_buffer_size": (("--http1-buffer-size",), "417792", "int"),
    "http1_header_read_timeout": (("--http1-header-read-timeout",), "30000", "int"),
    "http1_keep_alive": (("--http1-keep-alive", "--no-http1-keep-alive"), "True", "bool"),
    "http1_pipeline_flush": (
        ("--http1-pipeline-flush", "--no-http1-pipeline-flush"),
        "False",
        "bool",
    ),
    "http2_adaptive_window": (
        ("--http2-adaptive-window", "--no-http2-adaptive-window"),
        "False",
        "bool",
    ),
    "http2_initial_connection_window_size": (
        ("--http2-initial-connection-window-size",),
        "1048576",
        "int",
    ),
    "http2_initial_stream_window_size": (("--http2-initial-stream-window-size",), "1048576", "int"),
    "http2_keep_alive_interval": (("--http2-keep-alive-interval",), "None", "int"),
    "http2_keep_alive_timeout": (("--http2-keep-alive-timeout",), "20", "int"),
    "http2_max_concurrent_streams": (("--http2-max-concurrent-streams",), "200", "int"),
    "http2_max_frame_size": (("--http2-max-frame-size",), "16384", "int"),
    "http2_max_headers_size": (("--http2-max-headers-size",), "16777216", "int"),
    "http2_max_send_buffer_size": (("--http2-max-send-buffer-size",), "409600", "int"),
    "log_enabled": (("--log", "--no-log"), "True", "bool"),
    "log_level": (("--log-level",), "'info'", "str"),
    "log_config": (("--log-config",), "None", "str"),
    "log_access_enabled": (("--access-log", "--no-access-log"), "False", "bool"),
    "log_access_fmt": (("--access-log-fmt",), "None", "str"),
    "ssl_certificate": (("--ssl-certificate",), "None", "str"),
    "ssl_keyfile": (("--ssl-keyfile",), "None", "str"),
    "ssl_keyfile_password": (("--ssl-keyfile-password",), "None", "str"),
    "ssl_protocol_min": (("--ssl-protocol-min",), "'tls1.3'", "str"),
    "ssl_ca": (("--ssl-ca",), "None", "str"),
    "ssl_crl": (("--ssl-crl",), "None", "list"),
    "ssl_client_verify": (("--ssl-client-verify", "--no-ssl-client-verify"), "False", "bool"),
    "url_path_prefix": (("--url-path-prefix",), "None", "str"),
    "respawn_failed_workers": (
        ("--respawn-failed-workers", "--no-respawn-failed-workers"),
        "False",
        "bool",
    ),
    "respawn_interval": (("--respawn-interval",), "3.5", "float"),
    "rss_sample_interval": (("--rss-sample-interval",), "30", "int"),
    "rss_samples": (("--rss-samples",), "1", "int"),
    "workers_lifetime": (("--workers-lifetime",), "None", "int"),
    "workers_max_rss": (("--workers-max-rss",), "None", "int"),
    "workers_kill_timeout": (("--workers-kill-timeout",), "None", "int"),
    "factory": (("--factory", "--no-factory"), "False", "bool"),
    "working_dir": (("--working-dir",), "None", "str"),
    "env_files": (("--env-files",), "None", "list"),
    "static_path_route": (("--static-path-route",), "None", "list"),
    "static_path_mount": (("--static-path-mount",), "None", "list"),
    "static_path_dir_to_file": (("--static-path-dir-to-file",), "None", "str"),
    "static_path_expires": (("--static-path-expires",), "86400", "int"),
    "metrics_enabled": (("--metrics", "--no-metrics"), "False", "bool"),
    "metrics_scrape_interval": (("--metrics-scrape-interval",), "15", "int"),
    "metrics_address": (("--metrics-address",), "'127.0.0.1'", "str"),
    "metrics_port": (("--metrics-port",), "9090", "int"),
    "reload": (("--reload", "--no-reload"), "False", "bool"),
    "reload_paths": (("--reload-paths",), "None", "list"),
    "reload_ignore_dirs": (("--reload-ignore-dirs",), "None", "list"),
    "reload_ignore_patterns": (("--reload-ignore-patterns",), "None", "list"),
    "reload_ignore_paths": (("--reload-ignore-paths",), "None", "list"),
    "reload_tick": (("--reload-tick",), "50", "int"),
    "reload_ignore_worker_failure": (
        ("--reload-ignore-worker-failure", "--no-reload-ignore-worker-failure"),
        "False",
        "bool",
    ),
    "process_name": (("--process-name",), "None", "str"),
    "pid_file": (("--pid-file",), "None", "str"),
}

HYPERCORN_VERSION = "0.18.0"
HYPERCORN_WORKER_CLASSES = ("asyncio", "uvloop", "trio")  # run.py:24-37, else ValueError

# name (a Config attribute) -> (flags, default, kind); names with no flag are set only in a
# config file. kind: int, float, str, bool (store_true), list (append); a number in a config
# file may be a float where the flag takes an int (keep_alive_timeout = 7.5)
HYPERCORN_OPTIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "config": (("-c", "--config"), "None", "str"),
    "access_log_format": (
        ("--access-logformat",),
        repr('%(h)s %(l)s %(l)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'),
        "str",
    ),
    "accesslog": (("--access-logfile", "--access-log"), "None", "str"),
    "alpn_protocols": ((), "['h2', 'http/1.1']", "list"),
    "alt_svc_headers": ((), "[]", "list"),
    "backlog": (("--backlog",), "100", "int"),
    "bind": (("-b", "--bind"), "['127.0.0.1:8000']", "list"),
    "ca_certs": (("--ca-certs",), "None", "str"),
    "certfile": (("--certfile",), "None", "str"),
    "cert_reqs": (("--cert-reqs",), "None", "int"),
    "ciphers": (("--ciphers",), "'ECDHE+AESGCM'", "str"),
    "daemon": (("-D", "--daemon"), "True", "bool"),
    "debug": (("--debug",), "False", "bool"),
    "dogstatsd_tags": ((), "''", "str"),
    "errorlog": (("--error-logfile", "--log-file", "--error-log"), "'-'", "str"),
    "graceful_timeout": (("--graceful-timeout",), "3.0", "int"),
    "read_timeout": (("--read-timeout",), "None", "int"),
    "group": (("-g", "--group"), "None", "int"),
    "h11_max_incomplete_size": ((), "16384", "int"),
    "h11_pass_raw_headers": ((), "False", "bool"),
    "h2_max_concurrent_streams": ((), "100", "int"),
    "h2_max_header_list_size": ((), "65536", "int"),
    "h2_max_inbound_frame_size": ((), "16384", "int"),
    "include_date_header": ((), "True", "bool"),
    "include_server_header": ((), "True", "bool"),
    "insecure_bind": (("--insecure-bind",), "[]", "list"),
    "keep_alive_timeout": (("--keep-alive",), "5.0", "int"),
    "keep_alive_max_requests": ((), "1000", "int"),
    "keyfile": (("--keyfile",), "None", "str"),
    "keyfile_password": (("--keyfile-password",), "None", "str"),
    "logconfig": (("--log-config",), "None", "str"),
    "logconfig_dict": ((), "None", "str"),
    "loglevel": (("--log-level",), "'INFO'", "str"),
    "max_app_queue_size": ((), "10", "int"),
    "max_requests": (("--max-requests",), "None", "int"),
    "max_requests_jitter": (("--max-requests-jitter",), "0", "int"),
    "pid_path": (("-p", "--pid"), "None", "str"),
    "quic_bind": (("--quic-bind",), "[]", "list"),
    "root_path": (("--root-path",), "''", "str"),
    "server_names": (("--server-name",), "[]", "list"),
    "shutdown_timeout": ((), "60.0", "float"),
    "ssl_handshake_timeout": ((), "60.0", "float"),
    "startup_timeout": ((), "60.0", "float"),
    "statsd_host": (("--statsd-host",), "None", "str"),
    "statsd_prefix": (("--statsd-prefix",), "''", "str"),
    "umask": (("-m", "--umask"), "None", "int"),
    "use_reloader": (("--reload",), "False", "bool"),
    "user": (("-u", "--user"), "None", "int"),
    "verify_flags": ((), "None", "str"),
    "verify_mode": (("--verify-mode",), "None", "str"),
    "websocket_max_message_size": ((), "16777216", "int"),
    "websocket_ping_interval": (("--websocket-ping-interval",), "None", "int"),
    "worker_class": (("-k", "--worker-class"), "'asyncio'", "str"),
    "workers": (("-w", "--workers"), "1", "int"),
    "wsgi_max_body_size": ((), "16777216", "int"),
}
