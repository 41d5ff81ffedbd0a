"""Two application hosts behind nginx, installed from deploy/ (reliability/hosts.py): clients log
in, file and handle through nginx over TLS while one host is stopped hard (kill -9 of its
gunicorn master, workers and mail sender) and later started again.

Holds: every logged-in user stays logged in (sessions are rows in the shared database) and is
never sent to a login or code page; the per-address sign-in limit is counted once across both
hosts (Redis); the mail senders on both hosts deliver each mail once; no request after the
first 5 s of the outage fails; nothing is lost or doubled. Checks nginx's answers too: TLS 1.3
with HTTP/2 offered, the app's CSP and HSTS, gzip and brotli for HTML, CSS and JS, a year's
cache for static files with a content hash, and the client's own address as the app sees it.
Prints the phone's first load of the filing form through nginx, in bytes on the wire.
"""

from __future__ import annotations

import gzip
import http.client
import random
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from collections import Counter

from reliability import checks
from reliability.accounts import HOSPITAL, PASSWORD, REPORTERS
from reliability.client import Client, NoAnswer, Response, Tally, run_threads
from reliability.database import PG_SERVER, Database
from reliability.environment import WORK
from reliability.figures import Figures
from reliability.filing import Reporter
from reliability.hosts import (
    SERVER_NAME,
    Host,
    Proxy,
    filled_env_example,
    make_certificates,
    namespaces_available,
    read_unit,
    unit_commands,
)
from reliability.smtp import Mailbox

BEFORE, OUTAGE, AFTER = 15.0, 25.0, 15.0  # seconds of load in each phase (times --scale)
GRACE = 5.0  # requests that start this soon after the crash may fail
REPORTING = 8  # reporters (each from a client address of its own)
HANDLERS = ("mottak@stolav.demo", "mottak@trondheim.demo", "mottak@malvik.demo")
HANDLER_ORG = {
    "mottak@stolav.demo": HOSPITAL,
    "mottak@trondheim.demo": "Trondheim",
    "mottak@malvik.demo": "Malvik",
}
LIMIT_TRIES = 30  # failed logins from one address, spread over both hosts by nginx
PHONE_ADDRESS = "127.0.3.1"  # Flask-Login's strong protection ties a session to it
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)


def signed_in(response: Response) -> bool:
    """A page or a redirect, and never one to a login or second-factor page."""
    return 200 <= response.status < 400 and not response.location.startswith("/logg-inn")


class Load:
    """Reporters file and handlers answer through the proxy until stopped."""

    def __init__(self, port: int, tls: ssl.SSLContext, tag: str) -> None:
        self.port, self.tls, self.tag = port, tls, tag
        self.tally = Tally()
        self.receipts: dict = {}
        self.answered: list[str] = []
        self.sent_to_login = 0
        self.errors: list[BaseException] = []
        self.queues: dict[str, list[str]] = {org: [] for org in HANDLER_ORG.values()}
        self.sources: dict[str, str] = {}  # email -> the client address it logs in from
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.numbers = iter(range(1, 10**9))
        self.ready = threading.Barrier(REPORTING + len(HANDLERS) + 1)
        self.threads = [
            threading.Thread(target=self._reporter, args=(i,), daemon=True)
            for i in range(REPORTING)
        ] + [
            threading.Thread(target=self._handler, args=(email, i), daemon=True)
            for i, email in enumerate(HANDLERS)
        ]

    def client_options(self, number: int) -> dict:
        return {"tls": self.tls, "source": f"127.0.1.{number + 1}"}

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
        self.ready.wait(timeout=120)  # everyone logged in

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _count(self, response: Response) -> None:
        if response.location.startswith("/logg-inn"):
            with self.lock:
                self.sent_to_login += 1

    def _reporter(self, i: int) -> None:
        try:
            account = REPORTERS[(i * 5) % len(REPORTERS)]  # across the organisations
            options = self.client_options(i)
            reporter = Reporter(
                self.port, self.tally, account.email, account.organisation, **options
            )
            self.sources[account.email] = options["source"]
            self.ready.wait(timeout=120)
            targets = [o for o in HANDLER_ORG.values() if o != account.organisation]
            while not self.stopping.is_set():
                with self.lock:
                    number = next(self.numbers)
                target = targets[number % len(targets)]
                try:
                    form = reporter.client.get("/avvik/nytt", ok=signed_in)
                    self._count(form)
                    filing = reporter.filing(self.tag, number, target)
                    reference = reporter.file(filing)
                except NoAnswer:
                    time.sleep(0.2)
                    continue
                if reference:
                    with self.lock:
                        self.receipts[reference] = filing
                        self.queues[target].append(reference)
                time.sleep(0.3)
        except BaseException as error:  # noqa: BLE001  (reported)
            self.errors.append(error)
            self.ready.abort()

    def _handler(self, email: str, i: int) -> None:
        try:
            options = self.client_options(REPORTING + i)
            client = Client(self.port, self.tally, **options)
            client.log_in(email)
            self.sources[email] = options["source"]
            self.ready.wait(timeout=120)
            org = HANDLER_ORG[email]
            while not self.stopping.is_set():
                try:
                    self._count(client.get("/mottak", ok=signed_in))
                    with self.lock:
                        reference = self.queues[org].pop(0) if self.queues[org] else None
                    if reference is None:
                        time.sleep(0.5)
                        continue
                    page = client.get(f"/avvik/{reference}", ok=signed_in)
                    self._count(page)
                    version = re.search(r'name="besvar-version" type="hidden" value="(\d+)"',
                                        page.body)  # fmt: skip
                    if page.status != 200 or not version:
                        continue
                    answer = client.post(
                        f"/avvik/{reference}/behandling",
                        {
                            "csrf_token": page.csrf(),
                            "move": "besvar",
                            "besvar-version": version.group(1),
                            "besvar-text": "Takk, vi har endret rutinen for epikrise.",
                        },
                        ok=signed_in,
                    )
                    self._count(answer)
                    if answer.kind == "succeeded":
                        with self.lock:
                            self.answered.append(reference)
                except NoAnswer:
                    time.sleep(0.2)
                time.sleep(0.3)
        except BaseException as error:  # noqa: BLE001  (reported)
            self.errors.append(error)
            self.ready.abort()


