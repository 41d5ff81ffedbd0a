"""The permission tables, walked: every action of every table over every role; ``can`` and
``visible`` agreeing on every object; analysis access across a merger; no role check elsewhere."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.admin import services as admin_services
from app.analysis import services as analysis_services
from app.auth.services import create_user, find_user
from app.common import permissions
from app.common.dates import today_local
from app.common.permissions import can, visible
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.handling.thread import post_message
from app.learning.services import lessons as lesson_services
from app.learning.services import stories as story_services
from app.models import (
    Analysis,
    AnalysisStatus,
    Deviation,
    DeviationMessage,
    GoodStory,
    Harm,
    Lesson,
    Organisation,
    Role,
    User,
)
from tests import factories
from tests.factories import category_id

# --- The people -------------------------------------------------------------------------------

ROLES = {
    # column: (e-mail, organisation and roles of an account made here, or None for a demo one)
    "melder": ("melder@trondheim.demo", None),
    "sb_send": ("mottak@trondheim.demo", None),  # handler of the reporting organisation
    "sb_recv": ("mottak@stolav.demo", None),  # handler of the receiving organisation
    "sb_third": ("mottak@malvik.demo", None),  # handler of an organisation not involved
    "analyt": ("analytiker@malvik.test", ("Malvik", {Role.ANALYTIKER})),  # on the team
    "forbedr": ("forbedring@demo.demo", None),
    "admin": ("admin@demo.demo", None),
    "lokal": ("lokaladmin@trondheim.demo", None),
    "pvern": ("personvern@stolav.test", (HOSPITAL, {Role.PERSONVERN})),
}


def file(reporter: str, counterpart: str, title: str):
    return factories.deviation(reporter=reporter, counterpart=counterpart, title=title)


def answer(deviation, handler: str):
    return factories.answer(deviation, by=handler)


def people() -> dict[str, User]:
    found = {}
    for column, (email, made) in ROLES.items():
        if made is not None and find_user(email) is None:
            org, roles = made
            create_user(email, column.title(), organisation_by_name(org), "x" * 12, roles)
        found[column] = factories.user(email)
    return found


# --- The objects ------------------------------------------------------------------------------


def lesson_input(title: str = "Ring kommunen før utskrivning") -> lesson_services.LessonInput:
    return lesson_services.LessonInput(
        title=title,
        category_id=category_id(),
        what_happened="Pasienten kom hjem uten at hjemmetjenesten visste det.",
        what_changed="Avdelingen ringer kommunen før pasienten drar.",
    )


def tell(reporter: User, counterpart: str) -> GoodStory:
    return story_services.tell_story(
        reporter,
        story_services.StoryInput(
            counterpart_org_id=organisation_by_name(counterpart).id,
            event_date=today_local() - timedelta(days=1),
            title="God overføring",
            description="Alt var klart da pasienten kom.",
            why_it_mattered="Pasienten fikk medisinene sine samme kveld.",
        ),
    )


def world(who: dict[str, User]) -> dict[str, object]:
    """One of each: Trondheim's melder reports to the hospital, whose mottak handles it."""
    open_case = file("melder@trondheim.demo", HOSPITAL, "Utskrevet uten epikrise")
    analysis = factories.analysis(open_case)  # led by mottak@stolav.demo
    analysis_services.add_member(who["sb_recv"], analysis, ROLES["analyt"][0])
    factories.fill_analysis(analysis)
    analysis_services.set_status(who["sb_recv"], analysis, AnalysisStatus.FERDIG)
    public = post_message(open_case, who["melder"], "Har dere fått epikrisen?")
    note = post_message(open_case, who["sb_recv"], "Sjekk med avdelingen.", internal=True)

    answered = file("melder@trondheim.demo", HOSPITAL, "Manglende legemiddelliste")
    answer(answered, "mottak@stolav.demo")
    draft = lesson_services.write_lesson(who["sb_recv"], lesson_input(), deviation=answered)
    published = lesson_services.write_lesson(
        who["sb_recv"], lesson_input("Bekreft mottak"), analysis=analysis
    )
    lesson_services.review(published, who["forbedr"], publish=True)
    serious = factories.deviation(
        reporter="melder@trondheim.demo", counterpart=HOSPITAL, title="Død", harm=Harm.DOD
    )
    db.session.flush()
    return {
        "open_case": open_case,
        "serious_case": serious,
        "answered_case": answered,
        "story": tell(who["melder"], HOSPITAL),
        "public_message": public,
        "internal_note": note,
        "analysis": analysis,
        "draft_lesson": draft,
        "published_lesson": published,
        "trondheim": organisation_by_name("Trondheim"),
        "hospital": organisation_by_name(HOSPITAL),
        "Organisation": Organisation,
        "melder_user": who["melder"],
        "admin_user": who["admin"],
        "STATISTICS": permissions.STATISTICS,
        "INBOX": permissions.INBOX,
        "PRIVACY": permissions.PRIVACY,
        "ADMIN_AREA": permissions.ADMIN_AREA,
        "LISTS": permissions.LISTS,
        "ADMIN_LOG": permissions.ADMIN_LOG,
    }


