"""Facts about the target machine and server versions that the config files do not hold."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gwlint.model.versions import Version, format_version

DEFAULT_NGINX_VERSION: Version = (1, 30, 0)  # current stable line
DEFAULT_GUNICORN_VERSION: Version = (27, 0, 0)
DEFAULT_UWSGI_VERSION: Version = (2, 0, 30)


class Facts(BaseModel):
    """Target facts given on the command line. Same input + same facts = same output."""

    model_config = ConfigDict(frozen=True)

    cpus: int | None = Field(default=None, ge=1)
    nginx_version: Version = DEFAULT_NGINX_VERSION
    nginx_version_given: bool = False  # False: the default stable line is assumed
    gunicorn_version: Version = DEFAULT_GUNICORN_VERSION
    uwsgi_version: Version = DEFAULT_UWSGI_VERSION
    env: dict[str, str] = Field(default_factory=dict)

    @property
    def nginx_label(self) -> str:
        return f"nginx {format_version(self.nginx_version, short=True)}"

    @property
    def gunicorn_label(self) -> str:
        return f"gunicorn {format_version(self.gunicorn_version, short=True)}"

    @property
    def uwsgi_label(self) -> str:
        return f"uWSGI {format_version(self.uwsgi_version, short=True)}"
