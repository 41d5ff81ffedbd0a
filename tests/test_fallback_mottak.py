"""No case without a reader (issue 20): a case filed to an organisation whose mottak nobody
staffs goes at once to the fallback mottak, and the form, the receipt, the mail and the admin's
organisation list say what happens. Also the reporter's "Venter på svar fra deg"."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.common.dates import local
from app.data.seed import HOSPITAL
from app.deviations.history import history_line
from app.extensions import db
from app.handling import fallback
from app.models import (
    AdminLogEntry,
    Deviation,
    DeviationEvent,
    EventKind,
    HistoryLine,
    Organisation,
    OutboxMail,
    Status,
    utcnow,
)
from tests import factories
from tests.support import name_fallback
from tests.test_filing_routes import valid_form

TITLE = "Epikrise manglet ved utskrivning"


def _org(name: str) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def _mails_since(start_id: int) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.id > start_id).order_by(OutboxMail.id)
        )
    )


def _last_mail_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(OutboxMail.id), 0)))


def _assert_no_content(mails: list[OutboxMail]) -> None:
    for mail in mails:
        for secret in (TITLE, "Pasienten kom hjem", "Ringte avdelingen"):
            assert secret not in mail.subject and secret not in mail.body


def test_case_to_unstaffed_mottak_goes_to_the_fallback(app, login_as):
    name_fallback(app, HOSPITAL)
    with app.app_context():
        froya = _org("Frøya").id
    client = login_as("melder@trondheim.demo")
    form = client.get("/avvik/nytt").get_data(as_text=True)
    # The note for Frøya is on the page (shown by the script when Frøya is chosen), truthfully.
    note = form.split(f'data-unstaffed-org="{froya}"', 1)[1].split("</div>", 1)[0]
    assert "Frøya har ingen saksbehandler" in note and "reservemottak hos St. Olavs" in note
    # Staffed organisations get no note.
    with app.app_context():
        assert (
            f'data-unstaffed-org="{_org(HOSPITAL).id}"'
            not in form.split('id="ubemannet-mottak"')[1]
        )

    before = _last_mail_id(app)
    response = client.post("/avvik/nytt", data=valid_form(app, counterpart_org=str(froya)))
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mottaket hos Frøya har ingen saksbehandler" in receipt
    assert "reservemottak hos St. Olavs hospital HF, som skal svare innen" in receipt
    reference = response.headers["Location"].split("/")[2]

    with app.app_context():
        case = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert case.counterpart_org_id == _org(HOSPITAL).id
        assert case.counterpart_org_name == HOSPITAL
        assert case.status is Status.SENDT
        # The fallback's own deadline, as a handler's re-routing gives.
        assert case.response_deadline == local(case.registered_at).date() + timedelta(
            days=_org(HOSPITAL).response_days
        )
        events = list(
            db.session.scalars(
                sa.select(DeviationEvent)
                .where(DeviationEvent.deviation_id == case.id)
                .order_by(DeviationEvent.id)
            )
        )
        assert [e.kind for e in events] == [EventKind.CREATED, EventKind.TRANSITION]
        assert events[0].text == "Frøya"
        assert events[1].actor_id is None
        assert events[1].line is HistoryLine.FALLBACK and events[1].text == ""
        assert "reservemottaket hos St. Olavs hospital HF" in history_line(events[1])
        mails = _mails_since(before)
        assert [m.to_address for m in mails] == ["mottak@stolav.demo"]
        assert reference in mails[0].subject and "reservemottaket" in mails[0].subject
        _assert_no_content(mails)

    # The fallback's handler finds it in the mottak and may handle it.
    handler = login_as("mottak@stolav.demo")
    assert reference in handler.get("/mottak").get_data(as_text=True)
    # Its history tells the move in words, not as a change from a status to the same one.
    history = handler.get(f"/avvik/{reference}").get_data(as_text=True).split('id="historikk"')[1]
    assert "reservemottaket hos St. Olavs hospital HF" in history
    assert "(Ny → Ny)" not in history


def test_without_fallback_the_form_and_receipt_say_so_and_the_admins_are_mailed(app, login_as):
    name_fallback(app, None)
    with app.app_context():
        froya = _org("Frøya").id
    client = login_as("melder@trondheim.demo")
    form = client.get("/avvik/nytt").get_data(as_text=True)
    note = form.split(f'data-unstaffed-org="{froya}"', 1)[1].split("</div>", 1)[0]
    assert "ikke valgt noe reservemottak" in note and "administratorene får e-post" in note

    before = _last_mail_id(app)
    response = client.post("/avvik/nytt", data=valid_form(app, counterpart_org=str(froya)))
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ingen er saksbehandler i mottaket der" in receipt
    assert "skal svare innen" not in receipt  # no promise nobody will keep
    reference = response.headers["Location"].split("/")[2]
    with app.app_context():
        case = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert case.counterpart_org_id == froya
        mails = _mails_since(before)
        assert [m.to_address for m in mails] == ["admin@demo.demo"]
        assert reference in mails[0].subject and "/admin/organisasjoner" in mails[0].body
        _assert_no_content(mails)


def test_fallback_never_takes_the_reporters_own_case_nor_an_unstaffed_one(ctx):
    hospital = _org(HOSPITAL)
    hospital.fallback_mottak = True
    db.session.flush()
    now = utcnow()
    # St. Olavs' own nurse to Frøya: the fallback is the reporter's organisation; it stays.
    own = factories.deviation(reporter="melder@stolav.demo", counterpart="Frøya", now=now)
    assert own.counterpart_org_name == "Frøya"
    assert fallback.route_for(hospital.id, _org("Frøya")).unread
    # A fallback nobody staffs takes nothing either.
    hospital.fallback_mottak = False
    db.session.flush()
    _org("Hitra").fallback_mottak = True
    db.session.flush()
    case = factories.deviation(counterpart="Frøya", now=now)
    assert case.counterpart_org_name == "Frøya"
    # A staffed mottak is never re-routed.
    assert factories.deviation(counterpart="Malvik").counterpart_org_name == "Malvik"


def test_admin_sees_handler_counts_and_names_the_fallback(app, login_as):
    name_fallback(app, None)
    with app.app_context():
        counts = fallback.handler_counts()
        hospital_id, froya_id, trondheim_id = (_org(n).id for n in (HOSPITAL, "Frøya", "Trondheim"))
    client = login_as("admin@demo.demo")
    page = client.get("/admin/organisasjoner").get_data(as_text=True)

    def row(org_id: int) -> str:
        return page.split(f'/admin/organisasjoner/{org_id}"', 1)[1].split("</tr>", 1)[0]

    assert counts[hospital_id] >= 1
    assert f'<td class="mottak-staff">{counts[hospital_id]}' in row(hospital_id)
    assert froya_id not in counts
    assert "text-danger" in row(froya_id) and "0 – ingen tar imot" in row(froya_id)
    assert "Det er ikke valgt noe reservemottak" in page

    # An unstaffed mottak cannot be the fallback; the message says why.
    refused = client.post("/admin/reservemottak", data={"organisation": str(froya_id)})
    assert refused.status_code == 422
    assert "Ingen er saksbehandler i mottaket hos Frøya" in refused.get_data(as_text=True)
    assert (
        client.post("/admin/reservemottak", data={"organisation": str(hospital_id)}).status_code
        == 302
    )
    assert (
        client.post("/admin/reservemottak", data={"organisation": str(trondheim_id)}).status_code
        == 302
    )
    with app.app_context():
        flagged = db.session.scalars(
            sa.select(Organisation.name).where(Organisation.fallback_mottak)
        ).all()
        assert flagged == ["Trondheim"]
        logged = db.session.scalars(
            sa.select(AdminLogEntry.action).where(
                AdminLogEntry.action == "organisation.fallback_mottak"
            )
        ).all()
        assert len(logged) == 3  # St. Olavs on, St. Olavs off, Trondheim on
    page = client.get("/admin/organisasjoner").get_data(as_text=True)
    assert "Reservemottak for mottak uten saksbehandler: Trondheim." in page

    # Central admins only: a lokal_admin finds no such page.
    local = login_as("lokaladmin@trondheim.demo")
    assert local.get("/admin/reservemottak").status_code == 404
    assert local.post("/admin/reservemottak", data={"organisation": ""}).status_code == 404


def test_waiting_for_the_reporters_answer(app, login_as):
    with app.app_context():
        asked = factories.deviation(title="Spørsmål venter")
        factories.message(asked, by="mottak@stolav.demo", body="Hvilken dag kom pasienten hjem?")
        answered = factories.deviation(title="Allerede besvart spørsmål")
        factories.message(answered, by="mottak@stolav.demo", body="Hvem ringte dere?")
        factories.message(answered, body="Sykepleier på kveldsvakt.")
        noted = factories.deviation(title="Bare internt notat")
        factories.message(noted, by="mottak@stolav.demo", body="Sjekk PLO.", internal=True)
        quiet = factories.deviation(title="Ingen meldinger")
        refs = {d.title: d.reference for d in (asked, answered, noted, quiet)}
        asked_id = asked.id
        db.session.commit()
    page = login_as("melder@trondheim.demo").get("/avvik/mine").get_data(as_text=True)
    assert "Venter på svar fra deg" in page
    waiting = page.split('id="venter-pa-deg"', 1)[1].split("</section>", 1)[0]
    assert refs["Spørsmål venter"] in waiting
    for title in ("Allerede besvart spørsmål", "Bare internt notat", "Ingen meldinger"):
        assert refs[title] not in waiting
        assert refs[title] in page  # still in the list below
    assert "St. Olavs hospital HF spurte" in waiting
    # The list is the stacked-card table, each cell labelled for a phone.
    assert "table-stack" in page and 'data-label="Svarfrist"' in page

    # Once the reporter answers, the case leaves the list.
    with app.app_context():
        factories.message(db.session.get(Deviation, asked_id), body="Tirsdag.")
        db.session.commit()
    page = login_as("melder@trondheim.demo").get("/avvik/mine").get_data(as_text=True)
    assert "Venter på svar fra deg" not in page


def test_analysis_list_stacks_as_labelled_cards(app, login_as):
    with app.app_context():
        analysis = factories.analysis(factories.deviation(), members=["forbedring@demo.demo"])
        reference = analysis.reference
        db.session.commit()
    page = login_as("forbedring@demo.demo").get("/analyser").get_data(as_text=True)
    assert reference in page
    table = page.split("<table", 1)[1].split("</table>", 1)[0]
    assert "table-stack" in table.split(">", 1)[0]
    for label in ("Referanse", "Tittel", "Leder", "Status", "Frist", "Åpne tiltak"):
        assert f'data-label="{label}"' in table
