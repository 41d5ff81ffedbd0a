"""What the search index suggests: the similar cases on a deviation's page (*Lignende
avvik*) and the category offered while a reporter types a title. Both read the index through
services.indexed_search and stem words as the index does."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.common import permissions
from app.extensions import db
from app.models import Category, Deviation, User
from app.search.services import SearchRow, indexed_search, to_row
from app.search.text import stems

# --- Similar cases ------------------------------------------------------------------------------

SIMILAR_CANDIDATES = 60
# At most this many of the newest earlier cases sharing a word of the title are looked at. The
# bound is what keeps the page of a case from the middle of the history as cheap as a new
# case's: without it, the index was read from the newest case down to this one (130-240 ms of
# CPU at a million rows), and a word rare in the category still read every earlier match.
SIMILAR_SCAN = 400


def similar(user: User, deviation: Deviation, limit: int = 5) -> list[SearchRow]:
    """Up to ``limit`` earlier deviations ``user`` may see, in the same category, whose text
    shares most of the words of this one's title.

    Candidates: among the newest ``SIMILAR_SCAN`` earlier cases that hold any word of the title
    (read from the search index downwards from the case registered just before this one, so a
    case's age does not matter, and again from the newest entry down to that one, for history
    imported later), the newest ``SIMILAR_CANDIDATES`` the user may see in the same category.
    They are ranked by how many of the title's words their title and description share, and
    at least half must be shared. Nothing is cached: each view asks with the
    viewer's access as it is now.
    """
    title = set(stems(deviation.title))
    if not title:
        return []
    # Where to start reading the index: the case registered last before this one. Ids follow
    # entry, not registration (imported history gets new ids), so this case's own id would miss
    # an earlier case entered later; one step down the registration index finds the start.
    start = db.session.scalar(
        sa.select(Deviation.id)
        .where(Deviation.registered_at < deviation.registered_at)
        .order_by(Deviation.registered_at.desc(), Deviation.id.desc())
        .limit(1)
    )
    if start is None:
        return []
    conditions = [
        permissions.visible(user, Deviation),
        Deviation.category_id == deviation.category_id,
        Deviation.registered_at < deviation.registered_at,
        Deviation.id != deviation.id,
    ]
    own_only = not permissions.can(user, "open", permissions.INBOX)

    def window(**bound: int) -> list[sa.Row]:
        return (
            indexed_search(
                user,
                deviation.title,
                conditions,
                SIMILAR_CANDIDATES,
                any_word=True,
                own_only=own_only,
                extra_columns=(Deviation.description,),
                scan=SIMILAR_SCAN,
                **bound,
            )
            or []
        )

    # Two bounded windows, apart by id: below the case registered just before this one, and
    # above it, the cases entered since. Imported history is entered after the cases filed
    # live but registered before them; the first window alone would never reach it. For a new
    # case filed live the second holds the few cases filed after it and costs next to nothing.
    rows = window(before_id=start + 1) + window(after_id=start)
    needed = math.ceil(len(title) / 2)
    scored = []
    for row in rows:
        shared = len(title & set(stems(row.title)) | title & set(stems(row.description)))
        if shared >= needed:
            scored.append((shared, row.id, row))
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [to_row(row) for _, _, row in scored[:limit]]


# --- A category for a new deviation --------------------------------------------------------------

SUGGESTION_SAMPLE = 500
SUGGESTION_DAYS = 365


def suggest_category(
    organisation_id: int, title: str, counterpart_org_id: int | None, now: datetime
) -> int | None:
    """The category the organisation's own recent cases with words of ``title`` were filed
    under most, or None when none shares a word with it.

    The candidates are the organisation's newest ``SUGGESTION_SAMPLE`` cases of the last year
    (its reporter index, newest first), their titles stemmed as the index stems them. Each
    votes for its category with the number of the title's words its own title shares, and one
    more when it went to the same counterpart. The full-text index itself is not asked: probing
    it for each of the 500 cost 0.1-0.7 s at 200,000 rows on SQLite (a common word's whole
    list of cases, read per probe), and a search across everyone's cases would walk a year of
    other organisations' to find a small one's; 500 titles cost a few milliseconds at any size.
    Only an active category's id leaves here: no case's text or reference reaches the reporter,
    who may not see a colleague's case.
    """
    wanted = set(stems(title))
    if not wanted:
        return None
    recent = (
        sa.select(Deviation.title, Deviation.category_id, Deviation.counterpart_org_id)
        .where(
            Deviation.reporter_org_id == organisation_id,
            Deviation.registered_at >= now - timedelta(days=SUGGESTION_DAYS),
        )
        .order_by(Deviation.registered_at.desc())
        .limit(SUGGESTION_SAMPLE)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(recent.c.title, recent.c.category_id, recent.c.counterpart_org_id)
        .join(Category, Category.id == recent.c.category_id)
        .where(Category.active.is_(True))
    )
    votes: dict[int, int] = {}
    for row in rows:
        shared = len(wanted & set(stems(row.title)))
        if not shared:
            continue
        bonus = 1 if counterpart_org_id and row.counterpart_org_id == counterpart_org_id else 0
        votes[row.category_id] = votes.get(row.category_id, 0) + shared + bonus
    if not votes:
        return None
    # Ties go to the lower id (the seed's order), so the answer is the same on both databases.
    return max(votes, key=lambda category_id: (votes[category_id], -category_id))
