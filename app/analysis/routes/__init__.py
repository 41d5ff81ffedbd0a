"""Incident analysis pages: one blueprint, ``analysis``, under /analyser.

Each handler: parse the request → permission check → one service call → one commit → render.

- blueprint: the blueprint, and loading an analysis or deviation with permissions
- sections: the page's lists (timeline, problems, factors, root causes, actions, learning
  points) and their forms, described by one table
- page: the list of analyses, the analysis page, its PDF, and adding, changing and deleting
  the items of its sections
- lifecycle: starting an analysis from a deviation, adding deviations, mandate, status,
  answering the covered deviations, and the team
"""

# Importing the view modules registers their routes on bp.
from app.analysis.routes import lifecycle, page  # noqa: F401
from app.analysis.routes.blueprint import bp

__all__ = ["bp"]
