"""Several application hosts on this one machine, installed from deploy/ as an operator would:
network namespaces joined to the machine by veth pairs, the systemd units' commands run inside
them with the example environment file filled in, and Debian's nginx with deploy/'s site in
front over TLS with a test CA. Every address is inside the machine (10.213.x.0/24 veth pairs
and 127.0.0.0/8); nothing listens on any other.

PostgreSQL, Redis and the suite's SMTP server listen on 127.0.0.1 of the machine, which a
namespace cannot reach: a socat in the machine's namespace listens on each host's veth address
and forwards to 127.0.0.1, so the servers' own configuration stays as it is (PostgreSQL sees
connections from 127.0.0.1, which its pg_hba already trusts).

Without network namespaces (``ip netns add`` refused, or AVVIK_RELIABILITY_NO_NETNS=1) the
hosts are two gunicorns on two loopback ports behind the same nginx.
"""

from __future__ import annotations

import datetime as dt
import http.client
import ipaddress
import json
import os
import re
import shlex
import signal
import subprocess
import sysconfig
import time
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from reliability.environment import ROOT, WORK, free_port
from reliability.server import _alive, _children

DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/opt/avvik"  # where deploy/'s files expect the code (and its .venv)
SERVER_NAME = "avvik.example.no"
APP_PORT = 8000
SUBNET = "10.213"


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, check=check)


def namespaces_available() -> tuple[bool, str]:
    if os.environ.get("AVVIK_RELIABILITY_NO_NETNS") == "1":
        return False, "AVVIK_RELIABILITY_NO_NETNS=1"
    probe = f"avvik-probe-{os.getpid()}"
    made = run("ip", "netns", "add", probe, check=False)
    if made.returncode != 0:
        return False, (made.stderr or made.stdout).strip() or "ip netns add failed"
    run("ip", "netns", "del", probe, check=False)
    return True, ""


# --- deploy/'s files, read as systemd and an operator read them ------------------------------


def read_unit(name: str) -> dict[str, list[str]]:
    """The [Service] and [Timer] keys of a unit file (ExecStart may come several times)."""
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        key, _, value = line.partition("=")
        keys.setdefault(key.strip(), []).append(value.strip())
    return keys


def unit_commands(name: str, env: dict[str, str]) -> list[list[str]]:
    """The unit's ExecStart lines as argv, with ${VAR} from the environment file expanded as
    systemd does and the install directory replaced by this checkout."""
    keys = read_unit(name)
    assert keys["WorkingDirectory"] == [INSTALL_DIR], keys["WorkingDirectory"]
    assert keys["EnvironmentFile"] == ["/etc/avvik/avvik.env"], keys["EnvironmentFile"]
    commands = []
    for line in keys["ExecStart"]:
        line = re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), line)
        commands.append([arg.replace(INSTALL_DIR, str(ROOT)) for arg in shlex.split(line)])
    return commands


