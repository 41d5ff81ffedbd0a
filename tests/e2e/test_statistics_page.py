"""The statistics page in a real browser, as the improvement group and as a handler, in both
languages at 360 and 1280 px: axe-core finds nothing (scrollable-region-focusable among it, run
on its own should axe's WCAG tags leave it out), nothing scrolls sideways, no table cell is cut,
chart labels are 11 px or more as drawn; the group lands here; a handler's count opens its
cases; the PDF downloads."""

from playwright.sync_api import expect

from app.extensions import db
from tests import statistics_data
from tests.e2e.browser import (
    WCAG_TAGS,
    assert_accessible,
    assert_no_violations,
    load_axe,
    log_in,
    screenshot,
)

WIDTHS = (1280, 360)

# Measured in the page: the smallest chart label as shown (font size times the SVG's scale),
# how wide the document is, and any table cell whose text is cut or wraps a number.
MEASURE = """() => {
  // The links' words for screen readers are not what is laid out: set aside while measuring.
  const spoken = [...document.querySelectorAll('.stat-table .visually-hidden')];
  spoken.forEach(e => { e.hidden = true; });
  const labels = [...document.querySelectorAll('.chart svg text')].map(t => {
    const m = t.getScreenCTM();
    return parseFloat(t.getAttribute('font-size')) * Math.hypot(m.a, m.b);
  });
  const wrapped = [...document.querySelectorAll('.stat-table td')].filter(td => {
    const style = getComputedStyle(td);
    return td.scrollWidth > td.clientWidth + 1 ||
      (style.whiteSpace === 'nowrap') === false;
  }).map(td => td.textContent.trim());
  // A number on more than one line: its text's boxes stand at more than one height.
  const tallNumbers = [...document.querySelectorAll('.stat-table td')].filter(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
  }).map(td => td.textContent.trim());
  // A table wider than its region: a cell cut at the edge until one scrolls.
  const overflowing = [...document.querySelectorAll('.table-responsive')]
    .filter(r => r.scrollWidth > r.clientWidth + 1).map(r => r.querySelector('table').id + ' ' + r.scrollWidth + '/' + r.clientWidth + ' ' + [...r.querySelectorAll('tr:first-child > *, tbody tr:nth-child(5) > *')].map(c => c.textContent.trim() + ':' + Math.round(c.getBoundingClientRect().width)).join(','));
  spoken.forEach(e => { e.hidden = false; });
  return {
    overflowing,
    smallest: Math.min(...labels), labels: labels.length,
    width: document.documentElement.scrollWidth, wrapped, tallNumbers,
  };
}"""

SCROLL_RULE = """async () => (await axe.run(document, {
  runOnly: {type: 'rule', values: ['scrollable-region-focusable']}, resultTypes: ['violations'],
})).violations"""
# Whether the WCAG run already holds that rule (axe-core 4.14 tags it wcag2a): then a run of
# its own looks again at what the first run saw, and the page's largest cost is axe itself.
SCROLL_RULE_IN_WCAG = """(tags) => axe.getRules(tags).some(r => r.ruleId ===
  'scrollable-region-focusable')"""


def _look(page, label: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        seen = page.evaluate(MEASURE)
        assert seen["labels"] > 10, seen
        assert seen["smallest"] >= 11, f"{label} {width} px: chart label {seen['smallest']:.1f} px"
        assert seen["width"] <= width, f"{label} {width} px: scrolls sideways ({seen['width']})"
        assert not seen["wrapped"], f"{label} {width} px: numbers that may wrap {seen['wrapped']}"
        assert not seen["tallNumbers"], f"{label} {width} px: wrapped {seen['tallNumbers']}"
        assert not seen["overflowing"], f"{label} {width} px: cut tables {seen['overflowing']}"
        assert_accessible(page, f"{label}, {width} px")
        load_axe(page)
        if not page.evaluate(SCROLL_RULE_IN_WCAG, WCAG_TAGS):
            assert_no_violations(
                page.evaluate(SCROLL_RULE), f"{label}, {width} px (scroll regions)"
            )
        screenshot(page, f"statistikk-{label}-{width}")


def _english(page) -> None:
    """The header's language button; where it sits in an account menu (#kontomeny), that menu
    is opened first (and the menu button before it on a phone)."""
    button = page.get_by_role("button", name="English", exact=True)
    if not button.is_visible():
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
            toggler.click()
        page.locator("#kontomeny").click()
    button.click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_statistics_page_reads_on_a_phone_and_a_desk_for_the_group_and_a_handler(page, live_app):
    with live_app.app_context():
        statistics_data.insert_cases()
        db.session.commit()
    log_in(page, "forbedring@demo.demo")
    # The improvement group lands on the statistics.
    expect(page).to_have_url(f"{page.url.split('/statistikk')[0]}/statistikk/")
    page.goto("/statistikk/?tertial=2023-T2")
    expect(page.get_by_role("heading", name="Avviksoversikt pr. 2. tertial 2023")).to_be_visible()
    expect(page.locator("#tile-median")).to_contain_text("8,5 d")
    assert page.locator("main a[href^='/sok']").count() == 0  # plain numbers for the group
    _look(page, "forbedring-nb")
    _english(page)
    expect(page.get_by_role("heading", name="Deviation report for Tertial 2, 2023")).to_be_visible()
    expect(page.locator("#tile-avvik")).to_contain_text("+5 (+166.7 %) from the previous tertial")
    expect(page.locator("#tile-apne")).to_contain_text("of which overdue: 3")
    _look(page, "forbedring-en")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == "avvik-2023-T2.pdf"

    page.context.clear_cookies()
    log_in(page, "mottak@trondheim.demo")
    page.goto("/statistikk/?tertial=2023-T2")
    expect(page.locator("#tile-avvik")).to_contain_text("6")
    _look(page, "saksbehandler-nb")
    _english(page)
    _look(page, "saksbehandler-en")
    # A count opens the list of its cases (the tile: Trondheim's six).
    page.locator("#tile-avvik a").click()
    page.wait_for_url("**/sok?**")
    expect(page.locator("#sokeresultat tbody tr")).to_have_count(6)
    expect(page.locator("#utvalg")).to_contain_text("Trondheim")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page, "the cases behind a count, 360 px")
    screenshot(page, "statistikk-utvalg-360")
