"""Every page of every role in Chromium, under the Content-Security-Policy: no violation is
reported, and axe-core finds no WCAG 2.1 A/AA violation at desktop width and at 360 px, in
Norwegian and in English; on the same load nothing scrolls sideways, the header stays under
80 px at 1280 px and the focused skip link is on screen, uncovered (tests/e2e/layout.py).

Each role starts at its front page and follows the links of its menus and lists (every page
kind once per role); the pages only a form reaches (the patient identity shown, a search with
its answer, a refused filing) are opened by hand. Violations are caught twice: from Chromium's
console ("Refused to …") and from the page's own securitypolicyviolation events.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    AXE,
    AXE_RUN,
    WCAG_TAGS,
    assert_accessible,
    assert_no_violations,
    log_in,
    log_out,
    require,
)
from tests.e2e.layout import HEADER_MAX_PX, LAYOUT, described
from tests.e2e.site_data import PATIENT, PRIVACY_OFFICER, populate

pytestmark = pytest.mark.e2e

ROLES = [
    "mottak@stolav.demo",
    "melder@trondheim.demo",
    "forbedring@demo.demo",
    "admin@demo.demo",
    "lokaladmin@trondheim.demo",
    PRIVACY_OFFICER,
]
PUBLIC = ["/logg-inn", "/", "/glemt-passord", "/tilgjengelighet"]
NOT_PAGES = re.compile(r"(\.pdf|\.csv|\.xlsx|\.json|/pdf)$|logg-ut|/static/")
PAGES_PER_ROLE = 40
WIDTHS = (1280, 360)

WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
# One round trip per width: two frames (the new width's layout is done and its background
# images requested), axe-core when asked, the policy violations so far, the layout checks
# (tests/e2e/layout.py, after axe as they move the focus), and the links.
LOOK = (
    """async ([runAxe, tags, width, headerMax]) => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const violations = runAxe ? """
    + AXE_RUN
    + """ : [];
  const csp = window.__cspViolations || [];
  window.__cspViolations = [];
  const layout = ("""
    + LAYOUT
    + """)([width, headerMax]);
  return {violations, csp, layout,
          links: [...document.querySelectorAll('a[href]')].map(a => a.href)};
}"""
)


def kind_of(url: str) -> str:
    """A page kind: the same view with another case, unit or user is the same kind."""
    parts = urlsplit(url)
    path = re.sub(r"(AV|HA)-\d{4}-\d+", r"\1-x", parts.path)
    path = re.sub(r"/\d+(?=/|$)", "/n", path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(keys) if keys else "")


class Visitor:
    def __init__(self, page, base: str, language: str) -> None:
        self.page = page
        self.base = base
        self.language = language
        self.violations: list[str] = []
        # No sideways scroll, the header under 80 px at 1280 px, the skip link seen when focused.
        self.layout: list[str] = []
        self.checked: set[str] = set()  # page kinds axe has seen, in this language
        self.width = WIDTHS[0]
        self._links: list[str] = []
        page.set_viewport_size({"width": self.width, "height": 900})
        page.add_init_script(WATCH)
        # axe-core in every page from its start: a quarter of what loading it into a page
        # afterwards costs (its source crosses to the browser once, not once a page), and the
        # crawl looks with axe at nearly half the pages it loads.
        require(AXE.exists(), f"axe-core is not installed at {AXE} (run `npm ci`)")
        page.add_init_script(path=str(AXE))
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.violations.append(f"{self.page.url}: {message.text}")

    def collect(self) -> None:
        for found in self.page.evaluate("window.__cspViolations || []"):
            self.violations.append(f"{self.page.url}: {found}")
        self.page.evaluate("window.__cspViolations = []")

    def desktop(self) -> None:
        """Back to the desktop width, for the steps that click through a page."""
        if self.width != WIDTHS[0]:
            self.width = WIDTHS[0]
            self.page.set_viewport_size({"width": self.width, "height": 900})

    def check(self, label: str) -> None:
        """Both widths: the phone layout shows what the desktop hides (the menu button). The
        page is looked at in the width it was loaded in first, then resized in place to the
        other, where it stays: the next page loads there."""
        kind = kind_of(self.page.url)
        run_axe = kind not in self.checked
        first = self.width
        for width in (first, *(w for w in WIDTHS if w != first)):
            if width != self.width:
                self.width = width
                self.page.set_viewport_size({"width": width, "height": 900})
            seen = self.page.evaluate(LOOK, [run_axe, WCAG_TAGS, width, HEADER_MAX_PX])
            self.violations += [f"{self.page.url}: {found}" for found in seen["csp"]]
            if run_axe:
                assert_no_violations(seen["violations"], f"{label} at {width} px ({self.language})")
            self.layout += described(seen["layout"], width, f"{label} ({self.language})")
        self._links = seen["links"]
        self.checked.add(kind)

    def links(self) -> list[str]:
        """The site's pages this page links to (as of its last check)."""
        found = []
        for href in self._links:
            url = urljoin(self.page.url, href).split("#")[0]
            if url.startswith(self.base) and not NOT_PAGES.search(urlsplit(url).path):
                found.append(url)
        return found

    def crawl(self, who: str) -> int:
        queue, seen, visited = [self.base + "/"], set(), 0
        while queue and visited < PAGES_PER_ROLE:
            url = queue.pop(0)
            if kind_of(url) in seen:
                continue
            seen.add(kind_of(url))
            response = self.page.goto(url)
            assert response is not None and response.status < 400, (who, url, response)
            visited += 1
            self.check(f"{urlsplit(url).path} as {who}")
            queue += [link for link in self.links() if kind_of(link) not in seen]
        self.desktop()
        return visited


