"""daphne and granian command-line options: name -> (flags, default, kind), and their idle
keep-alive limits, read from their source.

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
