"""The data protection officer's pages: one blueprint, ``privacy``, under /personvern.

- blueprint: the blueprint, and its check that the user is a data protection officer
- pages: finding a patient's cases and who read them, and the organisation's access log
"""

# Importing the view modules registers their routes on bp.
from app.privacy.routes import pages  # noqa: F401
from app.privacy.routes.blueprint import bp

__all__ = ["bp"]
