"""Default organisations as the helsefellesskap is today: Indre Fosen and Åfjord in the seed in
place of Leksvik and Roan. This revision deliberately changes nothing in the database.

Revision ID: f3a8c2d61e07
Revises: b7c1e5d9a2f4
Create Date: 2026-12-06

What it does: marks the point from which `flask seed` (app/data/seed.py) creates Indre Fosen
and Åfjord for a new installation, and no longer Leksvik and Roan. No schema changes, no rows
written.

What it does not do, on purpose, for an installation that already has Leksvik or Roan:
- it does not rename, merge, deactivate or delete them, nor move their units, people or cases:
  every case keeps the organisation names it was filed with, and past tertials keep counting
  them under those names;
- `flask seed` will not add Indre Fosen or Åfjord beside them (seed.SUPERSEDED), so nobody is
  offered two organisations for one municipality.
The installation's admin merges Leksvik into Indre Fosen, or renames Roan to Åfjord, under
Administrasjon › Organisasjoner when they choose; those tools keep the history (see
app/admin/services/organisations.py). An installation whose admin already did so has nothing
to do.
"""

revision = "f3a8c2d61e07"
down_revision = "b7c1e5d9a2f4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing to change: see the docstring. Existing organisations are the installation's data.
    pass


def downgrade() -> None:
    pass
