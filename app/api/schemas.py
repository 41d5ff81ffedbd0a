"""The shapes of the API's input and output (marshmallow): the OpenAPI document is generated
from them. Field names are published: add, never rename."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.handling.services import HARM_SERIOUS
from app.models import Harm, HistoryLine, OrgKind, Status
from app.models.deviation import DESCRIPTION_MAX, MESSAGE_MAX, TEXT_MAX, TITLE_MAX, Direction

PAGE_MAX = 100


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    request_id = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class ClientSchema(Schema):
    """The client the token belongs to."""

    name = fields.String(required=True)
    organisation_id = fields.Integer(required=True)
    organisation = fields.String(required=True, attribute="organisation.name")
    scopes = fields.List(fields.String(), required=True, attribute="scope_list")
    expires_at = fields.AwareDateTime(required=True)


# Category, agreement and unit names (and unit paths) are in the request's language: the English
# name with Accept-Language: en where the admin gave one, else the Norwegian (docs/api.md).
LOCALIZED = {"description": "In the language of Accept-Language (English where there is one)."}
LOCALIZED_NAME = {"description": "Its name in the language of Accept-Language."}


class CategorySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata=LOCALIZED)
    active = fields.Boolean(required=True)


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema), required=True)


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.Enum(OrgKind, by_value=True, required=True)
    active = fields.Boolean(required=True)
    org_number = fields.String(allow_none=True, required=True)
    response_days = fields.Integer(required=True)


class OrganisationListSchema(Schema):
    items = fields.List(fields.Nested(OrganisationSchema), required=True)


class UnitSchema(Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    name = fields.String(required=True, metadata=LOCALIZED)
    path = fields.String(required=True, metadata=LOCALIZED)
    active = fields.Boolean(required=True)


class UnitListSchema(Schema):
    items = fields.List(fields.Nested(UnitSchema), required=True)


class OrganisationPathSchema(Schema):
    organisation_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


# --- Deviations --------------------------------------------------------------------------


class DeviationListQuery(Schema):
    box = fields.String(
        load_default="received",
        validate=validate.OneOf(["received", "sent"]),
        metadata={"description": "received: sent to the token's organisation; sent: by it."},
    )
    status = fields.Enum(Status, by_value=True, load_default=None)
    category_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    harm = fields.String(
        load_default=None,
        validate=validate.OneOf([h.value for h in Harm] + [HARM_SERIOUS]),
        metadata={"description": f"A harm, or {HARM_SERIOUS}: the serious events (alvorlig, dod)."},
    )
    sort = fields.String(
        load_default="newest",
        validate=validate.OneOf(["newest", "deadline"]),
        metadata={"description": "deadline: open cases by nearest deadline first (received)."},
    )
    after = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "The next_cursor of the page before."},
    )
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=PAGE_MAX))


class NoticeSummarySchema(Schema):
    """What was recorded about notifying Statens helsetilsyn of a serious event, without the
    texts typed with it."""

    notifiable = fields.Boolean(
        required=True,
        metadata={
            "description": "true: Statens helsetilsyn was notified (on notified_on); "
            "false: recorded as not notifiable."
        },
    )
    notified_on = fields.Date(allow_none=True, required=True)
    recorded_at = fields.AwareDateTime(required=True)


class SeriousNoticeSchema(NoticeSummarySchema):
    """The notice as the case's page shows it."""

    notified_by = fields.String(required=True, metadata={"description": "As written; or ''."})
    reference = fields.String(required=True, metadata={"description": "The notice's; or ''."})
    reason = fields.String(required=True, metadata={"description": "Why not notifiable; or ''."})
    recorded_by = fields.String(allow_none=True, required=True)


SERIOUS = {
    "description": "Harm alvorlig or dod: a serious event, which may have to be notified to "
    "Statens helsetilsyn at once."
}
NOTICE = {
    "description": "What the receiving organisation recorded about notifying Statens "
    "helsetilsyn; null while nothing is recorded, and for a case that is not serious."
}


class DeviationRowSchema(Schema):
    reference = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "This deviation in the API."})
    registered_at = fields.AwareDateTime(required=True)
    title = fields.String(required=True)
    status = fields.Enum(Status, by_value=True, required=True)
    category = fields.String(required=True, metadata=LOCALIZED)
    reporter_organisation = fields.String(required=True, attribute="reporter_org_name")
    reporter_unit = fields.String(allow_none=True, required=True, metadata=LOCALIZED)
    counterpart_organisation = fields.String(required=True, attribute="counterpart_org_name")
    forwarded_unit = fields.String(allow_none=True, required=True, metadata=LOCALIZED)
    response_deadline = fields.Date(required=True)
    harm = fields.Enum(Harm, by_value=True, required=True)
    serious = fields.Boolean(required=True, metadata=SERIOUS)
    serious_notice = fields.Nested(
        NoticeSummarySchema, allow_none=True, required=True, metadata=NOTICE
    )


