"""Incident analysis pages: list, start from a deviation, the analysis page and its sections, PDF.

Each handler: parse the request → permission check → one service call → one commit → render.
The analysis page's sections (timeline, problems, factors, root causes, actions, learning points)
share one add / edit / delete shape, described by the SECTIONS table below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.analysis import forms, labels, services
from app.common import permissions
from app.common.dates import local, today_local
from app.common.errors import ServiceError
from app.common.translations import report_language
from app.deviations.services import get_by_reference as get_deviation
from app.extensions import db
from app.models import ActionStatus, ActionStrength, Analysis, AnalysisStatus, FactorGroup

bp = Blueprint("analysis", __name__, url_prefix="/analyser")


@bp.app_context_processor
def _template_helpers() -> dict[str, object]:
    return {"analysis_labels": labels, "analysis_panel": services.deviation_panel}


# --- Loading with permissions -------------------------------------------------------------------


def _get_visible(reference: str) -> Analysis:
    analysis = services.get_by_reference(reference)
    # 404, not 403: a stranger must not learn that the analysis exists.
    if analysis is None or not permissions.can_view_analysis(current_user, analysis):
        abort(404)
    return analysis


def _get_editable(reference: str) -> Analysis:
    analysis = _get_visible(reference)
    if not permissions.can_edit_analysis(current_user, analysis):
        abort(403)
    return analysis


def _get_deviation_to_send(reference: str):
    deviation = get_deviation(reference)
    if deviation is None or not permissions.can_view_deviation(current_user, deviation):
        abort(404)
    if not permissions.can_start_analysis(current_user, deviation):
        abort(403)
    return deviation


# --- Forms of the page --------------------------------------------------------------------------


def _action_choices(form: forms.ActionForm, analysis: Analysis) -> None:
    form.root_cause.choices = [SelectChoice("", _("Velg …"))] + [
        SelectChoice(c.id, _("Rotårsak %(n)d: %(text)s", n=i, text=_short(c.text)))
        for i, c in enumerate(analysis.root_causes, start=1)
    ]
    form.responsible_org.choices = [SelectChoice("", _("Velg …"))] + [
        SelectChoice(o.id, o.name) for o in services.organisations()
    ]


def _factor_choices(form: forms.FactorForm, analysis: Analysis) -> None:
    if "problem" in form:
        form.problem.choices = [SelectChoice("", _("Velg …"))] + [
            SelectChoice(p.id, _("Problem %(n)d: %(text)s", n=i, text=_short(p.text)))
            for i, p in enumerate(analysis.problems, start=1)
        ]


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Section:
    """One list on the analysis page and how to add, change and delete its items."""

    form_cls: type[FlaskForm]
    prefix: str
    anchor: str
    edit_title: Any
    items: Callable[[Analysis], list]
    build: Callable[[Any], Any]
    add: Callable[..., object]
    update: Callable[..., None]
    delete: Callable[..., None]
    fill: Callable[[Any, Any], None]
    choices: Callable[[Any, Analysis], None] = lambda form, analysis: None


def _text_of(form: Any) -> str:
    return form.text.data or ""


def _fill_text(form: Any, item: Any) -> None:
    form.text.data = item.text


def _timeline_input(form: forms.TimelineForm) -> services.TimelineInput:
    return services.TimelineInput(
        form.day.data, form.at.data, form.what.data or "", form.source.data or ""
    )


def _timeline_fill(form: forms.TimelineForm, entry) -> None:
    moment = local(entry.occurred_at)
    form.day.data, form.at.data = moment.date(), moment.time().replace(second=0, microsecond=0)
    form.what.data, form.source.data = entry.what, entry.source


def _factor_input(form: forms.FactorForm) -> tuple[int | None, FactorGroup, str]:
    problem = form.problem.data if "problem" in form else None
    return problem, FactorGroup(form.group.data), form.text.data or ""


def _factor_add(actor, analysis: Analysis, data) -> object:
    problem_id, group, text = data
    problem = next((p for p in analysis.problems if p.id == problem_id), None)
    if problem is None:
        raise ServiceError(_l("Velg problemet."), "problem", code="needs_problem")
    return services.add_factor(actor, analysis, problem, group, text)


def _factor_fill(form: forms.FactorForm, factor) -> None:
    form.group.data, form.text.data = factor.group.value, factor.text


def _action_input(form: forms.ActionForm) -> services.ActionInput:
    return services.ActionInput(
        text=form.text.data or "",
        root_cause_id=form.root_cause.data,
        responsible_org_id=form.responsible_org.data,
        responsible_email=form.responsible_email.data or "",
        due_date=form.due_date.data,
        status=ActionStatus(form.status.data),
        strength=ActionStrength(form.strength.data),
        effect_measure=form.effect_measure.data or "",
    )


def _action_fill(form: forms.ActionForm, action) -> None:
    form.text.data = action.text
    form.root_cause.data = action.root_cause_id
    form.responsible_org.data = action.responsible_org_id
    form.responsible_email.data = action.responsible_user.email if action.responsible_user else ""
    form.due_date.data = action.due_date
    form.status.data = action.status.value
    form.strength.data = action.strength.value
    form.effect_measure.data = action.effect_measure


SECTIONS: dict[str, Section] = {
    "tidslinje": Section(
        forms.TimelineForm, "tidslinje", "tidslinje", _l("Endre hendelse i tidslinjen"),
        lambda a: a.timeline, _timeline_input,
        services.add_timeline_entry, services.update_timeline_entry, services.delete_timeline_entry,
        _timeline_fill,
    ),
    "problem": Section(
        forms.ProblemForm, "problem", "problemer", _l("Endre problem"),
        lambda a: a.problems, _text_of,
        services.add_problem, services.update_problem, services.delete_problem, _fill_text,
    ),
    "faktor": Section(
        forms.FactorForm, "faktor", "problemer", _l("Endre medvirkende faktor"),
        lambda a: [f for p in a.problems for f in p.factors], _factor_input,
        _factor_add,
        lambda actor, analysis, item, data: services.update_factor(actor, analysis, item, data[1], data[2]),
        services.delete_factor, _factor_fill, _factor_choices,
    ),
    "rotarsak": Section(
        forms.RootCauseForm, "rotarsak", "rotarsaker", _l("Endre rotårsak"),
        lambda a: a.root_causes, _text_of,
        services.add_root_cause, services.update_root_cause, services.delete_root_cause, _fill_text,
    ),
    "tiltak": Section(
        forms.ActionForm, "tiltak", "tiltak", _l("Endre tiltak"),
        lambda a: a.actions, _action_input,
        services.add_action, services.update_action, services.delete_action, _action_fill,
        _action_choices,
    ),
    "laering": Section(
        forms.LearningForm, "laering", "laeringspunkter", _l("Endre læringspunkt"),
        lambda a: a.learning_points, _text_of,
        services.add_learning_point, services.update_learning_point, services.delete_learning_point,
        _fill_text,
    ),
}  # fmt: skip


def _section_form(name: str, analysis: Analysis, **kwargs: object) -> FlaskForm:
    section = SECTIONS[name]
    form = section.form_cls(prefix=section.prefix, **kwargs)
    section.choices(form, analysis)
    return form


def _page(analysis: Analysis, code: int = 200, **overrides: FlaskForm):
    page_forms: dict[str, FlaskForm] = {
        name: _section_form(name, analysis, formdata=None) for name in SECTIONS
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
    today = today_local()
    return (
        render_template(
            "analysis/show.html",
            analysis=analysis,
            forms=page_forms,
            can_edit=permissions.can_edit_analysis(current_user, analysis),
            deviations=services.covered_deviations(current_user, analysis),
            ferdig_blockers=services.ferdig_blockers(analysis) if analysis.is_active else [],
            status_choices=[
                s for s in AnalysisStatus if s in services.STATUS_MOVES[analysis.status]
            ],
            cause_numbers={c.id: i for i, c in enumerate(analysis.root_causes, start=1)},
            answerable=answerable,
            today=today,
        ),
        code,
    )


def _refuse(form: FlaskForm, error: ServiceError) -> None:
    """Show a rule the service refused: beside its field, or above the page."""
    db.session.rollback()
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]  # type: ignore[index]
    else:
        flash(str(error.message), "error")


def _back(analysis: Analysis, anchor: str | None = None):
    return redirect(url_for("analysis.show", reference=analysis.reference, _anchor=anchor))


# --- Pages --------------------------------------------------------------------------------------


@bp.get("")
@login_required
def index():
    return render_template(
        "analysis/index.html", analyses=services.visible_analyses(current_user), today=today_local()
    )


@bp.route("/ny/<deviation_reference>", methods=["GET", "POST"])
@login_required
def new(deviation_reference: str):
    deviation = _get_deviation_to_send(deviation_reference)
    form = forms.AnalysisForm(prefix="mandat")
    if not form.is_submitted():
        form.title.data = deviation.title
        form.start_date.data = today_local()
        form.due_date.data = services.default_due_date(today_local())
    if form.validate_on_submit():
        data = services.AnalysisInput(
            form.title.data,
            form.mandate.data,
            form.scope.data or "",
            form.start_date.data,
            form.due_date.data,
        )
        try:
            analysis = services.start_analysis(current_user, deviation, data)
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(
                _("Hendelsesanalyse %(ref)s er opprettet. Du er leder.", ref=analysis.reference),
                "success",
            )
            return redirect(url_for("analysis.show", reference=analysis.reference))
    status = 422 if form.errors or request.method == "POST" else 200
    return render_template("analysis/new.html", form=form, deviation=deviation), status


@bp.post("/legg-til/<deviation_reference>")
@login_required
def link(deviation_reference: str):
    deviation = _get_deviation_to_send(deviation_reference)
    form = forms.LinkForm()
    options = services.analyses_open_for_linking(current_user)
    form.analysis.choices = [SelectChoice(a.id, a.reference) for a in options]
    back = redirect(url_for("deviations.show", reference=deviation.reference))
    if not form.validate_on_submit():
        flash(_("Velg analysen avviket skal med i."), "error")
        return back
    analysis = next(a for a in options if a.id == form.analysis.data)
    try:
        services.link_deviation(current_user, analysis, deviation)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return back
    db.session.commit()
    flash(_("Avviket er lagt til i hendelsesanalyse %(ref)s.", ref=analysis.reference), "success")
    return redirect(url_for("analysis.show", reference=analysis.reference))


@bp.get("/<reference>")
@login_required
def show(reference: str):
    return _page(_get_visible(reference))


@bp.get("/<reference>/pdf")
@login_required
def pdf(reference: str):
    analysis = _get_visible(reference)
    content = services.render_pdf(current_user, analysis, language=report_language())
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{analysis.reference}.pdf"'},
    )


@bp.route("/<reference>/mandat", methods=["GET", "POST"])
@login_required
def details(reference: str):
    analysis = _get_editable(reference)
    form = forms.AnalysisForm(prefix="mandat", obj=analysis)
    if form.validate_on_submit():
        data = services.AnalysisInput(
            form.title.data,
            form.mandate.data,
            form.scope.data or "",
            form.start_date.data,
            form.due_date.data,
        )
        try:
            services.update_details(current_user, analysis, data)
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            return _back(analysis, "mandat")
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
    analysis = _get_editable(reference)
    form = forms.StatusForm(prefix="status")
    if form.validate_on_submit():
        try:
            services.set_status(current_user, analysis, AnalysisStatus(form.status.data))
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(
                _("Status er endret til %(status)s.", status=labels.STATUS[analysis.status]),
                "success",
            )
            return _back(analysis, "status")
    return _page(analysis, 422, status=form)


@bp.post("/<reference>/besvar-avvik")
@login_required
def answer(reference: str):
    analysis = _get_visible(reference)
    form = forms.AnswerForm(prefix="svar")
    if form.validate_on_submit():
        try:
            answered = services.answer_deviations(current_user, analysis, form.text.data)
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d avvik er besvart med henvisning til analysen.",
                    "%(num)d avvik er besvart med henvisning til analysen.",
                    len(answered),
                ),
                "success",
            )
            return _back(analysis, "besvar")
    return _page(analysis, 422, answer=form)


@bp.post("/<reference>/team")
@login_required
def add_member(reference: str):
    analysis = _get_editable(reference)
    form = forms.MemberForm(prefix="medlem")
    if form.validate_on_submit():
        try:
            services.add_member(current_user, analysis, form.email.data)
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            return _back(analysis, "team")
    return _page(analysis, 422, member=form)


@bp.post("/<reference>/team/<int:member_id>/<any(fjern, leder):what>")
@login_required
def change_member(reference: str, member_id: int, what: str):
    analysis = _get_editable(reference)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    action = services.remove_member if what == "fjern" else services.set_leader
    try:
        action(current_user, analysis, member_id)
    except LookupError:
        abort(404)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back(analysis, "team")
    db.session.commit()
    return _back(analysis, "team")


@bp.post("/<reference>/<section>/ny")
@login_required
def add_item(reference: str, section: str):
    if section not in SECTIONS:
        abort(404)
    analysis = _get_editable(reference)
    spec = SECTIONS[section]
    form = _section_form(section, analysis)
    if form.validate_on_submit():
        try:
            spec.add(current_user, analysis, spec.build(form))
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            return _back(analysis, spec.anchor)
    return _page(analysis, 422, **{section: form})


def _find_item(analysis: Analysis, section: str, item_id: int):
    if section not in SECTIONS:
        abort(404)
    item = next((i for i in SECTIONS[section].items(analysis) if i.id == item_id), None)
    if item is None:
        abort(404)
    return SECTIONS[section], item


@bp.route("/<reference>/<section>/<int:item_id>/endre", methods=["GET", "POST"])
@login_required
def edit_item(reference: str, section: str, item_id: int):
    analysis = _get_editable(reference)
    spec, item = _find_item(analysis, section, item_id)
    form = _section_form(section, analysis)
    if section == "faktor":
        del form.problem  # a factor stays with its problem; delete and add it anew to move it
    if not form.is_submitted():
        spec.fill(form, item)
    if form.validate_on_submit():
        try:
            spec.update(current_user, analysis, item, spec.build(form))
        except ServiceError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            return _back(analysis, spec.anchor)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "analysis/edit.html", analysis=analysis, form=form, title=spec.edit_title, anchor=spec.anchor,
        section=section,
    ), status  # fmt: skip


@bp.post("/<reference>/<section>/<int:item_id>/slett")
@login_required
def delete_item(reference: str, section: str, item_id: int):
    analysis = _get_editable(reference)
    spec, item = _find_item(analysis, section, item_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        spec.delete(current_user, analysis, item)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back(analysis, spec.anchor)
    db.session.commit()
    return _back(analysis, spec.anchor)
