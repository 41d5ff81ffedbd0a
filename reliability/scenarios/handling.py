"""Concurrent handling: 20 handlers of the receiving organisation act on the same 50 cases at
once (answer, reject, forward, re-route, reopen). All twenty load a case's page, then all
post their move together. Each case ends in one consistent state with exactly one history row
per move that got a success message; every loser is told that someone else changed it."""

from __future__ import annotations

import random
import re
import threading
import time
import uuid
from collections import Counter, defaultdict

from reliability import checks
from reliability.accounts import HOSPITAL, RACING_HANDLERS, REPORTERS
from reliability.client import Client, Response, Tally
from reliability.database import Database
from reliability.environment import app_env, python_module
from reliability.figures import Figures
from reliability.filing import Reporter, options
from reliability.server import Server

CASES = 50
# All twenty race once on every case, and a second time on the first ten: then a closed case
# can be reopened and a forwarded one forwarded again, from a page loaded after a move.
SECOND_ROUND = 10
CONFLICT = "Noen andre endret avviket samtidig med deg."
TO_STATUS = {
    "besvar": "besvart",
    "avvis": "avvist",
    "videresend": None,  # an internal forward keeps the status the reporter sees
    "omdiriger": "videresendt",
    "gjenapne": "under_behandling",
}
# The first handler to open a new case acknowledges it (a history row of its own, no move).
_ACKNOWLEDGED = ("sendt", "mottatt")


def _move_of(from_status: str, to_status: str) -> str:
    """Which of the raced moves a history row records."""
    if from_status == to_status:
        return "videresend"
    return next(move for move, to in TO_STATUS.items() if to == to_status)


_MOVE = re.compile(r'name="move" value="(\w+)"')


def _choose(page: Response, rng: random.Random) -> dict[str, object] | None:
    moves = [m for m in _MOVE.findall(page.body) if m in TO_STATUS]
    if not moves:
        return None
    move = rng.choice(moves)
    version = re.search(rf'name="{move}-version" type="hidden" value="(\d+)"', page.body)
    form: dict[str, object] = {
        "csrf_token": page.csrf(),
        "move": move,
        f"{move}-version": version.group(1),
        f"{move}-text": f"{move} fra en av tjue saksbehandlere",
    }
    if move == "videresend":
        form[f"{move}-target_unit"] = rng.choice(
            list(options(page.body, f"{move}-target_unit").values())
        )
    if move == "omdiriger":
        form[f"{move}-target_org"] = options(page.body, f"{move}-target_org")["Malvik"]
    return form


def run(template: Database, scale: float = 1.0) -> Figures:
    figures = Figures("concurrent handling", template.kind)
    cases = max(10, int(CASES * scale))
    db = template.copy("handling")
    python_module(app_env(db.url), "reliability.prepare", "--racing")
    server = Server(db, f"handling-{db.kind}")
    tally = Tally()
    started = time.monotonic()
    try:
        reporter = Reporter(server.port, tally, REPORTERS[4].email, REPORTERS[4].organisation)
        tag = f"H{uuid.uuid4().hex[:6]}"
        references = [reporter.file(reporter.filing(tag, n, HOSPITAL)) for n in range(cases)]
        assert all(references), "the cases could not be filed"
        outcomes, errors = _race(server.port, tally, references)
    finally:
        server.stop()
    figures.seconds = time.monotonic() - started
    figures.add(tally)
    wins: dict[str, list[tuple[str, str]]] = defaultdict(list)  # reference -> (email, move)
    losers = other = 0
    per_round: Counter = Counter()
    for reference, round_, email, move, outcome in outcomes:
        if outcome == "won":
            wins[reference].append((email, move))
            per_round[reference, round_] += 1
        elif outcome == "conflict":
            losers += 1
        else:
            other += 1
    problems = _consistent(db, references, wins)
    mails_lost, mails_doubled = _mails(db, references, wins, reporter.email)
    figures.mails_lost, figures.mails_doubled = mails_lost, mails_doubled
    several = [key for key, n in per_round.items() if n > 1]
    figures.notes.append(
        f"{len(outcomes)} moves posted in {cases + min(SECOND_ROUND, cases)} rounds on "
        f"{cases} cases: "
        f"{sum(len(w) for w in wins.values())} won, {losers} told someone else changed it, "
        f"{other} other answers."
    )
    figures.require(not errors, f"handlers failed: {errors[:1]}")
    figures.require(not several, f"one winner per case and round ({several[:3]})")
    figures.require(other == 0, "every loser gets the conflict message")
    figures.require(not problems, f"consistent cases ({problems[:3]})")
    figures.require(figures.server_errors == 0, "no server errors")
    figures.require(mails_lost == mails_doubled == 0, "one mail per notice")
    figures.require(not checks.reference_gaps(db), "references gap-free")
    db.drop()
    return figures


