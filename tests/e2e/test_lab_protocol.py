"""The lab for the protocol rules (GW4xx) beyond tests/e2e/test_scenarios.py: uvicorn behind
uwsgi_pass (GW402), gunicorn's uwsgi protocol behind proxy_pass (GW403), a scheme that does not
match the app's TLS, both ways, with gunicorn and uvicorn (GW406), a proxy_pass with variables and
no resolver (GW407), a host name that does not resolve when nginx starts (GW408), and localhost
resolving to ::1 and 127.0.0.1 in front of an app on 127.0.0.1 only (GW410).

Each scenario checks that gwlint reports the rule, that the real servers show the status and log
lines the rule's claims state, and that gwlint's own fix makes gwlint quiet and the failure go."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.evidence import Evidence
from tests.e2e.harness import Lab, Proc, in_parallel, log_line, missing
from tests.e2e.scenario import IN, UWSGI_PASS, Site, claimed, fix_of, one, record, site

pytestmark = pytest.mark.e2e

UVICORN_INVALID = "WARNING:  Invalid HTTP request received."
PREMATURELY = "upstream prematurely closed connection while reading response header from upstream"
SSL_WRONG_VERSION = (
    "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL "
    "handshaking to upstream"
)
REFUSED = "connect() failed (111: Connection refused) while connecting to upstream"
DISABLED = "upstream server temporarily disabled while connecting to upstream"


def _uvicorn(lab: Lab, s: Site, name: str = "uvicorn") -> Proc:
    """The ``web:`` command of the site's Procfile, as written, with the lab's uvicorn."""
    line = next(
        line.partition(":")[2].strip()
        for line in (s.folder / "Procfile").read_text().splitlines()
        if line.startswith("web:")
    )
    argv = line.split()
    assert argv[0] == "uvicorn", line
    argv[0] = lab.tools.need_uvicorn()
    return lab.start(name, argv, cwd=s.folder, ready=r"Uvicorn running on", port=s.app)


def _record(evidence: Evidence, lab: Lab, *, servers: str | None = None, **kwargs: Any) -> None:
    """``record``, with the ports of the lab's names (``localhost:PORT``, ``[::1]:PORT``) out of
    gwlint's words, as evidence.normalise does for 127.0.0.1; ``servers`` replaces the
    servers line (a scenario without an app server)."""
    diagnostic = kwargs.get("diagnostic")
    if diagnostic is not None:
        kwargs["diagnostic"] = {**diagnostic, "message": _no_ports(diagnostic["message"])}
    kwargs["fix"] = _no_ports(kwargs["fix"])
    record(evidence, lab, **kwargs)
    if servers is not None:
        evidence.observations[-1].servers = servers


def _no_ports(text: str) -> str:
    return re.sub(r"(localhost|\]|\.invalid):\d{2,5}\b", r"\1:PORT", text)


def _self_signed(folder: Path) -> None:
    """cert.pem and key.pem in ``folder``, a self-signed certificate for 127.0.0.1."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    openssl = shutil.which("openssl")
    if openssl is not None:
        argv = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt"]
        argv += ["ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out", str(cert)]
        argv += ["-days", "2", "-subj", "/CN=127.0.0.1"]
        subprocess.run(
            argv,
            check=True,
            capture_output=True,
            timeout=30,
        )
    else:
        _self_signed_with_cryptography(cert, key)
    assert cert.is_file(), cert
    assert key.is_file(), key


def _self_signed_with_cryptography(cert: Path, key: Path) -> None:
    try:
        import datetime

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        missing("the openssl command (or the cryptography package), to make a certificate")
        return
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


# ---------------------------------------------------------------------------------------------
# GW402: uwsgi_pass to uvicorn


