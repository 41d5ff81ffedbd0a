"""The receiving handler's record of a serious event's notice to Statens helsetilsyn, sent
from the deviation's page (app/templates/handling/_serious_notice.html)."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.common import permissions
from app.common.writing import writing
from app.deviations.page import get_visible, redraw_refused
from app.handling import serious
from app.handling.forms import NOTIFIED, SeriousNoticeForm
from app.handling.routes.blueprint import bp


@bp.post("/avvik/<reference>/varsling")
@login_required
def record_serious_notice(reference: str):
    deviation = get_visible(reference)
    permissions.require(current_user, "record_serious_notice", deviation)
    form = SeriousNoticeForm()
    if form.validate():
        notifiable = form.outcome.data == NOTIFIED
        data = serious.NoticeInput(
            notifiable=notifiable,
            notified_on=form.notified_on.data if notifiable else None,
            notified_by=(form.notified_by.data or "") if notifiable else "",
            reference=(form.reference.data or "") if notifiable else "",
            reason="" if notifiable else (form.reason.data or ""),
        )
        with writing(form=form, success=_("Varslingen er registrert.")) as done:
            serious.record_notice(current_user, deviation, data)
        if done:
            return redirect(
                url_for("deviations.show", reference=deviation.reference, _anchor="varsling")
            )
    return redraw_refused(deviation, serious_form=form, status=422)
