"""The API's writes, through the pages' own services: they check the rules and flush; the
route's write block commits."""

from __future__ import annotations

from typing import Any

from app.api.access import ApiActor
from app.api.services.reading import deviation_url
from app.deviations.services import DeviationInput, file_deviation
from app.handling import fallback, thread, workflow
from app.models import Deviation


def file(actor: ApiActor, data: dict[str, Any]) -> dict[str, Any]:
    deviation = file_deviation(
        actor,  # type: ignore[arg-type]
        DeviationInput(
            counterpart_org_id=data["counterpart_organisation_id"],
            counterpart_unit_id=data["counterpart_unit_id"],
            event_date=data["event_date"],
            category_id=data["category_id"],
            harm=data["harm"],
            title=data["title"],
            description=data["description"],
            immediate_action=data["immediate_action"],
            suggestion=data["suggestion"],
            agreement_id=data["agreement_id"],
            patient_id=data["patient_id"] or None,
        ),
    )
    return {
        "reference": deviation.reference,
        "url": deviation_url(deviation.reference),
        "status": deviation.status,
        "counterpart_organisation": deviation.counterpart_org_name,
        "response_deadline": deviation.response_deadline,
    }


def message(actor: ApiActor, deviation: Deviation, body: str) -> dict[str, Any]:
    posted = thread.post_message(deviation, actor, body)  # type: ignore[arg-type]
    return {"id": posted.id, "at": posted.at, "deviation": deviation.reference, "body": posted.body}


def move(actor: ApiActor, deviation: Deviation, data: dict[str, Any]) -> dict[str, Any]:
    event = fallback.make_move(
        deviation,
        workflow.Move(data["move"]),
        actor,  # type: ignore[arg-type]
        text=data["text"],
        target_unit=data["unit_id"],
        target_org=data["organisation_id"],
        target_user=data.get("user_id"),
        seen_version=data["version"],
    )
    return {
        "reference": deviation.reference,
        "url": deviation_url(deviation.reference),
        "from_status": event.from_status,
        "status": deviation.status,
        "version": deviation.version,
    }
