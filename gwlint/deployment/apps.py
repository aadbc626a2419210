"""The app servers of a run: those the launchers start (Procfile, Dockerfile, compose, systemd,
supervisord, shell entrypoints), with the config files their commands read, and the gunicorn
configs and uWSGI inis no launcher reads, each checked on its own."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from gwlint.deployment.context import container_facts

if TYPE_CHECKING:
    from gwlint.deployment.context import Container, Context
    from gwlint.inventory import Inventory
    from gwlint.loaders.common import Problems
    from gwlint.loaders.launch import Launch
    from gwlint.model.appserver import AppServer
    from gwlint.settings import Settings


def container_launches(context: Context, env: dict[str, str], problems: Problems) -> list[Launch]:
    """The app servers Kubernetes containers start with their command and args."""
    from gwlint.loaders.launchers import read_command

    launches: list[Launch] = []
    for container in context.containers:
        if not container.command:
            continue
        launches.extend(
            read_command(
                container.path,
                container.label,
                list(container.command),
                container.env,
                env,
                problems,
                workdir=container.working_dir,
            )
        )
    return launches


def _container_of(context: Context, launch: Launch) -> Container | None:
    """The container a launch runs in: the compose service, Kubernetes container or image it
    comes from, or the one container that holds its file."""
    label = launch.label
    files = {os.path.realpath(p) for p in (launch.path, *launch.referenced)}
    for container in context.containers:
        if label.startswith(container.label) and (
            os.path.realpath(container.path) in files
            or (container.image is not None and os.path.realpath(container.image.path) in files)
        ):
            rest = label[len(container.label) :]
            if not rest or rest.startswith((" ", ",")):
                return container
    if label.startswith("Dockerfile"):
        for container in context.containers:
            image = container.image
            if image is not None and os.path.realpath(image.path) in files:
                return container
    holding = context.containers_of(launch.path)
    return holding[0] if len(holding) == 1 else None


def launched(
    settings: Settings, inventory: Inventory, problems: Problems, context: Context
) -> tuple[list[tuple[str, AppServer]], set[str], list[str]]:
    """App servers started by launchers (Procfile, Dockerfile, compose...), the real paths of
    the config files those commands read (not checked again on their own), and the files read."""
    if not inventory.launcher and not any(c.command for c in context.containers):
        return [], set(), []  # and the launcher readers, thousands of lines, stay unimported
    from dataclasses import replace

    from gwlint.loaders.commands import build_launch
    from gwlint.loaders.launchers import overridden, read_launches

    launches: list[Launch] = []
    env = settings.facts.env
    for path in inventory.launcher:
        base = context.base_env.get(os.path.realpath(path))
        launches.extend(read_launches(path, env, problems, base_env=base))
    launches.extend(container_launches(context, env, problems))
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
        container = _container_of(context, launch)
        facts = context.versions.facts_for(
            settings.facts_at(launch.path), launch.program, launch.path
        )
        facts = container_facts(facts, container)
        configs: list[str] = []
        if container is not None:
            configs = [p for p in container.files.values() if p in inventory.gunicorn]
        unread = container.missing_env if container is not None else ()
        built = build_launch(
            launch,
            facts,
            problems,
            section=settings.uwsgi_section,
            image_configs=configs,
            unread_env=unread,
        )
        if built.app is not None and container is not None:
            built.app = in_container(built.app, container)
            context.app_containers[(built.app.path, built.app.launcher or "")] = container
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
    versions = context.versions
    # each loader imported when there is a file for it
    for path in inventory.gunicorn:
        if os.path.realpath(path) in consumed:
            continue  # read as the config file of a command that starts gunicorn
        from gwlint.loaders.gunicorn import load_gunicorn

        base = settings.facts_at(path)
        gunicorn = load_gunicorn(path, versions.facts_for(base, "gunicorn", path), problems)
        if gunicorn is not None:
            apps.append((path, gunicorn))
    for path in inventory.uwsgi:
        if os.path.realpath(path) in consumed:
            continue
        from gwlint.loaders.uwsgi import load_uwsgi

        facts = versions.facts_for(settings.facts_at(path), "uwsgi", path)
        uwsgi = load_uwsgi(path, facts, problems, section=settings.uwsgi_section)
        if uwsgi is not None:
            apps.append((path, uwsgi))
    for path in inventory.hypercorn:
        if os.path.realpath(path) in consumed:
            continue  # read as the config file of a command that starts hypercorn (-c)
        from gwlint.loaders.hypercorn import load_hypercorn

        facts = versions.facts_for(settings.facts_at(path), "hypercorn", path)
        hypercorn = load_hypercorn(path, facts, problems)
        if hypercorn is not None:
            apps.append((path, hypercorn))
    return apps, launch_files


def in_container(app: AppServer, container: Container) -> AppServer:
    """The app as its container has it: the names other containers reach it by, with the
    ports a Kubernetes Service maps, the ports published on the host, and the container's
    label."""
    hosts: list[tuple[str, int | None, int | None]] = [
        (name, None, None) for name in sorted(container.names)
    ]
    hosts += [(name, port, target) for name, port, target in container.ports]
    return app._replace(
        hosts=tuple(dict.fromkeys(hosts)),
        container=container.label,
        published=tuple(container.published),
    )
