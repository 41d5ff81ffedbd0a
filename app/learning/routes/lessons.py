"""Writing a lesson from an answered deviation or a finished analysis, its page (review,
withdrawal, "med i rapporten"), and editing it while it is not published."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.analysis.services import get_by_reference as get_analysis
from app.common import permissions
from app.common.picklists import active_categories
from app.common.writing import writing
from app.deviations.services import get_by_reference as get_deviation
from app.learning.forms import PUBLISH, InReportForm, LessonForm, ReviewForm
from app.learning.routes.blueprint import bp
from app.learning.services import lessons
from app.models import Lesson


def _lesson_form(formdata: object = None, **data: object) -> LessonForm:
    form = LessonForm(formdata=formdata, data=data or None)
    form.category.choices = [
        SelectChoice("", _l("Velg …")),
        *(SelectChoice(c.id, c.name) for c in active_categories()),
    ]
    return form


def _input(form: LessonForm) -> lessons.LessonInput:
    return lessons.LessonInput(
        title=form.title.data,
        category_id=form.category.data,
        what_happened=form.what_happened.data,
        what_changed=form.what_changed.data,
    )


def _source():
    """The deviation (?avvik=AV-…) or analysis (?analyse=HA-…) the lesson is written from,
    when this user may write one from it; 404 otherwise."""
    deviation_ref, analysis_ref = request.args.get("avvik"), request.args.get("analyse")
    if deviation_ref:
        deviation = get_deviation(deviation_ref)
        if deviation is not None and permissions.can(current_user, "write_lesson", deviation):
            return deviation, None
    elif analysis_ref:
        analysis = get_analysis(analysis_ref)
        if analysis is not None and permissions.can(current_user, "write_lesson", analysis):
            return None, analysis
    abort(404)


@bp.route("/laering/nytt", methods=["GET", "POST"])
@login_required
def new_lesson():
    deviation, analysis = _source()
    if request.method == "POST":
        form = _lesson_form(request.form)
    else:
        category = deviation.category_id if deviation else _analysis_category(analysis)
        form = _lesson_form(category=category)
    if request.method == "POST" and form.validate():
        with writing(form=form, success=_("Læringspunktet er sendt til vurdering.")) as done:
            done.value = lessons.write_lesson(
                current_user, _input(form), deviation=deviation, analysis=analysis
            )
        if done:
            return redirect(url_for("learning.lesson", lesson_id=done.value.id))
    return render_template(
        "learning/lesson_form.html", form=form, deviation=deviation, analysis=analysis
    ), (422 if form.errors else 200)


def _analysis_category(analysis) -> int | None:
    links = analysis.links if analysis is not None else []
    return links[0].deviation.category_id if links else None


def _get(lesson_id: int) -> Lesson:
    lesson = lessons.get_visible(current_user, lesson_id)
    if lesson is None:
        abort(404)
    return lesson


def _render(lesson: Lesson, review_form: ReviewForm | None = None, status: int = 200):
    return render_template(
        "learning/lesson.html",
        lesson=lesson,
        review_form=review_form or ReviewForm(formdata=None),
        report_form=InReportForm(formdata=None, data={"in_report": lesson.in_report}),
        can_review=permissions.can(current_user, "review", lesson),
        can_edit=permissions.can(current_user, "edit", lesson),
        can_withdraw=permissions.can(current_user, "withdraw", lesson),
        can_mark=permissions.can(current_user, "mark_in_report", lesson),
        source_visible=lesson.deviation is not None
        and permissions.can(current_user, "view", lesson.deviation),
    ), status


@bp.get("/laering/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    return _render(_get(lesson_id))


@bp.route("/laering/<int:lesson_id>/endre", methods=["GET", "POST"])
@login_required
def edit_lesson(lesson_id: int):
    lesson = _get(lesson_id)
    permissions.require(current_user, "edit", lesson)
    if request.method == "POST":
        form = _lesson_form(request.form)
        if form.validate():
            with writing(
                form=form, success=_("Læringspunktet er endret og sendt til vurdering igjen.")
            ) as done:
                lessons.edit_lesson(lesson, current_user, _input(form))
            if done:
                return redirect(url_for("learning.lesson", lesson_id=lesson.id))
    else:
        form = _lesson_form(
            title=lesson.title,
            category=lesson.category_id,
            what_happened=lesson.what_happened,
            what_changed=lesson.what_changed,
        )
    return render_template("learning/lesson_form.html", form=form, lesson=lesson), (
        422 if form.errors else 200
    )


@bp.post("/laering/<int:lesson_id>/vurdering")
@login_required
def review(lesson_id: int):
    lesson = _get(lesson_id)
    form = ReviewForm(request.form)
    if not form.validate():
        return _render(lesson, form, 422)
    publish = form.decision.data == PUBLISH
    with writing(
        form=form,
        success=_("Læringspunktet er publisert.")
        if publish
        else _("Læringspunktet er sendt tilbake til forfatteren."),
    ) as done:
        lessons.review(lesson, current_user, publish, form.comment.data or "")
    if not done and done.error.field is not None:
        return _render(lesson, form, 422)
    return redirect(url_for("learning.lesson", lesson_id=lesson.id))


@bp.post("/laering/<int:lesson_id>/trekk-tilbake")
@login_required
def withdraw(lesson_id: int):
    lesson = _get(lesson_id)
    with writing(success=_("Læringspunktet er trukket tilbake fra siden Læring.")):
        lessons.withdraw(lesson, current_user)
    return redirect(url_for("learning.lesson", lesson_id=lesson.id))


@bp.post("/laering/<int:lesson_id>/rapport")
@login_required
def in_report(lesson_id: int):
    lesson = _get(lesson_id)
    form = InReportForm(request.form)
    in_report = bool(form.in_report.data)
    success = (
        _("Læringspunktet er tatt med i tertialrapporten.")
        if in_report
        else _("Læringspunktet er tatt ut av tertialrapporten.")
    )
    with writing(success=success):
        lessons.set_in_report(lesson, current_user, in_report)
    return redirect(url_for("learning.lesson", lesson_id=lesson.id))
