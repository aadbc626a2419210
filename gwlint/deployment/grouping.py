"""Grouping into deployments: which proxy configuration the app servers stand behind.

One deployment is one nginx configuration (its root files: a main file, or the fragments of one
folder), or one Apache httpd or Caddy configuration, and the app servers its routes reach. The
configuration's ``deployments`` come first; then every app server goes with the configurations
whose routes certainly reach one of its sockets (same TCP port or socket path), the closest in
the folder tree first; an app no route reaches goes with the closest configuration when one is
closest, else it is checked alone.
Never across compose projects: an app of one compose project (or manifest folder) is not paired
with the nginx of another, whatever their ports.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gwlint.inventory import snippet_roots

if TYPE_CHECKING:
    from gwlint.deployment.context import Context
    from gwlint.inventory import Inventory
    from gwlint.loaders.common import Problems
    from gwlint.loaders.nginx import Lexed
    from gwlint.model.address import Address
    from gwlint.model.appserver import AppServer
    from gwlint.model.facts import Facts
    from gwlint.model.front import FrontConfig
    from gwlint.model.nginx import NginxConfig
    from gwlint.settings import Settings


@dataclass(eq=False, repr=False)  # run state: never compared or shown
class Group:
    """One deployment: an nginx configuration (its root files) and the app servers behind it."""

    nginx_roots: list[str] = field(default_factory=list)
    apps: list[AppServer] = field(default_factory=list)
    nginx: NginxConfig | None = None
    home: str = "."
    # or the root files of an Apache httpd or Caddy configuration, and what they say
    front_roots: list[str] = field(default_factory=list)
    front: FrontConfig | None = None

    @property
    def roots(self) -> list[str]:
        """The proxy's root files, whichever proxy it is."""
        return self.nginx_roots or self.front_roots


def ancestors(folder: str) -> list[str]:
    """An absolute folder and every folder above it, the deepest first."""
    chain = [folder]
    while (parent := os.path.dirname(folder)) != folder:
        chain.append(parent)
        folder = parent
    return chain


def by_closeness(
    here: str, groups: list[Group], under: dict[str, list[Group]]
) -> Iterator[list[Group]]:
    """``groups`` ranked by how much of the folder tree their home shares with ``here`` (the
    length of the common path), closest first, each rank in the order of ``under``'s lists.

    ``under`` maps a folder to the groups whose home is that folder or below it: the groups
    first found walking up from ``here`` share the most with it. Without comparing ``here``
    with every home: a repository may hold hundreds of deployments.
    """
    wanted = {id(g) for g in groups}
    seen: set[int] = set()
    for folder in ancestors(here):
        rank = [g for g in under.get(folder, ()) if id(g) in wanted and id(g) not in seen]
        if rank:
            seen.update(id(g) for g in rank)
            yield rank
    rest = [g for g in groups if id(g) not in seen]  # nothing in common (another drive)
    if rest:
        yield rest


def group(
    settings: Settings,
    inventory: Inventory,
    apps: list[tuple[str, AppServer]],
    problems: Problems,
    sysroot: str | None,
    *,
    named: bool,
    context: Context | None = None,
) -> list[Group]:
    """``context``: what the deployment knows beyond the config files: files at container
    paths, rendered templates, ConfigMap entries (``extra_nginx``), versions."""
    sources = context.sources if context is not None else None
    extra_nginx = context.extra_nginx if context is not None else []
    hosts = context.known_hosts if context is not None else frozenset()
    foreign = context.foreign_hosts if context is not None else frozenset()
    from gwlint.config import matches
    from gwlint.loaders.nginx import group_roots, load_nginx

    config, facts = settings.config, settings.facts
    groups: list[Group] = []
    nginx_pool = list(dict.fromkeys([*inventory.nginx, *(extra_nginx or [])]))
    app_pool = list(apps)
    for deployment in config.deployments:
        group = Group()
        group.nginx_roots = [
            p for p in nginx_pool if any(matches(g, p, config.root) for g in deployment.nginx)
        ]
        mine = [
            item
            for item in app_pool
            if any(matches(g, item[0], config.root) for g in deployment.app)
        ]
        if not group.nginx_roots and not mine:
            continue
        group.apps = [app for _, app in mine]
        nginx_pool = [p for p in nginx_pool if p not in group.nginx_roots]
        app_pool = [item for item in app_pool if item not in mine]
        groups.append(group)
    configured = len(groups)
    lexed: dict[str, Lexed] = {}  # every nginx file is lexed once, for grouping and loading
    if nginx_pool:
        snippets_of = snippet_roots if named and sysroot is None else None
        others = snippets_of() if snippets_of is not None else []
        for roots in group_roots(
            nginx_pool,
            others,
            settings.nginx_prefix,
            lexed,
            sources=sources,
            placeholders=problems.placeholders,
        ):
            groups.append(Group(nginx_roots=roots))
    for group in groups:
        if group.nginx_roots:
            nginx_facts = settings.facts_at(group.nginx_roots[0])
            if context is not None:
                nginx_facts = context.versions.facts_for(nginx_facts, "nginx", group.nginx_roots[0])
            group.nginx = load_nginx(
                group.nginx_roots,
                nginx_facts,
                problems,
                prefix=settings.nginx_prefix,
                sysroot=sysroot,
                lexed=lexed,
                sources=sources,
            )
            homes = [os.path.dirname(os.path.abspath(r)) for r in group.nginx_roots]
            group.home = os.path.commonpath(homes)
    groups.extend(_fronts(inventory, problems, settings))
    automatic = groups[configured:]
    reached = {id(g): _socket_keys(g) for g in automatic}
    under: dict[str, list[Group]] = {}  # folder -> the deployments at home in it or below
    for g in automatic:
        for folder in ancestors(g.home):
            under.setdefault(folder, []).append(g)
    projects: dict[int, frozenset[str]] = {}
    if context is not None:
        for g in automatic:
            projects[id(g)] = frozenset().union(*(context.projects_of(r) for r in g.roots))
    orphans: list[AppServer] = []
    for path, app in app_pool:
        listening = {key for listener in app.listeners if (key := _key(listener.address))}
        here = os.path.dirname(os.path.abspath(path))
        # never across compose projects (or manifest folders): two projects of a monorepo
        # both on port 8000 are two deployments; where a side's project is not known, the
        # folder tree decides
        own = frozenset[str]()
        if context is not None:
            container = context.app_containers.get((app.path, app.launcher or ""))
            own = context.projects_of(path, container)
        related = [
            g for g in automatic if not own or not projects.get(id(g)) or own & projects[id(g)]
        ]
        # the deployments whose routes certainly reach this app (same port or socket first:
        # pairing is exact); of several (two projects on 127.0.0.1:8000), the closest in the
        # folder tree: paired rank by rank, so that a repository with hundreds of deployments
        # on one port pairs each app with its own, not with all of them
        candidates = [g for g in related if reached[id(g)] & listening]
        # reached by the routes of another project only: on its own, never the closest
        # deployment by default
        elsewhere = not candidates and any(reached[id(g)] & listening for g in automatic)
        pool: list[Group] = []
        for rank in by_closeness(here, candidates, under):
            pool = [g for g in rank if _reaches(g, app, facts, hosts, foreign)]
            if pool:
                break
        if elsewhere:
            pass
        elif not pool and len(related) == 1 and len(automatic) == 1:
            pool = list(related)
        elif not pool and related:
            # reached by none: the closest deployment, unless several are as close (then it
            # is checked on its own)
            closest = next(by_closeness(here, related, under))
            pool = closest if len(closest) == 1 else []
        for group in pool:
            group.apps.append(app)
        if not pool:
            orphans.append(app)
    if orphans:
        groups.append(Group(apps=orphans))
    return groups