class DeviationPageSchema(Schema):
    items = fields.List(fields.Nested(DeviationRowSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    next = fields.String(
        allow_none=True, required=True, metadata={"description": "The next page's URL."}
    )


class ReferencePathSchema(Schema):
    reference = fields.String(required=True, validate=validate.Length(min=1, max=20))


class NamedSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class EventSchema(Schema):
    at = fields.AwareDateTime(required=True)
    kind = fields.String(required=True)
    from_status = fields.Enum(Status, by_value=True, allow_none=True, required=True)
    to_status = fields.Enum(Status, by_value=True, allow_none=True, required=True)
    text = fields.String(required=True)
    line = fields.Enum(
        HistoryLine,
        by_value=True,
        allow_none=True,
        required=True,
        metadata={"description": "what the system says in the row, as a code; drawn in `text`"},
    )
    actor = fields.String(allow_none=True, required=True)


class MessageSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    author = fields.String(allow_none=True, required=True)
    author_organisation = fields.String(required=True)
    from_reporter = fields.Boolean(required=True)
    body = fields.String(required=True)


class DeviationSchema(Schema):
    """One deviation as its reader sees it: never the patient's identity, never an internal
    note."""

    reference = fields.String(required=True)
    url = fields.String(required=True)
    registered_at = fields.AwareDateTime(required=True)
    event_date = fields.Date(required=True)
    status = fields.Enum(Status, by_value=True, required=True)
    direction = fields.Enum(Direction, by_value=True, required=True)
    harm = fields.Enum(Harm, by_value=True, required=True)
    serious = fields.Boolean(required=True, metadata=SERIOUS)
    serious_notice = fields.Nested(
        SeriousNoticeSchema, allow_none=True, required=True, metadata=NOTICE
    )
    # NamedSchema as before (organisations use it too): its name is the request's language's.
    category = fields.Nested(NamedSchema, required=True, metadata=LOCALIZED_NAME)
    agreement = fields.Nested(NamedSchema, allow_none=True, required=True, metadata=LOCALIZED_NAME)
    title = fields.String(required=True)
    description = fields.String(required=True)
    immediate_action = fields.String(required=True)
    suggestion = fields.String(required=True)
    reporter_organisation = fields.Nested(NamedSchema, required=True)
    reporter_unit = fields.String(allow_none=True, required=True, metadata=LOCALIZED)
    counterpart_organisation = fields.Nested(NamedSchema, required=True)
    counterpart_unit = fields.String(allow_none=True, required=True, metadata=LOCALIZED)
    forwarded_unit = fields.String(allow_none=True, required=True, metadata=LOCALIZED)
    response_deadline = fields.Date(required=True)
    response = fields.String(allow_none=True, required=True)
    closed_at = fields.AwareDateTime(allow_none=True, required=True)
    version = fields.Integer(
        required=True, metadata={"description": "Pass it with a move to detect a concurrent one."}
    )
    moves = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The moves this token may make now (POST …/moves)."},
    )
    history = fields.List(fields.Nested(EventSchema), required=True)
    messages = fields.List(fields.Nested(MessageSchema), required=True)


# --- Statistics --------------------------------------------------------------------------


class TertialPathSchema(Schema):
    tertial = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{4}-[Tt]?[1-3]$"),
        metadata={"description": "e.g. 2026-T1"},
    )


class FigureRowSchema(Schema):
    key = fields.String(allow_none=True, required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    share = fields.Float(allow_none=True, required=True)


class ChangeSchema(Schema):
    before = fields.Integer(required=True)
    delta = fields.Integer(required=True)
    ratio = fields.Float(allow_none=True, required=True)


class StatisticsSchema(Schema):
    """The tertial's figures, the same numbers as the statistics page and the PDF."""

    tertial = fields.String(required=True)
    scope = fields.String(required=True)
    total = fields.Integer(required=True)
    vs_previous = fields.Nested(ChangeSchema, required=True)
    vs_last_year = fields.Nested(ChangeSchema, required=True)
    by_direction = fields.List(fields.Nested(FigureRowSchema), required=True)
    by_reporter_org = fields.List(fields.Nested(FigureRowSchema), required=True)
    by_counterpart_org = fields.List(fields.Nested(FigureRowSchema), required=True)
    by_hospital_unit = fields.List(fields.Nested(FigureRowSchema), required=True)
    by_category = fields.List(fields.Nested(FigureRowSchema), required=True)
    by_harm = fields.List(fields.Nested(FigureRowSchema), required=True)
    status_at_end = fields.List(fields.Nested(FigureRowSchema), required=True)
    answered = fields.Integer(required=True)
    median_days = fields.Float(allow_none=True, required=True)
    p90_days = fields.Float(allow_none=True, required=True)
    answered_within_deadline = fields.Integer(required=True)
    within_deadline_share = fields.Float(allow_none=True, required=True)
    open_at_end = fields.Integer(required=True)
    overdue_at_end = fields.Integer(required=True)


# --- Learning ------------------------------------------------------------------------------


class LearningQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))