def read_env_file(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (double quotes around a value)."""
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        env[key.strip()] = value
    return env


def filled_env_example() -> tuple[dict[str, str], list[str]]:
    """deploy/avvik.env.example with each '# generate:' command run for the value below it,
    as an operator would; the settings and the commands that made the keys."""
    lines = (DEPLOY / "avvik.env.example").read_text().splitlines()
    out, commands, pending = [], [], None
    for line in lines:
        if line.startswith("# generate:"):
            pending = line.removeprefix("# generate:").strip().replace(INSTALL_DIR, str(ROOT))
        elif pending and re.match(r"^[A-Z_]+=$", line):
            made = subprocess.run(
                pending, shell=True, capture_output=True, text=True, check=True
            ).stdout.strip()
            assert made, f"{pending} made nothing"
            commands.append(pending)
            line, pending = line + made, None
        out.append(line)
    return read_env_file("\n".join(out)), commands


# --- TLS: a test CA and the proxy's certificate ------------------------------------------------


def make_certificates(directory: Path) -> Path:
    """CA and server certificate (for SERVER_NAME and 127.0.0.1) as deploy's site expects them
    (fullchain.pem, privkey.pem); the CA's certificate file for the clients."""
    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Avvik reliability test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(SERVER_NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / "privkey.pem").chmod(0o600)
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    return directory / "ca.pem"


# --- The hosts -----------------------------------------------------------------------------------


class Host:
    """One application host: its address, how to run a command on it, what runs there."""

    def __init__(self, number: int, namespaces: bool, label: str) -> None:
        self.number = number
        self.namespaces = namespaces
        self.label = label
        self.processes: dict[str, subprocess.Popen] = {}
        self.forwards: list[subprocess.Popen] = []
        tag = uuid.uuid4().hex[:4]
        if namespaces:
            self.netns = f"avvik-{tag}-{number}"
            self.outer, self.inner = f"av{tag}r{number}", f"av{tag}n{number}"
            self.gateway = f"{SUBNET}.{number}.1"  # the machine, seen from the host
            self.address = f"{SUBNET}.{number}.2"
            self.port = APP_PORT
            run("ip", "netns", "add", self.netns)
            run("ip", "link", "add", self.outer, "type", "veth", "peer", "name", self.inner)
            run("ip", "link", "set", self.inner, "netns", self.netns)
            run("ip", "addr", "add", f"{self.gateway}/24", "dev", self.outer)
            run("ip", "link", "set", self.outer, "up")
            run("ip", "-n", self.netns, "addr", "add", f"{self.address}/24", "dev", self.inner)
            run("ip", "-n", self.netns, "link", "set", self.inner, "up")
            run("ip", "-n", self.netns, "link", "set", "lo", "up")
        else:
            self.netns = None
            self.gateway = "127.0.0.1"
            self.address = "127.0.0.1"
            self.port = free_port()

    @property
    def bind(self) -> str:
        return f"{self.address}:{self.port}"

    def forward(self, port: int, to_port: int) -> None:
        """socat on the machine: gateway:port -> 127.0.0.1:to_port (namespaces only)."""
        if not self.namespaces:
            return
        self.forwards.append(
            subprocess.Popen(
                [
                    "socat",
                    f"TCP-LISTEN:{port},bind={self.gateway},reuseaddr,fork",
                    f"TCP:127.0.0.1:{to_port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(WORK / f"{self.label}-socat.log").open("a"),
                start_new_session=True,
            )
        )
        _wait_port(self.gateway, port)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (WORK / f"{self.label}-{name}.log").open("a")
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        # `ip netns exec` execs the command: the pid is the command's own (gunicorn's master).
        proc = subprocess.Popen(
            [*prefix, *argv], env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        self.processes[name] = proc
        return proc

    def run_once(self, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
        prefix = ["ip", "netns", "exec", self.netns] if self.netns else []
        return subprocess.run(
            [*prefix, *argv], env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )

    def health(self) -> int:
        try:
            conn = http.client.HTTPConnection(self.address, self.port, timeout=5)
            conn.request("GET", "/helse")
            status = conn.getresponse().status
            conn.close()
            return status
        except (OSError, http.client.HTTPException):
            return 0

    def wait_healthy(self, workers: int, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        web = self.processes["web"]
        while time.monotonic() < deadline:
            if web.poll() is not None:
                break
            if len(_children(web.pid)) >= workers and self.health() == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.label}: gunicorn did not come up; see its log in {WORK}")

    def crash(self) -> list[int]:
        """kill -9 of everything the host runs (gunicorn's master and workers, the mail
        sender), all at once, as a machine that loses its power."""
        pids = []
        for proc in self.processes.values():
            if proc.poll() is None:
                pids += [proc.pid, *_children(proc.pid)]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.processes.values():
            proc.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.05)
        self.processes = {}
        return pids

    def stop(self) -> None:
        for proc in [*self.processes.values(), *self.forwards]:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in [*self.processes.values(), *self.forwards]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.processes, self.forwards = {}, []

    def remove(self) -> None:
        self.stop()
        if self.netns:
            # Deleting the namespace deletes its end of the veth pair, and so the pair.
            run("ip", "netns", "del", self.netns, check=False)
            run("ip", "link", "del", self.outer, check=False)

    def request_ids(self) -> dict[str, int]:
        """request id -> status, from the app's own log lines on this host."""
        found = {}
        path = WORK / f"{self.label}-web.log"
        for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("logger") == "app.request":
                    found[entry["request_id"]] = entry["status"]
        return found


def _wait_port(host: str, port: int, seconds: float = 10) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {host}:{port}")


# --- nginx ----------------------------------------------------------------------------------------


class Proxy:
    """Debian's nginx with deploy/nginx/avvik.conf, templated only in addresses and paths, in
    a main configuration of its own (the machine's /etc/nginx/nginx.conf stays untouched)."""

    def __init__(self, hosts: list[Host], certificates: Path) -> None:
        self.dir = WORK / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
            (self.dir / "tmp" / sub).chmod(0o777)
        self.https_port = free_port()
        self.http_port = free_port()
        self.access_log = self.dir / "avvik-access.log"
        site = (DEPLOY / "nginx" / "avvik.conf").read_text()
        site_packages = sysconfig.get_paths()["purelib"] + "/"
        replacements = [
            ("server 10.0.0.11:8000", f"server {hosts[0].bind}"),
            ("server 10.0.0.12:8000", f"server {hosts[1].bind}"),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen [::]:80;", f"listen [::1]:{self.http_port};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            ("listen [::]:443 ssl http2;", f"listen [::1]:{self.https_port} ssl http2;"),
            ("/etc/ssl/avvik/", f"{certificates}/"),
            ("/var/log/nginx/", f"{self.dir}/"),
            (f"{INSTALL_DIR}/.venv/lib/python3.11/site-packages/", site_packages),
            (f"{INSTALL_DIR}/", f"{ROOT}/"),
        ]
        for old, new in replacements:
            assert old in site, f"deploy/nginx/avvik.conf no longer has {old!r}"
            site = site.replace(old, new)
        (self.dir / "avvik.conf").write_text(site)
        temp = self.dir / "tmp"
        (self.dir / "nginx.conf").write_text(
            f"""# The parts of Debian's /etc/nginx/nginx.conf the site relies on, with paths of
# the suite's own.
user www-data;
worker_processes 2;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log info;
include /etc/nginx/modules-enabled/*.conf;
events {{ worker_connections 768; }}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    server_tokens off;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.dir}/avvik.conf;
}}
"""
        )
        conf = str(self.dir / "nginx.conf")
        error_log = str(self.dir / "error.log")
        tested = run("nginx", "-t", "-q", "-e", error_log, "-c", conf, check=False)
        if tested.returncode != 0:
            raise RuntimeError(f"nginx -t refused the site: {tested.stderr}")
        run("nginx", "-e", error_log, "-c", conf)
        _wait_port("127.0.0.1", self.https_port)

    def pid(self) -> int | None:
        try:
            return int((self.dir / "nginx.pid").read_text())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGQUIT)  # graceful: finish what is in flight, then exit
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.1)

    def log_lines(self) -> list[dict[str, str]]:
        """The access log (deploy's 'avvik' format) as dicts."""
        pattern = re.compile(
            r"^(?P<msec>[\d.]+) (?P<addr>\S+) (?P<method>\S+) (?P<status>\d+) (?P<bytes>\d+) "
            r'rt=(?P<rt>\S+) up="(?P<up>[^"]*)" us="(?P<us>[^"]*)" urt="(?P<urt>[^"]*)" '
            r"id=(?P<id>\S+)$"
        )
        lines = []
        for line in self.access_log.read_text().splitlines() if self.access_log.exists() else []:
            found = pattern.match(line)
            if found:
                lines.append(found.groupdict())
        return lines
