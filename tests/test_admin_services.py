"""Administrative operations without HTTP: the rules, the merge, the lists, the log."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.admin import services
from app.auth.services import create_user
from app.common import permissions
from app.common.errors import ServiceError
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import (
    AdminLogEntry,
    Agreement,
    Category,
    Deviation,
    Organisation,
    Role,
    Status,
    Unit,
    User,
)
from app.models.guards import AppendOnlyError
from app.statistics.services import ALL, tertial_summary
from reports import Tertial
from tests import factories


def _close(deviation: Deviation) -> None:
    # Test data only: the workflow module (issue 3) is what closes cases in the app.
    deviation.status = Status.BESVART
    deviation.closed_at = deviation.registered_at
    db.session.flush()


def _tertial_counts(year: int, tertial: int, column) -> dict[str, int]:
    """What a tertial report groups by: the organisation names as stored on each deviation."""
    start_month = {1: 1, 2: 5, 3: 9}[tertial]
    start = datetime(year, start_month, 1, tzinfo=UTC)
    end = datetime(year + (tertial == 3), {1: 5, 2: 9, 3: 1}[tertial], 1, tzinfo=UTC)
    rows = db.session.execute(
        sa.select(column, sa.func.count())
        .where(Deviation.registered_at >= start, Deviation.registered_at < end)
        .group_by(column)
    )
    return dict(rows.all())


# --- Merge ---------------------------------------------------------------------------------------


def test_merge_keeps_old_names_in_old_cases_and_past_tertials(ctx):
    admin = factories.user("admin@demo.demo")
    hospital = organisation_by_name(HOSPITAL)
    # Leksvik as an installation seeded before 2026 has it (the seed now has Indre Fosen).
    leksvik = factories.new_organisation("Leksvik")
    care = factories.new_unit(leksvik, "Helse og omsorg")
    leksvik_unit = factories.new_unit(leksvik, "Hjemmetjenesten", parent=care)
    db.session.expire(leksvik, ["units"])  # made in this session: the collection reloads
    nurse = create_user(
        "sykepleier@leksvik.demo", "Siv Leksvik", leksvik, "x" * 12, unit=leksvik_unit
    )
    handler = create_user(
        "mottak@leksvik.demo", "Mats Leksvik", leksvik, "x" * 12, {Role.SAKSBEHANDLER}
    )
    hospital_nurse = factories.user("melder@stolav.demo")

    # Filed in the second tertial of 2025: one answered, one still open; and one the
    # hospital sent to Leksvik that is still open.
    closed = factories.deviation(
        reporter=nurse, counterpart=hospital, now=datetime(2025, 5, 20, 10, tzinfo=UTC)
    )
    _close(closed)
    open_sent = factories.deviation(
        reporter=nurse, counterpart=hospital, now=datetime(2025, 6, 2, 10, tzinfo=UTC)
    )
    open_received = factories.deviation(
        reporter=hospital_nurse, counterpart=leksvik, now=datetime(2025, 6, 3, 10, tzinfo=UTC)
    )
    before_reporters = _tertial_counts(2025, 2, Deviation.reporter_org_name)
    before_counterparts = _tertial_counts(2025, 2, Deviation.counterpart_org_name)
    past = Tertial(2025, 2)
    report_before = tertial_summary(past, ALL)

    indre_fosen = organisation_by_name("Indre Fosen")
    result = services.merge_organisation(admin, leksvik, indre_fosen)
    db.session.flush()

    assert (result.users, result.open_moved) == (2, 2)
    assert not leksvik.active and leksvik.merged_into_id == indre_fosen.id
    assert leksvik.name == "Leksvik"
    # People and units now belong to Indre Fosen, the units under a "Leksvik" unit.
    assert nurse.organisation_id == handler.organisation_id == indre_fosen.id
    assert nurse.unit.organisation_id == indre_fosen.id
    assert nurse.unit.path == "Leksvik › Helse og omsorg › Hjemmetjenesten"
    # Open cases moved to the successor; the closed one stays with Leksvik.
    assert open_sent.reporter_org_id == indre_fosen.id
    assert open_received.counterpart_org_id == indre_fosen.id
    assert closed.reporter_org_id == leksvik.id
    # Every case keeps the name it was filed under, so the past tertial's figures do not move.
    assert {closed.reporter_org_name, open_sent.reporter_org_name} == {"Leksvik"}
    assert open_received.counterpart_org_name == "Leksvik"
    assert _tertial_counts(2025, 2, Deviation.reporter_org_name) == before_reporters
    assert _tertial_counts(2025, 2, Deviation.counterpart_org_name) == before_counterparts
    assert before_reporters["Leksvik"] == 2
    # The past tertial's report (reports.summarise, as the page and the PDF use it) is unchanged.
    report_after = tertial_summary(past, ALL)
    assert report_after.by_reporter_org == report_before.by_reporter_org
    assert report_after.by_counterpart_org == report_before.by_counterpart_org
    assert {r.label: r.count for r in report_after.by_reporter_org}["Leksvik"] == 2
    assert {r.label: r.count for r in report_after.by_counterpart_org}["Leksvik"] == 1
    assert "Indre Fosen" not in {
        r.label for r in report_after.by_reporter_org + report_after.by_counterpart_org
    }
    # New filings use the new name.
    new = factories.deviation(
        reporter=nurse, counterpart=hospital, now=datetime(2026, 2, 1, 10, tzinfo=UTC)
    )
    assert new.reporter_org_name == "Indre Fosen"
    # The successor's handler still sees the closed Leksvik case, and handles the moved one.
    assert permissions.can(handler, "view", closed)
    assert (
        closed
        in db.session.scalars(
            sa.select(Deviation).where(permissions.visible(handler, Deviation))
        ).all()
    )
    assert permissions.can(handler, "handle", open_received)
    # Both organisations' logs record the merge.
    actions = {
        (e.action, e.organisation_id)
        for e in db.session.scalars(
            sa.select(AdminLogEntry).where(AdminLogEntry.action.like("organisation.merge%"))
        )
    }
    assert actions == {
        ("organisation.merge", leksvik.id),
        ("organisation.merge_in", indre_fosen.id),
    }


def test_merge_leaves_open_cases_between_the_two_and_refuses_nonsense(ctx):
    admin = factories.user("admin@demo.demo")
    malvik = organisation_by_name("Malvik")
    trondheim = organisation_by_name("Trondheim")
    between = factories.deviation(
        reporter=factories.user("melder@trondheim.demo"),
        counterpart=malvik,
        now=datetime(2026, 1, 5, 9, tzinfo=UTC),
    )
    with pytest.raises(ServiceError) as same:
        services.merge_organisation(admin, malvik, malvik)
    assert same.value.code == "same"
    result = services.merge_organisation(admin, malvik, trondheim)
    assert result.left_between == [between.reference]
    assert between.counterpart_org_id == malvik.id  # not self-addressed
    assert permissions.can(factories.user("mottak@trondheim.demo"), "handle", between)
    with pytest.raises(ServiceError) as again:
        services.merge_organisation(admin, malvik, trondheim)
    assert again.value.code == "source_inactive"
    with pytest.raises(ServiceError):
        services.set_organisation_active(admin, malvik, True)


def test_rename_changes_new_filings_only(ctx):
    admin = factories.user("admin@demo.demo")
    roan = factories.new_organisation("Roan")
    old = factories.deviation(
        reporter=factories.user("melder@stolav.demo"),
        counterpart=roan,
        now=datetime(2026, 1, 10, 9, tzinfo=UTC),
    )
    services.update_organisation(admin, roan, name="Åfjord kommune")
    new = factories.deviation(
        reporter=factories.user("melder@stolav.demo"),
        counterpart=roan,
        now=datetime(2026, 2, 10, 9, tzinfo=UTC),
    )
    assert (old.counterpart_org_name, new.counterpart_org_name) == ("Roan", "Åfjord kommune")
    with pytest.raises(ServiceError) as taken:
        services.update_organisation(admin, roan, name="trondheim")
    assert taken.value.code == "taken"


def test_lokal_admin_sets_deadline_but_cannot_rename(ctx):
    local = factories.user("lokaladmin@trondheim.demo")
    trondheim = organisation_by_name("Trondheim")
    services.update_organisation(local, trondheim, response_days=21)
    assert trondheim.response_days == 21
    with pytest.raises(ServiceError) as forbidden:
        services.update_organisation(local, trondheim, name="Trondheim kommune")
    assert forbidden.value.code == "forbidden"
    with pytest.raises(ServiceError):
        services.update_organisation(local, trondheim, response_days=0)


# --- Units ---------------------------------------------------------------------------------------


def test_unit_tree_create_move_refuses_cycles(ctx):
    admin = factories.user("admin@demo.demo")
    trondheim = organisation_by_name("Trondheim")
    top = services.create_unit(admin, trondheim, "Helse og velferd", None)
    child = services.create_unit(admin, trondheim, "Hjemmebaserte tjenester", top.id)
    grandchild = services.create_unit(admin, trondheim, "Sone øst", child.id)
    assert grandchild.path == "Helse og velferd › Hjemmebaserte tjenester › Sone øst"
    for parent in (top, grandchild):  # under itself, under its own grandchild
        with pytest.raises(ServiceError) as cycle:
            services.update_unit(admin, top, top.name, parent.id)
        assert cycle.value.code == "cycle"
    services.update_unit(admin, grandchild, "Sone Øst", None)
    assert grandchild.path == "Sone Øst"
    with pytest.raises(ServiceError) as taken:
        services.create_unit(admin, trondheim, "sone øst", None)
    assert taken.value.code == "taken"
    other_org_unit = organisation_by_name("Malvik").units[0]
    with pytest.raises(ServiceError):
        services.update_unit(admin, child, child.name, other_org_unit.id)


def test_unit_deactivation_needs_children_inactive_first(ctx):
    admin = factories.user("admin@demo.demo")
    trondheim = organisation_by_name("Trondheim")
    top = next(u for u in trondheim.units if u.parent_id is None)
    with pytest.raises(ServiceError) as error:
        services.set_unit_active(admin, top, False)
    assert error.value.code == "active_children"
    for unit in trondheim.units:
        if unit.parent_id == top.id:
            services.set_unit_active(admin, unit, False)
    services.set_unit_active(admin, top, False)
    assert not top.active


# --- Categories and agreements -------------------------------------------------------------------


def test_a_used_category_cannot_be_deleted_only_deactivated(ctx):
    admin = factories.user("admin@demo.demo")
    used = factories.category("Transport")
    factories.deviation(reporter=factories.user("melder@trondheim.demo"), counterpart=organisation_by_name(HOSPITAL), now=datetime(2026, 1, 3, 9, tzinfo=UTC), category="Transport")  # fmt: skip
    with pytest.raises(ServiceError) as error:
        services.delete_item(admin, used)
    assert error.value.code == "in_use"
    assert db.session.get(Category, used.id) is not None
    services.set_item_active(admin, used, False)
    assert not used.active
    unused = services.create_item(admin, Category, "Kommunikasjon med pårørende")
    services.delete_item(admin, unused)
    assert db.session.get(Category, unused.id) is None
    positions = [c.position for c in services.list_items(Category)]
    assert positions == list(range(len(positions)))


def test_reorder_and_rename_list_items(ctx):
    admin = factories.user("admin@demo.demo")
    items = services.list_items(Agreement)
    second = items[1]
    services.move_item(admin, second, -1)
    assert services.list_items(Agreement)[0] is second
    services.move_item(admin, second, -1)  # already first: nothing happens
    assert services.list_items(Agreement)[0] is second
    services.rename_item(admin, second, "Tjenesteavtale 1: Oppgavefordeling")
    assert second.name == "Tjenesteavtale 1: Oppgavefordeling"
    with pytest.raises(ServiceError):
        services.rename_item(admin, second, items[2].name.upper())


# --- Users ---------------------------------------------------------------------------------------


def test_lokal_admin_never_grants_admin_nor_reaches_another_organisation(ctx):
    local = factories.user("lokaladmin@trondheim.demo")
    trondheim = organisation_by_name("Trondheim")
    malvik = organisation_by_name("Malvik")
    with pytest.raises(ServiceError) as admin_role:
        services.invite_user(local, "ny@trondheim.demo", "Ny", trondheim.id, None, {Role.ADMIN})
    assert admin_role.value.code == "forbidden"
    with pytest.raises(ServiceError) as other_org:
        services.invite_user(local, "ny@malvik.demo", "Ny", malvik.id, None, set())
    assert other_org.value.code == "unknown"
    melder = factories.user("melder@trondheim.demo")
    with pytest.raises(ServiceError):
        services.update_user(local, melder, organisation_id=malvik.id)
    services.update_user(local, melder, roles={Role.SAKSBEHANDLER, Role.LOKAL_ADMIN})
    assert melder.roles == {Role.MELDER, Role.SAKSBEHANDLER, Role.LOKAL_ADMIN}
    # A role only a central admin grants stays when a lokal_admin saves the user.
    admin = factories.user("admin@demo.demo")
    services.update_user(admin, melder, roles={Role.FORBEDRINGSGRUPPE})
    services.update_user(local, melder, roles={Role.ANALYTIKER})
    assert melder.roles == {Role.MELDER, Role.FORBEDRINGSGRUPPE, Role.ANALYTIKER}
    assert not permissions.can(local, "administer", admin)


def test_deactivated_user_cannot_log_in_and_history_stays(ctx):
    from app.auth.services import authenticate

    admin = factories.user("admin@demo.demo")
    melder = factories.user("melder@trondheim.demo")
    deviation = factories.deviation(
        reporter=melder,
        counterpart=organisation_by_name(HOSPITAL),
        now=datetime(2026, 1, 3, 9, tzinfo=UTC),
    )
    services.set_user_active(admin, melder, False)
    assert authenticate("melder@trondheim.demo", "demo-avvik") is None
    assert deviation.reporter_id == melder.id
    with pytest.raises(ServiceError) as self_error:
        services.set_user_active(admin, admin, False)
    assert self_error.value.code == "self"


def test_mottak_staff_is_the_saksbehandlere_of_the_organisation(ctx):
    local = factories.user("lokaladmin@trondheim.demo")
    trondheim = organisation_by_name("Trondheim")
    assert [u.email for u in services.mottak_staff(trondheim)] == ["mottak@trondheim.demo"]
    services.set_mottak_member(local, factories.user("melder@trondheim.demo"), True)
    services.set_mottak_member(local, factories.user("mottak@trondheim.demo"), False)
    assert [u.email for u in services.mottak_staff(trondheim)] == ["melder@trondheim.demo"]


# --- The log -------------------------------------------------------------------------------------


def test_every_operation_is_logged_and_the_log_is_append_only(ctx):
    admin = factories.user("admin@demo.demo")
    trondheim = organisation_by_name("Trondheim")
    start = db.session.scalar(sa.select(sa.func.count()).select_from(AdminLogEntry))
    services.update_organisation(admin, trondheim, response_days=30)
    unit = services.create_unit(admin, trondheim, "Rus og psykisk helse", None)
    services.update_unit(admin, unit, "Psykisk helse og rus", None)
    services.create_item(admin, Category, "Ernæring")
    services.invite_user(
        admin, "ny@trondheim.demo", "Nina Ny", trondheim.id, unit.id, {Role.ANALYTIKER}
    )
    entries = db.session.scalars(sa.select(AdminLogEntry).order_by(AdminLogEntry.id)).all()[start:]
    assert [e.action for e in entries] == [
        "organisation.update",
        "unit.create",
        "unit.rename",
        "category.create",
        "user.invite",
    ]
    assert entries[0].before["response_days"] == 14 and entries[0].after["response_days"] == 30
    assert entries[0].actor_id == admin.id and entries[0].at is not None
    assert (
        entries[4].after["roles"] == ["analytiker"] and entries[4].organisation_id == trondheim.id
    )
    assert entries[3].organisation_id is None
    db.session.commit()

    entries[0].action = "forfalsket"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AdminLogEntry, entries[0].id))
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.execute(sa.delete(AdminLogEntry))
    with pytest.raises(AppendOnlyError):
        db.session.execute(sa.update(AdminLogEntry).values(action="x"))
    db.session.rollback()

    local = factories.user("lokaladmin@trondheim.demo")
    seen = services.log_entries(local)
    assert seen and all(e.organisation_id == trondheim.id for e in seen)
    assert len(services.log_entries(admin)) > len(seen)


def test_unit_of_user_must_belong_to_the_chosen_organisation(ctx):
    admin = factories.user("admin@demo.demo")
    malvik_unit = db.session.scalar(
        sa.select(Unit).join(Organisation).where(Organisation.name == "Malvik").limit(1)
    )
    with pytest.raises(ServiceError) as error:
        services.invite_user(
            admin,
            "x@trondheim.demo",
            "X",
            organisation_by_name("Trondheim").id,
            malvik_unit.id,
            set(),
        )
    assert error.value.code == "wrong_org"


# --- Issue 21, finding 11: roles that open case content ----------------------------------------


def _privacy_officer(org_name: str, email: str = "personvern@trondheim.demo") -> User:
    officer = create_user(
        email, "Petra Personvern", organisation_by_name(org_name), None, {Role.PERSONVERN}
    )
    db.session.flush()
    return officer


def test_nobody_gives_themselves_a_role_that_opens_case_content(ctx):
    local = factories.user("lokaladmin@trondheim.demo")
    with pytest.raises(ServiceError) as refused:
        services.update_user(local, local, roles={Role.LOKAL_ADMIN, Role.SAKSBEHANDLER})
    assert refused.value.code == "own_content_role"
    assert Role.SAKSBEHANDLER not in local.roles
    admin = factories.user("admin@demo.demo")
    for role in (Role.PERSONVERN, Role.SAKSBEHANDLER, Role.FORBEDRINGSGRUPPE):
        with pytest.raises(ServiceError):
            services.update_user(admin, admin, roles={Role.ADMIN, role})
        assert role not in admin.roles
    # Roles that open no case content stay one's own to take.
    services.update_user(local, local, roles={Role.LOKAL_ADMIN, Role.ANALYTIKER})
    assert Role.ANALYTIKER in local.roles
    # Another administrator may give them.
    services.update_user(admin, local, roles={Role.LOKAL_ADMIN, Role.SAKSBEHANDLER})
    assert Role.SAKSBEHANDLER in local.roles


def test_a_lokal_admin_cannot_deactivate_or_reset_the_privacy_officer(ctx):
    from app.auth.services import Client
    from app.common.errors import NotAllowed

    local = factories.user("lokaladmin@trondheim.demo")
    officer = _privacy_officer("Trondheim")
    assert not permissions.can(local, "administer", officer)
    with pytest.raises(NotAllowed):
        services.set_user_active(local, officer, False)
    officer.totp_enabled_at = officer.created_at
    with pytest.raises(NotAllowed):
        services.reset_second_factor(local, officer, Client())
    assert officer.active and officer.has_second_factor
    assert (
        officer
        not in db.session.scalars(
            sa.select(User).where(permissions.visible(local, User, "administer"))
        ).all()
    )
    admin = factories.user("admin@demo.demo")
    services.set_user_active(admin, officer, False)
    assert not officer.active


def test_the_privacy_officer_is_mailed_when_someone_gets_a_content_role(ctx):
    from app.models import OutboxMail

    officer = _privacy_officer("Trondheim")
    local = factories.user("lokaladmin@trondheim.demo")
    melder = factories.user("melder@trondheim.demo")
    services.update_user(local, melder, roles={Role.ANALYTIKER})
    assert not db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.to_address == officer.email)
    ).all()
    services.update_user(local, melder, roles={Role.ANALYTIKER, Role.SAKSBEHANDLER})
    services.invite_user(
        local, "ny.mottak@trondheim.demo", "Nils Ny", melder.organisation_id, None,
        {Role.SAKSBEHANDLER},
    )  # fmt: skip
    mails = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.to_address == officer.email).order_by(OutboxMail.id)
    ).all()
    assert len(mails) == 2
    assert "Kari Nordmann" in mails[0].body and "saksbehandler" in mails[0].body
    assert "Line Lokaladmin" in mails[0].body and "http" not in mails[0].body
    assert "Nils Ny" in mails[1].body
    # Another organisation's officer hears nothing of it.
    other = _privacy_officer(HOSPITAL, "personvern@stolav.demo")
    assert not db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.to_address == other.email)
    ).all()