def choose_language(page, language: str) -> None:
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"


@pytest.mark.parametrize("language", ["nb", "en"])
def test_every_page_of_every_role_keeps_the_policy_and_is_accessible(
    page, live_app, live_server, language
):
    site = populate(live_app)
    visitor = Visitor(page, live_server.url, language)
    if language != "nb":  # Norwegian is what a first visit gets
        page.goto(PUBLIC[0])
        choose_language(page, language)
    for url in PUBLIC:
        page.goto(url)
        visitor.check(f"{url} (not logged in)")
    visited = {}
    for who in ROLES:
        log_out(page)
        visitor.desktop()
        if language == "nb":
            log_in(page, who)  # from the login page, as a first visit gets it
        else:
            page.goto("/logg-inn")
            choose_language(page, language)
            _log_in_english(page, who)
        visited[who] = visitor.crawl(who)
        if who == "mottak@stolav.demo":
            # The identity shown (a POST answered with the page), and the case's access log.
            page.goto(f"/avvik/{site.with_identity}")
            page.locator("section[aria-labelledby=pasient] form button").click()
            expect(page.locator("#pasient-id")).to_have_text(f"{PATIENT[:6]} {PATIENT[6:]}")
            page.locator("#tilgangslogg + details > summary").click()
            expect(page.locator("#tilgangslogg + details li").first).to_be_visible()
            visitor.check("deviation page with the identity shown and the access log open")
        if who == "melder@trondheim.demo":
            # The filing form refused: error summary, invalid fields with their icons.
            page.goto("/avvik/nytt")
            page.locator("main form button[type=submit]").last.click()
            page.wait_for_load_state()
            expect(page.locator("#feiloppsummering")).to_be_visible()
            visitor.checked.discard(kind_of(page.url))
            visitor.check("filing form with errors")
        if who == PRIVACY_OFFICER:
            page.goto("/personvern/")
            page.locator("#number").fill(f"{PATIENT[:6]} {PATIENT[6:]}")
            # The search is the form's first button; the art. 15 exports follow it.
            page.locator("main form button[type=submit]").first.click()
            expect(page.locator("#treff")).to_be_visible()
            visitor.checked.discard(kind_of(page.url))
            visitor.check("the data protection officer's search with its answer")
    print("visited", visited, "kinds checked by axe", len(visitor.checked))
    assert all(count >= 3 for count in visited.values()), visited
    assert sum(visited.values()) >= 40, visited
    assert not visitor.violations, "\n".join(visitor.violations)
    assert not visitor.layout, "\n".join(visitor.layout)


def _log_in_english(page, email: str) -> None:
    page.locator("#email").fill(email)
    page.locator("#password").fill("demo-avvik")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/logg-inn" not in url)


def test_a_page_that_breaks_the_policy_is_caught(page, live_app, live_server):
    """The watch itself: an inline style and a data: image are refused and reported."""
    visitor = Visitor(page, live_server.url, "nb")
    page.goto("/logg-inn")
    page.evaluate(
        """() => {
          const d = document.createElement('div'); d.setAttribute('style', 'color: red');
          document.body.append(d);
          const i = document.createElement('img'); i.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
          document.body.append(i);
        }"""
    )
    page.wait_for_timeout(200)
    visitor.collect()
    assert any("style-src" in v for v in visitor.violations), visitor.violations
    assert any("img-src" in v for v in visitor.violations), visitor.violations


def test_an_inaccessible_page_is_caught(page, live_app, live_server):
    """The axe check itself: a field without a label fails it, and the failure names the rule."""
    page.goto("/logg-inn")
    assert_accessible(page, "the login page as served")
    page.evaluate("() => document.querySelector('label[for=email]').remove()")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page, "the login page with a field's label taken away")
