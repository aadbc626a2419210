"""What the tests that install gwlint share (pre-commit, the docs' install commands, the GitHub
Action, the container image): the offline wheelhouse .ci/run builds, and a two-file project with
a finding.

Nothing here touches the network: pip, pipx and uv install from $GWLINT_WHEELHOUSE with their
index off. Without a wheelhouse (or a tool) such a test skips, unless CI is set: then it fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

# nginx proxies to :8001, gunicorn binds :8000: GW401 (exit 1)
NGINX_CONF = """\
http {
    server {
        listen 80;
        location / {
            proxy_pass http://127.0.0.1:8001;
        }
    }
}
"""
GUNICORN_CONF = 'bind = "127.0.0.1:8000"\nworkers = 2\n'


def unavailable(reason: str, must: str) -> NoReturn:
    """Skip for ``reason``, or fail when CI is set (``must``: what must run in CI)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: {must}")
    pytest.skip(reason)


def wheelhouse(must: str) -> Path:
    """$GWLINT_WHEELHOUSE, with the build backend in it."""
    value = os.environ.get("GWLINT_WHEELHOUSE", "")
    if not value:
        unavailable("GWLINT_WHEELHOUSE is not set (.ci/run builds the wheelhouse)", must)
    path = Path(value)
    if not any(path.glob("hatchling-*.whl")):
        unavailable(f"GWLINT_WHEELHOUSE={value} holds no hatchling wheel", must)
    return path
