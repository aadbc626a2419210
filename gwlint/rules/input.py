"""GW0xx: input problems. Loaders report them; these declarations give them docs and severity."""

from __future__ import annotations

from gwlint.model.diagnostics import Severity
from gwlint.rules.base import Rule

GW001 = Rule(
    code="GW001",
    name="nginx-parse-error",
    title="nginx config cannot be parsed",
    severity=Severity.ERROR,
)

GW002 = Rule(
    code="GW002",
    name="nginx-include-not-found",
    title="nginx include not found",
    severity=Severity.WARNING,
)

GW003 = Rule(
    code="GW003",
    name="gunicorn-config-invalid",
    title="gunicorn config is not valid Python, or sets a value gunicorn rejects",
    severity=Severity.ERROR,
)

GW004 = Rule(
    code="GW004",
    name="uwsgi-config-unreadable",
    title="uWSGI ini cannot be read",
    severity=Severity.ERROR,
)

GW005 = Rule(
    code="GW005",
    name="setting-not-statically-known",
    title="setting not statically known",
    severity=Severity.INFO,
)


GW006 = Rule(
    code="GW006",
    name="unused-suppression",
    title="a gwlint: ignore[...] comment that suppresses nothing",
    severity=Severity.INFO,
)

GW007 = Rule(
    code="GW007",
    name="invalid-suppression",
    title="a gwlint suppression without a reason, or with an unknown code",
    severity=Severity.WARNING,
)

GW008 = Rule(
    code="GW008",
    name="launcher-not-read",
    title="a file that starts the app server cannot be read, or points where gwlint cannot follow",
    severity=Severity.WARNING,
)

GW009 = Rule(
    code="GW009",
    name="config-reads-outside",
    title="a configuration file in the checked folders asks to read outside them",
    severity=Severity.WARNING,
)

GW010 = Rule(
    code="GW010",
    name="nothing-to-check",
    title="a path on the command line holds no config gwlint can check",
    severity=Severity.ERROR,
)

GW011 = Rule(
    code="GW011",
    name="one-side-only",
    title="only one side of the proxy and the app server among the inputs",
    severity=Severity.INFO,
)

RULES = (GW001, GW002, GW003, GW004, GW005, GW006, GW007, GW008, GW009, GW010, GW011)