def test_gw402_uwsgi_pass_to_uvicorn(lab: Lab, evidence: Evidence) -> None:
    """uvicorn (h11) rejects the uwsgi packet at once: 400, which nginx passes on."""
    location = "location / {{\n    " + UWSGI_PASS.replace("\n", "\n    ") + "\n}}"
    procfile = "web: uvicorn --interface wsgi --host 127.0.0.1 --port {app} app:app\n"
    s = site(lab, "gw402-uvicorn", location, {"Procfile": procfile})
    diagnostic = one(s.lint("GW402", "nginx.conf", "Procfile"), "GW402")
    expect = claimed("GW402", "gw402-uvicorn", 400, UVICORN_INVALID)
    assert "uvicorn answers 400" in diagnostic["message"], diagnostic["message"]
    uvicorn = _uvicorn(lab, s)
    nginx = s.start_nginx()
    broken = s.get("/")
    assert str(broken.status) == expect, broken
    assert broken.body == b"Invalid HTTP request received.", broken
    line = log_line(uvicorn, UVICORN_INVALID)

    use = fix_of(diagnostic, r"^use proxy_pass http://(127\.0\.0\.1:\d+) here")
    s.edit(
        "nginx.conf",
        UWSGI_PASS.format(app=s.app).replace("\n", IN),
        f"proxy_pass http://{use.group(1)};",
    )
    assert s.lint("GW402", "nginx.conf", "Procfile") == []
    lab.stop(nginx)
    s.start_nginx()
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    _record(
        evidence,
        lab,
        id="gw402-uvicorn",
        code="GW402",
        variant="uvicorn (HTTP)",
        scenario="`uwsgi_pass` to uvicorn (`uvicorn --interface wsgi`, started by a Procfile), "
        "which speaks HTTP only.",
        app="uvicorn (--interface wsgi, h11)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /",
        predicted_=expect,
        reply=broken,
        logs=[("uvicorn", line)],
        fix=f"`{use.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}",
    )


# ---------------------------------------------------------------------------------------------
# GW403: proxy_pass to gunicorn speaking uwsgi


