"""The forms of good stories and lessons: shapes and the messages beside each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional, ValidationError

from app.common.forms import MaxLength, NoIdentityNumber, PickListField, optional_int
from app.models.learning import (
    LESSON_TEXT_MAX,
    LESSON_TITLE_MAX,
    REVIEW_COMMENT_MAX,
    STORY_TEXT_MAX,
    STORY_TITLE_MAX,
    STORY_WHY_MAX,
)


class StoryForm(FlaskForm):
    counterpart_org = PickListField(
        _l("Hvem gjelder historien?"),
        coerce=optional_int,
        validators=[DataRequired(_l("Velg organisasjonen historien gjelder."))],
    )
    counterpart_unit = PickListField(_l("Enhet/avdeling (hvis kjent)"), coerce=optional_int)
    event_date = DateField(
        _l("Når skjedde det?"),
        validators=[DataRequired(_l("Skriv inn datoen da det skjedde (dd.mm.åååå)."))],
    )
    title = StringField(
        _l("Kort tittel"),
        validators=[
            DataRequired(_l("Skriv en kort tittel.")),
            MaxLength(STORY_TITLE_MAX),
            NoIdentityNumber(),
        ],
    )
    description = TextAreaField(
        _l("Hva gikk bra?"),
        validators=[
            DataRequired(_l("Fortell hva som gikk bra.")),
            MaxLength(STORY_TEXT_MAX),
            NoIdentityNumber(),
        ],
    )
    why_it_mattered = TextAreaField(
        _l("Hvorfor betydde det noe?"),
        validators=[
            DataRequired(_l("Skriv hvorfor det betydde noe, for pasienten eller for dere.")),
            MaxLength(STORY_WHY_MAX),
            NoIdentityNumber(),
        ],
    )
    consent_to_share = BooleanField(
        _l("Historien kan deles med hele helsefellesskapet på siden Læring (uten navnet ditt)")
    )

    def __init__(self, *args: object, own_org_id: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.own_org_id = own_org_id
        self.unit_org: dict[int, set[int]] = {}

    def validate_counterpart_org(self, field: PickListField) -> None:
        if field.data is not None and field.data == self.own_org_id:
            raise ValidationError(
                _l("Gode historier handler om samarbeidet med en annen organisasjon.")
            )

    def validate_counterpart_unit(self, field: PickListField) -> None:
        if field.data is None:
            return
        if self.counterpart_org.data is not None and field.data not in self.unit_org.get(
            self.counterpart_org.data, set()
        ):
            raise ValidationError(_l("Enheten hører ikke til organisasjonen du valgte."))

    def validate_event_date(self, field: DateField) -> None:
        from app.common.dates import today_local

        if field.data is not None and field.data > today_local():
            raise ValidationError(_l("Datoen kan ikke være fram i tid."))


class PassOnForm(FlaskForm):
    unit = PickListField(_l("Enheten den er gitt videre til"), coerce=optional_int)


class LessonForm(FlaskForm):
    title = StringField(
        _l("Tittel"),
        validators=[
            DataRequired(_l("Skriv en kort tittel.")),
            MaxLength(LESSON_TITLE_MAX),
            NoIdentityNumber(),
        ],
    )
    category = PickListField(
        _l("Kategori"), coerce=optional_int, validators=[DataRequired(_l("Velg en kategori."))]
    )
    what_happened = TextAreaField(
        _l("Hva skjedde, i generelle trekk?"),
        validators=[
            DataRequired(_l("Beskriv kort hva som skjedde.")),
            MaxLength(LESSON_TEXT_MAX),
            NoIdentityNumber(),
        ],
    )
    what_changed = TextAreaField(
        _l("Hva er endret?"),
        validators=[
            DataRequired(_l("Skriv hva som er endret etterpå.")),
            MaxLength(LESSON_TEXT_MAX),
            NoIdentityNumber(),
        ],
    )


PUBLISH, RETURN = "publiser", "returner"


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Vurdering"),
        choices=[
            SelectChoice(PUBLISH, _l("Publiser for hele helsefellesskapet")),
            SelectChoice(RETURN, _l("Send tilbake til forfatteren")),
        ],
        validators=[DataRequired(_l("Velg om læringspunktet skal publiseres."))],
    )
    comment = TextAreaField(
        _l("Kommentar til forfatteren"),
        validators=[Optional(), MaxLength(REVIEW_COMMENT_MAX), NoIdentityNumber()],
    )

    def validate_comment(self, field: TextAreaField) -> None:
        if self.decision.data == RETURN and not (field.data or "").strip():
            raise ValidationError(_l("Skriv hva forfatteren bør endre."))


class InReportForm(FlaskForm):
    in_report = BooleanField(_l("Med i rapporten (teksten trykkes i tertialrapporten)"))
