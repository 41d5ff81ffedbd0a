"""Serious events (harm Alvorlig or Død), over HTTP and through the services: the guidance on
the form and the receipt, the shorter deadline, the mark in the lists and in mail subjects, the
inbox's serious events first and its harm filter, the notice to Statens helsetilsyn recorded by
the receiving handler only, the day-after reminder, and the tertial's counts."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.common.dates import today_local
from app.data.seed import organisation_by_name
from app.extensions import db
from app.handling import serious
from app.handling.workflow import transition
from app.models import (
    Deviation,
    EventKind,
    Harm,
    OutboxMail,
    SeriousNotice,
    utcnow,
)
from app.statistics.services import ALL, tertial_summary
from reports import Tertial
from tests import factories
from tests.support import pdf_text
from tests.test_filing_routes import valid_form

GUIDANCE = 'id="alvorlig-tittel"'


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def guidance_shown(page: str) -> bool:
    """The guidance section is drawn and not hidden."""
    match = re.search(r'<section class="alert alert-danger serious-guidance"[^>]*>', page)
    assert match is not None, "the guidance section is always on the form"
    return "hidden" not in match.group(0)


def get(reference: str) -> Deviation:
    return db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))


def mails_to(address: str) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            sa.select(OutboxMail).where(OutboxMail.to_address == address).order_by(OutboxMail.id)
        )
    )


# --- The form and the receipt -----------------------------------------------------------------


def test_the_form_hides_the_guidance_until_serious_harm_and_shows_it_when_it_comes_back(
    app, login_as
):
    client = login_as("melder@trondheim.demo")
    page = text_of(client.get("/avvik/nytt"))
    assert not guidance_shown(page)
    assert "serious.js" in page
    # The phones of the mottaks are there for the script: the hospital's demo number.
    assert "73 00 00 01" in page
    # Sent with harm Død but no title: back with the guidance drawn by the server, phone and all.
    response = client.post("/avvik/nytt", data=valid_form(app, harm="dod", title=""))
    assert response.status_code == 422
    page = text_of(response)
    assert guidance_shown(page)
    assert 'href="tel:73000001"' in page
    assert "https://www.helsetilsynet.no/tilsyn/varsel-om-alvorlige-hendelser/" in page
    assert "spesialisthelsetjenesteloven § 3-3a" in page
    assert "helse- og omsorgstjenesteloven § 12-3a" in page
    assert "Ukom" in page
    assert "egen organisasjons avvikssystem" in page
    assert "kortere svarfrist: 3 dager" in page
    # A counterpart whose mottak has no telephone: the form says so instead.
    with app.app_context():
        malvik = organisation_by_name("Malvik").id
    page = text_of(
        client.post(
            "/avvik/nytt", data=valid_form(app, harm="alvorlig", title="", counterpart_org=malvik)
        )
    )
    assert guidance_shown(page)
    assert "Telefonnummeret til mottaket er ikke registrert i Avvik" in page
    no_phone = re.search(r"<span data-uten-telefon( hidden)?>", page)
    assert no_phone is not None and no_phone.group(1) is None
    # Harm Moderat: not shown.
    page = text_of(client.post("/avvik/nytt", data=valid_form(app, harm="moderat", title="")))
    assert not guidance_shown(page)


def test_a_serious_event_gets_the_shorter_deadline_and_the_receipt_repeats_the_guidance(
    app, login_as
):
    client = login_as("melder@trondheim.demo")
    response = client.post("/avvik/nytt", data=valid_form(app, harm="dod"))
    assert response.status_code == 302
    receipt = text_of(client.get(response.headers["Location"]))
    assert GUIDANCE in receipt and "73 00 00 01" in receipt
    reference = response.headers["Location"].split("/")[2]
    # The same reporter, counterpart and category within a day: sent past the duplicate warning.
    plain = client.post(
        "/avvik/nytt", data={**valid_form(app, harm="moderat"), "send_likevel": "1"}
    )
    assert GUIDANCE not in text_of(client.get(plain.headers["Location"]))
    with app.app_context():
        assert get(reference).response_deadline == today_local() + timedelta(days=3)
        other = get(plain.headers["Location"].split("/")[2])
        assert other.response_deadline == today_local() + timedelta(days=14)


def test_the_serious_deadline_follows_the_setting_and_never_lengthens_a_shorter_one(app):
    app.config["SERIOUS_RESPONSE_DAYS"] = 5
    with app.app_context():
        dev = factories.deviation(harm=Harm.ALVORLIG)
        assert dev.response_deadline == today_local() + timedelta(days=5)
        organisation_by_name("Malvik").response_days = 2
        short = factories.deviation(harm=Harm.DOD, counterpart="Malvik")
        assert short.response_deadline == today_local() + timedelta(days=2)
        # Re-routed to another organisation: that one's deadline, still the serious one.
        from app.handling.moves import Move

        transition(
            dev,
            Move.REROUTE,
            factories.user("mottak@stolav.demo"),
            text="Gjelder Trondheim",
            target_org=organisation_by_name("Malvik").id,
        )
        assert dev.response_deadline == today_local() + timedelta(days=2)
        organisation_by_name("Malvik").response_days = 14
        db.session.rollback()


# --- The mark and the mail --------------------------------------------------------------------


def test_the_new_case_mail_is_marked_and_carries_no_content(ctx):
    factories.deviation(harm=Harm.DOD, title="Døde etter feil dosering")
    factories.deviation(harm=Harm.LAV, title="Epikrise manglet")
    mails = mails_to("mottak@stolav.demo")
    assert len(mails) == 2
    serious_mail, plain = mails
    assert serious_mail.subject.startswith("ALVORLIG HENDELSE – Avvik AV-")
    assert serious_mail.subject.endswith(": nytt avvik")
    assert not plain.subject.startswith("ALVORLIG")
    assert "Døde" not in serious_mail.body and "dosering" not in serious_mail.body


def test_every_list_marks_a_serious_event(app, login_as):
    with app.app_context():
        factories.deviation(harm=Harm.DOD, title="Feilmedisinering etter utskrivning")
        factories.deviation(harm=Harm.LAV, title="Feilmedisinering uten skade")
        db.session.commit()
    mark = '<span class="badge text-bg-danger serious-mark">Alvorlig hendelse</span>'
    client = login_as("melder@trondheim.demo")
    mine = text_of(client.get("/avvik/mine"))
    assert mine.count(mark) == 1
    found = text_of(client.get("/sok?q=feilmedisinering"))
    assert found.count(mark) == 1
    client = login_as("mottak@stolav.demo")
    inbox = text_of(client.get("/mottak"))
    # Once in the serious-first block and once in its place in the list.
    assert inbox.count(mark) == 2
    in_inbox_search = text_of(client.get("/mottak?q=feilmedisinering"))
    assert in_inbox_search.count(mark) == 1


# --- The inbox: serious first, and the harm filter --------------------------------------------


def test_the_inbox_shows_open_serious_events_first_and_filters_by_harm(app, login_as):
    with app.app_context():
        old_death = factories.deviation(harm=Harm.DOD, title="Eldre dødsfall", days_ago=2)
        factories.deviation(harm=Harm.ALVORLIG, title="Alvorlig skade i går", days_ago=1)
        closed = factories.deviation(harm=Harm.ALVORLIG, title="Lukket alvorlig sak")
        factories.answer(closed)
        for n in range(3):
            factories.deviation(harm=Harm.LAV, title=f"Vanlig avvik {n}")
        db.session.commit()
        old_reference = old_death.reference
    client = login_as("mottak@stolav.demo")
    page = text_of(client.get("/mottak"))
    block = page.split('id="alvorlige-forst"', 1)[1].split("</section>", 1)[0]
    # Nearest deadline first: both are due three days after filing.
    assert block.index("Eldre dødsfall") < block.index("Alvorlig skade i går")
    assert "Lukket alvorlig sak" not in block and "Vanlig avvik" not in block
    # Above the ordinary list, whose newest is an ordinary case.
    assert page.index('id="alvorlige-forst"') < page.index("Vanlig avvik 2")
    # The filter: serious ones only, or one harm; the block is not repeated under a filter.
    both = text_of(client.get("/mottak?harm=alvorlige"))
    assert 'id="alvorlige-forst"' not in both
    assert "Eldre dødsfall" in both and "Lukket alvorlig sak" in both
    assert "Vanlig avvik" not in both
    deaths = text_of(client.get("/mottak?harm=dod"))
    assert "Eldre dødsfall" in deaths and "Alvorlig skade i går" not in deaths
    assert '<option value="dod" selected>' in deaths
    # An unknown value is no filter, never a 500.
    assert client.get("/mottak?harm=%00x").status_code in (200, 400)
    assert "Vanlig avvik 1" in text_of(client.get("/mottak?harm=ukjent"))
    assert old_reference in page


# --- Recording the notice to Statens helsetilsyn ----------------------------------------------


def serious_case(app) -> str:
    with app.app_context():
        reference = factories.deviation(harm=Harm.DOD, title="Død etter fall").reference
        db.session.commit()
    return reference


def test_the_receiving_handler_records_the_notice_and_the_case_shows_it(app, login_as):
    reference = serious_case(app)
    client = login_as("melder@trondheim.demo")
    page = text_of(client.get(f"/avvik/{reference}"))
    assert "Ikke registrert ennå." in page
    assert "Saksbehandlerne i mottaket hos St. Olavs hospital HF må registrere" in page
    assert 'id="varslingsskjema"' not in page
    notice = {
        "outcome": "varslet",
        "notified_on": today_local().isoformat(),
        "notified_by": "Klinikksjef Hansen",
        "reference": "2026/1234",
    }
    assert client.post(f"/avvik/{reference}/varsling", data=notice).status_code == 404
    client = login_as("mottak@stolav.demo")
    page = text_of(client.get(f"/avvik/{reference}"))
    assert 'id="varslingsskjema"' in page
    assert 'value="Siri Mottak"' in page
    response = client.post(f"/avvik/{reference}/varsling", data=notice)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/avvik/{reference}#varsling")
    page = text_of(client.get(f"/avvik/{reference}"))
    assert "Varslet Helsetilsynet" in page and "Klinikksjef Hansen" in page
    assert "Referanse: 2026/1234." in page
    # The form to change it waits folded, with the record's own values.
    assert "<summary>Endre registreringen</summary>" in page
    assert 'value="2026/1234"' in page
    with app.app_context():
        dev = get(reference)
        recorded = serious.notice_of(dev)
        assert recorded.notifiable and recorded.notified_by == "Klinikksjef Hansen"
        assert recorded.recorded_by.email == "mottak@stolav.demo"
        kinds = [e.kind for e in dev.events]
        assert kinds[-1] is EventKind.SERIOUS_NOTIFIED and dev.events[-1].text == "2026/1234"
    # Changed: first judged not notifiable, then notified after all. One record, two history
    # rows.
    changed = {"outcome": "ikke_pliktig", "reason": "Utfallet var ventet."}
    assert client.post(f"/avvik/{reference}/varsling", data=changed).status_code == 302
    assert client.post(f"/avvik/{reference}/varsling", data=notice).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SeriousNotice)) == 1
        dev = get(reference)
        assert [e.kind for e in dev.events][-3:] == [
            EventKind.SERIOUS_NOTIFIED,
            EventKind.SERIOUS_NOT_NOTIFIABLE,
            EventKind.SERIOUS_NOTIFIED,
        ]
        assert serious.notice_of(dev).reason == ""
    # The reporter sees it too.
    page = text_of(login_as("melder@trondheim.demo").get(f"/avvik/{reference}"))
    assert "Varslet Helsetilsynet" in page and "Ikke registrert ennå." not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "outcome", "Velg om hendelsen er varslet eller ikke varslingspliktig."),
        ({"outcome": "varslet", "notified_by": "Hansen"}, "notified_on", "Skriv datoen"),
        (
            {"outcome": "varslet", "notified_on": "2999-01-01", "notified_by": "Hansen"},
            "notified_on",
            "Datoen kan ikke være fram i tid.",
        ),
        ({"outcome": "varslet", "notified_on": "__today__"}, "notified_by", "Skriv hvem"),
        (
            {"outcome": "ikke_pliktig"},
            "reason",
            "Skriv hvorfor hendelsen ikke er varslingspliktig.",
        ),
        (
            {"outcome": "ikke_pliktig", "reason": "Pasient " + factories.identity_number("120345")},
            "reason",
            "fødselsnummer",
        ),
        ({"outcome": "ikke_pliktig", "reason": "x" * 2001}, "reason", "Teksten er for lang"),
    ],
)
def test_a_refused_notice_says_why_keeps_the_text_and_records_nothing(
    app, login_as, data, field, message
):
    reference = serious_case(app)
    client = login_as("mottak@stolav.demo")
    data = {k: today_local().isoformat() if v == "__today__" else v for k, v in data.items()}
    response = client.post(f"/avvik/{reference}/varsling", data=data)
    assert response.status_code == 422
    page = text_of(response)
    assert message in page
    assert f'id="{field}-feil"' in page or f'id="{field}"' in page
    for value in data.values():
        if len(value) < 100 and value not in ("varslet", "ikke_pliktig"):
            assert value in page
    with app.app_context():
        dev = get(reference)
        assert serious.notice_of(dev) is None
        assert dev.events[-1].kind is EventKind.CREATED


def test_not_notifiable_is_recorded_with_its_reason_and_only_on_serious_cases(app, login_as):
    reference = serious_case(app)
    with app.app_context():
        plain = factories.deviation(harm=Harm.MODERAT).reference
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    data = {"outcome": "ikke_pliktig", "reason": "Utfallet var ventet ut fra sykdommen."}
    assert client.post(f"/avvik/{plain}/varsling", data=data).status_code == 404
    assert 'id="varsling"' not in text_of(client.get(f"/avvik/{plain}"))
    assert client.post(f"/avvik/{reference}/varsling", data=data).status_code == 302
    # Malvik's handler neither sees the case nor may record.
    other = login_as("mottak@malvik.demo")
    assert other.post(f"/avvik/{reference}/varsling", data=data).status_code == 404
    with app.app_context():
        dev = get(reference)
        notice = serious.notice_of(dev)
        assert not notice.notifiable and notice.notified_on is None
        assert notice.reason == "Utfallet var ventet ut fra sykdommen."
        assert dev.events[-1].kind is EventKind.SERIOUS_NOT_NOTIFIABLE


def test_the_database_refuses_a_notice_without_date_or_reason(ctx):
    dev = factories.deviation(harm=Harm.DOD)
    db.session.add(SeriousNotice(deviation_id=dev.id, notifiable=True, notified_by="Hansen"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- The reminder a day after filing ----------------------------------------------------------


def test_the_mottak_is_reminded_once_when_nothing_is_recorded_a_day_after_filing(app, runner):
    now = utcnow()
    with app.app_context():
        waiting = factories.deviation(harm=Harm.DOD, now=now - timedelta(hours=25))
        factories.deviation(harm=Harm.ALVORLIG, now=now - timedelta(hours=23))  # not yet
        recorded = factories.deviation(harm=Harm.DOD, now=now - timedelta(hours=30))
        factories.deviation(harm=Harm.MODERAT, now=now - timedelta(hours=30))  # not serious
        serious.record_notice(
            factories.user("mottak@stolav.demo"),
            recorded,
            serious.NoticeInput(notifiable=False, reason="Ventet utfall."),
        )
        db.session.commit()
        reference = waiting.reference
        before = len(mails_to("mottak@stolav.demo"))
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 påminnelser om varsling av alvorlige hendelser lagt i utboksen." in result.output
    again = runner.invoke(args=["send-reminders"])
    assert "0 påminnelser om varsling av alvorlige hendelser" in again.output
    with app.app_context():
        # (Not the deadline reminders: a serious event's comes the day before its deadline.)
        new = [m for m in mails_to("mottak@stolav.demo")[before:] if "Helsetilsynet" in m.subject]
        assert len(new) == 1
        assert new[0].subject == (
            f"ALVORLIG HENDELSE – Avvik {reference}: varsling til Helsetilsynet ikke registrert"
        )
        assert "Statens helsetilsyn" in new[0].body and reference in new[0].body


# --- The tertial ------------------------------------------------------------------------------


def test_the_tertial_counts_serious_events_and_their_notices_on_page_and_pdf(app, login_as):
    handler = "mottak@stolav.demo"
    with app.app_context():
        notified = factories.deviation(harm=Harm.DOD)
        not_due = factories.deviation(harm=Harm.ALVORLIG)
        factories.deviation(harm=Harm.ALVORLIG)  # nothing recorded
        factories.deviation(harm=Harm.MODERAT)
        actor = factories.user(handler)
        serious.record_notice(
            actor,
            notified,
            serious.NoticeInput(True, today_local(), "Klinikksjef Hansen", "2026/9"),
        )
        serious.record_notice(actor, not_due, serious.NoticeInput(False, reason="Ventet."))
        db.session.commit()
        tertial = Tertial.of(today_local())
        summary = tertial_summary(tertial, ALL)
        assert (summary.serious_events, summary.serious_notified) == (3, 1)
        assert (summary.serious_not_notifiable, summary.serious_unrecorded) == (1, 1)
    client = login_as("forbedring@demo.demo")
    page = text_of(client.get(f"/statistikk/?tertial={tertial.code}"))
    tile = page.split('id="tile-alvorlige"', 1)[1].split("</li>", 1)[0]
    assert re.search(r'class="stat-tile-value">3<', tile)
    assert "varslet Helsetilsynet: 1" in tile
    assert "ikke varslingspliktige: 1" in tile and "ikke registrert: 1" in tile
    pdf = "\n".join(pdf_text(client.get(f"/statistikk/{tertial.code}/rapport.pdf").get_data()))
    assert "Alvorlige hendelser (alvorlig skade eller dødsfall) 3" in pdf
    assert "– herav varslet Helsetilsynet 1" in pdf
    assert "– herav ikke registrert 1" in pdf


# --- The mottak's telephone -------------------------------------------------------------------


def test_the_admin_sets_the_mottak_telephone_and_a_bad_one_is_refused(app, login_as):
    with app.app_context():
        malvik = organisation_by_name("Malvik")
        org_id, name, days = malvik.id, malvik.name, malvik.response_days
    client = login_as("admin@demo.demo")
    form = {"name": name, "response_days": str(days), "mottak_phone": "72 85 00 99"}
    assert client.post(f"/admin/organisasjoner/{org_id}", data=form).status_code == 302
    assert 'value="72 85 00 99"' in text_of(client.get(f"/admin/organisasjoner/{org_id}"))
    bad = client.post(
        f"/admin/organisasjoner/{org_id}", data={**form, "mottak_phone": "ring sentralbordet"}
    )
    assert bad.status_code == 422
    page = text_of(bad)
    assert "Skriv telefonnummeret med sifre" in page and 'value="ring sentralbordet"' in page
    with app.app_context():
        assert organisation_by_name("Malvik").mottak_phone == "72 85 00 99"
        assert serious.mottak_phones()[org_id] == "72 85 00 99"
    # Emptied: no telephone.
    client.post(f"/admin/organisasjoner/{org_id}", data={**form, "mottak_phone": ""})
    with app.app_context():
        assert organisation_by_name("Malvik").mottak_phone is None


# --- Rectification and retention reach the notice's texts -------------------------------------


def test_rectification_and_retention_reach_the_notices_texts(ctx):
    from app.deviations.retention import ANONYMISED_TITLE, anonymise_old_cases
    from app.models import Status
    from app.privacy.rectification import redact_passage

    handler = factories.user("mottak@stolav.demo")
    quiet = factories.deviation(harm=Harm.DOD)
    serious.record_notice(
        handler, quiet, serious.NoticeInput(False, reason="Kari Nordmann døde som ventet.")
    )
    # The reason stands in the notice and in its history row: both lose the passage.
    assert redact_passage(handler, quiet, "Kari Nordmann") == 2
    db.session.flush()
    db.session.expire_all()
    notice = serious.notice_of(quiet)
    assert "Kari" not in notice.reason and notice.reason.startswith("[fjernet av Siri Mottak")
    assert "Kari" not in quiet.events[-2].text

    notified = factories.deviation(harm=Harm.ALVORLIG)
    serious.record_notice(
        handler, notified, serious.NoticeInput(True, today_local(), "Klinikksjef Hansen", "99/1")
    )
    long_ago = utcnow() - timedelta(days=11 * 366)
    db.session.execute(
        sa.update(Deviation)
        .where(Deviation.id == notified.id)
        .values(status=Status.BESVART, closed_at=long_ago)
        .execution_options(synchronize_session="fetch")
    )
    assert anonymise_old_cases(10) == 1
    db.session.expire_all()
    kept = serious.notice_of(notified)
    assert kept.notifiable and kept.notified_on == today_local()
    assert (kept.notified_by, kept.reference, kept.recorded_by_id) == (ANONYMISED_TITLE, "", None)
    db.session.rollback()
