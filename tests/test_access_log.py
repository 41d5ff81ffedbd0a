"""Who read what: the access log is written when a case, its patient identity or an analysis is
shown; the handlers of the two organisations see it on the case; the data protection officer
finds a patient's cases by the keyed hash and lists who read them."""

from __future__ import annotations

import sqlalchemy as sa

from app.auth.services import find_user
from app.data.seed import HOSPITAL
from app.extensions import db
from app.models import AccessAction, AccessLogEntry, Deviation, Role
from app.models.guards import AppendOnlyError
from tests import factories
from tests.factories import identity_number

PATIENT = identity_number("120345")
OTHER_PATIENT = identity_number("230456")
OFFICER = "personvern@stolav.demo"
TITLE = "Kom hjem uten epikrise"


def _entries(**where) -> list[AccessLogEntry]:
    query = sa.select(AccessLogEntry).order_by(AccessLogEntry.id)
    for name, value in where.items():
        query = query.where(getattr(AccessLogEntry, name) == value)
    return list(db.session.scalars(query))


def test_viewing_a_case_and_its_identity_is_logged(app, login_as):
    with app.app_context():
        reference = factories.deviation(patient=PATIENT, title=TITLE).reference
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    assert client.get(f"/avvik/{reference}").status_code == 200
    shown = client.post(f"/avvik/{reference}/pasient")
    assert PATIENT[:6] in shown.get_data(as_text=True)
    with app.app_context():
        handler = find_user("mottak@stolav.demo")
        rows = _entries(user_id=handler.id)
        assert [r.action for r in rows] == [
            AccessAction.DEVIATION_VIEWED,
            AccessAction.PATIENT_ID_SHOWN,
        ]
        assert rows[0].organisation_id == handler.organisation_id
        assert rows[0].deviation.reference == reference


def test_a_stranger_leaves_no_row_and_gets_404(app, login_as):
    with app.app_context():
        reference = factories.deviation(patient=PATIENT, title=TITLE).reference
        db.session.commit()
    client = login_as("mottak@malvik.demo")
    assert client.get(f"/avvik/{reference}").status_code == 404
    with app.app_context():
        assert _entries() == []


def test_the_handlers_of_both_organisations_see_the_case_access_log(app, login_as):
    with app.app_context():
        reference = factories.deviation(patient=PATIENT, title=TITLE).reference
        db.session.commit()
    login_as("mottak@stolav.demo").get(f"/avvik/{reference}")
    for handler in ("mottak@stolav.demo", "mottak@trondheim.demo"):
        page = login_as(handler).get(f"/avvik/{reference}").get_data(as_text=True)
        assert 'id="tilgangslogg"' in page and "Siri Mottak" in page, handler
    reporter_page = login_as("melder@trondheim.demo").get(f"/avvik/{reference}")
    assert 'id="tilgangslogg"' not in reporter_page.get_data(as_text=True)


def test_analysis_page_and_pdf_are_logged(app, login_as):
    with app.app_context():
        analysis = factories.analysis()
        reference, analysis_id = analysis.reference, analysis.id
        db.session.commit()
    client = login_as("mottak@stolav.demo")
    assert client.get(f"/analyser/{reference}").status_code == 200
    assert client.get(f"/analyser/{reference}/pdf").status_code == 200
    with app.app_context():
        actions = [r.action for r in _entries(analysis_id=analysis_id)]
        assert actions == [AccessAction.ANALYSIS_VIEWED, AccessAction.ANALYSIS_PDF]


def test_the_access_log_is_never_changed(ctx):
    user = find_user("mottak@stolav.demo")
    deviation = factories.deviation(patient=PATIENT, title=TITLE)
    db.session.add(
        AccessLogEntry(user_id=user.id, organisation_id=user.organisation_id,
                       action=AccessAction.DEVIATION_VIEWED, deviation_id=deviation.id)
    )  # fmt: skip
    db.session.flush()
    entry = _entries()[0]
    entry.action = AccessAction.PATIENT_ID_SHOWN
    try:
        db.session.flush()
    except AppendOnlyError:
        pass
    else:
        raise AssertionError("an access-log row was changed")
    db.session.rollback()


