"""Deviation pages: one blueprint, ``deviations``, under /avvik.

- blueprint: the blueprint
- filing: the filing form, its receipt and the reporter's own list
- case: the deviation's page, showing the patient identity, and posting a message
- rectify: the receiving handler correcting the patient number or removing a passage

A handler's move, made from the same page, is handling's (app/handling/routes/move.py); the
page itself is drawn by app/deviations/page.py for both.
"""

# Importing the view modules registers their routes on bp.
from app.deviations.routes import case, filing, rectify  # noqa: F401
from app.deviations.routes.blueprint import bp

__all__ = ["bp"]
