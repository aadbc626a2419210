"""Which files pin the servers' versions, by name alone: kept apart from ``pins`` (its parsers
import tomllib) so that classifying the files of a folder walk stays cheap."""

from __future__ import annotations

_FILE_KINDS = {
    "pyproject.toml": "pyproject",
    "uv.lock": "uv.lock",
    "poetry.lock": "poetry.lock",
    "pdm.lock": "pdm.lock",
    "pipfile": "Pipfile",
    "pipfile.lock": "Pipfile.lock",
}
# words in a ``*.txt`` name (or the name of its folder: requirements/prod.txt) for pip
_REQUIREMENTS_WORDS = ("requirements", "constraints")


def pin_kind(name: str) -> str | None:
    """The format of a pin file by its name (a basename or a path), or None."""
    parts = name.replace("\\", "/").rsplit("/", 2)
    base, folder = parts[-1].lower(), parts[-2].lower() if len(parts) > 1 else ""
    if base in _FILE_KINDS:
        return _FILE_KINDS[base]
    if base.endswith(".txt") and any(
        word in base or word in folder for word in _REQUIREMENTS_WORDS
    ):
        return "requirements"
    return None


def is_pin_file(name: str) -> bool:
    """Whether ``name`` (a basename or a path) is a file ``read_pins`` reads: ``pyproject.toml``,
    ``uv.lock``, ``poetry.lock``, ``pdm.lock``, ``Pipfile``, ``Pipfile.lock``, and a ``*.txt``
    whose name, or its folder's (``requirements/prod.txt``), holds ``requirements`` or
    ``constraints``; in any case, as ``inventory.classify.is_pin_name`` (which does not look at
    the folder: ``requirements/prod.txt`` is a pin file here, documentation there)."""
    return pin_kind(name) is not None