def _fronts(inventory: Inventory, problems: Problems, settings: Settings) -> list[Group]:
    """One deployment per Apache httpd configuration (its root files) and per Caddy config (a
    Caddyfile another one imports is read there, not on its own)."""
    found: list[Group] = []
    if inventory.apache:
        from gwlint.loaders.apache import group_apache, load_apache

        for roots in group_apache(inventory.apache):
            found.append(Group(front_roots=roots, front=load_apache(roots, problems)))
    if inventory.caddy:
        from gwlint.loaders.caddy import load_caddy

        imported: set[str] = set()
        caddy: list[Group] = []
        # the files named Caddyfile first: they import the others, which are then not read alone
        ordered = sorted(inventory.caddy, key=lambda p: os.path.basename(p).lower() != "caddyfile")
        for path in ordered:
            if os.path.realpath(path) in imported:
                continue
            config = load_caddy(path, problems, env=settings.facts_at(path).env)
            imported.update(os.path.realpath(other) for other in config.files[1:])
            caddy.append(Group(front_roots=[path], front=config))
        found.extend(g for g in caddy if os.path.realpath(g.front_roots[0]) not in imported)
    for group in found:
        homes = [os.path.dirname(os.path.abspath(r)) for r in group.front_roots]
        group.home = os.path.commonpath(homes)
    return found


def _reaches(
    group: Group,
    app: AppServer,
    facts: Facts,
    hosts: frozenset[str],
    foreign: frozenset[str],
) -> bool:
    """Does a route of the group's proxy certainly reach one of ``app``'s listeners?"""
    from gwlint.model.deployment import pair

    paired = pair(group.nginx, (app,), facts, hosts, foreign, front=group.front)
    return any(link.certain for link in paired.links) or any(
        link.certain for link in paired.front_links
    )


def _key(address: Address) -> tuple[str, object] | None:
    """What two addresses must share to pair for certain: a TCP port, or a socket path."""
    if address.kind == "tcp" and address.port is not None:
        return ("tcp", address.port)
    if address.kind == "unix" and address.path:
        return ("unix", os.path.basename(address.path))
    return None


def _socket_keys(group: Group) -> set[tuple[str, object]]:
    keys: set[tuple[str, object]] = set()
    if group.nginx is not None:
        keys.update(
            key
            for route in group.nginx.routes
            for server in route.target.servers
            if (key := _key(server.address))
        )
    if group.front is not None:
        keys.update(
            key
            for front_route in group.front.routes
            for server in front_route.servers
            if (key := _key(server.address))
        )
    return keys


def group_facts(group: Group, facts: Facts, context: Context) -> Facts:
    """The facts a deployment is checked with: the versions its nginx and its first app
    server run (the same ones they were read with)."""
    from gwlint.deployment.context import container_facts

    versions = context.versions
    if group.nginx_roots:
        facts = versions.facts_for(facts, "nginx", group.nginx_roots[0])
    for app in group.apps:
        container = context.app_containers.get((app.path, app.launcher or ""))
        facts = container_facts(facts, container)
        if app.kind in ("gunicorn", "uwsgi"):
            return versions.facts_for(facts, app.kind, app.path)
    return facts
