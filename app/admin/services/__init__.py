"""Administration: organisations, units, the shared lists, users — each change logged.

Every operation takes the acting user, checks the rule it enforces, writes one
AdminLogEntry (before/after as JSON) and flushes; the route commits once. A refusal is a
``ServiceError`` with the user's message, the form field it belongs beside and a stable code.
Permission to act on an organisation or a user is the route's check (app.common.permissions);
what an operation may *change* for a lokal_admin (no admin role, no other organisation) is
enforced here too, so a forged form cannot get round it.

One module per resource; this package exposes them all, so callers write
``services.create_unit(...)`` without knowing which file holds it.
"""

from app.admin.services.admin_log import log, log_entries
from app.admin.services.lists import (
    LIST_FIELD,
    LIST_NAME_MAX,
    ListModel,
    create_item,
    delete_item,
    list_items,
    move_item,
    rename_item,
    set_item_active,
    usage_counts,
)
from app.admin.services.names import NAME_MAX
from app.admin.services.organisations import (
    RESPONSE_DAYS_MAX,
    MergeResult,
    active_users_of,
    clean_org_number,
    create_organisation,
    list_organisations,
    merge_organisation,
    mottak_staff,
    set_fallback_mottak,
    set_mottak_member,
    set_organisation_active,
    set_sign_in,
    update_organisation,
)
from app.admin.services.security import end_user_sessions, reset_second_factor, security_log
from app.admin.services.units import create_unit, set_unit_active, unit_tree, update_unit
from app.admin.services.users import (
    invite_user,
    list_users,
    send_password_reset,
    set_user_active,
    update_user,
)

__all__ = [
    "LIST_FIELD",
    "LIST_NAME_MAX",
    "NAME_MAX",
    "RESPONSE_DAYS_MAX",
    "ListModel",
    "MergeResult",
    "active_users_of",
    "clean_org_number",
    "create_item",
    "create_organisation",
    "create_unit",
    "delete_item",
    "end_user_sessions",
    "invite_user",
    "list_items",
    "list_organisations",
    "list_users",
    "log",
    "log_entries",
    "merge_organisation",
    "mottak_staff",
    "move_item",
    "rename_item",
    "reset_second_factor",
    "security_log",
    "send_password_reset",
    "set_fallback_mottak",
    "set_item_active",
    "set_mottak_member",
    "set_organisation_active",
    "set_sign_in",
    "set_unit_active",
    "set_user_active",
    "unit_tree",
    "update_organisation",
    "update_unit",
    "update_user",
    "usage_counts",
]
