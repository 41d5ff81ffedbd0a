"""The case page in reading order (issue 20): the thread oldest first with the composers after
it, "Svar til melder" and "Internt notat" apart, the displayed access log folding repeated
readings, the jump links; and deleting an item of an analysis asks first and says what went."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AccessAction, AccessLogEntry
from app.privacy.access_log import record_access
from tests import factories

HANDLER = "mottak@stolav.demo"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_thread_reads_oldest_first_and_the_two_composers_come_after_it(app, login_as):
    with app.app_context():
        dev = factories.deviation()
        factories.message(dev, by=HANDLER, body="Første: hvilken dag?")
        factories.message(dev, by=HANDLER, body="Andre: notat til oss", internal=True)
        factories.message(dev, by="melder@trondheim.demo", body="Tredje: fredag")
        reference = dev.reference
        db.session.commit()
    page = text_of(login_as(HANDLER).get(f"/avvik/{reference}"))
    order = [
        "Første: hvilken dag?",
        "Andre: notat til oss",
        "Tredje: fredag",
        'id="skriv-melder"',
        'id="skriv-notat"',
    ]
    assert [page.index(x) for x in order] == sorted(page.index(x) for x in order)
    reply = page[page.index('id="skriv-melder"') : page.index('id="skriv-notat"')]
    note = page[
        page.index('id="skriv-notat"') : page.index("</form>", page.index('id="skriv-notat"'))
    ]
    assert "Svar til melder" in reply and "Send til melder" in reply and 'name="body"' in reply
    assert 'name="internal"' not in reply
    assert "Internt notat" in note and "Lagre internt notat" in note
    assert 'name="internal" value="y"' in note and 'name="body"' in note
    # The jump links reach the side column without scrolling past the thread.
    jumps = page[page.index('id="hopp-til"') : page.index("</nav>", page.index('id="hopp-til"'))]
    for target in ("#samtale", "#pasient", "#historikk", "#tilgangslogg"):
        assert f'href="{target}"' in jumps
    assert page.index('id="hopp-til"') < page.index("Første: hvilken dag?")

    # The reporter has one composer, no note, and never sees the note.
    page = text_of(login_as("melder@trondheim.demo").get(f"/avvik/{reference}"))
    assert 'id="skriv-melding"' in page and 'id="skriv-notat"' not in page
    assert "Andre: notat til oss" not in page
    assert page.index("Første: hvilken dag?") < page.index("Tredje: fredag")


def test_each_composer_posts_what_it_says(app, login_as):
    with app.app_context():
        reference = factories.deviation().reference
        db.session.commit()
    client = login_as(HANDLER)
    assert (
        client.post(f"/avvik/{reference}/meldinger", data={"body": "Til melder"}).status_code == 302
    )
    note = {"body": "Bare for oss", "internal": "y"}
    assert client.post(f"/avvik/{reference}/meldinger", data=note).status_code == 302
    page = text_of(login_as("melder@trondheim.demo").get(f"/avvik/{reference}"))
    assert "Til melder" in page and "Bare for oss" not in page


def test_a_refused_note_comes_back_in_the_note_composer(app, login_as):
    with app.app_context():
        reference = factories.deviation().reference
        db.session.commit()
    client = login_as(HANDLER)
    long_note = {"body": "n" * 4001, "internal": "y"}
    response = client.post(f"/avvik/{reference}/meldinger", data=long_note)
    assert response.status_code == 422
    page = text_of(response)
    note = page[page.index('id="skriv-notat"') :]
    reply = page[page.index('id="skriv-melder"') : page.index('id="skriv-notat"')]
    assert 'id="notat-body-feil"' in note and "n" * 4001 in note
    assert "n" * 4001 not in reply and "is-invalid" not in reply
    # A refused message to the reporter comes back in its own composer.
    page = text_of(client.post(f"/avvik/{reference}/meldinger", data={"body": ""}))
    reply = page[page.index('id="skriv-melder"') : page.index('id="skriv-notat"')]
    assert 'id="body-feil"' in reply and "Skriv en melding før du sender." in reply


def _log_line(page: str, name: str) -> list[str]:
    log = page[page.index('id="tilgangslogg"') :]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li[^>]*>(.*?)</li>", log, re.DOTALL)
        if name in li
    ]


def test_the_access_log_folds_repeated_readings_but_keeps_every_row(app, login_as):
    start = datetime(2026, 3, 2, 0, 52, 5, tzinfo=UTC)  # 01:52 in Oslo
    with app.app_context():
        dev = factories.deviation()
        siri, kari = factories.user(HANDLER), factories.user("melder@trondheim.demo")
        for i in range(13):
            record_access(siri, AccessAction.DEVIATION_VIEWED, deviation=dev,
                          now=start + timedelta(seconds=5 * i))  # fmt: skip
        record_access(kari, AccessAction.DEVIATION_VIEWED, deviation=dev,
                      now=start + timedelta(minutes=5))  # fmt: skip
        record_access(siri, AccessAction.DEVIATION_VIEWED, deviation=dev,
                      now=start + timedelta(minutes=6))  # fmt: skip
        reference, dev_id, siri_name = dev.reference, dev.id, siri.name
        db.session.commit()
    page = text_of(login_as("mottak@trondheim.demo").get(f"/avvik/{reference}"))
    lines = _log_line(page, siri_name)
    # Newest first; only consecutive readings fold, so Kari's reading stays between Siri's.
    assert lines == [
        f"02.03.2026 kl. 01:58: Åpnet avviket – {siri_name}, St. Olavs hospital HF",
        (
            f"02.03.2026 kl. 01:52–01:53: Åpnet avviket – {siri_name}, St. Olavs hospital HF,"
            " 13 visninger"
        ),
    ]
    log = page[page.index('id="tilgangslogg"') :]
    assert log.index("01:58") < log.index("01:57") < log.index("01:52–01:53")
    with app.app_context():
        stored = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AccessLogEntry)
            .where(AccessLogEntry.deviation_id == dev_id)
        )
        assert stored == 16  # 15 above and the page's own reading, each its own row


def _learning_point_id(app, reference: str) -> int:
    from app.analysis import services

    with app.app_context():
        return services.get_by_reference(reference).learning_points[0].id


def test_deleting_in_an_analysis_asks_first_and_says_what_was_deleted(app, login_as):
    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)
        reference = analysis.reference
        problem_id = analysis.problems[0].id
        db.session.commit()
    client = login_as(HANDLER)
    page = text_of(client.get(f"/analyser/{reference}"))
    point_id = _learning_point_id(app, reference)
    url = f"/analyser/{reference}/laering/{point_id}/slett"
    # The page's Slett is a link to the question, not a button that deletes.
    assert f'href="{url}"' in page and f'action="{url}"' not in page

    question = text_of(client.get(url))
    assert "Vil du slette dette?" in question
    assert "Læringspunkt 1: «Ring kommunen før pasienten drar.»" in question
    assert "Ja, slett" in question and "Nei, behold" in question
    assert "Ring kommunen før pasienten drar." in text_of(client.get(f"/analyser/{reference}"))

    # A problem's question says its factors go with it.
    question = text_of(client.get(f"/analyser/{reference}/problem/{problem_id}/slett"))
    assert "Problemets medvirkende faktor slettes også." in question

    response = client.post(url)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Læringspunkt 1: «Ring kommunen før pasienten drar.» er slettet." in page
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_a_refused_delete_says_why_and_no_deleted_note(app, login_as):
    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)  # the action answers the root cause
        reference, cause_id = analysis.reference, analysis.root_causes[0].id
        db.session.commit()
    client = login_as(HANDLER)
    response = client.post(f"/analyser/{reference}/rotarsak/{cause_id}/slett")
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "kan ikke slettes fordi tiltak 1 svarer på den" in page
    assert "er slettet." not in page


def test_the_question_is_only_for_those_who_may_edit(app, login_as):
    with app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis)
        reference = analysis.reference
        db.session.commit()
    point_id = _learning_point_id(app, reference)
    url = f"/analyser/{reference}/laering/{point_id}/slett"
    assert login_as("mottak@trondheim.demo").get(url).status_code == 403
    assert login_as("mottak@malvik.demo").get(url).status_code == 404


def test_similar_cases_read_a_bounded_window_below_the_case(ctx, monkeypatch):
    """Lignende avvik looks at the newest SIMILAR_SCAN earlier matches below the case, so a
    case from the middle of the history costs what a new one does; nothing later shows."""
    from app.search import similar as search

    def filed(title: str, days_ago: int):
        return factories.deviation(
            reporter="melder@stolav.demo",
            counterpart="Trondheim",
            title=title,
            category="Hjelpemidler/utstyr",
            days_ago=days_ago,
        )

    oldest = filed("Sykehusseng ikke levert", 30)
    older = filed("Sykehusseng ikke levert hjem", 20)
    old = filed("Sykehusseng ble ikke levert i tide", 10)
    current = filed("Sykehussengen ble ikke levert", 5)
    filed("Sykehusseng ikke levert igjen", 1)  # after the case: never offered
    handler = factories.user("mottak@trondheim.demo")
    refs = [r.reference for r in search.similar(handler, current)]
    assert refs == [old.reference, older.reference, oldest.reference]
    if db.session.get_bind().dialect.name == "sqlite":
        # PostgreSQL bounds its walk by the rare/common split (search._postgresql_query).
        monkeypatch.setattr(search, "SIMILAR_SCAN", 2)
        assert [r.reference for r in search.similar(handler, current)] == [
            old.reference,
            older.reference,
        ]
        monkeypatch.undo()
    # Entered after the case but registered before it, as imported history is: offered too
    # (as many words shared: the one entered last first).
    imported = filed("Sykehusseng ikke levert hjem (importert)", 7)
    refs = [r.reference for r in search.similar(handler, current)]
    assert refs == [imported.reference, old.reference, older.reference, oldest.reference]
