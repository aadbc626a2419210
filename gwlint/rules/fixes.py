"""What ``gwlint check --fix`` does for each rule that has fixes: the rule pages' **Fix:** line.

``safe``: ``--fix`` applies it; ``unsafe``: only ``--unsafe-fixes`` does; ``safe or unsafe``: it
depends on the case, as the text says. A rule not listed keeps its fix as text. The rule modules
attach the edits (``Finding.plan``); tests/test_fix_pages.py checks that this table and the
fixtures agree: every rule listed has a fixture case with an edit of the safety it states, and
every edit a fixture shows is of a rule listed here with that safety.
"""

from __future__ import annotations

SAFE = "safe"
UNSAFE = "unsafe"
EITHER = "safe or unsafe"

FIXES: dict[str, tuple[str, str]] = {
    "GW101": (
        EITHER,
        "sets the app server's timeout above the proxy's read timeout, where it is written "
        "(unsafe when it is the default of a `${NAME:-default}` reference)",
    ),
    "GW102": (SAFE, "sets uWSGI's harakiri above nginx's read timeout"),
    "GW105": (UNSAFE, "sets the connect timeout to 10s where it is written: one value of several"),
    "GW106": (
        EITHER,
        "removes timeout = 0 of an async worker (safe), or sets a watchdog above nginx's read "
        "timeout (unsafe: requests that ran on now end)",
    ),
    "GW108": (UNSAFE, "lowers the graceful timeout below the stop timeout: one of two choices"),
    "GW109": (SAFE, "sets die-on-term and the hook that makes SIGTERM a graceful stop"),
    "GW110": (SAFE, "sets harakiri a little above nginx's read timeout"),
    "GW201": (
        SAFE,
        "raises the app's idle limit above the proxy's keep-alive, or, for uWSGI and servers "
        "without the setting, sets keepalive_timeout below it in the upstream block",
    ),
    "GW202": (SAFE, "raises the app's idle limit above the load balancer's"),
    "GW203": (
        EITHER,
        "removes keepalive, which the sync worker ignores (unsafe when the worker class is only "
        "assumed)",
    ),
    "GW205": (SAFE, "raises gunicorn's keepalive above the other side's"),
    "GW302": (SAFE, "writes worker_class = 'gthread', which already runs"),
    "GW303": (SAFE, "removes worker_connections, which the worker ignores"),
    "GW305": (SAFE, "sets max_requests_jitter (uWSGI: max-requests-delta)"),
    "GW501": (SAFE, "raises uWSGI's buffer-size to what nginx accepts"),
    "GW502": (SAFE, "raises gunicorn's limit_request_line to nginx's"),
    "GW503": (
        SAFE,
        "raises limit_request_field_size to a whole nginx buffer, or removes a lowered "
        "limit_request_fields",
    ),
    "GW504": (SAFE, "removes the buffer size below a page (the default is one page)"),
    "GW505": (SAFE, "raises uWSGI's limit-post to nginx's client_max_body_size"),
    "GW506": (SAFE, "writes the number uWSGI reads, or the one meant, without a unit suffix"),
    "GW507": (SAFE, "writes buffer-size = 65535, what uWSGI 2.0 uses"),
    "GW603": (UNSAFE, "writes the value as gwlint reads what was meant (1.5s -> 1500ms)"),
    "GW701": (UNSAFE, "renames the name to the setting gwlint takes it for"),
    "GW702": (UNSAFE, "renames the key to the option gwlint takes it for"),
    "GW703": (UNSAFE, "sets worker_class = 'gevent' (gevent must be installed)"),
    "GW704": (UNSAFE, "sets the uvicorn-worker class (the package must be installed)"),
    "GW706": (SAFE, "writes the option with two ASCII hyphens"),
}


def fix_line(code: str) -> str | None:
    """``(safe, `--fix`): sets ...``, or None: the fix stays text."""
    found = FIXES.get(code)
    if found is None:
        return None
    safety, what = found
    how = {SAFE: "safe, `--fix`", UNSAFE: "unsafe, `--fix --unsafe-fixes`"}.get(
        safety, "safe or unsafe, as the case may be"
    )
    return f"({how}): {what}"