# --- The matrix -------------------------------------------------------------------------------
#
# Every action of every table (the objects above; the open case is in analysis, the answered one
# closed; the draft lesson was written by sb_recv and waits for review). x = allowed.

MATRIX = """
                                  melder sb_send sb_recv sb_third analyt forbedr admin lokal pvern
open_case.view                      x      x       x       .        .      .       .     .     .
open_case.handle                    .      .       x       .        .      .       .     .     .
open_case.see_patient_id            x      .       x       .        .      .       .     .     .
open_case.post_message              x      .       x       .        .      .       .     .     .
open_case.write_internal_note       .      .       x       .        .      .       .     .     .
open_case.view_access_log           .      x       x       .        .      .       .     .     .
open_case.hear_moved_on             .      x       x       .        .      .       .     .     .
open_case.start_analysis            .      .       x       .        .      .       .     .     .
open_case.write_lesson              .      .       .       .        .      .       .     .     .
open_case.rectify                   .      .       x       .        .      .       .     .     .
open_case.record_serious_notice     .      .       .       .        .      .       .     .     .
serious_case.view                   x      x       x       .        .      .       .     .     .
serious_case.record_serious_notice  .      .       x       .        .      .       .     .     .
answered_case.view                  x      x       x       .        .      .       .     .     .
answered_case.start_analysis        .      .       .       .        .      .       .     .     .
answered_case.write_lesson          .      .       x       .        .      .       .     .     .
answered_case.rectify               .      .       x       .        .      .       .     .     .
story.view                          x      x       x       .        .      .       .     .     .
story.handle                        .      .       x       .        .      .       .     .     .
public_message.view                 x      x       x       x        x      x       x     x     x
internal_note.view                  .      .       x       .        .      .       .     .     .
analysis.view                       .      x       x       .        x      x       .     .     .
analysis.edit                       .      .       x       .        x      .       .     .     .
analysis.write_lesson               .      .       x       .        .      .       .     .     .
draft_lesson.view                   .      .       x       .        .      x       .     .     .
draft_lesson.list_on_case           .      .       x       .        .      .       .     .     .
draft_lesson.edit                   .      .       x       .        .      .       .     .     .
draft_lesson.review                 .      .       .       .        .      x       .     .     .
draft_lesson.withdraw               .      .       .       .        .      .       .     .     .
draft_lesson.mark_in_report         .      .       .       .        .      .       .     .     .
published_lesson.view               x      x       x       x        x      x       x     x     x
published_lesson.list_on_case       .      .       x       .        .      .       .     .     .
published_lesson.edit               .      .       .       .        .      .       .     .     .
published_lesson.review             .      .       .       .        .      .       .     .     .
published_lesson.withdraw           .      .       x       .        .      x       .     .     .
published_lesson.mark_in_report     .      .       .       .        .      x       .     .     .
STATISTICS.view                     .      x       x       x        .      x       x     .     .
STATISTICS.view_all                 .      .       .       .        .      x       x     .     .
STATISTICS.list_cases               .      x       x       x        .      .       .     .     .
STATISTICS.start_page               .      .       .       .        .      x       .     .     .
INBOX.open                          .      x       x       x        .      .       .     .     .
PRIVACY.open                        .      .       .       .        .      .       .     .     x
ADMIN_AREA.open                     .      .       .       .        .      .       x     x     .
ADMIN_AREA.see_all                  .      .       .       .        .      .       x     .     .
trondheim.administer                .      .       .       .        .      .       x     x     .
trondheim.manage                    .      .       .       .        .      .       x     .     .
hospital.administer                 .      .       .       .        .      .       x     .     .
Organisation.manage                 .      .       .       .        .      .       x     .     .
melder_user.administer              .      .       .       .        .      .       x     x     .
admin_user.administer               .      .       .       .        .      .       x     .     .
LISTS.manage                        .      .       .       .        .      .       x     .     .
ADMIN_LOG.read                      .      .       .       .        .      .       x     x     .
"""


