"""History lines drawn from codes (issue 22): a row stores what the system says as a code and
the ids it names, and the page draws it in the reader's language, whatever the actor's."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.data.seed import HOSPITAL, organisation_by_name
from app.deviations.history import history_line
from app.extensions import db
from app.handling import workflow
from app.handling.moves import Move
from app.models import (
    Deviation,
    DeviationEvent,
    EventKind,
    HistoryLine,
    Role,
    Status,
    Unit,
    User,
)
from app.models.history_permit import HistoryPermit, PermitPurpose
from tests import factories
from tests.support import login

NORWEGIAN = (
    "Bekreftet da avviket ble åpnet første gang",
    "Videresendt til Kari Kollega, Nevroklinikken › Slagenheten: Se på dosen.",
    "Sendt fra St. Olavs hospital HF til Malvik: Gjelder hjemmetjenesten.",
)
ENGLISH = (
    "Acknowledged when the deviation was first opened",
    "Forwarded to Kari Kollega, Nevroklinikken › Slagenheten: Se på dosen.",
    "Sent from St. Olavs hospital HF to Malvik: Gjelder hjemmetjenesten.",
)


def _history(app, email: str, reference: str) -> str:
    """The history as ``email`` reads it, in a browser of their own: a language chosen in
    another's session (its cookie) does not carry over to them at login."""
    client = app.test_client()
    login(client, email)
    page = html.unescape(client.get(f"/avvik/{reference}").get_data(as_text=True))
    return " ".join(page.split('id="historikk"', 1)[1].split("</section>", 1)[0].split())


def _set_language(app, email: str, language: str) -> None:
    with app.app_context():
        factories.user(email).language = language
        db.session.commit()


def test_the_same_rows_read_in_each_readers_language_whatever_the_actors(app, login_as):
    with app.app_context():
        colleague = factories.new_user(
            "kari@stolav.demo", name="Kari Kollega", org=HOSPITAL, roles=[Role.SAKSBEHANDLER]
        )
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Slagenheten"))
        assert unit.path == "Nevroklinikken › Slagenheten"
        ids = {
            "colleague": colleague.id,
            "unit": unit.id,
            "malvik": organisation_by_name("Malvik").id,
        }
        deviation = factories.deviation()
        reference, ident = deviation.reference, deviation.id
        db.session.commit()
    # The handler works in English: before the codes, the rows were written in English.
    _set_language(app, "mottak@stolav.demo", "en")
    handler = login_as("mottak@stolav.demo")
    assert handler.get(f"/avvik/{reference}").status_code == 200  # acknowledges by opening
    forwarded = handler.post(
        f"/avvik/{reference}/behandling",
        data={
            "move": "videresend",
            "videresend-target_unit": ids["unit"],
            "videresend-target_user": ids["colleague"],
            "videresend-text": "Se på dosen.",
        },
    )
    assert forwarded.status_code == 302
    # Inside the receiving organisation the handler reads Norwegian now, Kari English: the
    # same rows. (The reporting side is not shown these internal moves: issue 22's statuses.)
    _set_language(app, "mottak@stolav.demo", "nb")
    _set_language(app, "kari@stolav.demo", "en")
    inside_nb = _history(app, "mottak@stolav.demo", reference)
    inside_en = _history(app, "kari@stolav.demo", reference)
    for norwegian_line, english_line in zip(NORWEGIAN[:2], ENGLISH[:2], strict=True):
        assert norwegian_line in inside_nb and norwegian_line not in inside_en
        assert english_line in inside_en and english_line not in inside_nb
    with app.app_context():
        # Kari has it now; she sends it on to Malvik, working in Norwegian.
        colleague = db.session.get(User, ids["colleague"])
        workflow.transition(
            db.session.get(Deviation, ident),
            Move.REROUTE,
            colleague,
            target_org=ids["malvik"],
            text="Gjelder hjemmetjenesten.",
        )
        db.session.commit()
        events = db.session.scalars(
            sa.select(DeviationEvent)
            .where(DeviationEvent.deviation_id == ident)
            .order_by(DeviationEvent.id)
        ).all()
        # Codes and ids; the text holds only what a person typed.
        assert [(e.line, e.text) for e in events] == [
            (None, HOSPITAL),
            (HistoryLine.OPENED, ""),
            (HistoryLine.FORWARDED, "Se på dosen."),
            (HistoryLine.REROUTED, "Gjelder hjemmetjenesten."),
        ]
        assert (events[2].unit_id, events[2].colleague_id) == (ids["unit"], ids["colleague"])
        assert (events[3].from_org_id, events[3].org_id) == (
            organisation_by_name(HOSPITAL).id,
            ids["malvik"],
        )
    # The reporter reads Norwegian, the reporting side's handler English: the same rows.
    _set_language(app, "melder@trondheim.demo", "nb")
    norwegian = _history(app, "melder@trondheim.demo", reference)
    _set_language(app, "mottak@trondheim.demo", "en")
    english = _history(app, "mottak@trondheim.demo", reference)
    assert NORWEGIAN[2] in norwegian and NORWEGIAN[2] not in english
    assert ENGLISH[2] in english and ENGLISH[2] not in norwegian
    assert f"Sendt til {HOSPITAL}" in norwegian and f"Sent to {HOSPITAL}" in english
    for internal in (*NORWEGIAN[:2], *ENGLISH[:2]):
        assert internal not in norwegian and internal not in english


