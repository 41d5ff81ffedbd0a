"""Issue 21: sign-in links leave the outbox's body; the access log records lists and exports.

Revision ID: e7b4d2a9c611
Revises: 94c76013f933
Create Date: 2026-12-06

Invitation and password links were kept in clear in outbox_mail.body, sent or not, for ever: a
dump or a backup gave a working link. The link now travels encrypted in secret_link, removed
when the mail is sent or given up, and `flask maintenance` empties sent bodies. Rows already
sent are emptied here: their links may still work.

The access log gains two actions (a case shown in a list; an export) and a `detail` column
naming the export. On SQLite the new CHECK constraint means rebuilding the table, which drops
its no-update triggers: they are made again.
"""

import sqlalchemy as sa
from alembic import op

from app.models.guards import sqlite_triggers

revision = "e7b4d2a9c611"
down_revision = "94c76013f933"
branch_labels = None
depends_on = None


OLD_ACTIONS = ("avvik_vist", "pasient_vist", "analyse_vist", "analyse_pdf", "personvern_sok",
               "personvern_treff")  # fmt: skip
NEW_ACTIONS = (*OLD_ACTIONS, "avvik_listet", "eksport")
CHECK = "ck_access_log_entry_access_action"


def _in(values: tuple[str, ...]) -> str:
    return f"action IN ({', '.join(repr(v) for v in values)})"


def _access_log(actions: tuple[str, ...], add_detail: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("access_log_entry", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f(CHECK), type_="check")
            batch_op.create_check_constraint(op.f(CHECK), _in(actions))
            if add_detail:
                batch_op.add_column(sa.Column("detail", sa.String(length=200), nullable=True))
            else:
                batch_op.drop_column("detail")
        op.execute("DROP TRIGGER IF EXISTS access_log_entry_no_update")
        for statement in sqlite_triggers("access_log_entry", ("UPDATE",)):
            op.execute(statement)
    else:
        op.drop_constraint(op.f(CHECK), "access_log_entry", type_="check")
        op.create_check_constraint(op.f(CHECK), "access_log_entry", _in(actions))
        if add_detail:
            op.add_column(
                "access_log_entry", sa.Column("detail", sa.String(length=200), nullable=True)
            )
        else:
            op.drop_column("access_log_entry", "detail")


def upgrade():
    op.add_column("outbox_mail", sa.Column("secret_link", sa.Text(), nullable=True))
    op.execute("UPDATE outbox_mail SET body = '' WHERE status IN ('sent', 'failed')")
    _access_log(NEW_ACTIONS, add_detail=True)


def downgrade():
    op.execute(
        f"DELETE FROM access_log_entry WHERE action NOT IN ({', '.join(map(repr, OLD_ACTIONS))})"
    )
    _access_log(OLD_ACTIONS, add_detail=False)
    op.drop_column("outbox_mail", "secret_link")
