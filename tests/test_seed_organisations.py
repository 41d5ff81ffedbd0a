"""The default organisations: the helsefellesskap as it is today for a new installation, and an
existing installation's Leksvik and Roan left as they are."""

from __future__ import annotations

import sqlalchemy as sa

from app.data.seed import MUNICIPALITIES, seed_defaults
from app.extensions import db
from app.models import Organisation, Unit
from tests import factories


def _names() -> set[str]:
    return set(db.session.scalars(sa.select(Organisation.name)))


def test_new_installation_has_indre_fosen_and_afjord(ctx):
    names = _names()
    assert {"Indre Fosen", "Åfjord", "Heim", "Orkland"} <= names
    assert not {"Leksvik", "Roan"} & names
    assert not {"Leksvik", "Roan"} & set(MUNICIPALITIES)


def test_seed_leaves_an_older_installations_organisations_alone(ctx):
    # An installation seeded before: Leksvik and Roan, no Indre Fosen or Åfjord.
    newer = sa.select(Organisation.id).where(Organisation.name.in_(["Indre Fosen", "Åfjord"]))
    ours = Unit.organisation_id.in_(newer.scalar_subquery())
    db.session.execute(sa.delete(Unit).where(ours, Unit.parent_id.is_not(None)))
    db.session.execute(sa.delete(Unit).where(ours))
    db.session.execute(sa.delete(Organisation).where(Organisation.id.in_(newer.scalar_subquery())))
    db.session.expire_all()
    leksvik = factories.new_organisation("Leksvik")
    roan = factories.new_organisation("Roan")
    seed_defaults()  # `flask seed` again, as an upgrade runs it
    names = _names()
    assert {"Leksvik", "Roan"} <= names
    assert not {"Indre Fosen", "Åfjord"} & names  # no second organisation for one municipality
    assert leksvik.active and roan.active and leksvik.merged_into_id is None
