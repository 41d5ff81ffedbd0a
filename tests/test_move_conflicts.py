"""Two handlers on the same case: a move decided on a page the case has since left is refused
with "someone else changed it", what the loser typed is kept, and only the winner's move is in
the history."""

from __future__ import annotations

import re

from app.auth.services import create_user
from app.data.seed import HOSPITAL, organisation_by_name
from app.extensions import db
from app.models import Role, Status
from tests.support import login
from tests.test_handling_routes import file_one, org_id, state, text_of, unit_id

CONFLICT = "Noen andre endret avviket samtidig med deg."


def two_handlers(app):
    with app.app_context():
        create_user(
            "mottak2@stolav.demo", "Per Mottak", organisation_by_name(HOSPITAL), "demo-avvik",
            {Role.SAKSBEHANDLER},
        )  # fmt: skip
        db.session.commit()
    clients = []
    for email in ("mottak@stolav.demo", "mottak2@stolav.demo"):
        client = app.test_client()
        login(client, email)
        clients.append(client)
    return clients


def seen_version(client, reference: str, move: str) -> str:
    page = client.get(f"/avvik/{reference}").get_data(as_text=True)
    return re.search(rf'name="{move}-version" type="hidden" value="(\d+)"', page).group(1)


def test_the_second_answer_is_refused_and_keeps_its_text(app, login_as):
    reference = file_one(app, login_as)
    first, second = two_handlers(app)
    versions = [seen_version(c, reference, "besvar") for c in (first, second)]
    won = first.post(
        f"/avvik/{reference}/behandling",
        data={"move": "besvar", "besvar-text": "Rutinen er endret.", "besvar-version": versions[0]},
    )
    assert won.status_code == 302
    lost = second.post(
        f"/avvik/{reference}/behandling",
        data={"move": "avvis", "avvis-text": "Ikke et samhandlingsavvik.",
              "avvis-version": versions[1]},
    )  # fmt: skip
    assert lost.status_code == 409
    page = text_of(lost)
    assert CONFLICT in page
    assert "Rutinen er endret." in page  # the case as it is now: answered
    # Created, acknowledged by the first handler to open it, answered.
    assert state(app, reference) == (Status.BESVART, 3, 0)


def test_two_forwards_do_not_both_win(app, login_as):
    """Without the page's version both would pass: forwarding is allowed again after a forward.
    The first page view acknowledged the case; a forward keeps its status (mottatt)."""
    reference = file_one(app, login_as)
    first, second = two_handlers(app)
    versions = [seen_version(c, reference, "videresend") for c in (first, second)]
    units = [unit_id(app, HOSPITAL, name) for name in ("Geriatrisk avdeling", "Akuttmottaket")]
    answers = [
        client.post(
            f"/avvik/{reference}/behandling",
            data={
                "move": "videresend",
                "videresend-target_unit": unit,
                "videresend-text": f"Til enhet {unit}",
                "videresend-version": version,
            },
        )
        for client, unit, version in zip((first, second), units, versions, strict=True)
    ]
    assert [a.status_code for a in answers] == [302, 409]
    lost = text_of(answers[1])
    assert CONFLICT in lost and f"Til enhet {units[1]}" in lost  # the loser's comment kept
    assert state(app, reference) == (Status.MOTTATT, 3, 0)
    # Knowing what happened, the loser may forward it again: the page's version is current.
    again = seen_version(second, reference, "videresend")
    retry = second.post(
        f"/avvik/{reference}/behandling",
        data={
            "move": "videresend",
            "videresend-target_unit": units[1],
            "videresend-version": again,
        },
    )
    assert retry.status_code == 302
    assert state(app, reference) == (Status.MOTTATT, 4, 0)


def test_a_case_sent_elsewhere_meanwhile_says_so_and_strangers_still_get_404(app, login_as):
    reference = file_one(app, login_as)
    first, second = two_handlers(app)
    version = seen_version(second, reference, "besvar")
    moved = first.post(
        f"/avvik/{reference}/behandling",
        data={"move": "omdiriger", "omdiriger-target_org": org_id(app, "Malvik"),
              "omdiriger-version": seen_version(first, reference, "omdiriger")},
    )  # fmt: skip
    assert moved.status_code == 302
    lost = second.post(
        f"/avvik/{reference}/behandling",
        data={"move": "besvar", "besvar-text": "Svar", "besvar-version": version},
        follow_redirects=True,
    )
    assert lost.request.path == "/mottak" and CONFLICT in text_of(lost)
    assert second.get(f"/avvik/{reference}").status_code == 404  # no longer theirs to see
    with app.app_context():  # a handler whose organisation never had the case
        create_user(
            "mottak@orkland.demo", "Ola Orkland", organisation_by_name("Orkland"), "demo-avvik",
            {Role.SAKSBEHANDLER},
        )  # fmt: skip
        db.session.commit()
    stranger = login_as("mottak@orkland.demo")
    assert (
        stranger.post(f"/avvik/{reference}/behandling", data={"move": "besvar"}).status_code == 404
    )
    # Created, acknowledged by the first view of the case, sent to Malvik.
    assert state(app, reference) == (Status.VIDERESENDT, 3, 0)


def test_every_move_is_one_update_so_the_version_counts_moves(ctx):
    """Forwarding names the unit's path and re-routing reads the reporter's organisation:
    lazy loads that used to flush half a move first, two versions for one move."""
    import sqlalchemy as sa

    from app.auth.services import find_user
    from app.handling.workflow import Move, transition
    from app.models import Deviation, Unit
    from tests.test_mail import file

    handler = find_user("mottak@stolav.demo")
    deviation = file()
    db.session.flush()
    unit = db.session.scalar(
        sa.select(Unit).where(
            Unit.organisation_id == organisation_by_name(HOSPITAL).id, Unit.parent_id.is_not(None)
        )
    )
    versions = [deviation.version]
    for move, target in ((Move.FORWARD, {"target_unit": unit.id}),
                         (Move.ANSWER, {"text": "Svar."}),
                         (Move.REOPEN, {}),
                         (Move.REROUTE, {"target_org": organisation_by_name("Malvik").id})):  # fmt: skip
        transition(deviation, move, handler, **target)
        db.session.flush()
        versions.append(
            db.session.scalar(sa.select(Deviation.version).where(Deviation.id == deviation.id))
        )
    assert versions == [1, 2, 3, 4, 5]
