"""The tertial report's section *Gode historier og læring*, as plain data.

Input (``LearningInput``): good stories registered in the tertial counted by direction, and the
lessons published in it. A lesson carries its text only when the improvement group ticked *med
i rapporten*; otherwise the report prints its title and category. Neither holds anything of a
case: the lessons were written for sharing and reviewed before they were published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from reports.rows import Row


@dataclass(frozen=True)
class LessonRecord:
    title: str
    category: str
    organisation: str
    published: date
    # Only for lessons marked "med i rapporten".
    what_happened: str | None = None
    what_changed: str | None = None

    @property
    def has_text(self) -> bool:
        return self.what_happened is not None


@dataclass(frozen=True)
class LearningInput:
    stories_by_direction: Mapping[str, int] = field(default_factory=dict)
    lessons: Sequence[LessonRecord] = ()


@dataclass(frozen=True)
class LearningSummary:
    stories_by_direction: list[Row]
    stories_total: int
    lessons: list[LessonRecord]  # oldest first, as published