def test_rows_the_rules_write_read_in_the_readers_language(app):
    with app.test_request_context():
        froya, hospital = organisation_by_name("Frøya"), organisation_by_name(HOSPITAL)
        routed = factories.deviation(counterpart="Frøya")
        # As app/handling/fallback.py does it for a case just filed to an unstaffed mottak.
        if routed.counterpart_org_id == froya.id:
            fallback = workflow.reroute_unstaffed(routed, hospital, routed.registered_at)
        else:  # the seed's fallback took it at filing already
            fallback = routed.events[-1]
        unread = workflow.note_unread(
            factories.deviation(counterpart="Frøya"), routed.registered_at
        )
        db.session.flush()
        assert (fallback.line, fallback.from_org_id, fallback.org_id) == (
            HistoryLine.FALLBACK,
            froya.id,
            hospital.id,
        )
        assert (unread.line, unread.org_id, unread.text) == (HistoryLine.UNSTAFFED, froya.id, "")
        with force_locale("nb"):
            assert history_line(fallback) == (
                f"Sendt fra Frøya til reservemottaket hos {HOSPITAL}: mottaket hos Frøya har "
                "ingen saksbehandler."
            )
            assert history_line(unread).startswith("Mottaket hos Frøya har ingen saksbehandler")
        with force_locale("en"):
            assert history_line(fallback) == (
                f"Sent from Frøya to the fallback inbox at {HOSPITAL}: the inbox of Frøya has no "
                "case handler."
            )
            assert history_line(unread).startswith("The inbox of Frøya has no case handler")


def test_a_row_from_before_the_codes_reads_as_written(app):
    with app.test_request_context():
        deviation = factories.deviation()
        old = DeviationEvent(
            deviation=deviation,
            kind=EventKind.TRANSITION,
            from_status=Status.SENDT,
            to_status=Status.SENDT,
            text="Videresendt til Slagenheten",
        )
        db.session.add(old)
        db.session.flush()
        with force_locale("en"):
            assert history_line(old) == "Videresendt til Slagenheten"


NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _refused(statement: str, **params: object) -> None:
    nested = db.session.begin_nested()
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(sa.text(statement), params)
    nested.rollback()


