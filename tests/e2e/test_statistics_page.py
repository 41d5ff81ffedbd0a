"""The statistics page in a real browser: axe-core finds nothing; screenshots at 360 and 1280 px."""

from playwright.sync_api import expect

from app.extensions import db
from tests import statistics_data
from tests.e2e.browser import assert_accessible, log_in, open_from_menu, screenshot


def test_statistics_page_is_accessible_and_downloads_the_pdf(page, live_app):
    with live_app.app_context():
        statistics_data.insert_cases()
        db.session.commit()
    log_in(page, "forbedring@demo.demo")
    open_from_menu(page, "Statistikk")
    page.locator("#tertial").select_option("2023-T2") if page.locator(
        "#tertial option[value='2023-T2']"
    ).count() else page.goto("/statistikk/?tertial=2023-T2")
    if "tertial=2023-T2" not in page.url:
        page.get_by_role("button", name="Vis").click()
    page.wait_for_url("**tertial=2023-T2")
    expect(page.get_by_role("heading", name="Avviksoversikt pr. 2. tertial 2023")).to_be_visible()
    expect(page.locator("#nokkeltall").get_by_text("8,5 d")).to_be_visible()
    assert_accessible(page, "statistics page")
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"statistikk-{width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned PDF").click()
    assert download.value.suggested_filename == "avvik-2023-T2.pdf"
