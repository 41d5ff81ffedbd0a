"""Generated bad input (tests/bad_input.py) for the reporter's and the handler's forms: filing,
the moves on a deviation's page, the thread."""

from __future__ import annotations

import sqlalchemy as sa

from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import Agreement, Category, Organisation, Role, Unit
from tests.bad_input import Form, Kinds, drive
from tests.factories import deviation, new_user


def choices(app) -> Kinds:
    """The ids a page offers, and the ones it must refuse: the user's own organisation, a
    deactivated one, units of another organisation."""
    with app.app_context():
        hospital = organisation_by_name(HOSPITAL)
        organisation_by_name("Malvik").active = False  # an old page still offers it
        db.session.commit()

        def ids(query) -> list[str]:
            return [str(i) for i in db.session.scalars(query)]

        return Kinds(
            {
                "org": ids(sa.select(Organisation.id)),
                "unit": ids(sa.select(Unit.id).where(Unit.organisation_id != hospital.id))
                + ids(sa.select(Unit.id).where(Unit.organisation_id == hospital.id).limit(5)),
                "category": ids(sa.select(Category.id)),
                "agreement": ids(sa.select(Agreement.id)),
                "harm": ["ingen", "lav", "moderat", "alvorlig", "dod", "ikke_berort", "LAV"],
                "patient": ["01019012480", "010190 12480", "01019012481", "41019012480"],
                "move": [
                    "bekreft",
                    "start",
                    "videresend",
                    "omdiriger",
                    "besvar",
                    "avvis",
                    "gjenapne",
                    "analyse",
                    "BESVAR",
                    "besvar ",
                ],
                "flag": ["y", "on", "true", "1", "0", "false"],
                "outcome": ["varslet", "ikke_pliktig", "VARSLET", "varslet "],
            }
        )


FIELDS = {
    "counterpart_org": "org",
    "counterpart_unit": "unit",
    "event_date": "date",
    "category": "category",
    "harm": "harm",
    "title": "text",
    "description": "text",
    "immediate_action": "text",
    "suggestion": "text",
    "agreement": "agreement",
    "patient_id": "patient",
}


def test_filing(app, login_as):
    kinds = choices(app)
    with app.app_context():
        valid = {
            "counterpart_org": str(organisation_by_name(HOSPITAL).id),
            "counterpart_unit": "",
            "event_date": today_local().isoformat(),
            "category": kinds.valid["category"][0],
            "harm": "lav",
            "title": "Utskrevet uten epikrise",
            "description": "Pasienten kom hjem uten epikrise.",
            "immediate_action": "Ringte avdelingen.",
            "suggestion": "Send epikrise samme dag.",
            "agreement": "",
            "patient_id": "01019012480",
        }
    shown = ("title", "description", "immediate_action", "suggestion", "patient_id")
    form = Form("filing", "/avvik/nytt", FIELDS, shown, valid)
    drive(app, login_as("melder@trondheim.demo"), form, kinds, per_field=6)


def test_moves_and_messages_on_a_deviation(app, login_as):
    kinds = choices(app)
    with app.app_context():
        reference = deviation().reference
        version = "1"
        unit = kinds.valid["unit"][-1]  # one of the hospital's
        trondheim = str(organisation_by_name("Trondheim").id)
        orkland = str(organisation_by_name("Orkland").id)
        # Someone staffs Orkland's mottak: to one nobody staffs, with no fallback named, a
        # re-routing is refused (app/handling/fallback.py), and the baseline must succeed.
        new_user("mottak@orkland.demo", org="Orkland", roles=[Role.SAKSBEHANDLER])
        db.session.commit()
    handler = login_as("mottak@stolav.demo")
    path = f"/avvik/{reference}/behandling"
    for move, extra in (
        ("bekreft", {}),
        ("besvar", {"text": "Rutinen er endret."}),
        ("avvis", {"text": "Ikke et samhandlingsavvik."}),
        ("videresend", {"text": "Til rett avdeling.", "target_unit": unit}),
        ("omdiriger", {"text": "", "target_org": orkland}),
    ):
        fields = {"move": "move", f"{move}-version": "number"}
        fields |= {
            f"{move}-{name}": (
                "org" if name == "target_org" else "unit" if name == "target_unit" else "text"
            )
            for name in extra
        }
        valid = {"move": move, f"{move}-version": version} | {
            f"{move}-{k}": v for k, v in extra.items()
        }
        shown = (f"{move}-text",) if "text" in extra else ()
        form = Form(f"move {move}", path, fields, shown, valid, fixed=("move",))
        drive(app, handler, form, kinds, per_field=4, everything=8)
    # The move field itself spoilt (a page that was tampered with, or a stale one).
    spoilt_move = Form("move field", path, {"move": "move", "besvar-text": "text"}, (),
                       {"move": "besvar", "besvar-text": "Svar."})  # fmt: skip
    drive(app, handler, spoilt_move, kinds, per_field=8, everything=4)
    messages = Form(
        "messages",
        f"/avvik/{reference}/meldinger",
        {"body": "text", "internal": "flag"},
        shown=("body",),
        valid={"body": "Hvilken dag skjedde det?", "internal": ""},
    )
    drive(app, handler, messages, kinds, per_field=10, everything=10)
    drive(app, login_as("melder@trondheim.demo"), messages, kinds, per_field=5, everything=5)
    assert trondheim  # the reporter's organisation: re-routing there is refused


def test_the_notice_of_a_serious_event(app, login_as):
    from app.models import Harm

    kinds = choices(app)
    with app.app_context():
        reference = deviation(harm=Harm.DOD).reference
        db.session.commit()
    fields = {
        "outcome": "outcome",
        "notified_on": "date",
        "notified_by": "text",
        "reference": "text",
        "reason": "text",
    }
    valid = {
        "outcome": "varslet",
        "notified_on": today_local().isoformat(),
        "notified_by": "Klinikksjef Hansen",
        "reference": "2026/12",
        "reason": "",
    }
    form = Form(
        "serious notice",
        f"/avvik/{reference}/varsling",
        fields,
        ("notified_by", "reference", "reason"),
        valid,
    )
    drive(app, login_as("mottak@stolav.demo"), form, kinds, per_field=5, everything=6)
