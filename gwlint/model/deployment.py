"""A deployment: the proxy side (nginx, or Apache httpd or Caddy), the app servers, and which
route reaches which app listener.

Pairing is by address: unix paths equal; TCP ports equal and hosts equal, or the app binds a
wildcard (``0.0.0.0``, ``::``, empty host), or both are loopback (``localhost`` = ``127.0.0.1`` =
``::1``); an upstream ``server`` without a port means 80. A host name that DNS alone could decide
pairs as *maybe*; a route never pairs with an app that only listens on loopback from another host.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from gwlint.model.address import LOOPBACK_HOSTS, Address, Match, is_ip, match
from gwlint.model.appserver import AppServer, Listener
from gwlint.model.facts import Facts
from gwlint.model.nginx import NginxConfig, Route, UpstreamServer

if TYPE_CHECKING:
    # (Apache httpd and Caddy: their model is imported by their loaders, not by every check)
    from gwlint.model.front import FrontConfig, FrontRoute


class Link(NamedTuple):
    """``route`` connects to ``server`` (an upstream entry or its direct target) = ``listener``."""

    route: Route
    server: UpstreamServer
    app: AppServer
    listener: Listener
    certain: bool  # False when only DNS could confirm the addresses are the same

    @property
    def same_protocol(self) -> bool:
        return self.route.protocol == self.listener.protocol


class FrontLink(NamedTuple):
    """A route of Apache httpd or Caddy (``model.front``) connects to ``server`` = ``listener``."""

    route: FrontRoute
    server: UpstreamServer
    app: AppServer
    listener: Listener
    certain: bool

    @property
    def same_protocol(self) -> bool:
        return self.route.protocol == self.listener.protocol


L = TypeVar("L", Link, FrontLink)


class Deployment(NamedTuple):
    nginx: NginxConfig | None
    apps: tuple[AppServer, ...]
    facts: Facts
    links: tuple[Link, ...]
    # host names of the deployment's containers (compose services, Kubernetes Services): a
    # route to one that runs no app server here is another service's (a frontend, redis)
    known_hosts: frozenset[str] = frozenset()
    # those known to run something else than an app gwlint did not place (reach's)
    foreign_hosts: frozenset[str] = frozenset()
    # the proxy in front when it is Apache httpd or Caddy, and its routes' links to the apps
    front: FrontConfig | None = None
    front_links: tuple[FrontLink, ...] = ()

    def elsewhere(self, address: Address) -> bool:
        """Is ``address`` the name of a container none of this deployment's apps runs in?"""
        host = address.host or ""
        if address.kind != "tcp" or host not in self.known_hosts:
            return False
        return not any(name == host for app in self.apps for name, _p, _t in app.hosts)

    @property
    def routes(self) -> tuple[Route, ...]:
        return self.nginx.routes if self.nginx is not None else ()

    def route_app_links(self) -> Iterator[Link]:
        """The best certain link of every (route, app) pair, one speaking the route's protocol
        when there is one: one finding per location and app, never on a guess."""
        yield from _best(self.links)

    def front_app_links(self) -> Iterator[FrontLink]:
        """As ``route_app_links``, for the routes of Apache httpd or Caddy."""
        yield from _best(self.front_links)

    def reaches_in_protocol(self, route: Route) -> bool:
        """Does some app listener, certain or maybe, take this route's requests in its protocol?"""
        return any(link.route is route and link.same_protocol for link in self.links)


def _best(links: tuple[L, ...]) -> Iterator[L]:
    """The best certain link of every (route, app) pair: one speaking the route's protocol when
    there is one."""
    best: dict[tuple[int, int], L] = {}
    for link in links:
        if not link.certain:
            continue
        key = (id(link.route), id(link.app))
        if key not in best or (link.same_protocol and not best[key].same_protocol):
            best[key] = link
    yield from best.values()


def reach(
    target: Address,
    app: AppServer,
    listener: Listener,
    foreign_hosts: frozenset[str] = frozenset(),
) -> Match:
    """Does a connection to ``target`` reach ``listener`` of ``app``? By the names containers
    reach each other by (a compose service, a Kubernetes Service and the container port it
    maps its port to) when the target is a host name the app is known by or the app runs in a
    container; else by address alone (``address.match``)."""
    host = target.host or ""
    named = target.kind == "tcp" and bool(host) and not is_ip(host) and host not in LOOPBACK_HOSTS
    if not named:
        return match(target, listener.address)
    if not app.hosts:
        # a container known to run something else is called so, and gwlint does not know
        # where this app runs: only what runs there could tell
        result = match(target, listener.address)
        return Match.MAYBE if result is Match.YES and host in foreign_hosts else result
    for name, port, to_port in app.hosts:
        if name != host:
            continue
        wanted = target.port if port is None else (to_port if target.port == port else None)
        address = listener.address
        if wanted is None or address.kind != "tcp" or address.port != wanted:
            continue
        # another container reaches it only where it listens beyond loopback
        return Match.NO if address.is_loopback else Match.YES
    return Match.NO  # the name of another container, or a port the app does not listen on


def _reached(
    server: UpstreamServer, apps: tuple[AppServer, ...], foreign_hosts: frozenset[str]
) -> Iterator[tuple[AppServer, Listener, bool]]:
    """The app listeners a connection to ``server`` may reach, and whether it certainly does."""
    found = [
        (app, listener, reach(server.address, app, listener, foreign_hosts))
        for app in apps
        for listener in app.listeners
    ]
    # two apps on one address (say 0.0.0.0:8000 in two containers): a host name reaches one
    # of them, and only DNS knows which
    sure = {id(app) for app, _, result in found if result is Match.YES}
    for app, listener, result in found:
        if result is not Match.NO:
            yield app, listener, result is Match.YES and len(sure) == 1


def pair(
    nginx: NginxConfig | None,
    apps: tuple[AppServer, ...],
    facts: Facts,
    known_hosts: frozenset[str] = frozenset(),
    foreign_hosts: frozenset[str] = frozenset(),
    front: FrontConfig | None = None,
) -> Deployment:
    links: list[Link] = []
    if nginx is not None:
        for route in nginx.routes:
            for server in route.target.servers:
                if "down" in server.params:
                    continue  # nginx sends nothing to a server marked down
                for app, listener, certain in _reached(server, apps, foreign_hosts):
                    links.append(
                        Link(
                            route=route, server=server, app=app, listener=listener, certain=certain
                        )
                    )
    front_links: list[FrontLink] = []
    if front is not None:
        for front_route in front.routes:
            for server in front_route.servers:
                for app, listener, certain in _reached(server, apps, foreign_hosts):
                    front_links.append(
                        FrontLink(
                            route=front_route,
                            server=server,
                            app=app,
                            listener=listener,
                            certain=certain,
                        )
                    )
    return Deployment(
        nginx=nginx,
        apps=apps,
        facts=facts,
        links=tuple(links),
        known_hosts=known_hosts,
        foreign_hosts=foreign_hosts,
        front=front,
        front_links=tuple(front_links),
    )
