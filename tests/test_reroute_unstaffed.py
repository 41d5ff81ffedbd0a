"""A handler's "send to another organisation" to a mottak nobody staffs (issue 20's rule, as
filing follows it): the reroute form marks such organisations, the case goes on at once to the
fallback mottak with its history rows and the fallback's handlers mailed, and the notice says
where it went. Where no fallback can take it the move is refused beside the field, the reason
kept and nothing changed: the case stays with the handler rather than with nobody."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.api.scopes import DEVIATIONS_READ, DEVIATIONS_WRITE
from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.history import history_line
from app.extensions import db
from app.models import (
    Deviation,
    DeviationEvent,
    EventKind,
    HistoryLine,
    OutboxMail,
    Status,
)
from tests.api_helpers import bearer, issue_token
from tests.support import name_fallback
from tests.test_filing_routes import valid_form

HANDLER = "mottak@malvik.demo"
REASON = "Pasienten bor på Frøya, ikke i Malvik."


def _ids(app, *names: str) -> list[int]:
    with app.app_context():
        return [organisation_by_name(name).id for name in names]


def _to_malvik(app, login_as) -> str:
    """Trondheim's nurse files to Malvik; Malvik's handler will send it on."""
    (malvik,) = _ids(app, "Malvik")
    response = login_as("melder@trondheim.demo").post(
        "/avvik/nytt", data=valid_form(app, counterpart_org=str(malvik))
    )
    assert response.status_code == 302
    return response.headers["Location"].split("/")[2]


def _case(reference: str) -> Deviation:
    return db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))


def _events(case: Deviation) -> list[DeviationEvent]:
    return list(
        db.session.scalars(
            sa.select(DeviationEvent)
            .where(DeviationEvent.deviation_id == case.id)
            .order_by(DeviationEvent.id)
        )
    )


def _last_mail_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(OutboxMail.id), 0)))


def _mails_since(start: int) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.id > start).order_by(OutboxMail.id)
        )
    )


def _note(page: str, org_id: int) -> str:
    region = page.split('id="ubemannet-mottak-omdiriger"', 1)[1].split("<script", 1)[0]
    return region.split(f'data-unstaffed-org="{org_id}"', 1)[1].split("</div>", 1)[0]


def _reroute(client, reference: str, org_id: int, text: str = REASON):
    return client.post(
        f"/avvik/{reference}/behandling",
        data={"move": "omdiriger", "omdiriger-target_org": str(org_id), "omdiriger-text": text},
    )


def test_reroute_to_unstaffed_froya_ends_at_the_fallback_mottak(app, login_as):
    name_fallback(app, HOSPITAL)
    froya, malvik, hospital = _ids(app, "Frøya", "Malvik", HOSPITAL)
    reference = _to_malvik(app, login_as)
    client = login_as(HANDLER)
    page = html.unescape(client.get(f"/avvik/{reference}").get_data(as_text=True))
    # The reroute form marks Frøya in the filing form's words and says where the case goes.
    note = _note(page, froya)
    assert "Mottaket hos Frøya har ingen saksbehandler i Avvik nå" in note
    assert "reservemottak hos St. Olavs hospital HF" in note
    assert 'data-unstaffed-for="omdiriger-target_org"' in page
    region = page.split('id="ubemannet-mottak-omdiriger"', 1)[1].split("<script", 1)[0]
    # A staffed mottak gets no mark.
    assert f'data-unstaffed-org="{hospital}"' not in region

    before = _last_mail_id(app)
    response = _reroute(client, reference, froya)
    # Malvik no longer has the case: the inbox, with the notice naming where it went.
    assert response.status_code == 302 and response.headers["Location"] == "/mottak"
    inbox = html.unescape(client.get("/mottak").get_data(as_text=True))
    assert "Mottaket hos Frøya har ingen saksbehandler i Avvik nå." in inbox
    assert "sendt videre til helsefellesskapets reservemottak hos St. Olavs hospital HF" in inbox
    assert client.get(f"/avvik/{reference}").status_code == 404

    with app.app_context():
        case = _case(reference)
        assert case.counterpart_org_id == hospital and case.counterpart_org_name == HOSPITAL
        assert case.status is Status.VIDERESENDT and case.handler_id is None
        # The fallback's own deadline, counted from the day it came.
        assert case.response_deadline == today_local() + timedelta(
            days=organisation_by_name(HOSPITAL).response_days
        )
        moved, rule = _events(case)[-2:]
        assert moved.line is HistoryLine.REROUTED and moved.actor.email == HANDLER
        assert (moved.from_org_id, moved.org_id, moved.text) == (malvik, froya, REASON)
        assert rule.line is HistoryLine.FALLBACK and rule.actor_id is None and rule.text == ""
        assert (rule.from_org_id, rule.org_id) == (froya, hospital)
        assert rule.from_status is rule.to_status is Status.VIDERESENDT
        assert "Sendt fra Frøya til reservemottaket hos St. Olavs hospital HF" in history_line(rule)
        # Frøya's mottak has nobody to mail; the fallback's handlers are told, with no content.
        mails = _mails_since(before)
        assert [m.to_address for m in mails] == ["mottak@stolav.demo"]
        assert reference in mails[0].subject and "reservemottaket" in mails[0].subject
        for mail in mails:
            assert REASON not in mail.body and "Utskrevet" not in mail.subject

    # The fallback's handler finds it and reads both moves in its history.
    fallback = login_as("mottak@stolav.demo")
    assert reference in fallback.get("/mottak").get_data(as_text=True)
    history = html.unescape(fallback.get(f"/avvik/{reference}").get_data(as_text=True))
    history = history.split('id="historikk"', 1)[1]
    assert f"Sendt fra Malvik til Frøya: {REASON}" in history
    assert "Sendt fra Frøya til reservemottaket hos St. Olavs hospital HF" in history


@pytest.mark.parametrize(
    ("fallback", "mark", "refusal"),
    [
        (None, "ikke valgt noe reservemottak som kan ta avviket", "ingen ville kunne lese det"),
        # The reporter's organisation may not receive its own case, as in filing.
        ("Trondheim", "ikke valgt noe reservemottak som kan ta avviket", "ingen ville kunne"),
        # The handler's own: the case would only come back.
        ("Malvik", "reservemottak er hos dere selv", "ville kommet tilbake hit"),
    ],
)
def test_with_no_usable_fallback_the_move_is_refused_and_the_reason_kept(
    app, login_as, fallback, mark, refusal
):
    name_fallback(app, fallback)
    (froya,) = _ids(app, "Frøya")
    reference = _to_malvik(app, login_as)
    client = login_as(HANDLER)
    page = html.unescape(client.get(f"/avvik/{reference}").get_data(as_text=True))
    note = _note(page, froya)
    assert "Mottaket hos Frøya har ingen saksbehandler i Avvik nå" in note and mark in note
    assert "ikke sendes dit" in note
    with app.app_context():
        case = _case(reference)
        rows, version = len(_events(case)), case.version
    before = _last_mail_id(app)

    response = _reroute(client, reference, froya)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    error = page.split('id="omdiriger-target_org-feil"', 1)[1].split("</div>", 1)[0]
    assert "Avviket kan ikke sendes til Frøya: ingen er saksbehandler i mottaket der" in error
    assert refusal in error
    # What the handler typed is still in the open form; Frøya still chosen, its note shown.
    assert f"{REASON}</textarea>" in page
    assert f'<option selected value="{froya}">' in page
    shown = page.split(f'data-unstaffed-org="{froya}"', 1)[1].split(">", 1)[0]
    assert "hidden" not in shown
    with app.app_context():
        case = _case(reference)
        assert case.counterpart_org_name == "Malvik" and case.status is Status.MOTTATT
        assert (len(_events(case)), case.version) == (rows, version)
        assert _mails_since(before) == []
    assert client.get(f"/avvik/{reference}").status_code == 200


def test_reroute_to_a_staffed_mottak_is_unchanged(app, login_as):
    name_fallback(app, HOSPITAL)
    (hospital,) = _ids(app, HOSPITAL)
    reference = _to_malvik(app, login_as)
    client = login_as(HANDLER)
    before = _last_mail_id(app)
    response = _reroute(client, reference, hospital)
    assert response.status_code == 302
    inbox = html.unescape(client.get("/mottak").get_data(as_text=True))
    assert "Avviket er sendt til mottaket hos St. Olavs hospital HF." in inbox
    assert "reservemottak" not in inbox
    with app.app_context():
        case = _case(reference)
        assert case.counterpart_org_name == HOSPITAL and case.status is Status.VIDERESENDT
        lines = [e.line for e in _events(case) if e.kind is EventKind.TRANSITION]
        assert lines[-1] is HistoryLine.REROUTED and HistoryLine.FALLBACK not in lines
        mails = _mails_since(before)
        assert [m.to_address for m in mails] == ["mottak@stolav.demo"]
        assert "videresendt til dere" in mails[0].subject


def test_the_api_follows_the_same_rule(app, client, login_as):
    name_fallback(app, None)
    froya, hospital = _ids(app, "Frøya", HOSPITAL)
    reference = _to_malvik(app, login_as)
    token = issue_token(app, "Malvik", {DEVIATIONS_READ, DEVIATIONS_WRITE})
    moves = f"/api/v1/deviations/{reference}/moves"

    def post(org: int, key: str):
        return client.post(
            moves,
            json={"move": "omdiriger", "organisation_id": org, "text": REASON},
            headers=bearer(token, **{"Idempotency-Key": key}),
        )

    refused = post(froya, "a")
    assert refused.status_code == 422, refused.get_data(as_text=True)
    body = refused.get_json()
    assert body["type"].endswith("refused-unstaffed")
    assert "Avviket kan ikke sendes til Frøya" in body["errors"]["organisation_id"][0]
    name_fallback(app, HOSPITAL)
    moved = post(froya, "b")
    assert moved.status_code == 200, moved.get_data(as_text=True)
    with app.app_context():
        assert _case(reference).counterpart_org_id == hospital
