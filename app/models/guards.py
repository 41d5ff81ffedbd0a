"""History is append-only: the ORM refuses to change or delete a history row."""

from sqlalchemy import event

from app.models.deviation import DeviationEvent


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(DeviationEvent, "before_update")
def _refuse_update(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError("deviation history is append-only")


@event.listens_for(DeviationEvent, "before_delete")
def _refuse_delete(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError("deviation history is append-only")


from app.models.analysis import AnalysisEvent  # noqa: E402


@event.listens_for(AnalysisEvent, "before_update")
def _refuse_analysis_update(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError("analysis history is append-only")


@event.listens_for(AnalysisEvent, "before_delete")
def _refuse_analysis_delete(mapper, connection, target) -> None:  # noqa: ANN001
    raise AppendOnlyError("analysis history is append-only")
