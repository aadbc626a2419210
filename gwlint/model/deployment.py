"""A deployment: the nginx side, the app servers, and which route reaches which app listener.

Pairing is by address: unix paths equal; TCP ports equal and hosts equal, or the app binds a
wildcard (``0.0.0.0``, ``::``, empty host), or both are loopback (``localhost`` = ``127.0.0.1`` =
``::1``); an upstream ``server`` without a port means 80. A host name that DNS alone could decide
pairs as *maybe*; a route never pairs with an app that only listens on loopback from another host.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from gwlint.model.address import Match, match
from gwlint.model.appserver import AppServer, Listener
from gwlint.model.facts import Facts
from gwlint.model.nginx import NginxConfig, Route, UpstreamServer


class Link(BaseModel):
    """``route`` connects to ``server`` (an upstream entry or its direct target) = ``listener``."""

    model_config = ConfigDict(frozen=True)

    route: Route
    server: UpstreamServer
    app: AppServer
    listener: Listener
    certain: bool  # False when only DNS could confirm the addresses are the same

    @property
    def same_protocol(self) -> bool:
        return self.route.protocol == self.listener.protocol


class Deployment(BaseModel):
    model_config = ConfigDict(frozen=True)

    nginx: NginxConfig | None
    apps: tuple[AppServer, ...]
    facts: Facts
    links: tuple[Link, ...]

    @property
    def routes(self) -> tuple[Route, ...]:
        return self.nginx.routes if self.nginx is not None else ()

    def route_app_links(self) -> Iterator[Link]:
        """The best certain link of every (route, app) pair, one speaking the route's protocol
        when there is one: one finding per location and app, never on a guess."""
        best: dict[tuple[int, int], Link] = {}
        for link in self.links:
            if not link.certain:
                continue
            key = (id(link.route), id(link.app))
            if key not in best or (link.same_protocol and not best[key].same_protocol):
                best[key] = link
        yield from best.values()

    def reaches_in_protocol(self, route: Route) -> bool:
        """Does some app listener, certain or maybe, take this route's requests in its protocol?"""
        return any(link.route is route and link.same_protocol for link in self.links)


def pair(nginx: NginxConfig | None, apps: tuple[AppServer, ...], facts: Facts) -> Deployment:
    links: list[Link] = []
    if nginx is not None:
        for route in nginx.routes:
            for server in route.target.servers:
                if "down" in server.params:
                    continue  # nginx sends nothing to a server marked down
                found = [
                    (app, listener, match(server.address, listener.address))
                    for app in apps
                    for listener in app.listeners
                ]
                # two apps on one address (say 0.0.0.0:8000 in two containers): a host name
                # reaches one of them, and only DNS knows which
                sure = {id(app) for app, _, result in found if result is Match.YES}
                for app, listener, result in found:
                    if result is Match.NO:
                        continue
                    links.append(
                        Link(
                            route=route,
                            server=server,
                            app=app,
                            listener=listener,
                            certain=result is Match.YES and len(sure) == 1,
                        )
                    )
    return Deployment(nginx=nginx, apps=apps, facts=facts, links=tuple(links))
