"""The app servers of a run: those the launchers start (Procfile, Dockerfile, compose, systemd,
supervisord, shell entrypoints), with the config files their commands read, and the gunicorn
configs and uWSGI inis no launcher reads, each checked on its own."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gwlint.deployment.context import Context
    from gwlint.inventory import Inventory
    from gwlint.loaders.common import Problems
    from gwlint.loaders.launch import Launch
    from gwlint.model.appserver import AppServer
    from gwlint.settings import Settings


def launched(
    settings: Settings, inventory: Inventory, problems: Problems, context: Context
) -> tuple[list[tuple[str, AppServer]], set[str], list[str]]:
    """App servers started by launchers (Procfile, Dockerfile, compose...), the real paths of
    the config files those commands read (not checked again on their own), and the files read."""
    if not inventory.launcher:
        return [], set(), []  # and the launcher readers, thousands of lines, stay unimported
    from dataclasses import replace

    from gwlint.loaders.commands import build_launch
    from gwlint.loaders.launchers import overridden, read_launches

    launches: list[Launch] = []
    env = settings.facts.env
    for path in inventory.launcher:
        launches.extend(read_launches(path, env, problems))
    launches = overridden(launches)
    # an env file that sets GUNICORN_CMD_ARGS belongs to the gunicorn its folder starts
    explicit = [launch for launch in launches if not launch.implicit]
    merged: list[Launch] = []
    for launch in launches:
        if not launch.implicit:
            continue
        real = os.path.realpath(launch.path)
        if any(real in {os.path.realpath(r) for r in other.referenced} for other in explicit):
            continue  # already read by the command that names it (env_file:, EnvironmentFile=)
        folder = os.path.dirname(os.path.abspath(launch.path))
        here = [
            other
            for other in explicit
            if other.program == "gunicorn"
            and os.path.dirname(os.path.abspath(other.path)) == folder
        ]
        if len(here) == 1:
            target = here[0]
            index = explicit.index(target)
            # the env file is the runtime environment: it wins over the launcher's defaults
            explicit[index] = replace(
                target,
                env={**target.env, **launch.env},
                referenced=(*target.referenced, launch.path),
            )
        else:
            merged.append(launch)
    apps: list[tuple[str, AppServer]] = []
    consumed: set[str] = set()
    files: list[str] = []
    for launch in [*explicit, *merged]:
        facts = context.versions.facts_for(settings.facts, launch.program, launch.path)
        built = build_launch(launch, facts, problems, section=settings.uwsgi_section)
        consumed.update(os.path.realpath(path) for path in built.consumed)
        started = "starts" if built.app is not None else "starts (not checked)"
        context.note(launch.path, f"{started} {launch.program} ({launch.label})")
        for path in built.consumed:
            context.note(path, f"read by {launch.program} ({launch.label}, {launch.path})")
        files.extend([launch.path, *launch.referenced, *built.consumed])
        if built.app is not None:
            apps.append((launch.path, built.app))
    return apps, consumed, list(dict.fromkeys(files))


def app_servers(
    settings: Settings, inventory: Inventory, problems: Problems, context: Context
) -> tuple[list[tuple[str, AppServer]], list[str]]:
    """Every app server of the run (with the file it is reported at), and the launcher files
    read for them."""
    apps, consumed, launch_files = launched(settings, inventory, problems, context)
    versions, base = context.versions, settings.facts
    # each loader imported when there is a file for it
    for path in inventory.gunicorn:
        if os.path.realpath(path) in consumed:
            continue  # read as the config file of a command that starts gunicorn
        from gwlint.loaders.gunicorn import load_gunicorn

        gunicorn = load_gunicorn(path, versions.facts_for(base, "gunicorn", path), problems)
        if gunicorn is not None:
            apps.append((path, gunicorn))
    for path in inventory.uwsgi:
        if os.path.realpath(path) in consumed:
            continue
        from gwlint.loaders.uwsgi import load_uwsgi

        facts = versions.facts_for(base, "uwsgi", path)
        uwsgi = load_uwsgi(path, facts, problems, section=settings.uwsgi_section)
        if uwsgi is not None:
            apps.append((path, uwsgi))
    return apps, launch_files