def _tls_context(ca) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def _raw(
    port: int, tls: ssl.SSLContext, path: str, headers: dict[str, str], source: str = "127.0.0.1"
) -> tuple:
    """status, headers (lower-case), body bytes as sent (compressed), for the header checks."""
    conn = http.client.HTTPSConnection(
        "127.0.0.1", port, timeout=30, context=tls, source_address=(source, 0)
    )
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _header_checks(proxy: Proxy, ca, figures: Figures) -> dict[str, object]:
    port = proxy.https_port
    tls = _tls_context(ca)
    alpn = _tls_context(ca)
    alpn.set_alpn_protocols(["h2", "http/1.1"])
    seen: dict[str, object] = {}
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        alpn.wrap_socket(raw, server_hostname=SERVER_NAME) as sock,
    ):
        seen["tls"], seen["alpn"] = sock.version(), sock.selected_alpn_protocol()
    figures.require(seen["alpn"] == "h2", f"HTTP/2 offered (ALPN said {seen['alpn']})")
    figures.require(seen["tls"] == "TLSv1.3", f"TLS 1.3 (got {seen['tls']})")

    plain = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    plain.request("GET", "/logg-inn")
    redirect = plain.getresponse()
    plain.close()
    figures.require(
        redirect.status == 301 and redirect.getheader("location", "").startswith("https://"),
        "plain HTTP is sent to HTTPS",
    )

    gz = {"Accept-Encoding": "gzip", "User-Agent": PHONE}
    status, headers, body = _raw(port, tls, "/logg-inn", gz)
    csp = headers.get("content-security-policy", "")
    hsts = headers.get("strict-transport-security", "")
    figures.require(status == 200, f"the login page through nginx ({status})")
    figures.require("default-src 'self'" in csp and "frame-ancestors 'none'" in csp, "CSP")
    figures.require("max-age=31536000" in hsts, "HSTS for a year")
    figures.require(headers.get("content-encoding") == "gzip", "HTML gzipped")
    figures.require("total;dur=" in headers.get("server-timing", ""), "Server-Timing")
    br = _raw(port, tls, "/logg-inn", {"Accept-Encoding": "br, gzip"})[1]
    figures.require(br.get("content-encoding") == "br", "HTML in brotli where the browser asks")
    html = gzip.decompress(body).decode()
    assets = re.findall(r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+)"', html)
    figures.require(
        bool(assets) and all("?v=" in a for a in assets), f"static URLs hashed: {assets}"
    )
    for asset in assets:
        status, headers, _ = _raw(port, tls, asset, gz)
        kind = "CSS" if ".css" in asset else "JS"
        figures.require(status == 200, f"{asset}: {status}")
        figures.require(headers.get("content-encoding") == "gzip", f"{kind} gzipped ({asset})")
        figures.require(
            "max-age=31536000" in headers.get("cache-control", "")
            and "immutable" in headers.get("cache-control", ""),
            f"a year's cache for {asset}",
        )
        figures.require("max-age=31536000" in headers.get("strict-transport-security", ""),
                        f"HSTS on {asset}")  # fmt: skip
    unhashed = _raw(port, tls, "/static/build/avvik.css", gz)[1]
    figures.require(
        unhashed.get("cache-control") == "public, max-age=3600", "an hour without the hash"
    )
    seen["assets"] = assets
    return seen


