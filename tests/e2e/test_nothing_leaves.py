"""Nothing identifying leaves the system: a whole flow in the browser that makes every kind of
output (mails, the analysis PDF, the tertial PDF, CSV and XLSX, the command line's files, the
logs), with patient identities typed in odd layouts along the way. The check itself is the
autouse fixture nothing_identifying_leaves (tests/e2e/conftest.py), run after every browser
test; this test makes sure there is something of each kind for it to read, and that it would
notice a leak."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.common.dates import today_local
from app.data.demo import DEMO_PASSWORD
from app.extensions import db
from app.mail.sender import deliver_pending
from reports import Tertial
from tests.e2e.browser import log_in, log_out
from tests.e2e.emitted import as_text, leaks
from tests.e2e.site_data import PATIENT, PRIVACY_OFFICER, populate
from tests.factories import identity_number

pytestmark = pytest.mark.e2e

TYPED = identity_number("070893")
TITLE = "Ny dosering av Marevan ble ikke sendt med"
DESCRIPTION = "Pasienten fikk gammel dose i tre dager fordi endringen ikke kom med i epikrisen."


def test_a_whole_flow_emits_everything_and_nothing_identifying(page, live_app, tmp_path):
    site = populate(live_app)
    # A nurse files with the identity typed as a journal shows it.
    log_in(page, "melder@trondheim.demo")
    page.goto("/avvik/nytt")
    page.locator("#counterpart_org").select_option(label="St. Olavs hospital HF")
    page.locator("#category").select_option(label="Legemidler/legemiddelliste")
    page.locator("input[name=harm][value=moderat]").check()
    page.locator("#title").fill(TITLE)
    page.locator("#description").fill(DESCRIPTION)
    page.get_by_text("Legg til flere opplysninger (valgfritt)").click()
    page.locator("#patient_id").fill(f"{TYPED[:2]}.{TYPED[2:4]}.{TYPED[4:6]}\u00a0{TYPED[6:]}")
    page.get_by_role("button", name="Send avvik").click()
    page.wait_for_url("**/sendt")
    reference = page.url.split("/avvik/")[1].split("/")[0]

    # The hospital's mottak reads it, sees the identity, asks, answers.
    log_out(page)
    log_in(page, "mottak@stolav.demo")
    page.goto(f"/avvik/{reference}")
    page.locator("section[aria-labelledby=pasient] form button").click()
    expect(page.locator("#pasient-id")).to_have_text(f"{TYPED[:6]} {TYPED[6:]}")
    page.goto(f"/avvik/{reference}")
    page.locator("#body").fill("Hvilken dag kom pasienten hjem?")
    page.get_by_role("button", name="Send til melder").click()
    expect(page.get_by_text("Meldingen er sendt.")).to_be_visible()
    # The analysis's PDF, and the tertial's files.
    assert page.request.get(f"/analyser/{site.analysis}/pdf").ok

    log_out(page)
    log_in(page, "forbedring@demo.demo")
    code = Tertial.of(today_local()).code
    for kind in ("rapport.pdf", "avvik.csv", "avvik.xlsx"):
        assert page.request.get(f"/statistikk/{code}/{kind}").ok, kind

    # The data protection officer's search.
    log_out(page)
    log_in(page, PRIVACY_OFFICER, DEMO_PASSWORD)
    page.goto("/personvern/")
    page.locator("#number").fill(f"{PATIENT[:3]} {PATIENT[3:6]} {PATIENT[6:9]} {PATIENT[9:]}")
    page.locator("main").get_by_role("button", name="Søk", exact=True).click()
    expect(page.locator("#treff")).to_contain_text("1 avvik")

    # The command line's report files.
    out = tmp_path / "cli"
    out.mkdir()
    result = live_app.test_cli_runner().invoke(
        args=["report", "tertial", code, "--out", str(out / "r.pdf"),
              "--csv", str(out / "r.csv"), "--xlsx", str(out / "r.xlsx")]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    live_app.extensions["test_files"] = [(p, p.read_bytes()) for p in sorted(out.iterdir())]

    # Something of every kind for the check (run when the test ends) to read.
    paths = [path for path, _ in live_app.extensions["test_downloads"]]
    assert [p for p in paths if p.endswith("/pdf")] and len(paths) == 4, paths
    with live_app.app_context():
        assert deliver_pending() >= 2  # to the mottak on filing, to the reporter on a question
        db.session.remove()


def test_the_check_would_notice_a_leak():
    number = identity_number("010190")
    pdf = _pdf_with(f"Pasient {number[:6]}\u2013{number[6:]} og {TITLE}")
    artifacts = {"pdf": as_text("x.pdf", pdf), "csv": as_text("x.csv", f"a;{TITLE};b".encode())}
    found = leaks(artifacts, [TITLE, DESCRIPTION])
    assert any("pdf: identity number" in f for f in found), found
    assert any(f.startswith("pdf: case text") for f in found), found
    assert any(f.startswith("csv: case text") for f in found), found
    assert leaks({"csv": "reference;AV-2026-00042;Utskrivning"}, [TITLE]) == []


def _pdf_with(text: str) -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, text)
    sheet.save()
    return buffer.getvalue()
