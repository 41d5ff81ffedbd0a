"""Incident analyses: rules and writes. Every change writes one AnalysisEvent.

Services take the acting user, check the rules, write, and flush; the route or CLI commits.
A refused input raises app.common.errors.ServiceError; a user who may not act, NotAllowed
(a PermissionError the pages answer with 404).
Permission to *see* and *edit* is app.common.permissions; the rules here are about the analysis
itself (what may still change, the ferdig rule, who may be named).

One module per part of the analysis; this package names the public functions in one place, so
callers write ``services.start_analysis`` whichever module holds it:

- reading: loading analyses, the deviation page's panel, what a viewer may see
- editing: what every change shares (editor check, row lock, identity check, history row)
- lifecycle: start from a deviation, add deviations, mandate and dates
- status: status moves, the ferdig rule, answering the covered deviations
- team, timeline, findings (problems, factors, root causes, learning points), action_plan
- reminders: e-mails about due actions and overdue analyses
- export: plain data for reports/ (the tertial report's rows, the PDF)
"""

from app.analysis.services.action_plan import (
    ActionInput,
    add_action,
    delete_action,
    update_action,
)
from app.analysis.services.editing import IDENTITY_MESSAGE
from app.analysis.services.export import render_pdf, report_data, tertial_records
from app.analysis.services.findings import (
    add_factor,
    add_learning_point,
    add_problem,
    add_root_cause,
    delete_factor,
    delete_learning_point,
    delete_problem,
    delete_root_cause,
    update_factor,
    update_learning_point,
    update_problem,
    update_root_cause,
)
from app.analysis.services.lifecycle import (
    AnalysisInput,
    link_deviation,
    next_reference,
    start_analysis,
    update_details,
)
from app.analysis.services.reading import (
    DEFAULT_ANALYSIS_WEEKS,
    CoveredDeviations,
    DeviationPanel,
    analyses_of_deviation,
    analyses_open_for_linking,
    covered_deviations,
    default_due_date,
    deviation_by_reference,
    deviation_panel,
    find_active_user,
    get_by_reference,
    holding_analysis,
    organisations,
    visible_analyses,
)
from app.analysis.services.reminders import REMINDER_DAYS_BEFORE, queue_analysis_reminders
from app.analysis.services.status import (
    STATUS_MOVES,
    answer_deviations,
    answerable_deviations,
    default_answer,
    ferdig_blockers,
    set_status,
)
from app.analysis.services.team import add_member, remove_member, set_leader
from app.analysis.services.timeline import (
    TimelineInput,
    add_timeline_entry,
    delete_timeline_entry,
    update_timeline_entry,
)

__all__ = [
    "DEFAULT_ANALYSIS_WEEKS",
    "IDENTITY_MESSAGE",
    "REMINDER_DAYS_BEFORE",
    "STATUS_MOVES",
    "ActionInput",
    "AnalysisInput",
    "CoveredDeviations",
    "DeviationPanel",
    "TimelineInput",
    "add_action",
    "add_factor",
    "add_learning_point",
    "add_member",
    "add_problem",
    "add_root_cause",
    "add_timeline_entry",
    "analyses_of_deviation",
    "analyses_open_for_linking",
    "answer_deviations",
    "answerable_deviations",
    "covered_deviations",
    "default_answer",
    "default_due_date",
    "delete_action",
    "delete_factor",
    "delete_learning_point",
    "delete_problem",
    "delete_root_cause",
    "delete_timeline_entry",
    "deviation_by_reference",
    "deviation_panel",
    "ferdig_blockers",
    "find_active_user",
    "get_by_reference",
    "holding_analysis",
    "link_deviation",
    "next_reference",
    "organisations",
    "queue_analysis_reminders",
    "remove_member",
    "render_pdf",
    "report_data",
    "set_leader",
    "set_status",
    "start_analysis",
    "tertial_records",
    "update_action",
    "update_details",
    "update_factor",
    "update_learning_point",
    "update_problem",
    "update_root_cause",
    "update_timeline_entry",
    "visible_analyses",
]