def _phone_first_load(port: int, tls: ssl.SSLContext) -> list[tuple[str, int, int]]:
    """The filing form as a phone loads it the first time (nothing cached): the page and each
    file it names, with its bytes on the wire (compressed as a browser asks) and unpacked."""
    tally = Tally()
    reporter = Client(port, tally, tls=tls, source=PHONE_ADDRESS, headers={"User-Agent": PHONE})
    reporter.log_in(REPORTERS[2].email)  # not one of the load's
    cookie = "; ".join(f"{k}={v}" for k, v in reporter.cookies.items())
    packed = {"Accept-Encoding": "gzip, deflate, br", "User-Agent": PHONE, "Cookie": cookie}
    unpacked = {**packed, "Accept-Encoding": "identity"}
    status, _, page = _raw(port, tls, "/avvik/nytt", unpacked, PHONE_ADDRESS)
    assert status == 200, status
    html = page.decode()
    files = ["/avvik/nytt"] + re.findall(
        r'(?:href|src)="(/(?:static|bootstrap/static)/[^"]+)"', html
    )
    sizes = []
    for path in files:
        wire = len(_raw(port, tls, path, packed, PHONE_ADDRESS)[2])
        full = len(_raw(port, tls, path, unpacked, PHONE_ADDRESS)[2])
        sizes.append((path.split("?")[0].rsplit("/", 1)[-1] or path, wire, full))
    return sizes


