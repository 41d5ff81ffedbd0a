"""The moves a handler (or the reporter) makes on a deviation. The rules for them are in
workflow.py, their words in labels.py, their form in forms.py."""

from __future__ import annotations

from enum import StrEnum


class Move(StrEnum):
    """The values are the form values and HTML ids on the deviation's page."""

    ACKNOWLEDGE = "bekreft"
    START = "start"
    FORWARD = "videresend"
    REROUTE = "omdiriger"
    ANALYSE = "analyse"
    ANSWER = "besvar"
    REJECT = "avvis"
    REOPEN = "gjenapne"