def test_the_guards_keep_the_codes_and_retention_drops_the_unit_and_colleague(ctx):
    deviation = factories.deviation()
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == "Slagenheten"))
    factories.forward(deviation, unit, text="Se på dosen.")
    factories.move(
        deviation, Move.REROUTE, target_org=organisation_by_name("Malvik"), text="Gjelder Malvik."
    )
    db.session.flush()
    case = {"d": deviation.id, "now": NOW - timedelta(days=1)}
    # Rectification: only the text, with the mark; the codes stay.
    db.session.execute(
        sa.insert(HistoryPermit).values(
            deviation_id=deviation.id, purpose=PermitPurpose.RECTIFICATION
        )
    )
    marked = "text = '[fjernet av Ola]'"
    # Every row has text: the forward names a unit, the re-routing two organisations.
    for change in ("line = 'apnet'", "unit_id = NULL", "org_id = NULL", "from_org_id = NULL"):
        _refused(f"UPDATE deviation_event SET {marked}, {change} WHERE deviation_id = :d", **case)
    assert (
        db.session.execute(
            sa.text(f"UPDATE deviation_event SET {marked} WHERE deviation_id = :d"),
            case,
        ).rowcount
        == 3  # the filing's row holds the organisation's name
    )
    db.session.execute(sa.delete(HistoryPermit))
    # Retention on an anonymised case: text, actor, unit and colleague go; line and orgs stay.
    db.session.execute(sa.text("UPDATE deviation SET anonymised_at = :now WHERE id = :d"), case)
    db.session.execute(
        sa.insert(HistoryPermit).values(deviation_id=deviation.id, purpose=PermitPurpose.RETENTION)
    )
    emptied = "text = '', actor_id = NULL, unit_id = NULL, colleague_id = NULL"
    for change in ("line = NULL", "org_id = NULL", "from_org_id = NULL"):
        _refused(f"UPDATE deviation_event SET {emptied}, {change} WHERE deviation_id = :d", **case)
    _refused("UPDATE deviation_event SET text = '', actor_id = NULL WHERE deviation_id = :d "
             "AND unit_id IS NOT NULL", **case)  # fmt: skip
    rows = db.session.execute(
        sa.text(f"UPDATE deviation_event SET {emptied} WHERE deviation_id = :d"), case
    ).rowcount
    assert rows == 3
    db.session.execute(sa.delete(HistoryPermit))
    db.session.expire_all()
    forward, reroute = deviation.events[1:]
    assert forward.line is HistoryLine.FORWARDED and history_line(forward) == ""
    assert reroute.org_id == organisation_by_name("Malvik").id


def test_an_analysis_history_reads_in_each_readers_language(app):
    from app.analysis import services as analyses
    from app.models import ActionStatus, AnalysisStatus

    member = "mottak@trondheim.demo"
    # The actors work in English: before the codes, the rows were written so.
    with app.test_request_context(), force_locale("en"):
        leader = factories.user(factories.LEADER)
        analysis = factories.analysis(members=(member,))
        factories.fill_analysis(analysis)
        analyses.set_status(leader, analysis, AnalysisStatus.PAGAR)
        analyses.update_action(
            leader,
            analysis,
            analysis.actions[0],
            factories.action_input(analysis, status=ActionStatus.PAGAR),
        )
        reference = analysis.reference
        db.session.commit()
    _set_language(app, factories.LEADER, "nb")
    _set_language(app, member, "en")
    pages = {}
    for email in (factories.LEADER, member):
        client = app.test_client()
        login(client, email)
        page = html.unescape(client.get(f"/analyser/{reference}").get_data(as_text=True))
        pages[email] = " ".join(
            page.split('id="historikk"', 1)[1].split("</section>", 1)[0].split()
        )
    norwegian, english = pages[factories.LEADER], pages[member]
    for line in ("Planlagt → Pågår", "Tiltak 1: status Planlagt → Pågår", "Problem 1: Team",
                 "Læringspunkt 1", "Rotårsak 1", " kl. 21:05"):  # fmt: skip
        assert line in norwegian, line
    for line in ("Planned → Ongoing", "Action 1: status Planned → Ongoing",
                 "Problem 1: Team", "Learning point 1", "Root cause 1", " at 21:05"):  # fmt: skip
        assert line in english, line
    assert "Pågår" not in english and "Tiltak" not in english


def test_the_api_gives_the_code_and_the_line_in_the_clients_language(app, client):
    from app.api.scopes import DEVIATIONS_READ
    from tests.api_helpers import bearer, issue_token

    with app.app_context():
        deviation = factories.deviation()
        reference = deviation.reference
        factories.move(
            deviation,
            Move.REROUTE,
            target_org=organisation_by_name("Malvik"),
            text="Gjelder Malvik.",
        )
        db.session.commit()
    token = issue_token(app, "Trondheim", {DEVIATIONS_READ}, name="EQS")  # the reporting side
    for language, line in (
        ("nb", "Sendt fra St. Olavs hospital HF til Malvik: Gjelder Malvik."),
        ("en", "Sent from St. Olavs hospital HF to Malvik: Gjelder Malvik."),
    ):
        response = client.get(
            f"/api/v1/deviations/{reference}",
            headers={**bearer(token), "Accept-Language": language},
        )
        assert response.status_code == 200
        last = response.get_json()["history"][-1]
        assert (last["line"], last["text"]) == ("sendt_videre", line)
        # A row without a code reads as stored: the filing's names the organisation.
        assert response.get_json()["history"][0] == {**response.get_json()["history"][0],
                                                      "line": None, "text": HOSPITAL}  # fmt: skip