def run(template: Database, scale: float = 1.0) -> Figures:
    figures = Figures("several hosts behind nginx", template.kind)
    started = time.monotonic()
    namespaces, why_not = namespaces_available()
    if not namespaces:
        figures.notes.append(
            f"No network namespaces on this machine ({why_not}): the two app servers run on "
            "two loopback ports behind the same nginx."
        )
    db = template.copy("multihost")
    hosts: list[Host] = []
    proxy = None
    mailbox = Mailbox().__enter__()
    try:
        base, commands = filled_env_example()
        ca = make_certificates(WORK / "tls")
        tls = _tls_context(ca)
        hosts = [Host(n, namespaces, f"multihost-host{n}") for n in (1, 2)]
        for host in hosts:
            host.forward(5432, int(PG_SERVER.rsplit(":", 1)[1].split("/")[0]))
            host.forward(6379, 6379)
            host.forward(2525, mailbox.port)
        proxy = Proxy(hosts, ca.parent)
        prefix = f"avvik-reliability-{uuid.uuid4().hex[:8]}"

        def env_for(host: Host) -> dict[str, str]:
            env = dict(base)
            # Addresses and paths, and four settings a test run needs (below).
            env["DATABASE_URL"] = db.url.replace("@127.0.0.1:", f"@{host.gateway}:")
            env["BASE_URL"] = f"https://127.0.0.1:{proxy.https_port}"
            env["RATELIMIT_STORAGE_URI"] = f"redis://{host.gateway}:6379/0"
            env["RATELIMIT_KEY_PREFIX"] = prefix  # the shared Redis: keys of this run only
            # nginx reaches the host from the machine's side of the veth pair (or 127.0.0.1).
            env["TRUSTED_PROXY_ADDRESSES"] = host.gateway
            env["GUNICORN_CMD_ARGS"] = env["GUNICORN_CMD_ARGS"].replace("10.0.0.11:8000", host.bind)
            env["MAIL_SERVER"] = host.gateway
            env["MAIL_PORT"] = "2525" if namespaces else str(mailbox.port)
            env["MAIL_USE_TLS"] = "0"  # the suite's SMTP server speaks no STARTTLS
            env["REQUIRE_TOTP"] = "0"  # the clients sign in with a password alone
            env["MAIL_CLAIM_LEASE_SECONDS"] = "5"  # a dead sender's rows back in seconds
            env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
            return env

        workers = int(re.search(r"--workers=(\d+)", base["GUNICORN_CMD_ARGS"]).group(1))
        web = unit_commands("avvik-web.service", env_for(hosts[0]))
        mail = unit_commands("avvik-mail.service", env_for(hosts[0]))

        def boot(host: Host) -> None:
            env = env_for(host)
            host.start("web", unit_commands("avvik-web.service", env)[0], env)
            host.start("mail", unit_commands("avvik-mail.service", env)[0], env)
            host.wait_healthy(workers)

        for host in hosts:
            boot(host)
        figures.notes.append(
            f"Hosts at {hosts[0].bind} and {hosts[1].bind}"
            + (" (network namespaces)" if namespaces else "")
            + f", nginx at 127.0.0.1:{proxy.https_port}; keys made by: "
            + "; ".join(sorted(set(commands)))
            + f". Units' commands: {' '.join(web[0][-3:])} … and {' '.join(mail[0][-2:])}."
        )

        seen = _header_checks(proxy, ca, figures)
        phone = _phone_first_load(proxy.https_port, tls)
        allowed = int(base["SIGN_IN_RATE_LIMIT"].split()[0])
        limit_figures = _limits(proxy, tls, hosts, allowed, figures)

        load = Load(proxy.https_port, tls, f"N{uuid.uuid4().hex[:6]}")
        load.start()
        time.sleep(BEFORE * scale)
        crash_at, crash_epoch = time.monotonic(), time.time()
        hosts[1].crash()
        time.sleep(OUTAGE * scale)
        back_at = time.monotonic()
        boot(hosts[1])
        up_at = time.monotonic()
        time.sleep(AFTER * scale)
        load.stop()
        outbox = {int(i) for (i,) in db.rows("SELECT id FROM outbox_mail")}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and db.scalar(
            "SELECT count(*) FROM outbox_mail WHERE status <> 'sent'"
        ):
            time.sleep(0.5)
        time.sleep(1)  # anything sent twice arrives now
        unsent = db.scalar("SELECT count(*) FROM outbox_mail WHERE status <> 'sent'")

        # The daily unit, on one host, after the day's work.
        env = env_for(hosts[0])
        ran = [hosts[0].run_once(c, env) for c in unit_commands("avvik-maintenance.service", env)]
        figures.require(all(r.returncode == 0 for r in ran), "avvik-maintenance.service runs")
        on_calendar = read_unit("avvik-maintenance.timer")["OnCalendar"][0]
        if shutil.which("systemd-analyze"):
            parsed = subprocess.run(
                ["systemd-analyze", "calendar", on_calendar], capture_output=True, check=False
            )
            figures.require(parsed.returncode == 0, f"the timer's OnCalendar={on_calendar}")
        served = [h.request_ids() for h in hosts]
    finally:
        for host in hosts:
            host.stop()
        if proxy is not None:
            proxy.stop()
        mailbox.__exit__(None, None, None)
        for host in hosts:
            host.remove()
    figures.seconds = time.monotonic() - started
    figures.add(load.tally)

    # --- by phase ---------------------------------------------------------------------------
    phases = {"before": Counter(), "first 5 s": Counter(), "rest of outage": Counter(),
              "restarting": Counter(), "after": Counter()}  # fmt: skip
    for begun, ended, kind in load.tally.events:
        if ended < crash_at:
            phase = "before"
        elif begun < crash_at + GRACE:
            phase = "first 5 s"  # with those in flight at the crash
        elif begun < back_at:
            phase = "rest of outage"
        elif begun < up_at:
            phase = "restarting"
        else:
            phase = "after"
        phases[phase][kind] += 1
    failed = {p: c["server_errors"] + c["no_answer"] + c["refused"] for p, c in phases.items()}

    # --- what nginx did with the stopped host -------------------------------------------------
    dead = hosts[1].bind
    tried = [
        line for line in proxy.log_lines()
        if dead in line["up"] and float(line["msec"]) >= crash_epoch
        and float(line["msec"]) < crash_epoch + (back_at - crash_at)
    ]  # fmt: skip
    user_failures = [line for line in tried if int(line["status"]) >= 500]
    retried = [line for line in tried if int(line["status"]) < 500]
    times = [float(line["msec"]) - crash_epoch for line in tried]
    last_failure = max((float(x["msec"]) - crash_epoch for x in user_failures), default=None)

    # --- the database, the mail, the sessions -------------------------------------------------
    # The key the operator's file made (the first encrypts).
    lost = checks.lost_receipts(db, load.receipts, base["PATIENT_DATA_KEYS"].split(",")[0])
    figures.deviations_lost = len(lost)
    figures.deviations_doubled = checks.doubled_titles(db, load.tag)
    gaps = checks.reference_gaps(db)
    half = checks.half_written(db)
    mail_lost, mail_doubled = _case_mail(db, load)
    accepted = {k: list(v) for k, v in mailbox.accepted.items()}
    never = sorted(outbox - set(accepted))
    twice = {i: t for i, t in accepted.items() if len(t) > 1}
    excused = [i for i, t in twice.items() if len(t) == 2 and t[0] < crash_at < t[1]]
    figures.mails_lost = len(never) + mail_lost
    figures.mails_doubled = sum(len(t) - 1 for t in twice.values()) + mail_doubled
    sessions = db.rows(
        'SELECT u.email, s.ip_address FROM login_session s JOIN "user" u ON u.id = s.user_id'
    )
    per_user = Counter(email for email, _ in sessions)
    addresses = {email: ip for email, ip in sessions if email in load.sources}
    wrong_address = {e: ip for e, ip in addresses.items() if ip != load.sources[e]}
    answered = db.scalar(
        "SELECT count(*) FROM deviation WHERE status = 'besvart' AND title LIKE ?",
        (f"{load.tag} %",),
    )
    senders = [_sent_by(h) for h in hosts]
    per_host = [len(served[0]), len(served[1])]

    outage_line = (
        f"Host 2 killed after {BEFORE * scale:.0f} s, started again {back_at - crash_at:.0f} s "
        f"later (healthy {up_at - back_at:.1f} s after that). While it was down nginx tried it "
        f"{len(tried)} times (at +{', +'.join(f'{t:.1f}' for t in times)} s after the kill; "
        "each nginx worker leaves it out for fail_timeout after a failure, then tries once): "
        f"{len(retried)} went on to host 1 unseen, "
        f"{len(user_failures)} failed for the user"
        + (f" (the last at +{last_failure:.1f} s)." if last_failure is not None else ".")
    )
    figures.notes.append(
        "Requests by phase (succeeded / failed): "
        + ", ".join(f"{p} {c['succeeded']}/{failed[p]}" for p, c in phases.items())
        + f". Served by host 1 / host 2: {per_host[0]} / {per_host[1]}. "
        + outage_line
    )
    figures.notes.append(
        f"{len(load.receipts)} filings receipted, {answered} answered; "
        f"{len(outbox)} mails, each accepted once by the SMTP server "
        f"({len(excused)} a second time with its Message-ID after the crash, allowed: 1); "
        f"sent by host 1's sender / host 2's: {senders[0]} / {senders[1]}. "
        f"Sign-in limit from one address over both hosts: {limit_figures}. "
        f"Users sent to a login page after logging in: {load.sent_to_login}; sessions per "
        f"user: {sorted(set(per_user.values()))}; the app saw each client's own address: "
        f"{not wrong_address} ({len(addresses)} clients). "
        f"TLS: {seen['tls']}, ALPN {seen['alpn']}."
    )
    figures.notes.append(
        "Phone's first load of the filing form through nginx (bytes on the wire / unpacked): "
        + "; ".join(f"{name} {wire:,}/{full:,}" for name, wire, full in phone)
        + f"; in all {sum(w for _, w, _ in phone):,} / {sum(f for _, _, f in phone):,} bytes."
    )
    figures.require(not load.errors, f"clients failed: {load.errors[:1]}")
    figures.require(failed["before"] == 0, "no failure before the crash")
    figures.require(
        failed["rest of outage"] == failed["restarting"] == failed["after"] == 0,
        f"no failure after the first {GRACE:.0f} s of the outage ({failed})",
    )
    figures.require(load.sent_to_login == 0, "nobody sent to a login page again")
    figures.require({per_user[e] for e in load.sources} == {1}, "one session per user")
    figures.require(not wrong_address, f"the client's address in the app ({wrong_address})")
    figures.require(per_host[0] > 0 and per_host[1] > 0, "both hosts served")
    figures.require(not lost, f"every receipt stored once, whole ({lost[:3]})")
    figures.require(figures.deviations_doubled == 0, "nothing stored twice")
    figures.require(not gaps and not half, f"references gap-free, nothing half-written {gaps}")
    figures.require(unsent == 0 and not never, f"every mail sent ({unsent} unsent)")
    figures.require(
        len(excused) <= 1 and len(twice) == len(excused) and mail_doubled == mail_lost == 0,
        "each mail once",
    )
    figures.require(all(senders), "the senders on both hosts delivered")
    db.drop()
    return figures