def parse_matrix() -> dict[tuple[str, str], dict[str, bool]]:
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    assert header == list(ROLES), header
    table = {}
    for name, *marks in rows:
        assert len(marks) == len(header) and set(marks) <= {"x", "."}, name
        label, action = name.split(".")
        table[label, action] = {column: mark == "x" for column, mark in zip(header, marks)}
    return table


def test_the_matrix_names_every_action_of_every_table():
    walked: dict[str, set[str]] = {}
    objects = {
        "open_case": Deviation,
        "serious_case": Deviation,
        "answered_case": Deviation,
        "story": GoodStory,
        "public_message": DeviationMessage,
        "internal_note": DeviationMessage,
        "analysis": Analysis,
        "draft_lesson": Lesson,
        "published_lesson": Lesson,
        "trondheim": Organisation,
        "hospital": Organisation,
        "Organisation": Organisation,
        "melder_user": User,
        "admin_user": User,
    }
    for label, action in parse_matrix():
        key = objects.get(label) or getattr(permissions, label)
        walked.setdefault(permissions.resource_of(key).name, set()).add(action)
    tables = {r.name: set(r.table) for r in permissions.RESOURCES.values()}
    assert walked == tables


def test_every_action_over_every_role(ctx):
    who = people()
    objects = world(who)
    got = {
        (label, action): {column: can(user, action, objects[label]) for column, user in who.items()}
        for label, action in parse_matrix()
    }
    wrong = {
        f"{label}.{action}": {
            c: allowed for c, allowed in row.items() if allowed != got[label, action][c]
        }
        for (label, action), row in parse_matrix().items()
        if row != got[label, action]
    }
    assert wrong == {}, "expected (column: allowed) differs from can()"


def test_require_answers_404_and_lets_the_allowed_through(ctx):
    from werkzeug.exceptions import NotFound

    who = people()
    permissions.require(who["forbedr"], "view", permissions.STATISTICS)
    with pytest.raises(NotFound):
        permissions.require(who["melder"], "view", permissions.STATISTICS)
    with pytest.raises(NotFound):
        permissions.require(who["admin"], "view", None)


def test_an_unknown_action_is_an_error_not_a_no(ctx):
    with pytest.raises(KeyError):
        can(people()["admin"], "delete", permissions.STATISTICS)


# --- can and visible agree --------------------------------------------------------------------


@dataclass
class Merged:
    leksvik: Organisation
    trondheim: Organisation
    closed_from_leksvik: Deviation
    analysis: Analysis


def merger(who: dict[str, User]) -> Merged:
    """Leksvik reports to the hospital, which analyses and answers; then Leksvik merges into
    Trondheim: the closed case (and so the analysis's link) stays with Leksvik."""
    leksvik = factories.new_organisation("Leksvik")  # seeded before 2026; see the seed
    trondheim = organisation_by_name("Trondheim")
    create_user("sykepleier@leksvik.test", "Siv Leksvik", leksvik, "x" * 12)
    create_user("mottak@leksvik.test", "Mats Leksvik", leksvik, "x" * 12, {Role.SAKSBEHANDLER})
    closed = file("sykepleier@leksvik.test", HOSPITAL, "Utskrevet uten legemidler")
    analysis = factories.analysis(closed, title="Legemidler ved utskrivning")
    answer(closed, "mottak@stolav.demo")
    # Open cases both ways, and a story, that the merger moves to Trondheim.
    file("sykepleier@leksvik.test", HOSPITAL, "Ventet på transport")
    received = file("melder@stolav.demo", "Leksvik", "Hjelpemidler ikke på plass")
    tell(factories.user("sykepleier@leksvik.test"), "Malvik")
    post_message(received, factories.user("mottak@leksvik.test"), "Notat.", internal=True)
    admin_services.merge_organisation(who["admin"], leksvik, trondheim)
    db.session.flush()
    assert closed.reporter_org_id == leksvik.id and leksvik.merged_into_id == trondheim.id
    return Merged(leksvik, trondheim, closed, analysis)


