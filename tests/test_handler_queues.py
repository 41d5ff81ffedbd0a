"""A handler's start page (issue 20): the queues' counts against the database, serious events
first, the cap; the unread mark; handling in one step (the first view acknowledges, "Ta saken",
forwarding to a unit or a colleague mails them and puts the case in their "Mine")."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import sqlalchemy as sa

from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.history import history_line
from app.extensions import db
from app.handling.moves import Move
from app.models import (
    Deviation,
    DeviationEvent,
    DeviationMessage,
    EventKind,
    Harm,
    HistoryLine,
    OutboxMail,
    Role,
    Status,
    User,
)
from tests import factories

QUEUES = (
    "nye",
    "svar-fra-melder",
    "frist-i-dag",
    "frist-denne-uka",
    "over-fristen",
    "mine",
    "ikke-tatt",
)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def shown_counts(page: str) -> dict[str, str]:
    return {q: re.search(rf'id="antall-{q}">([^<]+)<', page).group(1) for q in QUEUES}


def expected_counts(organisation_id: int, user_id: int, unit_id: int | None) -> dict[str, str]:
    """The queues counted in plain SQL over the cases, independently of app/handling/queues."""
    today = today_local()
    week_end = today + timedelta(days=6 - today.weekday())
    open_cases = [
        d
        for d in db.session.scalars(
            sa.select(Deviation).where(Deviation.counterpart_org_id == organisation_id)
        )
        if d.status not in (Status.BESVART, Status.AVVIST)
    ]

    def last_public_by_reporter(d: Deviation) -> bool:
        last = db.session.scalar(
            sa.select(DeviationMessage)
            .where(DeviationMessage.deviation_id == d.id, sa.not_(DeviationMessage.internal))
            .order_by(DeviationMessage.id.desc())
            .limit(1)
        )
        return last is not None and last.author_id == d.reporter_id

    tests = {
        "nye": lambda d: (
            d.status is Status.SENDT
            or (d.status is Status.VIDERESENDT and d.forwarded_unit_id is None)
        ),
        "svar-fra-melder": last_public_by_reporter,
        "frist-i-dag": lambda d: d.response_deadline == today,
        "frist-denne-uka": lambda d: today < d.response_deadline <= week_end,
        "over-fristen": lambda d: d.response_deadline < today,
        "mine": lambda d: (
            d.handler_id == user_id
            or (d.handler_id is None and unit_id is not None and d.forwarded_unit_id == unit_id)
        ),
        "ikke-tatt": lambda d: d.handler_id is None,
    }
    return {q: str(sum(1 for d in open_cases if test(d))) for q, test in tests.items()}


def test_queue_counts_match_the_database_and_serious_events_come_first(app, login_as):
    with app.app_context():
        handler = factories.user("mottak@stolav.demo")
        for days_ago in (0, 3, 10, 14, 15, 30):
            factories.deviation(days_ago=days_ago, title=f"Lav skade, {days_ago} dager")
        serious = factories.deviation(days_ago=30, harm=Harm.DOD, title="Pasienten døde")
        factories.deviation(days_ago=2, harm=Harm.ALVORLIG, title="Alvorlig skade")
        taken = factories.deviation(days_ago=5, title="Tatt av meg")
        factories.move(taken, Move.START, by=handler)
        answered = factories.deviation(days_ago=20, title="Besvart")
        factories.answer(answered)
        asked = factories.deviation(days_ago=4, title="Melderen har svart")
        factories.message(asked, by=handler, body="Hvilken dag?")
        factories.message(asked, by="melder@trondheim.demo", body="Fredag.")
        factories.deviation(counterpart="Malvik", title="Til Malvik, ikke vårt")
        db.session.commit()
        expected = expected_counts(handler.organisation_id, handler.id, handler.unit_id)
        serious_ref = serious.reference
    assert expected["svar-fra-melder"] == "1" and expected["mine"] == "1"

    response = login_as("mottak@stolav.demo").get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Arbeidsliste – St. Olavs hospital HF" in page
    assert shown_counts(page) == expected
    # Serious events first: the death heads "Over fristen" though others are as overdue.
    overdue = page.split('id="ko-over-fristen"')[1].split("</section>")[0]
    assert overdue.index(serious_ref) < overdue.index("Lav skade, 30 dager")
    assert "Skade: Død" in overdue
    assert "Til Malvik" not in page
    assert "/mottak" in page  # the full inbox is one click away
    # A reporter keeps the front page.
    reporter_page = text_of(login_as("melder@trondheim.demo").get("/"))
    assert "Arbeidsliste" not in reporter_page and "Dine siste avvik" in reporter_page


def test_counts_stop_at_the_cap_and_one_queue_shows_in_full(app, login_as):
    app.config["INBOX_COUNT_CAP"] = 3
    with app.app_context():
        for _ in range(7):
            factories.deviation()
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    page = text_of(client.get("/"))
    assert shown_counts(page)["nye"] == "2+"
    assert "Vis alle i «Nye – ikke åpnet»" in page
    full = client.get("/mottak/ko/nye")
    assert full.status_code == 200
    assert text_of(full).count("Utskrevet uten epikrise") == 7
    assert client.get("/mottak/ko/ingen-slik").status_code == 404
    assert login_as("melder@trondheim.demo").get("/mottak/ko/nye").status_code == 404


def events_of(app, reference: str) -> list[tuple[str, str | None, int | None]]:
    with app.app_context():
        return [
            (e.kind.value, e.to_status.value if e.to_status else None, e.actor_id)
            for e in db.session.scalars(
                sa.select(DeviationEvent)
                .join(Deviation)
                .where(Deviation.reference == reference)
                .order_by(DeviationEvent.id)
            )
        ]


def make(app, **how) -> tuple[str, int]:
    with app.app_context():
        deviation = factories.deviation(**how)
        db.session.commit()
        return deviation.reference, deviation.id


def user_id(app, email: str) -> int:
    with app.app_context():
        return factories.user(email).id


def test_the_first_handler_to_open_a_new_case_acknowledges_it(app, login_as):
    reference, _ = make(app)
    # Neither the reporter nor a handler of the reporting side acknowledges anything.
    assert login_as("melder@trondheim.demo").get(f"/avvik/{reference}").status_code == 200
    assert login_as("mottak@trondheim.demo").get(f"/avvik/{reference}").status_code == 200
    assert [e[:2] for e in events_of(app, reference)] == [("opprettet", "sendt")]

    client = login_as("mottak@stolav.demo")
    page = text_of(client.get(f"/avvik/{reference}"))
    assert "Mottaket er bekreftet." in page
    assert "Ta saken" in page and 'value="bekreft"' not in page
    handler = user_id(app, "mottak@stolav.demo")
    assert events_of(app, reference)[1:] == [(EventKind.TRANSITION.value, "mottatt", handler)]
    with app.app_context():
        event = db.session.scalars(
            sa.select(DeviationEvent).join(Deviation).where(Deviation.reference == reference)
        ).all()[-1]
        assert event.line is HistoryLine.OPENED and event.text == ""
        assert history_line(event) == "Bekreftet da avviket ble åpnet første gang"
    # Once only: a second view writes nothing more.
    client.get(f"/avvik/{reference}")
    assert len(events_of(app, reference)) == 2
    # Out of "Nye – ikke åpnet".
    assert shown_counts(text_of(client.get("/")))["nye"] == "0"


def test_ta_saken_puts_the_case_in_mine(app, login_as):
    reference, ident = make(app)
    client = login_as("mottak@stolav.demo")
    client.get(f"/avvik/{reference}")
    assert shown_counts(text_of(client.get("/")))["mine"] == "0"
    response = client.post(f"/avvik/{reference}/behandling", data={"move": "start"})
    assert response.status_code == 302
    with app.app_context():
        deviation = db.session.get(Deviation, ident)
        assert deviation.status is Status.UNDER_BEHANDLING
        assert deviation.handler_id == user_id(app, "mottak@stolav.demo")
    counts = shown_counts(text_of(client.get("/")))
    assert counts["mine"] == "1" and counts["ikke-tatt"] == "0"
    page = text_of(client.get(f"/avvik/{reference}"))
    assert "Du har saken." in page and 'value="start"' not in page  # already theirs


def mails_since(app, before: int) -> list[OutboxMail]:
    with app.app_context():
        return db.session.scalars(
            sa.select(OutboxMail).order_by(OutboxMail.id).offset(before)
        ).all()


def mail_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail))


def test_forward_to_a_colleague_mails_them_and_keeps_the_reporters_status(app, login_as):
    with app.app_context():
        colleague = factories.new_user(
            "kari@stolav.demo", name="Kari Kollega", org=HOSPITAL, roles=[Role.SAKSBEHANDLER]
        )
        db.session.commit()
        colleague_id = colleague.id
    reference, ident = make(app, title="Hemmelig tittel")
    client = login_as("mottak@stolav.demo")
    page = text_of(client.get(f"/avvik/{reference}"))
    assert "Kari Kollega" in page  # offered as a colleague to send it to
    before = mail_count(app)
    response = client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "videresend", "videresend-target_user": colleague_id},
    )
    assert response.status_code == 302
    with app.app_context():
        deviation = db.session.get(Deviation, ident)
        assert deviation.status is Status.MOTTATT  # what the reporter sees is unchanged
        assert deviation.handler_id == colleague_id
        assert history_line(deviation.events[-1]) == "Videresendt til Kari Kollega"
    mails = mails_since(app, before)
    assert [m.to_address for m in mails] == ["kari@stolav.demo"]
    assert reference in mails[0].subject and "sendt til deg" in mails[0].subject
    assert "Hemmelig tittel" not in mails[0].subject + mails[0].body  # no content
    # In the colleague's "Mine", not in the forwarder's.
    assert shown_counts(text_of(login_as("kari@stolav.demo").get("/")))["mine"] == "1"
    assert shown_counts(text_of(login_as("mottak@stolav.demo").get("/")))["mine"] == "0"
    # Sending it to oneself, or to someone outside the mottak, is refused beside the field.
    refused = client.post(
        f"/avvik/{reference}/behandling",
        data={
            "move": "videresend",
            "videresend-target_user": user_id(app, "melder@stolav.demo"),
        },
    )
    assert refused.status_code == 422
    assert "Kollegaen er ikke saksbehandler i mottaket her." in text_of(refused)


def test_forward_to_a_unit_mails_its_handlers_and_puts_it_in_their_mine(app, login_as):
    with app.app_context():
        unit = factories.new_unit(HOSPITAL, "Slagenheten nord")
        factories.new_user(
            "slag@stolav.demo", name="Siv Slag", org=HOSPITAL, roles=[Role.SAKSBEHANDLER], unit=unit
        )
        db.session.commit()
        unit_id = unit.id
    reference, ident = make(app)
    client = login_as("mottak@stolav.demo")
    client.get(f"/avvik/{reference}")
    before = mail_count(app)
    response = client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "videresend", "videresend-target_unit": unit_id},
    )
    assert response.status_code == 302
    assert [m.to_address for m in mails_since(app, before)] == ["slag@stolav.demo"]
    with app.app_context():
        deviation = db.session.get(Deviation, ident)
        assert (deviation.status, deviation.forwarded_unit_id) == (Status.MOTTATT, unit_id)
    unit_handler = login_as("slag@stolav.demo")
    assert shown_counts(text_of(unit_handler.get("/")))["mine"] == "1"
    # "Ta saken" there makes it theirs.
    assert (
        unit_handler.post(f"/avvik/{reference}/behandling", data={"move": "start"}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Deviation, ident).handler_id == factories.user("slag@stolav.demo").id


def test_unread_mark_and_svar_fra_melder(app, login_as):
    reference, _ = make(app, title="Samtale om epikrise")
    handler = login_as("mottak@stolav.demo")
    handler.get(f"/avvik/{reference}")
    handler.post(f"/avvik/{reference}/meldinger", data={"body": "Hvilken dag skjedde det?"})
    handler.post(
        f"/avvik/{reference}/meldinger", data={"body": "Internt: sjekk journal", "internal": "y"}
    )

    reporter = login_as("melder@trondheim.demo")
    mine = text_of(reporter.get("/avvik/mine"))
    assert "Ulest melding" in mine
    reporter.get(f"/avvik/{reference}")  # read it
    assert "Ulest melding" not in text_of(reporter.get("/avvik/mine"))
    reporter.post(f"/avvik/{reference}/meldinger", data={"body": "Det var fredag."})
    assert "Ulest melding" not in text_of(reporter.get("/avvik/mine"))  # one's own is read

    handler = login_as("mottak@stolav.demo")
    start = text_of(handler.get("/"))
    assert shown_counts(start)["svar-fra-melder"] == "1"
    answered = start.split('id="ko-svar-fra-melder"')[1].split("</section>")[0]
    assert reference in answered and "Ulest melding" in answered
    assert "Ulest melding" in text_of(handler.get("/mottak"))
    handler.get(f"/avvik/{reference}")
    assert "Ulest melding" not in text_of(handler.get("/mottak"))
    # Another handler of the same mottak has not read it.
    with app.app_context():
        factories.new_user("per@stolav.demo", org=HOSPITAL, roles=[Role.SAKSBEHANDLER])
        db.session.commit()
    assert "Ulest melding" in text_of(login_as("per@stolav.demo").get("/mottak"))
    # The handler answers in the thread: the reporter no longer waits for the handlers.
    handler = login_as("mottak@stolav.demo")
    handler.post(f"/avvik/{reference}/meldinger", data={"body": "Takk, vi ser på det."})
    assert shown_counts(text_of(handler.get("/")))["svar-fra-melder"] == "0"


def test_read_marks_never_move_back(app):
    from app.handling.reading import last_read, mark_read

    with app.app_context():
        deviation = factories.deviation()
        reader = factories.user("melder@trondheim.demo")
        mark_read(reader, deviation, 5)
        mark_read(reader, deviation, 3)
        assert last_read(reader, deviation) == 5
        mark_read(reader, deviation, 9)
        assert last_read(reader, deviation) == 9
        db.session.rollback()


def test_queue_ids_are_the_organisations_own(app):
    """Whatever the page shows is the user's organisation's: visible() and the scope agree."""
    from app.common import permissions
    from app.handling import queues

    with app.app_context():
        factories.deviation(counterpart="Malvik")
        factories.deviation()
        handler = factories.user("mottak@stolav.demo")
        org = organisation_by_name(HOSPITAL)
        for queue in queues.Queue:
            for row in queues.rows(queue, handler, today_local(), 50):
                deviation = db.session.get(Deviation, row.id)
                assert deviation.counterpart_org_id == org.id
                assert permissions.can(handler, "view", deviation)
        assert isinstance(handler, User)
        db.session.rollback()