class LessonSchema(Schema):
    id = fields.Integer(required=True)
    published_at = fields.AwareDateTime(required=True, attribute="at")
    title = fields.String(required=True)
    category = fields.String(required=True, metadata=LOCALIZED)
    organisation = fields.String(required=True)
    what_happened = fields.String(required=True, attribute="first_text")
    what_changed = fields.String(required=True, attribute="second_text")


class LessonPageSchema(Schema):
    items = fields.List(fields.Nested(LessonSchema), required=True)
    page = fields.Integer(required=True)
    has_next = fields.Boolean(required=True)


class StorySchema(Schema):
    id = fields.Integer(required=True)
    shared_at = fields.AwareDateTime(required=True, attribute="at")
    title = fields.String(required=True)
    organisation = fields.String(required=True)
    counterpart = fields.String(required=True)
    what_went_well = fields.String(required=True, attribute="first_text")
    why_it_mattered = fields.String(required=True, attribute="second_text")


class StoryPageSchema(Schema):
    items = fields.List(fields.Nested(StorySchema), required=True)
    page = fields.Integer(required=True)
    has_next = fields.Boolean(required=True)


# --- Writes ------------------------------------------------------------------------------

ID = validate.Range(min=1, max=2**31 - 1)


class NewDeviationSchema(Schema):
    """What the filing form asks for, by the same rules (and the same identity check)."""

    counterpart_organisation_id = fields.Integer(required=True, validate=ID)
    counterpart_unit_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    event_date = fields.Date(required=True)
    category_id = fields.Integer(required=True, validate=ID)
    harm = fields.Enum(Harm, by_value=True, required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    description = fields.String(required=True, validate=validate.Length(min=1, max=DESCRIPTION_MAX))
    immediate_action = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))
    suggestion = fields.String(load_default="", validate=validate.Length(max=TEXT_MAX))
    agreement_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    patient_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={
            "description": "The patient's fødselsnummer or D-nummer, stored encrypted and "
            "shown only to the receiving handlers; never returned by the API."
        },
    )


class ReceiptSchema(Schema):
    """The filing's receipt: what the form's receipt page says."""

    reference = fields.String(required=True)
    url = fields.String(required=True)
    status = fields.Enum(Status, by_value=True, required=True)
    counterpart_organisation = fields.String(required=True)
    response_deadline = fields.Date(required=True)


class NewMessageSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=MESSAGE_MAX))


class PostedMessageSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.AwareDateTime(required=True)
    deviation = fields.String(required=True)
    body = fields.String(required=True)


MOVES = ["bekreft", "start", "videresend", "omdiriger", "analyse", "besvar", "avvis", "gjenapne"]


class MoveSchema(Schema):
    """A move of the workflow, as the deviation's page makes it."""

    move = fields.String(required=True, validate=validate.OneOf(MOVES))
    text = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=TEXT_MAX),
        metadata={"description": "The response (besvar), the reason (avvis, gjenapne) or a note."},
    )
    unit_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    organisation_id = fields.Integer(load_default=None, allow_none=True, validate=ID)
    user_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "videresend: a colleague in the mottak, with or without a unit."},
    )
    version = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ID,
        metadata={"description": "The version last read: a move on a changed case is a 409."},
    )


class MovedSchema(Schema):
    reference = fields.String(required=True)
    url = fields.String(required=True)
    from_status = fields.Enum(Status, by_value=True, allow_none=True, required=True)
    status = fields.Enum(Status, by_value=True, required=True)
    version = fields.Integer(required=True)


class IdempotencyHeaderSchema(Schema):
    idempotency_key = fields.String(
        required=True,
        data_key="Idempotency-Key",
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Unique per write, e.g. a UUID: a retry with it changes nothing."},
    )
