"""Full-text search: the index follows every write, Norwegian stems match, and the search page,
the inbox's search box and "Lignende avvik" obey exactly the inbox's and the case page's
access rules (a table, like tests/test_filing_routes.py's)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.services import find_user
from app.data.seed import HOSPITAL
from app.extensions import db
from app.handling.thread import post_message
from app.models import DeviationSearch, Status
from app.search import services, similar
from app.search.text import document, query_stems
from tests import factories


def found(email: str, text: str, **filters) -> list[str]:
    page = services.search(find_user(email), services.SearchFilter(text=text, **filters))
    return [row.reference for row in page.items]


def test_norwegian_stems_and_stop_words():
    assert document("Epikrisen manglet ved utskrivningen") == document(
        "epikrise mangler utskrivning"
    )
    assert query_stems("og i ikke") == []
    assert query_stems("Legemiddellisten legemiddellista") == ["legemiddellist"]


def test_the_index_follows_filing_answer_and_messages_but_not_internal_notes(ctx):
    deviation = factories.deviation(
        reporter="melder@trondheim.demo",
        counterpart=HOSPITAL,
        title="Epikrisen manglet ved utskrivning",
    )
    ref = deviation.reference
    assert found("mottak@stolav.demo", "epikrise") == [ref]
    assert found("mottak@stolav.demo", "epikrisene mangler") == [ref]  # stems, any inflection
    assert found("mottak@stolav.demo", "epikrise sykehusseng") == []  # every word must match

    post_message(deviation, find_user("mottak@stolav.demo"), "Hvilken sengepost gjaldt det?")
    assert found("melder@trondheim.demo", "sengepost") == [ref]
    post_message(
        deviation, find_user("mottak@stolav.demo"), "Intern: sjekk turnusplanen", internal=True
    )
    # A note the reporter may not read must not make the case findable by its words.
    assert found("melder@trondheim.demo", "turnusplanen") == []
    assert found("mottak@stolav.demo", "turnusplanen") == []

    factories.answer(
        deviation, by="mottak@stolav.demo", text="Vi har innført sjekkliste for utskrivning."
    )
    assert found("melder@trondheim.demo", "sjekklister") == [ref]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DeviationSearch)) == 1


def test_filters_cursor_and_bad_input(ctx):
    refs = [
        factories.deviation(
            reporter="melder@trondheim.demo", counterpart=HOSPITAL, title=f"Hjelpemiddel nummer {i}"
        ).reference
        for i in range(5)
    ]
    user = find_user("mottak@stolav.demo")
    first = services.search(user, services.SearchFilter(text="hjelpemiddel"), page_size=2)
    assert [r.reference for r in first.items] == refs[::-1][:2]
    second = services.search(
        user, services.SearchFilter(text="hjelpemiddel"), cursor=first.next_cursor, page_size=2
    )
    assert [r.reference for r in second.items] == refs[::-1][2:4]
    # A mangled cursor starts from the top; FTS5 syntax in the query is only words.
    assert services.search(user, services.SearchFilter(text="hjelpemiddel"), cursor="@@").items
    assert not services.search(user, services.SearchFilter(text='"NEAR( AND * OR')).items
    assert services.search(user, services.SearchFilter(text="og ikke")).no_words
    assert found("mottak@stolav.demo", "hjelpemiddel", status={Status.BESVART}) == []
    assert len(found("mottak@stolav.demo", "hjelpemiddel", status={Status.SENDT})) == 5


# (user, sees the case St. Olavs (melder@stolav.demo) → Trondheim, in the inbox search too)
ACCESS = [
    ("melder@stolav.demo", True, False),  # the reporter (no inbox)
    ("mottak@trondheim.demo", True, True),  # receiving handler
    ("mottak@stolav.demo", True, False),  # handler of the reporting organisation
    ("mottak@malvik.demo", False, False),  # handler elsewhere
    ("melder@trondheim.demo", False, False),  # a melder of the receiving side
    ("forbedring@demo.demo", False, False),
    ("admin@demo.demo", False, False),
    ("lokaladmin@trondheim.demo", False, False),
]


@pytest.mark.parametrize(("user", "sees", "in_inbox"), ACCESS)
def test_access_table(app, login_as, user, sees, in_inbox):
    with app.app_context():
        deviation = factories.deviation(
            reporter="melder@stolav.demo",
            counterpart="Trondheim",
            title="Rullator glemt på avdelingen",
        )
        earlier = factories.deviation(
            reporter="melder@stolav.demo",
            counterpart="Trondheim",
            title="Rullator glemt ved utreise",
            days_ago=10,
        )
        ref, earlier_ref = deviation.reference, earlier.reference
        db.session.commit()
    client = login_as(user)
    page = client.get("/sok?q=rullatoren").get_data(as_text=True)
    assert (ref in page) is sees
    assert (earlier_ref in page) is sees
    inbox = client.get("/mottak?q=rullator")
    if in_inbox:
        assert ref in inbox.get_data(as_text=True)
    else:
        assert inbox.status_code == 404 or ref not in inbox.get_data(as_text=True)
    # The reference typed into the search opens the case only for those who may see it.
    response = client.get(f"/sok?q={ref.lower()}")
    assert (response.status_code == 302) is sees
    case = client.get(f"/avvik/{ref}")
    assert case.status_code == (200 if sees else 404)
    if sees:
        assert "Lignende avvik" in case.get_data(as_text=True)
        assert earlier_ref in case.get_data(as_text=True)


def test_similar_cases_only_earlier_same_category_and_visible(ctx):
    older_elsewhere = factories.deviation(
        reporter="melder@stolav.demo",
        counterpart="Malvik",
        title="Sykehusseng ikke levert",
        category="Hjelpemidler/utstyr",
        days_ago=20,
    )
    older = factories.deviation(
        reporter="melder@stolav.demo",
        counterpart="Trondheim",
        title="Sykehusseng ikke levert hjem",
        category="Hjelpemidler/utstyr",
        days_ago=10,
    )
    other_category = factories.deviation(
        reporter="melder@stolav.demo",
        counterpart="Trondheim",
        title="Sykehusseng ikke levert",
        days_ago=5,
    )
    unrelated = factories.deviation(
        reporter="melder@stolav.demo",
        counterpart="Trondheim",
        title="Rullestol mangler",
        category="Hjelpemidler/utstyr",
        days_ago=3,
    )
    current = factories.deviation(
        reporter="melder@stolav.demo",
        counterpart="Trondheim",
        title="Sykehussengen ble ikke levert",
        category="Hjelpemidler/utstyr",
    )
    later = factories.deviation(
        reporter="melder@stolav.demo",
        counterpart="Trondheim",
        title="Sykehusseng ikke levert igjen",
        category="Hjelpemidler/utstyr",
    )
    trondheim = [s.reference for s in similar.similar(find_user("mottak@trondheim.demo"), current)]
    assert trondheim == [older.reference]  # Malvik's case is not Trondheim's to see
    reporter = [s.reference for s in similar.similar(find_user("melder@stolav.demo"), current)]
    assert reporter == [older.reference, older_elsewhere.reference]
    for ref in (other_category.reference, unrelated.reference, later.reference):
        assert ref not in reporter


def test_rebuild_command_makes_the_same_index(ctx, runner):
    deviation = factories.deviation(
        reporter="melder@trondheim.demo", counterpart=HOSPITAL, title="Dosett manglet ved hjemkomst"
    )
    post_message(deviation, find_user("mottak@stolav.demo"), "Hvilken dosett?")
    db.session.flush()
    before = found("mottak@stolav.demo", "dosett")
    result = runner.invoke(args=["search-index"])
    assert result.exit_code == 0, result.output
    assert "Søkeindeksen er bygd for 1 avvik" in result.output
    assert found("mottak@stolav.demo", "dosetten") == before == [deviation.reference]


def test_bulk_generated_deviations_are_indexed(ctx):
    from app.data.demo_bulk import generate_deviations

    generate_deviations(40, seed=3)
    assert found("mottak@stolav.demo", "epikrisen")


@pytest.mark.commits
def test_the_migration_indexes_the_deviations_already_stored(database_url):
    """A database in use when this release ships: its deviations are searchable at once."""
    from flask_migrate import downgrade, upgrade

    from app.data.demo import create_demo_accounts
    from app.data.seed import seed_defaults
    from tests.support import drop_everything, make_app

    app = make_app(database_url)
    with app.app_context():
        drop_everything()
        upgrade()
        seed_defaults()
        create_demo_accounts()
        deviation = factories.deviation(
            reporter="melder@trondheim.demo", counterpart=HOSPITAL, title="Epikrisen manglet"
        )
        post_message(deviation, find_user("mottak@stolav.demo"), "Gjelder sengepost tre")
        post_message(deviation, find_user("mottak@stolav.demo"), "Intern vaktliste", internal=True)
        db.session.commit()
        reference = deviation.reference
        db.session.remove()
        downgrade(revision="a1f3c9e5d7b2")  # the schema before this issue
        upgrade()
        assert found("melder@trondheim.demo", "epikrise") == [reference]
        assert found("melder@trondheim.demo", "sengeposten") == [reference]
        assert found("mottak@stolav.demo", "vaktliste") == []
        db.session.remove()
        drop_everything()
        db.engine.dispose()


def test_rare_and_common_words_give_the_same_page(ctx, monkeypatch):
    """PostgreSQL reads rare words from the index and walks the newest cases for common ones
    (services._postgresql_query): both ways give the same rows in the same order."""
    refs = [
        factories.deviation(
            reporter="melder@trondheim.demo", counterpart=HOSPITAL, title=f"Pute glemt nummer {i}"
        ).reference
        for i in range(4)
    ]
    factories.deviation(
        reporter="melder@trondheim.demo", counterpart="Malvik", title="Pute glemt i Malvik"
    )  # not St. Olavs' to see
    as_rare = found("mottak@stolav.demo", "puter glemt")
    monkeypatch.setattr(services, "RARE", 1)
    assert found("mottak@stolav.demo", "puter glemt") == as_rare == refs[::-1]