def _case_mail(db: Database, load: Load) -> tuple[int, int]:
    """(lost, doubled) outbox rows: one mail per handler of the receiving mottak for every
    filing, and for every case the database says is answered one more to its reporter (an
    answer whose reply was cut off by the crash may have been stored: the database decides)."""
    answered = {
        reference
        for (reference,) in db.rows(
            "SELECT reference FROM deviation WHERE status = 'besvart' AND title LIKE ?",
            (f"{load.tag} %",),
        )
    }
    lost, doubled = checks.mottak_mail(db, set(load.receipts) - answered)
    staff: dict[int, set[str]] = {}
    for email, org in db.rows(
        'SELECT u.email, u.organisation_id FROM "user" u JOIN user_role r ON r.user_id = u.id'
        " WHERE r.role = 'saksbehandler' AND u.active"
    ):
        staff.setdefault(org, set()).add(email)
    case = {
        reference: (org, reporter)
        for reference, org, reporter in db.rows(
            'SELECT d.reference, d.counterpart_org_id, u.email FROM deviation d JOIN "user" u'
            " ON u.id = d.reporter_id"
        )
    }
    sent: Counter = Counter()
    for to_address, subject in db.rows("SELECT to_address, subject FROM outbox_mail"):
        found = re.search(r"AV-\d{4}-\d{5}", subject)
        if found and found.group(0) in answered and not subject.endswith(checks.REMINDER_SUBJECTS):
            sent[found.group(0), to_address] += 1
    for reference in answered:
        org, reporter = case[reference]
        expected = Counter(staff.get(org, set())) + Counter({reporter: 1})
        got = Counter({a: n for (r, a), n in sent.items() if r == reference})
        for address in set(expected) | set(got):
            lost += max(0, expected[address] - got[address])
            doubled += max(0, got[address] - expected[address])
    return lost, doubled


