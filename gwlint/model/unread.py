"""Notes a value carries when the deployment may change it unseen (plain: no pydantic, so
that rule modules import it at no cost)."""

from __future__ import annotations

# what a value says when an env file gwlint could not read may change it (compose env_file:
# entries that are not in the repository); findings that rest on such a value are info
UNREAD_ENV = "(not in the repository) may set"


def unread_env_note(files: tuple[str, ...], variables: str) -> str | None:
    """``unless .env.prod (not in the repository) may set GUNICORN_CMD_ARGS``."""
    if not files:
        return None
    return f"unless {', '.join(files)} {UNREAD_ENV} {variables}"
