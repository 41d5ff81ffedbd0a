"""History is append-only: the ORM refuses to change or delete a history row."""

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from app.models.admin_log import AdminLogEntry
from app.models.analysis import AnalysisEvent
from app.models.deviation import DeviationEvent, DeviationMessage


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(DeviationEvent, "before_update")
@event.listens_for(AdminLogEntry, "before_update")
@event.listens_for(DeviationMessage, "before_update")
@event.listens_for(AnalysisEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:
    raise AppendOnlyError(f"{mapper.class_.__tablename__} is append-only")


@event.listens_for(DeviationEvent, "before_delete")
@event.listens_for(DeviationMessage, "before_delete")
@event.listens_for(AnalysisEvent, "before_delete")
@event.listens_for(AdminLogEntry, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:
    raise AppendOnlyError(f"{mapper.class_.__tablename__} is append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state: ORMExecuteState) -> None:
    # sa.update()/sa.delete() skip the per-row events above: refuse them for the logs too.
    if (
        (state.is_update or state.is_delete)
        and state.bind_mapper is not None
        and state.bind_mapper.class_ is AdminLogEntry
    ):
        raise AppendOnlyError("admin_log_entry is append-only")
