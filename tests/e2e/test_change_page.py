"""*Endring over tid* in a real browser, in both languages: axe-core finds nothing at 360 and
1280 px, the page never scrolls sideways, the signal is said in words and the data set downloads.
The series is the one tests/test_change_over_time.py imports with the historical importer."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.statistics.services.importer import import_file
from tests.e2e.browser import ARTIFACTS, assert_accessible, log_in, open_from_menu, switch_language
from tests.test_change_over_time import RUN_TEXT, _rows
from tests.test_import import HEADER, write_csv

WORDS = {
    "nb": (RUN_TEXT, "Endring over tid", "Last ned datasett", "Vis"),
    "en": (
        (
            "Unusually long run above the median: 13 months, the limit is 8 — probably a real "
            "increase from December 2022 (to December 2023)."
        ),
        "Change over time",
        "Download data set",
        "Show",
    ),
}


@pytest.mark.parametrize("language", ["nb", "en"])
def test_change_page_reads_on_a_phone_and_a_desk_in_both_languages(
    page, live_app, tmp_path, language
):
    with live_app.app_context():
        import_file(write_csv(tmp_path / "historikk.csv", _rows(), ";", HEADER))
        db.session.commit()
    signal, heading, download, show = WORDS[language]
    log_in(page, "forbedring@demo.demo")
    if language == "en":
        switch_language(page, "English")
        page.wait_for_load_state()
    open_from_menu(page, "Statistikk" if language == "nb" else "Statistics")
    page.locator("a[href='/statistikk/endring']").click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.locator("#fra").fill("2022-01")
    page.locator("#til").fill("2023-12")
    page.get_by_role("button", name=show, exact=True).click()
    page.wait_for_url("**fra=2022-01**")
    expect(page.locator("#signaler-serie")).to_contain_text(signal)
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        # One chart at each size: the phone's at 360, the wide one at 1280.
        visible = page.locator(".chart svg").evaluate_all(
            "els => els.filter(e => e.getBoundingClientRect().width > 0).length"
        )
        assert visible == 3, visible
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"scrolls sideways at {width} px: {scroll}"
        assert_accessible(page, f"Endring over tid ({language}, {width} px)")
        page.screenshot(path=str(ARTIFACTS / f"endring-{language}-{width}.png"), full_page=True)
    with page.expect_download() as got:
        page.get_by_role("link", name=download).click()
    assert got.value.suggested_filename == "datasett-2022-01_2023-12.xlsx"


def test_a_bad_month_is_named_and_kept(page, live_app):
    log_in(page, "forbedring@demo.demo")
    page.goto("/statistikk/endring?fra=2025-06&til=2025-01")
    expect(page.locator("#til-feil")).to_have_text("Til-måneden kan ikke være før fra-måneden.")
    expect(page.locator("#til")).to_have_value("2025-01")
    assert page.locator("#til").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "Endring over tid with an error")
