"""Run in a subprocess with the app's environment: `python -m reliability.prepare [--racing]`.

Seeds the default data and the demo accounts, and adds the scenarios' accounts; with
--racing, the concurrent-handling scenario's twenty handlers. Idempotent.
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> None:
    from app import create_app
    from app.auth.services import create_user, find_user
    from app.common.database import begin_write
    from app.data.demo import create_demo_accounts
    from app.data.seed import organisation_by_name, seed_defaults
    from app.extensions import db
    from app.models import Role
    from reliability.accounts import EXTRA_MOTTAK, PASSWORD, RACING_HANDLERS, REPORTERS

    accounts = RACING_HANDLERS if "--racing" in argv else [*REPORTERS, *EXTRA_MOTTAK]
    app = create_app()
    with app.app_context():
        begin_write()
        seed_defaults()
        create_demo_accounts()
        for account in accounts:
            if find_user(account.email) is None:
                roles = {Role.SAKSBEHANDLER} if account.handler else set()
                org = organisation_by_name(account.organisation)
                create_user(account.email, account.name, org, PASSWORD, roles)
        db.session.commit()


if __name__ == "__main__":
    main(sys.argv[1:])
