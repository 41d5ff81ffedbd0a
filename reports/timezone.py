"""Norwegian time: the one time zone of every date Avvik shows, counts, mails and prints.

Here, below the app, so reports/ (no Flask) and the app (Flask-Babel's BABEL_DEFAULT_TIMEZONE,
app.common.dates) share it.
"""

from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Oslo"
OSLO = ZoneInfo(TIMEZONE)
