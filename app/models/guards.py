"""History is append-only: the ORM refuses to change or delete a history row."""

from sqlalchemy import event

from app.models.analysis import AnalysisEvent
from app.models.deviation import DeviationEvent, DeviationMessage


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(DeviationEvent, "before_update")
@event.listens_for(DeviationMessage, "before_update")
@event.listens_for(AnalysisEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError(f"{mapper.class_.__tablename__} is append-only")


@event.listens_for(DeviationEvent, "before_delete")
@event.listens_for(DeviationMessage, "before_delete")
@event.listens_for(AnalysisEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError(f"{mapper.class_.__tablename__} is append-only")