def test_the_officer_finds_the_patients_cases_and_who_read_them(app, login_as):
    with app.app_context():
        factories.new_user(OFFICER, name="Petra Personvern", org=HOSPITAL, roles=[Role.PERSONVERN])
        first, second = (
            factories.deviation(patient=PATIENT, title=TITLE),
            factories.deviation(
                reporter="melder@stolav.demo", counterpart="Malvik", patient=PATIENT, title=TITLE
            ),
        )
        elsewhere = factories.deviation(
            reporter="melder@trondheim.demo", counterpart="Malvik", patient=PATIENT, title=TITLE
        )  # not ours
        factories.deviation(patient=OTHER_PATIENT, title=TITLE)
        factories.deviation(patient=None, title=TITLE)
        refs = first.reference, second.reference, elsewhere.reference
        db.session.commit()
    login_as("mottak@stolav.demo").get(f"/avvik/{refs[0]}")
    officer = login_as(OFFICER)
    typed = f"{PATIENT[:2]}.{PATIENT[2:4]}.{PATIENT[4:6]} {PATIENT[6:]}"
    answer = officer.post("/personvern/", data={"number": typed})
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "2 avvik har dette nummeret" in page
    assert refs[0] in page and refs[1] in page and refs[2] not in page
    assert "Siri Mottak" in page  # who read the first case
    assert TITLE not in page  # no case content
    with app.app_context():
        me = find_user(OFFICER)
        actions = [(r.action, r.deviation_id is not None) for r in _entries(user_id=me.id)]
        assert actions == [
            (AccessAction.PATIENT_SEARCH, False),
            (AccessAction.PATIENT_SEARCH_HIT, True),
            (AccessAction.PATIENT_SEARCH_HIT, True),
        ]


def test_a_bad_number_is_refused_beside_the_field_and_kept(app, login_as):
    with app.app_context():
        factories.new_user(OFFICER, name="Petra Personvern", org=HOSPITAL, roles=[Role.PERSONVERN])
        db.session.commit()
    typed = PATIENT[:10] + str((int(PATIENT[10]) + 1) % 10)
    answer = login_as(OFFICER).post("/personvern/", data={"number": typed})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "ikke et gyldig fødselsnummer" in page and f'value="{typed}"' in page
    with app.app_context():
        assert _entries() == []


def test_only_the_officer_reaches_the_privacy_pages(app, login_as):
    with app.app_context():
        factories.new_user(OFFICER, name="Petra Personvern", org=HOSPITAL, roles=[Role.PERSONVERN])
        db.session.commit()
    for email in ("admin@demo.demo", "mottak@stolav.demo", "forbedring@demo.demo"):
        client = login_as(email)
        assert client.get("/personvern/").status_code == 404
        assert client.post("/personvern/", data={"number": PATIENT}).status_code == 404
        assert client.get("/personvern/tilgangslogg").status_code == 404
    officer = login_as(OFFICER)
    assert officer.get("/personvern/").status_code == 200
    assert 'href="/personvern/"' in officer.get("/").get_data(as_text=True)  # in the menu


def test_the_organisation_log_lists_its_own_staff_only_and_filters(app, login_as):
    with app.app_context():
        factories.new_user(OFFICER, name="Petra Personvern", org=HOSPITAL, roles=[Role.PERSONVERN])
        reference = factories.deviation(patient=PATIENT, title=TITLE).reference
        db.session.commit()
    login_as("mottak@stolav.demo").get(f"/avvik/{reference}")
    login_as("mottak@trondheim.demo").get(f"/avvik/{reference}")
    officer = login_as(OFFICER)
    page = officer.get("/personvern/tilgangslogg").get_data(as_text=True)
    assert "Siri Mottak" in page and "Trond Mottak" not in page
    filtered = officer.get("/personvern/tilgangslogg?email=melder@stolav.demo")
    assert "Siri Mottak" not in filtered.get_data(as_text=True)
    by_case = officer.get(f"/personvern/tilgangslogg?reference={reference.lower()}")
    assert "Siri Mottak" in by_case.get_data(as_text=True)


def test_the_search_is_one_indexed_lookup(ctx):
    """The keyed hash's partial index answers the search; nothing is decrypted."""
    from app.common.crypto import patient_cipher

    statement = sa.select(Deviation.id).where(
        Deviation.patient_id_hash == patient_cipher().hash(PATIENT)
    )
    connection = db.session.connection()
    compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "sqlite":
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
        text = " ".join(str(row[-1]) for row in plan)
    else:
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        text = " ".join(r[0] for r in connection.exec_driver_sql(f"EXPLAIN {compiled}").all())
    assert "ix_deviation_patient_id_hash" in text, text