def _race(port: int, tally: Tally, references: list[str]) -> tuple[list[tuple], list]:
    """Twenty threads; for each case and round: all load the page, then all post at once."""
    barrier = threading.Barrier(len(RACING_HANDLERS))
    outcomes: list[tuple] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def handler(i: int) -> None:
        rng = random.Random(i)
        client = Client(port, tally)
        email = RACING_HANDLERS[i].email
        try:
            client.log_in(email)
            for number, reference in enumerate(references):
                for round_ in range(2 if number < SECOND_ROUND else 1):
                    page = client.get(f"/avvik/{reference}", ok=lambda r: r.status in (200, 404))
                    form = _choose(page, rng) if page.status == 200 else None
                    barrier.wait(timeout=120)
                    if form is None:
                        barrier.wait(timeout=120)
                        continue
                    answer = client.post(
                        f"/avvik/{reference}/behandling", form, ok=lambda r: r.status == 302
                    )
                    outcome = _outcome(client, answer)
                    with lock:
                        outcomes.append((reference, round_, email, form["move"], outcome))
                    barrier.wait(timeout=120)  # the round is over before the next page loads
        except BaseException as error:  # noqa: BLE001  (reported)
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=handler, args=(i,)) for i in range(len(RACING_HANDLERS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


def _outcome(client: Client, answer: Response) -> str:
    """What the handler was told: won, conflict, or something else (a bug)."""
    if answer.status == 302:
        if answer.location.startswith("/avvik/"):
            return "won"
        page = client.get(answer.location)  # the inbox, with the message on top
        alerts = page.alerts()
        texts = " ".join(text for _, text in alerts)
        # A won move's notice says what happened in words of its own (issue 22's past-tense
        # notices), so it is read by its kind: the success colour.
        if any(kind == "success" for kind, _ in alerts):
            return "won"
        return "conflict" if CONFLICT in texts else f"redirect: {texts[:80]}"
    if answer.status == 409 and any(CONFLICT in text for _, text in answer.alerts()):
        return "conflict"
    return f"status {answer.status}"


def _consistent(db: Database, references: list[str], wins: dict) -> list[str]:
    """One history row per won move, in a chain; the case's state is what its last move left."""
    problems = []
    malvik = db.scalar("SELECT id FROM organisation WHERE name = 'Malvik'")
    for reference in references:
        deviation_id, status, version, closed_at, response, counterpart = db.rows(
            "SELECT id, status, version, closed_at, response, counterpart_org_id"
            " FROM deviation WHERE reference = ?",
            (reference,),
        )[0]
        events = db.rows(
            'SELECT u.email, e.from_status, e.to_status FROM deviation_event e JOIN "user" u'
            " ON u.id = e.actor_id WHERE e.deviation_id = ? AND e.kind = 'statusendring'"
            " ORDER BY e.id",
            (deviation_id,),
        )
        won = wins.get(reference, [])
        acknowledged = [e for e in events if (e[1], e[2]) == _ACKNOWLEDGED]
        moves = [e for e in events if (e[1], e[2]) != _ACKNOWLEDGED]
        if len(acknowledged) != 1 or events[0] != acknowledged[0]:
            problems.append(f"{reference}: acknowledged {len(acknowledged)} times: {events}")
            continue
        if Counter((e[0], _move_of(e[1], e[2])) for e in moves) != Counter(won):
            problems.append(f"{reference}: history {events} against won moves {won}")
            continue
        chain = ["sendt"] + [e[2] for e in events]
        if [e[1] for e in events] != chain[:-1] or status != chain[-1]:
            problems.append(f"{reference}: broken chain {events}, status {status}")
        if version != 1 + len(events):
            problems.append(f"{reference}: version {version} after {len(events)} moves")
        closed = status in ("besvart", "avvist")
        if closed != (closed_at is not None) or closed != (response is not None):
            problems.append(f"{reference}: {status} with closed_at {closed_at}")
        if (counterpart == malvik) != any(move == "omdiriger" for _, move in won):
            problems.append(f"{reference}: at organisation {counterpart} after {won}")
    return problems


def _mails(db: Database, references: list[str], wins: dict, reporter: str) -> tuple[int, int]:
    """Per case: a mail to each of the hospital's handlers when filed, to Malvik's mottak on a
    re-route, to the reporter on an answer, a rejection or a reopening, to the rest of the
    mottak on a forward; nothing else."""
    sent: dict[str, Counter] = defaultdict(Counter)
    for to_address, subject in db.rows("SELECT to_address, subject FROM outbox_mail"):
        found = re.search(r"AV-\d{4}-\d{5}", subject)
        if found:
            sent[found.group(0)][to_address] += 1
    hospital = [
        email
        for (email,) in db.rows(
            'SELECT u.email FROM "user" u JOIN user_role r ON r.user_id = u.id'
            " JOIN organisation o ON o.id = u.organisation_id"
            " WHERE r.role = 'saksbehandler' AND o.name = ?",
            (HOSPITAL,),
        )
    ]
    lost = doubled = 0
    for reference in references:
        expected = Counter(hospital)
        for email, move in wins.get(reference, []):
            if move in ("besvar", "avvis", "gjenapne"):
                expected[reporter] += 1
            elif move == "omdiriger":
                expected["mottak@malvik.demo"] += 1
            elif move == "videresend":
                # To a unit nobody of the race belongs to: the whole mottak but the forwarder.
                expected.update(h for h in hospital if h != email)
        got = sent.get(reference, Counter())
        for email in set(expected) | set(got):
            lost += max(0, expected[email] - got[email])
            doubled += max(0, got[email] - expected[email])
    return lost, doubled
