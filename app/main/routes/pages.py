"""The start page and other pages that belong to no feature."""

from flask import current_app, redirect, render_template
from flask_login import current_user

from app.auth.forms import LoginForm
from app.auth.services import single_sign_on
from app.common import permissions
from app.common.dates import today_local
from app.deviations.services import my_deviations
from app.handling import queues
from app.learning.services import community
from app.main.landing import landing_url
from app.main.routes.blueprint import bp
from app.privacy.access_log import log_listing

# Cases shown in each queue on a handler's start page; the rest behind "Vis alle".
QUEUE_ROWS = 5


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        # A visitor learns what the service is, who it is for and how to get an account, and
        # can log in right here (the form posts to the login page).
        return render_template(
            "main/visitor.html", form=LoginForm(), providers=single_sign_on.providers()
        )
    if permissions.can(current_user, "open", permissions.INBOX):
        # A handler's work is the mottak's: the start page is the queues (issue 20).
        today = today_local()
        views = queues.start_page(
            current_user, today, int(current_app.config["INBOX_COUNT_CAP"]), QUEUE_ROWS
        )
        log_listing(current_user, (row.id for view in views for row in view.rows))
        return render_template("handling/start.html", queues=views, today=today)
    landing = landing_url(current_user)
    if landing is not None:
        return redirect(landing)
    return render_template(
        "main/index.html",
        recent=my_deviations(current_user, limit=5),
        today=today_local(),
        is_handler=permissions.can(current_user, "open", permissions.INBOX),
        learning=community.page_of(community.CommunityFilter(), page_size=3).items,
    )


@bp.get("/tilgjengelighet")
def accessibility():
    """Tilgjengelighetserklæring: open to everyone, logged in or not."""
    return render_template(
        "main/accessibility.html", contact=current_app.config["ACCESSIBILITY_CONTACT"]
    )
