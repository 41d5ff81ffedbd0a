"""Telling a good story, the list of one's stories, and the story's page with the mottak's
two moves: passed on to the unit, shared on the Læring page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.common import permissions
from app.common.dates import today_local
from app.common.picklists import active_units_of, filing_lists
from app.common.writing import writing
from app.learning.forms import PassOnForm, StoryForm
from app.learning.routes.blueprint import bp
from app.learning.services import stories
from app.models import GoodStory


def _story_form():
    lists = filing_lists()
    form = StoryForm(own_org_id=current_user.organisation_id)
    form.counterpart_org.choices = [
        SelectChoice("", _l("Velg …")),
        *(SelectChoice(o.id, o.name) for o in lists.organisations),
    ]
    form.counterpart_unit.choices = [
        SelectChoice("", _l("Vet ikke / ikke aktuelt")),
        *(SelectChoice(u.id, u.path) for units in lists.units_by_org.values() for u in units),
    ]
    form.unit_org = {org: {u.id for u in units} for org, units in lists.units_by_org.items()}
    return form, lists


@bp.route("/gode-historier/ny", methods=["GET", "POST"])
@login_required
def new_story():
    form, lists = _story_form()
    if not form.is_submitted():
        form.event_date.data = today_local()
    if form.validate_on_submit():
        data = stories.StoryInput(
            counterpart_org_id=form.counterpart_org.data,
            counterpart_unit_id=form.counterpart_unit.data,
            event_date=form.event_date.data,
            title=form.title.data,
            description=form.description.data,
            why_it_mattered=form.why_it_mattered.data,
            consent_to_share=bool(form.consent_to_share.data),
        )
        with writing(form=form) as done:
            done.value = stories.tell_story(current_user, data)
        if done:
            flash(
                _(
                    "Takk! Historien er sendt til mottaket hos %(org)s.",
                    org=done.value.counterpart_org_name,
                ),
                "success",
            )
            return redirect(url_for("learning.story", story_id=done.value.id))
    return render_template("learning/new_story.html", form=form, choices=lists), (
        422 if form.errors else 200
    )


@bp.get("/gode-historier")
@login_required
def stories_list():
    return render_template("learning/stories.html", stories=stories.visible_stories(current_user))


def _get(story_id: int) -> GoodStory:
    story = stories.get_visible(current_user, story_id)
    if story is None:  # 404, not 403: a stranger must not learn that it exists
        abort(404)
    return story


def _pass_on_form(story: GoodStory, formdata: object = None) -> PassOnForm:
    form = PassOnForm(formdata=formdata)
    units = active_units_of(story.counterpart_org_id)
    form.unit.choices = [
        SelectChoice("", _("Ingen bestemt enhet")),
        *(SelectChoice(u.id, u.path) for u in units),
    ]
    if formdata is None:
        form.unit.data = story.counterpart_unit_id
    return form


def _render(story: GoodStory, pass_on_form: PassOnForm | None = None, status: int = 200):
    return render_template(
        "learning/story.html",
        story=story,
        can_handle=permissions.can(current_user, "handle", story),
        pass_on_form=pass_on_form or _pass_on_form(story),
    ), status


@bp.get("/gode-historier/<int:story_id>")
@login_required
def story(story_id: int):
    return _render(_get(story_id))


@bp.post("/gode-historier/<int:story_id>/delt-med-enheten")
@login_required
def pass_on(story_id: int):
    story = _get(story_id)
    form = _pass_on_form(story, formdata=request.form)
    if not form.validate():
        return _render(story, form, 422)
    with writing(
        form=form,
        success=_("Historien er markert som delt med enheten. Den som fortalte den, får beskjed."),
    ) as done:
        stories.pass_on(story, current_user, form.unit.data)
    if not done and done.error.field is not None:
        return _render(story, form, 422)
    return redirect(url_for("learning.story", story_id=story.id))


@bp.post("/gode-historier/<int:story_id>/del")
@login_required
def share(story_id: int):
    story = _get(story_id)
    with writing(success=_("Historien er publisert på siden Læring.")):
        stories.set_shared(story, current_user, True)
    return redirect(url_for("learning.story", story_id=story.id))


@bp.post("/gode-historier/<int:story_id>/ikke-del")
@login_required
def unshare(story_id: int):
    story = _get(story_id)
    with writing(success=_("Historien er tatt bort fra siden Læring.")):
        stories.set_shared(story, current_user, False)
    return redirect(url_for("learning.story", story_id=story.id))


@bp.post("/gode-historier/<int:story_id>/trekk-samtykke")
@login_required
def withdraw_consent(story_id: int):
    story = _get(story_id)
    with writing(success=_("Samtykket er trukket. Historien deles ikke lenger.")):
        stories.withdraw_consent(story, current_user)
    return redirect(url_for("learning.story", story_id=story.id))
