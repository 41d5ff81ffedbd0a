"""The analysis page's sections (timeline, problems, factors, root causes, actions, learning
points) share one add / edit / delete shape: the SECTIONS table says, for each, which form it
uses, how a form becomes service input, and which service functions add, change and delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.analysis import forms, services
from app.common import labels
from app.common.dates import format_datetime, local
from app.common.errors import ServiceError
from app.models import ActionStatus, ActionStrength, Analysis, FactorGroup


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
    # What the item is, in words, for the question before deleting it and the note after.
    describe: Callable[[Analysis, Any], str] = lambda analysis, item: ""
    # What goes with it (a problem's factors), for the question; None when nothing does.
    also_deleted: Callable[[Any], str | None] = lambda item: None


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_of(form: Any) -> str:
    return form.text.data or ""


def _fill_text(form: Any, item: Any) -> None:
    form.text.data = item.text


def _position(items: list, item: Any) -> int:
    return next(i for i, x in enumerate(items, start=1) if x.id == item.id)


def _quoted(text: str) -> str:
    return f"«{_short(' '.join(text.split()))}»"


# --- Timeline -----------------------------------------------------------------------------------


def _timeline_describe(analysis: Analysis, entry) -> str:
    return _(
        "Hendelsen i tidslinjen %(when)s: %(text)s",
        when=format_datetime(entry.occurred_at, at=_("kl.")),
        text=_quoted(entry.what),
    )


def _timeline_input(form: forms.TimelineForm) -> services.TimelineInput:
    return services.TimelineInput(
        form.day.data, form.at.data, form.what.data or "", form.source.data or ""
    )


def _timeline_fill(form: forms.TimelineForm, entry) -> None:
    moment = local(entry.occurred_at)
    form.day.data, form.at.data = moment.date(), moment.time().replace(second=0, microsecond=0)
    form.what.data, form.source.data = entry.what, entry.source


# --- Contributory factors -----------------------------------------------------------------------


def _factor_choices(form: forms.FactorForm, analysis: Analysis) -> None:
    if "problem" in form:
        form.problem.choices = [SelectChoice("", _("Velg …"))] + [
            SelectChoice(p.id, _("Problem %(n)d: %(text)s", n=i, text=_short(p.text)))
            for i, p in enumerate(analysis.problems, start=1)
        ]


def _factor_input(form: forms.FactorForm) -> tuple[int | None, FactorGroup, str]:
    problem = form.problem.data if "problem" in form else None
    return problem, FactorGroup(form.group.data), form.text.data or ""


def _factor_add(actor, analysis: Analysis, data) -> object:
    problem_id, group, text = data
    problem = next((p for p in analysis.problems if p.id == problem_id), None)
    if problem is None:
        raise ServiceError(_l("Velg problemet."), "problem", code="needs_problem")
    return services.add_factor(actor, analysis, problem, group, text)


def _factor_update(actor, analysis: Analysis, factor, data) -> None:
    _problem_id, group, text = data
    services.update_factor(actor, analysis, factor, group, text)


def _factor_fill(form: forms.FactorForm, factor) -> None:
    form.group.data, form.text.data = factor.group.value, factor.text


def _problem_describe(analysis: Analysis, problem) -> str:
    n = _position(analysis.problems, problem)
    return _("Problem %(n)d: %(text)s", n=n, text=_quoted(problem.text))


def _problem_also(problem) -> str | None:
    count = len(problem.factors)
    if not count:
        return None
    return ngettext(
        "Problemets medvirkende faktor slettes også.",
        "Problemets %(num)d medvirkende faktorer slettes også.",
        count,
    )


def _factor_describe(analysis: Analysis, factor) -> str:
    return _(
        "Den medvirkende faktoren (%(group)s) under problem %(n)d: %(text)s",
        group=labels.FACTOR_GROUP[factor.group],
        n=_position(analysis.problems, factor.problem),
        text=_quoted(factor.text),
    )


def _cause_describe(analysis: Analysis, cause) -> str:
    n = _position(analysis.root_causes, cause)
    return _("Rotårsak %(n)d: %(text)s", n=n, text=_quoted(cause.text))


def _learning_describe(analysis: Analysis, point) -> str:
    n = _position(analysis.learning_points, point)
    return _("Læringspunkt %(n)d: %(text)s", n=n, text=_quoted(point.text))


# --- Actions ------------------------------------------------------------------------------------


def _action_describe(analysis: Analysis, action) -> str:
    return _("Tiltak %(n)d: %(text)s", n=action.number, text=_quoted(action.text))


def _action_choices(form: forms.ActionForm, analysis: Analysis) -> None:
    form.root_cause.choices = [SelectChoice("", _("Velg …"))] + [
        SelectChoice(c.id, _("Rotårsak %(n)d: %(text)s", n=i, text=_short(c.text)))
        for i, c in enumerate(analysis.root_causes, start=1)
    ]
    form.responsible_org.choices = [SelectChoice("", _("Velg …"))] + [
        SelectChoice(o.id, o.name) for o in services.organisations()
    ]


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
        _timeline_fill, describe=_timeline_describe,
    ),
    "problem": Section(
        forms.ProblemForm, "problem", "problemer", _l("Endre problem"),
        lambda a: a.problems, _text_of,
        services.add_problem, services.update_problem, services.delete_problem, _fill_text,
        describe=_problem_describe, also_deleted=_problem_also,
    ),
    "faktor": Section(
        forms.FactorForm, "faktor", "problemer", _l("Endre medvirkende faktor"),
        lambda a: [f for p in a.problems for f in p.factors], _factor_input,
        _factor_add, _factor_update, services.delete_factor, _factor_fill, _factor_choices,
        describe=_factor_describe,
    ),
    "rotarsak": Section(
        forms.RootCauseForm, "rotarsak", "rotarsaker", _l("Endre rotårsak"),
        lambda a: a.root_causes, _text_of,
        services.add_root_cause, services.update_root_cause, services.delete_root_cause, _fill_text,
        describe=_cause_describe,
    ),
    "tiltak": Section(
        forms.ActionForm, "tiltak", "tiltak", _l("Endre tiltak"),
        lambda a: a.actions, _action_input,
        services.add_action, services.update_action, services.delete_action, _action_fill,
        _action_choices, describe=_action_describe,
    ),
    "laering": Section(
        forms.LearningForm, "laering", "laeringspunkter", _l("Endre læringspunkt"),
        lambda a: a.learning_points, _text_of,
        services.add_learning_point, services.update_learning_point, services.delete_learning_point,
        _fill_text, describe=_learning_describe,
    ),
}  # fmt: skip


def section_form(name: str, analysis: Analysis, **kwargs: object) -> FlaskForm:
    section = SECTIONS[name]
    form = section.form_cls(prefix=section.prefix, **kwargs)
    section.choices(form, analysis)
    return form