MODELS = (Deviation, GoodStory, DeviationMessage, Analysis, Lesson, Organisation, User)


def test_can_and_visible_agree_on_every_object_for_every_user(ctx):
    who = people()
    world(who)
    merger(who)
    # Cases between Malvik and the hospital, a story from the hospital, a lesson from Malvik's
    # answered case: every organisation both sends and receives.
    malvik_case = file("melder@stolav.demo", "Malvik", "Feil adresse i henvisning")
    answer(malvik_case, "mottak@malvik.demo")
    lesson_services.write_lesson(who["sb_third"], lesson_input(), deviation=malvik_case)
    file("melder@trondheim.demo", "Malvik", "Manglende beskjed om hjelpemidler")
    tell(factories.user("melder@stolav.demo"), "Trondheim")
    db.session.flush()

    users = list(db.session.scalars(sa.select(User).order_by(User.id)))
    assert len(users) >= 11
    disagree = []
    for model in MODELS:
        objects = list(db.session.scalars(sa.select(model)))
        assert objects, model
        resource = permissions.resource_of(model)
        for action in resource.table:
            guard = resource.guards.get(action)
            for user in users:
                by_can = {o.id for o in objects if can(user, action, o)}
                by_sql = set(
                    db.session.scalars(sa.select(model).where(visible(user, model, action)))
                )
                if guard is not None:  # state guards are the list's own WHERE
                    by_sql = {o for o in by_sql if guard(permissions.Actor(user), o)}
                if by_can != {o.id for o in by_sql}:
                    disagree.append((model.__name__, action, user.email))
    assert disagree == []


# --- Mergers ----------------------------------------------------------------------------------


def test_analysis_access_follows_a_merger(ctx):
    who = people()
    merged = merger(who)
    successor = who["sb_send"]  # Trondheim's mottak, which now answers for Leksvik
    assert merged.trondheim.id == successor.organisation_id
    assert can(successor, "view", merged.analysis)
    assert not can(successor, "edit", merged.analysis)
    listed = db.session.scalars(sa.select(Analysis).where(visible(successor, Analysis))).all()
    assert merged.analysis in listed
    assert permissions.any_visible(successor, Analysis)
    # The moved Leksvik handler reads it as before; an uninvolved organisation does not.
    assert can(factories.user("mottak@leksvik.test"), "view", merged.analysis)
    assert not can(who["sb_third"], "view", merged.analysis)


# --- No role checks outside the permission module ---------------------------------------------

APP = Path(__file__).resolve().parent.parent / "app"
PERMISSIONS = APP / "common" / "permissions"


def _is_roles(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "roles"


def _role_checks(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "has_role":
                lines.append(node.lineno)
        elif isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_is_roles(o) for o in operands) and any(
                isinstance(op, ast.In | ast.NotIn) for op in node.ops
            ):
                lines.append(node.lineno)
            # SQL on the role table: UserRole.role == Role.X
            if any(
                isinstance(o, ast.Attribute)
                and o.attr == "role"
                and isinstance(o.value, ast.Name)
                and o.value.id == "UserRole"
                for o in operands
            ):
                lines.append(node.lineno)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
            sides = (node.left, node.right)
            lines += [node.lineno] if any(_is_roles(o) for o in sides) else []
    return lines


def test_the_scan_finds_what_it_looks_for():
    source = (
        "a = user.has_role(Role.ADMIN)\n"
        "b = Role.ADMIN in user.roles\n"
        "c = user.roles & {Role.ADMIN}\n"
        "d = sa.select(UserRole).where(UserRole.role == Role.ADMIN)\n"
        "e = sorted(user.roles - {Role.MELDER})\n"
    )
    assert _role_checks(ast.parse(source)) == [1, 2, 3, 4]


def test_no_role_check_outside_the_permission_module():
    found = []
    for path in sorted(APP.rglob("*.py")):
        if PERMISSIONS in path.parents or (APP / "models") in path.parents:
            continue
        for line in _role_checks(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(APP.parent)}:{line}")
    # A loop over the roles (to list them) is not a check: "for r in u.roles".
    template_check = re.compile(
        r"has_role\(|\.roles\s*&|(?<!for )\b\w+\s+(?:not\s+)?in\s+[\w.]+\.roles\b"
    )
    for path in sorted((APP / "templates").rglob("*.html")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if template_check.search(text):
                found.append(f"{path.relative_to(APP.parent)}:{number}")
    assert found == []
