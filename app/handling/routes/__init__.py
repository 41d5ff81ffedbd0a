"""Handling pages: one blueprint, ``handling``.

- blueprint: the blueprint
- inbox: Mottak, the receiving organisation's inbox (/mottak)
- move: a handler's move on a deviation, sent from the deviation's page (/avvik/<ref>/behandling)
- queues: one of a handler's queues at full length (/mottak/ko/<name>); the start page's are
  drawn by main's "/"
- serious: the record of a serious event's notice to Statens helsetilsyn (/avvik/<ref>/varsling)
"""

# Importing the view modules registers their routes on bp.
from app.handling.routes import inbox, move, queues, serious  # noqa: F401
from app.handling.routes.blueprint import bp

__all__ = ["bp"]
