"""Generated bad input (tests/bad_input.py) for the incident analysis: starting one, its mandate,
every section's items (adding and changing), the status, the team, linking a deviation, and
answering the covered deviations."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.analysis import services
from app.common.dates import today_local
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import AnalysisStatus, Organisation, User
from tests import factories
from tests.bad_input import Form, Kinds, drive

TODAY = today_local()


def kinds_for(analysis, other) -> Kinds:
    ids = lambda rows: [str(r.id) for r in rows]
    return Kinds(
        {
            "problem": ids(analysis.problems) + ids(other.problems),
            "cause": ids(analysis.root_causes) + ids(other.root_causes),
            "org": [str(i) for i in db.session.scalars(sa.select(Organisation.id))],
            "group": ["pasient", "team", "individ", "ytre_forhold", "TEAM"],
            "action_status": ["planlagt", "pagar", "gjennomfort", "forkastet", "ferdig"],
            "strength": ["sterk", "middels", "svak", "STERK"],
            "status": ["planlagt", "pagar", "ferdig", "avbrutt", "ukjent"],
            "analysis": [str(analysis.id), str(other.id)],
            "user_email": [u for u in db.session.scalars(sa.select(User.email))],
        }
    )


def test_analysis_forms(app, login_as):
    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)
        # Another organisation's analysis, whose items' ids the forms must refuse.
        other = factories.analysis(factories.deviation(reporter="melder@stolav.demo", counterpart="Trondheim"),
                        leader="mottak@trondheim.demo")  # fmt: skip
        factories.fill_analysis(other, actor="mottak@trondheim.demo")
        fresh = factories.deviation(title="Enda et avvik").reference
        # A finished one, whose covered deviations may be answered.
        done = factories.analysis(factories.deviation(title="Et tredje avvik"))
        factories.fill_analysis(done)
        services.set_status(factories.user(factories.LEADER), done, AnalysisStatus.FERDIG)
        done_ref = done.reference
        kinds = kinds_for(analysis, other)
        ref = analysis.reference
        analysis_id = analysis.id
        problem = analysis.problems[0].id
        cause = analysis.root_causes[0].id
        action = analysis.actions[0].id
        hospital = str(organisation_by_name(HOSPITAL).id)
        db.session.commit()
    client = login_as(factories.LEADER)
    date = (TODAY + timedelta(days=1)).isoformat()
    mandate = {
        "mandat-title": ("text", "Utskrivning fredag kveld"),
        "mandat-mandate": ("text", "Finn ut hvorfor."),
        "mandat-scope": ("text", ""),
        "mandat-start_date": ("date", TODAY.isoformat()),
        "mandat-due_date": ("date", date),
    }
    sections = {
        "tidslinje": {"tidslinje-day": ("date", (TODAY - timedelta(days=1)).isoformat()), "tidslinje-at": ("date", "21:05"),
                      "tidslinje-what": ("text", "Pasienten kom hjem"), "tidslinje-source": ("text", "Journal")},
        "problem": {"problem-text": ("text", "Ikke varslet.")},
        "faktor": {"faktor-problem": ("problem", str(problem)), "faktor-group": ("group", "team"),
                   "faktor-text": ("text", "Ingen rutine.")},
        "rotarsak": {"rotarsak-text": ("text", "Sen utskrivning.")},
        "tiltak": {"tiltak-text": ("text", "Ring kommunen."), "tiltak-root_cause": ("cause", str(cause)),
                   "tiltak-responsible_org": ("org", hospital),
                   "tiltak-responsible_email": ("user_email", factories.LEADER),
                   "tiltak-due_date": ("date", date), "tiltak-status": ("action_status", "planlagt"),
                   "tiltak-strength": ("strength", "sterk"), "tiltak-effect_measure": ("text", "")},
        "laering": {"laering-text": ("text", "Ring før utskrivning.")},
    }  # fmt: skip

    def form(name: str, path: str, spec: dict, per_field: int = 3, everything: int = 5) -> None:
        fields = {k: kind for k, (kind, _) in spec.items()}
        valid = {k: value for k, (_, value) in spec.items()}
        shown = tuple(k for k, (kind, _) in spec.items() if kind == "text")
        drive(app, client, Form(name, path, fields, shown, valid), kinds, per_field, everything)

    form("analysis new", f"/analyser/ny/{fresh}", mandate)
    form("analysis mandate", f"/analyser/{ref}/mandat", mandate)
    for section, spec in sections.items():
        form(f"analysis {section}", f"/analyser/{ref}/{section}/ny", spec)
    form("analysis edit problem", f"/analyser/{ref}/problem/{problem}/endre", sections["problem"])
    form("analysis edit action", f"/analyser/{ref}/tiltak/{action}/endre", sections["tiltak"], 2)
    form("analysis status", f"/analyser/{ref}/status", {"status-status": ("status", "ferdig")}, 6)
    form(
        "analysis team",
        f"/analyser/{ref}/team",
        {"medlem-email": ("user_email", "melder@stolav.demo")},
        6,
    )
    form(
        "analysis answer",
        f"/analyser/{done_ref}/besvar-avvik",
        {"svar-text": ("text", "Se analysen.")},
        6,
    )
    form(
        "analysis link",
        f"/analyser/legg-til/{fresh}",
        {"analysis": ("analysis", str(analysis_id))},
        6,
    )
    with app.app_context():
        assert services.get_by_reference(ref) is not None
