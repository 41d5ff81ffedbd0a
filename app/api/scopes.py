"""What a client's token may do. The names are published (tokens, the OpenAPI document,
docs/api.md): never rename one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DEVIATIONS_READ = "deviations:read"
DEVIATIONS_WRITE = "deviations:write"
STATISTICS_READ = "statistics:read"
LEARNING_READ = "learning:read"

# In the order the admin page lists them.
SCOPES = {
    DEVIATIONS_READ: _l("Lese avvik organisasjonen har sendt eller mottatt"),
    DEVIATIONS_WRITE: _l("Melde avvik, skrive til melder og behandle mottatte avvik"),
    STATISTICS_READ: _l("Lese tertialstatistikken for organisasjonen"),
    LEARNING_READ: _l("Lese publiserte læringspunkter og delte gode historier"),
}
