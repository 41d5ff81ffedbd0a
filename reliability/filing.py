"""A reporter filing through the real form, and what each filing sent, to find it again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from stdnum.no import fodselsnummer

from reliability.client import Client, Response, Tally
from reports.timezone import OSLO

RECEIPT = re.compile(r"^/avvik/(AV-\d{4}-\d{5})/sendt$")
_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
HARMS = ("ikke_berort", "ingen", "lav", "moderat", "alvorlig", "dod")


def identity_number(seed: int) -> str:
    """A valid fødselsnummer, different per seed (for the protected field only): both check
    digits, and a birth date the individual number's century makes real and past (the app's
    own check, python-stdnum's)."""
    for individual in (seed % 900 + k for k in range(1000)):
        birth = f"{1 + seed % 28:02d}{1 + seed % 12:02d}{seed % 100:02d}"
        digits = [int(c) for c in f"{birth}{individual % 1000:03d}"]
        for weights in (_W1, _W2):
            check = (11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11) % 11
            if check == 10:
                break
            digits.append(check)
        else:
            number = "".join(map(str, digits))
            if fodselsnummer.is_valid(number):
                return number
    raise AssertionError("no valid number")


@dataclass(frozen=True)
class Filing:
    reporter: str
    title: str
    description: str
    immediate_action: str
    suggestion: str
    harm: str
    category_id: int
    counterpart_org_id: int
    event_date: str
    patient_id: str


def options(page: str, select_id: str) -> dict[str, int]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert block, f"no <select id={select_id}> on the form"
    return {
        name.strip(): int(value)
        for value, name in re.findall(
            r'<option value="(\d+)"[^>]*>([^<]+)</option>', block.group(1)
        )
    }


class Reporter:
    """One logged-in nurse with the filing form loaded once (the CSRF token is the session's)."""

    def __init__(
        self, port: int, tally: Tally, email: str, organisation: str, **client_options
    ) -> None:
        self.email = email
        self.organisation = organisation
        self.client = Client(port, tally, **client_options)
        self.client.log_in(email)
        page = self.client.get("/avvik/nytt")
        assert page.status == 200, page.status
        self.csrf = page.csrf()
        self.organisations = options(page.body, "counterpart_org")
        self.categories = sorted(options(page.body, "category").values())

    def filing(self, tag: str, number: int, counterpart: str) -> Filing:
        # Characters a page or a driver could mangle, and no eleven-digit number in free text.
        return Filing(
            reporter=self.email,
            title=f"{tag} {number}: utskrevet uten epikrise",
            description=(
                f"Løpenummer {tag}-{number}. Pasienten kom hjem kl. 21 uten epikrise; "
                "hjemmetjenesten var ikke varslet. Tegn: <b>æøå ÆØÅ</b> & \"sitat\" 'x' – ✓\n"
                "Andre linje."
            ),
            immediate_action="Ringte avdelingen." if number % 2 else "",
            suggestion="Send epikrise samme dag." if number % 3 else "",
            harm=HARMS[number % len(HARMS)],
            category_id=self.categories[number % len(self.categories)],
            counterpart_org_id=self.organisations[counterpart],
            event_date=datetime.now(OSLO).date().isoformat(),
            patient_id=identity_number(number) if number % 10 == 0 else "",
        )

    def file(self, filing: Filing) -> str | None:
        """POST the form; the receipt's reference, or None for a page with a message or a
        server error (the tally counts which). NoAnswer when the connection failed."""
        form = {
            "csrf_token": self.csrf,
            "counterpart_org": filing.counterpart_org_id,
            "counterpart_unit": "",
            "event_date": filing.event_date,
            "category": filing.category_id,
            "harm": filing.harm,
            "title": filing.title,
            "description": filing.description,
            "immediate_action": filing.immediate_action,
            "suggestion": filing.suggestion,
            "agreement": "",
            "patient_id": filing.patient_id,
            # Many cases a minute from one nurse to the same places, each a case of its own: past
            # the warning of a similar case filed in the last day, as "Send likevel" goes.
            "send_likevel": "1",
        }
        answer = self.client.post("/avvik/nytt", form, ok=is_receipt)  # or NoAnswer
        return RECEIPT.match(answer.location).group(1) if answer.kind == "succeeded" else None


def is_receipt(response: Response) -> bool:
    return response.status == 302 and bool(RECEIPT.match(response.location))