def test_gw403_proxy_pass_to_gunicorn_uwsgi(lab: Lab, evidence: Evidence) -> None:
    s = site(
        lab,
        "gw403-gunicorn",
        "location / {{\n    proxy_pass http://127.0.0.1:{app};\n}}",
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\nprotocol = 'uwsgi'\n"},
    )
    diagnostic = one(s.lint("GW403", "nginx.conf", "gunicorn.conf.py"), "GW403")
    no_uri = "Error handling request (no URI read)"
    modifier = "Unsupported uWSGI modifier1: 71"
    expect = claimed("GW403", "gw403-gunicorn", 500, no_uri, modifier)
    assert "gunicorn answers 500" in diagnostic["message"], diagnostic["message"]
    gunicorn = lab.gunicorn(s.folder, "app:app")
    nginx = s.start_nginx()
    broken = s.get("/")
    assert str(broken.status) == expect, broken
    logs = [("gunicorn", log_line(gunicorn, no_uri)), ("gunicorn", log_line(gunicorn, modifier))]

    use = fix_of(diagnostic, r"^use uwsgi_pass (127\.0\.0\.1:\d+) \(with include uwsgi_params\)")
    s.edit(
        "nginx.conf",
        f"proxy_pass http://127.0.0.1:{s.app};",
        f"include uwsgi_params;{IN}uwsgi_pass {use.group(1)};",
    )
    assert s.lint("GW403", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(nginx)
    s.start_nginx()
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    _record(
        evidence,
        lab,
        id="gw403-gunicorn",
        code="GW403",
        variant="gunicorn protocol = 'uwsgi'",
        scenario="`proxy_pass` (HTTP) to gunicorn with `protocol = 'uwsgi'`.",
        app="gunicorn (sync worker)",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /",
        predicted_=expect,
        reply=broken,
        logs=logs,
        fix=f"`{use.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}",
    )


# ---------------------------------------------------------------------------------------------
# GW406: proxy_pass scheme against the app's TLS


def test_gw406_scheme_mismatch(lab: Lab, evidence: Evidence) -> None:
    """Both ways, with gunicorn and with uvicorn: four sites, run side by side."""
    tls = "{folder}/cert.pem"
    key = "{folder}/key.pem"
    uvicorn = "web: uvicorn --interface wsgi --host 127.0.0.1 --port {app}"
    sites = {
        "gw406-https-to-plain": site(
            lab,
            "gw406-https-to-plain",
            "location / {{\n    proxy_pass https://127.0.0.1:{app};\n}}",
            {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n"},
        ),
        "gw406-http-to-tls": site(
            lab,
            "gw406-http-to-tls",
            "location / {{\n    proxy_pass http://127.0.0.1:{app};\n}}",
            {
                "gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n"
                f"certfile = '{tls}'\nkeyfile = '{key}'\n"
            },
        ),
        "gw406-https-to-plain-uvicorn": site(
            lab,
            "gw406-https-to-plain-uvicorn",
            "location / {{\n    proxy_pass https://127.0.0.1:{app};\n}}",
            {"Procfile": f"{uvicorn} app:app\n"},
        ),
        "gw406-http-to-tls-uvicorn": site(
            lab,
            "gw406-http-to-tls-uvicorn",
            "location / {{\n    proxy_pass http://127.0.0.1:{app};\n}}",
            {"Procfile": f"{uvicorn} --ssl-certfile {tls} --ssl-keyfile {key} app:app\n"},
        ),
    }
    for name in ("gw406-http-to-tls", "gw406-http-to-tls-uvicorn"):
        _self_signed(sites[name].folder)
    files = {name: "Procfile" if "uvicorn" in name else "gunicorn.conf.py" for name in sites}
    diagnostics = {
        name: one(s.lint("GW406", "nginx.conf", files[name]), "GW406") for name, s in sites.items()
    }
    logs_of = {
        "gw406-https-to-plain": [
            ("nginx error.log", SSL_WRONG_VERSION),
            ("gunicorn", "Invalid HTTP request line"),
        ],
        "gw406-http-to-tls": [
            ("gunicorn", "[SSL: HTTP_REQUEST] http request"),
            ("nginx error.log", PREMATURELY),
        ],
        "gw406-https-to-plain-uvicorn": [
            ("nginx error.log", SSL_WRONG_VERSION),
            ("uvicorn", UVICORN_INVALID),
        ],
        "gw406-http-to-tls-uvicorn": [("nginx error.log", PREMATURELY)],
    }
    expect = {
        name: claimed("GW406", name, 502, *(text for _, text in logs_of[name])) for name in sites
    }
    apps = {
        name: _uvicorn(lab, s) if files[name] == "Procfile" else lab.gunicorn(s.folder, "app:app")
        for name, s in sites.items()
    }
    nginxes = {name: s.start_nginx() for name, s in sites.items()}
    names = list(sites)
    replies = dict(zip(names, in_parallel(*(sites[name].get for name in names)), strict=True))
    observed: dict[str, list[tuple[str, str]]] = {}
    for name, s in sites.items():
        assert str(replies[name].status) == expect[name], (name, replies[name])
        observed[name] = [
            (where, s.nginx_log(text) if where.startswith("nginx") else log_line(apps[name], text))
            for where, text in logs_of[name]
        ]
    # uvicorn with TLS drops the plain request without a log line
    assert "Invalid HTTP request" not in apps["gw406-http-to-tls-uvicorn"].text()

    # gwlint's fix: the scheme that matches the app
    fixes = {}
    for name, s in sites.items():
        https = name.startswith("gw406-https")
        scheme, other = ("http", "https") if https else ("https", "http")
        pattern = rf"^use proxy_pass {scheme}://(127\.0\.0\.1:\d+) \("
        found = fix_of(diagnostics[name], pattern)
        fixes[name] = found.group(0).removesuffix(" (")
        s.edit(
            "nginx.conf",
            f"proxy_pass {other}://127.0.0.1:{s.app};",
            f"proxy_pass {scheme}://{found.group(1)};",
        )
        assert s.lint("GW406", "nginx.conf", files[name]) == [], name
    lab.stop(*nginxes.values())
    for s in sites.values():
        s.start_nginx()
    fixed = {name: s.get("/") for name, s in sites.items()}
    for name, reply in fixed.items():
        assert reply.status == 200, (name, reply)

    described = {
        "gw406-https-to-plain": (
            "https:// to plain gunicorn",
            "`proxy_pass https://` to gunicorn without TLS.",
            "gunicorn (sync worker)",
        ),
        "gw406-http-to-tls": (
            "http:// to gunicorn with TLS",
            "`proxy_pass http://` to gunicorn with `certfile` and `keyfile` (a self-signed "
            "certificate).",
            "gunicorn (sync worker)",
        ),
        "gw406-https-to-plain-uvicorn": (
            "https:// to plain uvicorn",
            "`proxy_pass https://` to uvicorn without TLS (a Procfile).",
            "uvicorn (--interface wsgi, h11)",
        ),
        "gw406-http-to-tls-uvicorn": (
            "http:// to uvicorn with TLS",
            "`proxy_pass http://` to uvicorn with `--ssl-certfile` and `--ssl-keyfile` (a "
            "self-signed certificate); uvicorn logs nothing for the plain request.",
            "uvicorn (--interface wsgi, h11)",
        ),
    }
    for name, s in sites.items():
        variant, scenario, app = described[name]
        _record(
            evidence,
            lab,
            id=name,
            code="GW406",
            variant=variant,
            scenario=scenario,
            app=app,
            nginx=s.nginx,
            diagnostic=diagnostics[name],
            request_="GET /",
            predicted_=expect[name],
            reply=replies[name],
            logs=observed[name],
            fix=f"`{fixes[name]}` (gwlint's fix)",
            fixed=f"gwlint quiet; {fixed[name].status}",
        )


# ---------------------------------------------------------------------------------------------
# GW407: variables in proxy_pass, no resolver


def test_gw407_variables_without_resolver(lab: Lab, evidence: Evidence) -> None:
    s = site(
        lab,
        "gw407",
        "location / {{\n    proxy_pass http://localhost:{app}$request_uri;\n}}",
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n"},
    )
    diagnostic = one(s.lint("GW407", "nginx.conf", "gunicorn.conf.py"), "GW407")
    no_resolver = "no resolver defined to resolve"
    expect = claimed("GW407", "gw407-localhost", 502, no_resolver)
    assert "502" in diagnostic["message"], diagnostic["message"]
    lab.gunicorn(s.folder, "app:app")
    nginx = s.start_nginx()
    broken = s.get("/")
    assert str(broken.status) == expect, broken
    line = s.nginx_log(f"{no_resolver} localhost")

    write = fix_of(diagnostic, r"^write (127\.0\.0\.1) instead of localhost")
    s.edit("nginx.conf", "http://localhost:", f"http://{write.group(1)}:")
    assert s.lint("GW407", "nginx.conf", "gunicorn.conf.py") == []
    lab.stop(nginx)
    s.start_nginx()
    fixed = s.get("/")
    assert fixed.status == 200, fixed
    _record(
        evidence,
        lab,
        id="gw407-localhost",
        code="GW407",
        variant="localhost with $request_uri",
        scenario="`proxy_pass http://localhost:PORT$request_uri` (a variable), no `resolver`; "
        "gunicorn on 127.0.0.1.",
        app="gunicorn",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="GET /",
        predicted_=expect,
        reply=broken,
        logs=[("nginx error.log", line)],
        fix=f"`{write.group(0)}` (gwlint's fix)",
        fixed=f"gwlint quiet; {fixed.status}",
    )


# ---------------------------------------------------------------------------------------------
# GW408: a host name nginx resolves only at start


def test_gw408_host_not_found_at_start(lab: Lab, evidence: Evidence) -> None:
    """A name that does not resolve (.invalid, RFC 6761) stops nginx at start; gwlint's fix (an
    upstream server marked resolve) lets it start and resolve the name later."""
    host = "gw408-app.invalid"
    s = site(lab, "gw408", f"location / {{{{\n    proxy_pass http://{host}:{{app}};\n}}}}", {})
    diagnostic = one(s.lint("GW408", "nginx.conf"), "GW408")
    not_found = "host not found in upstream"
    expect = claimed("GW408", "gw408-not-found", None, not_found)
    assert "nginx does not start" in diagnostic["message"], diagnostic["message"]
    with pytest.raises(RuntimeError, match="exited at start") as failed:
        s.start_nginx()
    line = next(ln for ln in str(failed.value).splitlines() if not_found in ln)
    assert f'{not_found} "{host}"' in line, line

    fix = fix_of(
        diagnostic,
        r"^if the app's address can change: add upstream (\w+) \{ zone \1 64k; server (\S+) "
        r"resolve; \} and (a resolver with your DNS server's address) \(.*\) in http \{\}, and "
        r"write \1 instead of \2 in proxy_pass \(proxy_pass (http://\w+);\)$",
    )
    name, address, new_pass = fix.group(1), fix.group(2), fix.group(4)
    assert address == f"{host}:{s.app}", address
    # nothing answers DNS there: nginx starts all the same and resolves the name at run time
    dns = f"127.0.0.1:{s.app}"
    s.edit(
        "nginx.conf",
        "    server {\n",
        f"    resolver {dns} valid=10s;\n    upstream {name} {{\n        zone {name} 64k;\n"
        f"        server {address} resolve;\n    }}\n    server {{\n",
    )
    s.edit("nginx.conf", f"proxy_pass http://{address};", f"proxy_pass {new_pass};")
    assert s.lint("GW408", "nginx.conf") == []
    s.start_nginx()  # raises if nginx does not start
    _record(
        evidence,
        lab,
        id="gw408-not-found",
        code="GW408",
        variant="a name that does not resolve at start",
        scenario=f"`proxy_pass http://{host}:PORT` (the name does not resolve: `.invalid`).",
        app="none",
        servers=f"nginx {s.nginx.version}",
        nginx=s.nginx,
        diagnostic=diagnostic,
        request_="(nginx starts)",
        predicted_=expect,
        reply="nginx does not start (exit 1)",
        logs=[("nginx", line)],
        fix=f"`{fix.group(0)}` (gwlint's fix), with `resolver 127.0.0.1:PORT`, where nothing "
        "answers",
        fixed="gwlint quiet; nginx starts",
    )


# ---------------------------------------------------------------------------------------------
# GW410: localhost is ::1 and 127.0.0.1, the app listens on 127.0.0.1 only

DEBIAN_HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def _localhost_is_both() -> bool:
    """Does this machine's resolver give localhost both ::1 and 127.0.0.1?"""
    try:
        found = socket.getaddrinfo("localhost", None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return {socket.AF_INET, socket.AF_INET6} <= {family for family, *_ in found}


def _nginx_with_hosts(lab: Lab, s: Site, hosts: Path | None) -> Proc:
    """nginx for the site; with ``hosts``, in a private mount namespace where that file is
    /etc/hosts (the machine's own stays untouched)."""
    if hosts is None:
        return s.start_nginx()
    (s.folder / "tmp").mkdir(exist_ok=True)
    argv = [s.nginx.path, "-p", f"{s.folder}/", "-c", str(s.folder / "nginx.conf")]
    argv += ["-e", str(s.folder / "logs" / "nginx-error.log"), "-g", "daemon off;"]
    unshare = shutil.which("unshare")
    assert unshare is not None
    wrapper = [unshare, "--mount", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"']
    return lab.start("nginx", [*wrapper, str(hosts), *argv], cwd=s.folder, port=s.port)


def _hosts_for_nginx(lab: Lab) -> Path | None:
    """None when this machine's /etc/hosts already gives localhost both addresses; else a hosts
    file that does (Debian's lines), for nginx to run with in a private mount namespace."""
    if _localhost_is_both():
        return None
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.fail(
            "localhost resolves to 127.0.0.1 only here, and a private mount namespace (root, "
            "unshare) to give nginx a hosts file with ::1 is not available"
        )
    hosts = lab.root / "hosts"
    hosts.write_text(DEBIAN_HOSTS)
    return hosts


def test_gw410_localhost_refused_on_ipv6(lab: Lab, evidence: Evidence) -> None:
    """nginx tries ::1 first; gunicorn listens on 127.0.0.1 only. With the default
    proxy_next_upstream nginx retries on 127.0.0.1 (200); without retries, 502."""
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback (::1) on this machine")
    hosts = _hosts_for_nginx(lab)
    retry = site(
        lab,
        "gw410",
        "location / {{\n    proxy_pass http://localhost:{app};\n}}",
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n"},
    )
    no_retry = site(
        lab,
        "gw410-no-retry",
        "location / {{\n    proxy_next_upstream off;\n    proxy_pass http://localhost:{app};\n}}",
        {"gunicorn.conf.py": "bind = '127.0.0.1:{app}'\n"},
    )
    sites = {"gw410-localhost": retry, "gw410-no-retry": no_retry}
    diagnostics = {
        name: one(s.lint("GW410", "nginx.conf", "gunicorn.conf.py"), "GW410")
        for name, s in sites.items()
    }
    assert diagnostics["gw410-localhost"]["severity"] == "info"
    assert diagnostics["gw410-no-retry"]["severity"] == "warning"
    ipv6_upstream = 'upstream: "http://[::1]:'
    expect = {
        "gw410-localhost": claimed(
            "GW410", "gw410-localhost", 200, REFUSED, ipv6_upstream, DISABLED
        ),
        "gw410-no-retry": claimed("GW410", "gw410-no-retry", 502, REFUSED),
    }
    for s in sites.values():
        lab.gunicorn(s.folder, "app:app")
    nginxes = [_nginx_with_hosts(lab, s, hosts) for s in sites.values()]
    # two requests each: round robin takes each address once, whichever order it has
    tried = {name: [s.get("/"), s.get("/")] for name, s in sites.items()}
    assert [r.status for r in tried["gw410-localhost"]] == [200, 200], tried
    failed = [r for r in tried["gw410-no-retry"] if r.status != 200]
    assert [str(r.status) for r in failed] == [expect["gw410-no-retry"]], tried
    replies = {"gw410-localhost": tried["gw410-localhost"][0], "gw410-no-retry": failed[0]}
    logs: dict[str, list[tuple[str, str]]] = {}
    for name, s in sites.items():
        refused = s.nginx_log(REFUSED)
        assert f"{ipv6_upstream}{s.app}/" in refused, refused  # the attempt on ::1
        logs[name] = [("nginx error.log", refused.replace(f"[::1]:{s.app}", "[::1]:PORT"))]
    disabled = retry.nginx_log(DISABLED)
    logs["gw410-localhost"].append(("nginx error.log", disabled.replace(f":{retry.app}", ":PORT")))

    fixes = {}
    for name, s in sites.items():
        point = fix_of(diagnostics[name], r"^point proxy_pass at (127\.0\.0\.1:\d+) instead of")
        fixes[name] = point.group(0).removesuffix(" instead of")
        s.edit("nginx.conf", f"http://localhost:{s.app};", f"http://{point.group(1)};")
        assert s.lint("GW410", "nginx.conf", "gunicorn.conf.py") == [], name
    lab.stop(*nginxes)
    before = {name: _count(s, REFUSED) for name, s in sites.items()}
    for s in sites.values():
        _nginx_with_hosts(lab, s, hosts)
    fixed = {name: [s.get("/"), s.get("/"), s.get("/")] for name, s in sites.items()}
    for name, s in sites.items():
        assert [r.status for r in fixed[name]] == [200, 200, 200], (name, fixed[name])
        assert _count(s, REFUSED) == before[name], name  # nothing refused any more

    described = {
        "gw410-localhost": (
            "proxy_next_upstream default (error timeout)",
            "`proxy_pass http://localhost:PORT`; gunicorn binds 127.0.0.1 only.",
        ),
        "gw410-no-retry": (
            "proxy_next_upstream off",
            "`proxy_pass http://localhost:PORT` with `proxy_next_upstream off`; gunicorn binds "
            "127.0.0.1 only.",
        ),
    }
    where_hosts = (
        "this machine's /etc/hosts gives localhost ::1 and 127.0.0.1"
        if hosts is None
        else "nginx runs with Debian's /etc/hosts lines (127.0.0.1 and ::1 for localhost) "
        "bind-mounted in a private mount namespace, as this machine's lists only 127.0.0.1"
    )
    for name, s in sites.items():
        variant, scenario = described[name]
        _record(
            evidence,
            lab,
            id=name,
            code="GW410",
            variant=variant,
            scenario=f"{scenario} {where_hosts[0].upper()}{where_hosts[1:]}.",
            app="gunicorn (sync worker)",
            nginx=s.nginx,
            diagnostic=diagnostics[name],
            request_="GET / twice (nginx takes ::1 and 127.0.0.1 in turn)",
            predicted_=expect[name],
            reply=replies[name],
            logs=logs[name],
            fix=f"`{fixes[name]}` (gwlint's fix)",
            fixed="gwlint quiet; 200 three times, nothing refused",
        )


def _count(s: Site, text: str) -> int:
    path = s.folder / "logs" / "nginx-error.log"
    return sum(text in line for line in path.read_text().splitlines()) if path.exists() else 0
