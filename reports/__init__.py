"""Tertial statistics and the PDF for Forbedringsgruppen. Plain data in, figures and bytes out.

No Flask here (a test holds that): the web page, the CLI and the tests call the same functions.
"""

from reports.frames import input_from_frames
from reports.summary import (
    DEFINITIONS,
    ActionRecord,
    AnalysisRecord,
    TertialInput,
    TertialSummary,
    summarise,
)
from reports.tertial import Tertial

__all__ = [
    "DEFINITIONS",
    "ActionRecord",
    "AnalysisRecord",
    "Tertial",
    "TertialInput",
    "TertialSummary",
    "input_from_frames",
    "summarise",
]