def _sent_by(host: Host) -> int:
    path = WORK / f"{host.label}-mail.log"
    text = path.read_text(errors="replace") if path.exists() else ""
    return sum(int(n) for n in re.findall(r"^(\d+) e-post sendt\.", text, re.MULTILINE))


def _limits(
    proxy: Proxy, tls: ssl.SSLContext, hosts: list[Host], allowed: int, figures: Figures
) -> str:
    """LIMIT_TRIES failed logins from one client address, nginx spreading them over both
    hosts: with the count in Redis exactly the limit get through, the rest get 429."""
    tally = Tally()
    client = Client(proxy.https_port, tally, tls=tls, source="127.0.2.1")
    token = client.get("/logg-inn").csrf()
    answers: list[Response] = []
    lock = threading.Lock()

    def tries(thread: int) -> None:
        # All within a few seconds: the limit's window opens at the first try.
        for n in range(thread, LIMIT_TRIES, 6):
            email = f"finnes-ikke-{n}-{random.randrange(10**6)}@reliability.test"
            answer = client.post(
                "/logg-inn",
                {"csrf_token": token, "email": email, "password": PASSWORD},
                ok=lambda r: r.status == 422,
            )
            with lock:
                answers.append(answer)

    errors = run_threads(6, tries)
    assert not errors, errors
    limited = sum(1 for a in answers if a.status == 429)
    through = [a for a in answers if a.status != 429]
    ids = [h.request_ids() for h in hosts]
    on = [sum(1 for a in through if a.headers.get("x-request-id") in ids[n]) for n in range(2)]
    figures.require(
        len(through) == allowed and limited == LIMIT_TRIES - allowed,
        f"the sign-in limit counted once ({len(through)} through, {limited} refused)",
    )
    figures.require(all(on), f"both hosts answered the limited client ({on})")
    return (
        f"{LIMIT_TRIES} tries, {len(through)} through ({on[0]} on host 1, {on[1]} on host 2), "
        f"{limited} refused with 429"
    )
