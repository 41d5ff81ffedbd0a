"""The list of analyses, the analysis page with every form on it, its PDF, and the views that
add, change and delete the items of the page's sections."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.analysis import forms, services
from app.analysis.history import analysis_line
from app.analysis.routes.blueprint import back, bp, get_editable, get_visible
from app.analysis.routes.sections import SECTIONS, Section, section_form
from app.common import permissions
from app.common.dates import today_local
from app.common.translations import report_language
from app.common.writing import writing
from app.models import AccessAction, Analysis, AnalysisStatus
from app.privacy.access_log import log_reading


def render_page(analysis: Analysis, code: int = 200, **overrides: FlaskForm):
    """The analysis page; ``overrides`` are forms that were submitted and refused, shown with
    their input and errors in place of the empty ones."""
    page_forms: dict[str, FlaskForm] = {
        name: section_form(name, analysis, formdata=None) for name in SECTIONS
    }
    page_forms["status"] = forms.StatusForm(prefix="status", formdata=None)
    page_forms["member"] = forms.MemberForm(prefix="medlem", formdata=None)
    page_forms["confirm"] = forms.ConfirmForm(formdata=None)
    answerable = services.answerable_deviations(current_user, analysis)
    if answerable:
        page_forms["answer"] = forms.AnswerForm(
            prefix="svar", formdata=None, data={"text": services.default_answer(analysis)}
        )
    page_forms.update(overrides)
    return (
        render_template(
            "analysis/show.html",
            analysis=analysis,
            forms=page_forms,
            can_edit=permissions.can(current_user, "edit", analysis),
            deviations=services.covered_deviations(current_user, analysis),
            ferdig_blockers=services.ferdig_blockers(analysis) if analysis.is_active else [],
            status_choices=[
                s for s in AnalysisStatus if s in services.STATUS_MOVES[analysis.status]
            ],
            cause_numbers={c.id: i for i, c in enumerate(analysis.root_causes, start=1)},
            answerable=answerable,
            today=today_local(),
            analysis_line=analysis_line,
        ),
        code,
    )


@bp.get("")
@login_required
def index():
    return render_template(
        "analysis/index.html", analyses=services.visible_analyses(current_user), today=today_local()
    )


@bp.get("/<reference>")
@login_required
def show(reference: str):
    analysis = get_visible(reference)
    log_reading(current_user, AccessAction.ANALYSIS_VIEWED, analysis=analysis)
    return render_page(analysis)


@bp.get("/<reference>/pdf")
@login_required
def pdf(reference: str):
    analysis = get_visible(reference)
    log_reading(current_user, AccessAction.ANALYSIS_PDF, analysis=analysis)
    content = services.render_pdf(current_user, analysis, language=report_language())
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{analysis.reference}.pdf"'},
    )


# --- The sections' items ------------------------------------------------------------------------


@bp.post("/<reference>/<section>/ny")
@login_required
def add_item(reference: str, section: str):
    if section not in SECTIONS:
        abort(404)
    analysis = get_editable(reference)
    spec = SECTIONS[section]
    form = section_form(section, analysis)
    if form.validate_on_submit():
        with writing(form=form) as done:
            spec.add(current_user, analysis, spec.build(form))
        if done:
            return back(analysis, spec.anchor)
    return render_page(analysis, 422, **{section: form})


def _find_item(analysis: Analysis, section: str, item_id: int) -> tuple[Section, object]:
    if section not in SECTIONS:
        abort(404)
    item = next((i for i in SECTIONS[section].items(analysis) if i.id == item_id), None)
    if item is None:
        abort(404)
    return SECTIONS[section], item


@bp.route("/<reference>/<section>/<int:item_id>/endre", methods=["GET", "POST"])
@login_required
def edit_item(reference: str, section: str, item_id: int):
    analysis = get_editable(reference)
    spec, item = _find_item(analysis, section, item_id)
    form = section_form(section, analysis)
    if section == "faktor":
        del form.problem  # a factor stays with its problem; delete and add it anew to move it
    if not form.is_submitted():
        spec.fill(form, item)
    if form.validate_on_submit():
        with writing(form=form) as done:
            spec.update(current_user, analysis, item, spec.build(form))
        if done:
            return back(analysis, spec.anchor)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "analysis/edit.html",
        analysis=analysis,
        form=form,
        title=spec.edit_title,
        anchor=spec.anchor,
        section=section,
    ), status


@bp.route("/<reference>/<section>/<int:item_id>/slett", methods=["GET", "POST"])
@login_required
def delete_item(reference: str, section: str, item_id: int):
    """Deleting asks first: the page's Slett is a link to this question, which names the item
    (and what goes with it), and only its POST deletes. A page rather than a script's dialog,
    so it works without JavaScript and reads the same to a screen reader; a page rather than
    undo, because a deleted problem takes its factors along and the history is append-only,
    so an undo could not put back exactly what was there."""
    analysis = get_editable(reference)
    spec, item = _find_item(analysis, section, item_id)
    what = spec.describe(analysis, item)
    form = forms.ConfirmForm()
    if request.method == "GET":
        return render_template(
            "analysis/confirm_delete.html",
            analysis=analysis,
            form=form,
            what=what,
            also=spec.also_deleted(item),
            anchor=spec.anchor,
            action=request.path,
        )
    if not form.validate_on_submit():
        abort(400)
    with writing() as done:
        spec.delete(current_user, analysis, item)
    if done:
        flash(_("%(what)s er slettet.", what=what), "success")
    return back(analysis, spec.anchor)
