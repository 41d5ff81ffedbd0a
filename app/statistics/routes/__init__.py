"""Statistics pages: one blueprint, ``statistics``, under /statistikk.

- blueprint: the blueprint
- pages: the tertial's page and its downloads (PDF, CSV, spreadsheet)
- change: *Endring over tid*, run charts, the P-chart and the Pareto, and their downloads
"""

# Importing the view modules registers their routes on bp.
from app.statistics.routes import change, pages  # noqa: F401
from app.statistics.routes.blueprint import bp

__all__ = ["bp"]
