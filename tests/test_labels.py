"""One label per enum value and language (reports/labels.py), and the same label on the page, in
the export and in the PDF; one date format on the page, in a mail and in the PDF."""

from __future__ import annotations

import csv
import importlib
import io
import pkgutil
import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

import app.models
from app.auth.notify import password_changed as password_changed_mail
from app.auth.services import find_user
from app.common import labels
from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.services import DeviationInput, file_deviation
from app.extensions import db
from app.handling.moves import Move
from app.handling.workflow import transition
from app.models import Category, Harm, MailStatus, OutboxMail, Status
from app.models.history_permit import PermitPurpose
from reports import Tertial
from reports import labels as spelled
from reports.i18n import load
from tests.support import pdf_text

# Never shown to anyone: the outbox's own bookkeeping, and the history triggers' permits, which
# live only inside one transaction.
UNSHOWN = {MailStatus, PermitPurpose}


def _enums() -> set[type[StrEnum]]:
    found = set()
    for info in pkgutil.iter_modules(app.models.__path__):
        module = importlib.import_module(f"app.models.{info.name}")
        found |= {
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, StrEnum)
            and value.__module__ == module.__name__
        }
    return found


def _english_catalogue():
    with open("app/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="en")


def test_every_enum_value_has_exactly_one_label_per_language():
    enums = _enums()
    assert {"Status", "Harm", "Direction", "ActionStatus", "FactorGroup", "Role"} <= {
        e.__name__ for e in enums
    }
    assert set(labels.TABLES) == enums - UNSHOWN, "an enum without labels, or labels without one"
    catalogue = _english_catalogue()
    for enum, table in labels.TABLES.items():
        assert set(table.msgids) == {v.value for v in enum}, enum.__name__
        english = {}
        for value, msgid in table.msgids.items():
            entry = catalogue.get(msgid)
            assert entry is not None and entry.string and not entry.fuzzy, (enum, msgid)
            english[value] = entry.string
        norwegian = list(table.msgids.values())
        assert len(set(norwegian)) == len(norwegian), f"two {enum.__name__} share a label"
        assert len(set(english.values())) == len(english), f"two {enum.__name__} share a label"
        # The app's lookup is the same table, by member and by stored value alike.
        for member in enum:
            assert str(labels.label(member)) == table.msgids[member.value]


def test_the_app_and_the_reports_read_the_same_tables():
    assert labels.HARM.msgids is spelled.HARMS and labels.STATUS.msgids is spelled.STATUSES
    assert labels.DIRECTION.msgids is spelled.DIRECTIONS
    assert labels.ACTION_STATUS.msgids is spelled.ACTION_STATUSES
    assert labels.STRENGTH.msgids is spelled.ACTION_STRENGTHS


EXPECTED = {
    "nb": ("Nestenuhell", "Ny", "Kommune til sykehus", "Mottatt"),
    "en": ("Near miss", "New", "Municipality to hospital", "Received"),
}


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_page_export_and_pdf_print_the_same_label(client, login_as, lang):
    with client.application.app_context():
        category = db.session.scalar(sa.select(Category).limit(1))
        deviation = file_deviation(
            find_user("melder@trondheim.demo"),
            DeviationInput(
                counterpart_org_id=organisation_by_name(HOSPITAL).id,
                event_date=today_local() - timedelta(days=1),
                category_id=category.id,
                harm=Harm.IKKE_BEROERT,
                title="Tittel",
                description="Beskrivelse",
            ),
        )
        assert deviation.status is Status.SENDT
        reference = deviation.reference
        for email in ("melder@trondheim.demo", "forbedring@demo.demo", "mottak@stolav.demo"):
            find_user(email).language = lang
        db.session.commit()
    language = load(lang)
    harm, status, direction, reporter_status = EXPECTED[lang]
    assert language.gettext(spelled.HARMS["ikke_berort"]) == harm
    assert language.gettext(spelled.STATUSES["sendt"]) == status
    assert language.gettext(spelled.DIRECTIONS["kommune_sykehus"]) == direction
    assert language.gettext(spelled.REPORTER_STATUSES["mottatt"]) == reporter_status

    # The reporter reads the reporting side's status, with its explanation; the harm with its
    # definition.
    page = login_as("melder@trondheim.demo").get(f"/avvik/{reference}").get_data(as_text=True)
    for label in (harm, reporter_status, direction):
        assert label in page, label
    assert language.gettext(spelled.REPORTER_STATUS_HELP["mottatt"]) in page
    assert language.gettext(spelled.HARM_HELP["ikke_berort"]) in page
    assert f">{status}<" not in page, "the reporter sees the handler's status"
    # The receiving handler reads the internal one (before opening acknowledges the case, the
    # list shows it as new).
    handler = login_as("mottak@stolav.demo")
    inbox = handler.get("/mottak").get_data(as_text=True)
    assert reference in inbox and f">{status}<" in inbox

    code = Tertial.of(today_local()).code
    forbedring = login_as("forbedring@demo.demo")
    pdf = " ".join(
        " ".join(pdf_text(forbedring.get(f"/statistikk/{code}/rapport.pdf").data)).split()
    )
    for label in (harm, direction):
        assert label in pdf, label
    assert re.search(rf"(?<!\w){status} \d", pdf), status  # a row: status at the tertial's end
    stats = forbedring.get(f"/statistikk/?tertial={code}").get_data(as_text=True)
    assert harm in stats and language.gettext(spelled.HARM_HELP["ikke_berort"]) in stats

    # The export is the importer's format: Norwegian labels, whoever downloads it.
    text = forbedring.get(f"/statistikk/{code}/avvik.csv").get_data().decode("utf-8-sig")
    (row,) = [r for r in csv.reader(io.StringIO(text), delimiter=";") if r[0] == reference]
    nb_harm, nb_status, nb_direction, _ = EXPECTED["nb"]
    assert nb_harm in row and nb_status in row and nb_direction in row


@pytest.mark.parametrize(("lang", "line"), [("nb", "Status: Besvart"), ("en", "Status: Answered")])
def test_the_reporters_mail_says_the_reporting_sides_status(ctx, lang, line):
    reporter = find_user("melder@trondheim.demo")
    reporter.language = lang
    deviation = file_deviation(
        reporter,
        DeviationInput(
            counterpart_org_id=organisation_by_name(HOSPITAL).id,
            event_date=today_local(),
            category_id=db.session.scalar(sa.select(Category.id).limit(1)),
            harm=Harm.INGEN,
            title="Tittel",
            description="Beskrivelse",
        ),
    )
    handler = find_user("mottak@stolav.demo")
    transition(deviation, Move.ANSWER, handler, text="Svar til melder")
    (body,) = db.session.scalars(
        sa.select(OutboxMail.body).where(
            OutboxMail.to_address == reporter.email, OutboxMail.body.contains(deviation.reference)
        )
    )
    assert line in body.splitlines()
    assert load(lang).gettext(spelled.REPORTER_STATUSES["besvart"]) in line
    assert "Tittel" not in body and "Svar til melder" not in body  # still no case content


def test_every_status_is_exactly_one_status_of_the_reporting_side():
    assert set(spelled.REPORTER_STATUS_OF) == {s.value for s in Status}
    assert set(spelled.REPORTER_STATUS_OF.values()) == set(spelled.REPORTER_STATUSES)
    assert set(spelled.REPORTER_STATUS_HELP) == set(spelled.REPORTER_STATUSES)
    # Closed stays closed and open stays open, whichever side reads it.
    for status, seen in spelled.REPORTER_STATUS_OF.items():
        assert (status in spelled.CLOSED_STATUSES) == (seen in {"besvart", "avvist"}), status
    assert labels.reporter_status(Status.VIDERESENDT) == "under_arbeid"
    assert labels.reporter_status(Status.SENDT) == "mottatt"


@pytest.mark.parametrize(
    "table",
    [
        spelled.REPORTER_STATUSES,
        spelled.REPORTER_STATUS_HELP,
        spelled.HARM_HELP,
        {"scale": spelled.HARM_SCALE},
    ],
)
def test_the_words_beside_the_enums_have_one_english_each(table):
    catalogue = _english_catalogue()
    english = []
    for msgid in table.values():
        entry = catalogue.get(msgid)
        assert entry is not None and entry.string and not entry.fuzzy, msgid
        english.append(entry.string)
    assert len(set(table.values())) == len(table) and len(set(english)) == len(english)


MADE_AT = datetime(2023, 9, 5, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lang", "when"), [("nb", "05.09.2023 kl. 10:00"), ("en", "05.09.2023 at 10:00")]
)
def test_a_mail_and_the_pdf_write_a_time_alike(ctx, lang, when):
    user = find_user("melder@trondheim.demo")
    user.language = lang
    password_changed_mail(user, MADE_AT)
    body = db.session.scalars(
        sa.select(OutboxMail.body)
        .where(OutboxMail.to_address == user.email)
        .order_by(OutboxMail.id.desc())
    ).first()
    assert when in body
    assert load(lang).numbers.datetime(MADE_AT) == when


@pytest.mark.parametrize(
    ("lang", "ninety", "two"),
    [("nb", "venter 1,5 min", "venter 2 min"), ("en", "waits 1.5 min", "waits 2 min")],
)
def test_the_security_log_writes_a_lock_s_wait_in_the_readers_numbers(app, lang, ninety, two):
    from flask_babel import force_locale

    from app.auth.labels import detail

    with app.test_request_context(), force_locale(lang):
        assert detail("90s") == ninety and detail("120s") == two
