"""Starting an analysis from a deviation, adding deviations to it, its mandate and status,
answering the covered deviations once it is ferdig, and its team."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.analysis import forms, services
from app.analysis.routes.blueprint import (
    back,
    bp,
    get_deviation_to_send,
    get_editable,
    get_visible,
)
from app.analysis.routes.page import render_page
from app.common import labels
from app.common.dates import today_local
from app.common.writing import writing
from app.models import AnalysisStatus


def _details(form: forms.AnalysisForm) -> services.AnalysisInput:
    return services.AnalysisInput(
        form.title.data,
        form.mandate.data,
        form.scope.data or "",
        form.start_date.data,
        form.due_date.data,
    )


@bp.route("/ny/<deviation_reference>", methods=["GET", "POST"])
@login_required
def new(deviation_reference: str):
    deviation = get_deviation_to_send(deviation_reference)
    form = forms.AnalysisForm(prefix="mandat")
    if not form.is_submitted():
        # Not the deviation's title: that may describe the patient, and the analysis's title
        # goes onto its PDF, which is shared beyond the two organisations.
        form.title.data = f"{deviation.category.name} ({deviation.reference})"
        form.start_date.data = today_local()
        form.due_date.data = services.default_due_date(today_local())
    if form.validate_on_submit():
        with writing(form=form) as started:
            started.value = services.start_analysis(current_user, deviation, _details(form))
        if started:
            reference = started.value.reference
            flash(
                _("Hendelsesanalyse %(ref)s er opprettet. Du er leder.", ref=reference), "success"
            )
            return redirect(url_for("analysis.show", reference=reference))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("analysis/new.html", form=form, deviation=deviation), status


@bp.post("/legg-til/<deviation_reference>")
@login_required
def link(deviation_reference: str):
    deviation = get_deviation_to_send(deviation_reference)
    form = forms.LinkForm()
    options = services.analyses_open_for_linking(current_user)
    form.analysis.choices = [SelectChoice(a.id, a.reference) for a in options]
    if not form.validate_on_submit():
        flash(_("Velg analysen avviket skal med i."), "error")
        return redirect(url_for("deviations.show", reference=deviation.reference))
    analysis = next(a for a in options if a.id == form.analysis.data)
    with writing(
        success=_("Avviket er lagt til i hendelsesanalyse %(ref)s.", ref=analysis.reference)
    ) as done:
        services.link_deviation(current_user, analysis, deviation)
    if done:
        return redirect(url_for("analysis.show", reference=analysis.reference))
    return redirect(url_for("deviations.show", reference=deviation.reference))


@bp.route("/<reference>/mandat", methods=["GET", "POST"])
@login_required
def details(reference: str):
    analysis = get_editable(reference)
    form = forms.AnalysisForm(prefix="mandat", obj=analysis)
    if form.validate_on_submit():
        with writing(form=form) as done:
            services.update_details(current_user, analysis, _details(form))
        if done:
            return back(analysis, "mandat")
    status = 422 if request.method == "POST" else 200
    return render_template(
        "analysis/edit.html",
        analysis=analysis,
        form=form,
        title=_("Endre mandat og rammer"),
        anchor="mandat",
    ), status


@bp.post("/<reference>/status")
@login_required
def status(reference: str):
    analysis = get_editable(reference)
    form = forms.StatusForm(prefix="status")
    if form.validate_on_submit():
        new = AnalysisStatus(form.status.data)
        with writing(
            form=form,
            success=_(
                "Hendelsesanalyse %(ref)s har fått status %(status)s.",
                ref=analysis.reference,
                status=labels.ANALYSIS_STATUS[new],
            ),
        ) as done:
            services.set_status(current_user, analysis, new)
        if done:
            return back(analysis, "status")
    return render_page(analysis, 422, status=form)


@bp.post("/<reference>/besvar-avvik")
@login_required
def answer(reference: str):
    analysis = get_visible(reference)
    form = forms.AnswerForm(prefix="svar")
    if form.validate_on_submit():
        with writing(form=form) as done:
            done.value = services.answer_deviations(current_user, analysis, form.text.data)
        if done:
            flash(
                ngettext(
                    "%(num)d avvik er besvart med henvisning til analysen.",
                    "%(num)d avvik er besvart med henvisning til analysen.",
                    len(done.value),
                ),
                "success",
            )
            return back(analysis, "besvar")
    return render_page(analysis, 422, answer=form)


# --- Team ---------------------------------------------------------------------------------------


@bp.post("/<reference>/team")
@login_required
def add_member(reference: str):
    analysis = get_editable(reference)
    form = forms.MemberForm(prefix="medlem")
    if form.validate_on_submit():
        with writing(form=form) as done:
            services.add_member(current_user, analysis, form.email.data)
        if done:
            return back(analysis, "team")
    return render_page(analysis, 422, member=form)


@bp.post("/<reference>/team/<int:member_id>/<any(fjern, leder):what>")
@login_required
def change_member(reference: str, member_id: int, what: str):
    analysis = get_editable(reference)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    change = services.remove_member if what == "fjern" else services.set_leader
    with writing():  # an id not on this team is NoSuchObject: 404
        change(current_user, analysis, member_id)
    return back(analysis, "team")
