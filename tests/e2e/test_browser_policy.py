"""Every page of every role in Chromium, under the Content-Security-Policy: no violation is
reported, and axe-core finds no WCAG 2.1 A/AA violation at desktop width and at 360 px, in
Norwegian and in English; on the same load nothing scrolls sideways, the header stays under
80 px at 1280 px, the focused skip link is on screen, uncovered (tests/e2e/layout.py), and the
page has one h1.

Each role starts at its front page and follows the links of its menus and lists (every page
kind once per role); the pages only a form reaches (the patient identity shown, a search with
its answer, a refused filing) are opened by hand. Violations are caught twice: from Chromium's
console ("Refused to …") and from the page's own securitypolicyviolation events. The pages
axe-core must have seen, as whom, are declared in CRAWL_COVERS, so other browser tests can leave
those pages to the crawl.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    AXE_RUN,
    WCAG_TAGS,
    assert_accessible,
    assert_no_violations,
    axe_in_every_load,
    log_in,
    log_out,
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
VISITOR = "visitor"  # not logged in

# What the crawl must run axe-core on, in both languages and at both widths, as whom: the role
# whose crawl reaches a page kind first (axe looks at a kind once per language), "visitor" for
# the pages before logging in, and a state after the kind for a page the crawl opens by hand.
# (So axe sees the visitor's front page, "/", but no role's own: tests/e2e/test_header_keyboard.py
# runs it on each role's start page, menus open.)
# Other browser tests leave these pages in this state to the crawl (tests/e2e/test_admin_pages.py
# checks its list against this); the crawl fails if it stops reaching one of them.
CRAWL_COVERS: dict[str, frozenset[str]] = {
    VISITOR: frozenset({"/", "/logg-inn", "/glemt-passord", "/tilgjengelighet"}),
    "mottak@stolav.demo": frozenset({
        "/mottak", "/mottak?sorter", "/sok", "/avvik/AV-x", "/avvik/AV-x/pasient (identity shown)",
        "/avvik/mine", "/avvik/nytt", "/avvik/nytt?category&counterpart_org", "/gode-historier/ny",
        "/laering", "/konto", "/konto/passord", "/konto/tofaktor", "/statistikk/",
        "/statistikk/endring", "/analyser", "/analyser/ny/AV-x", "/analyser/HA-x",
        "/analyser/HA-x/mandat",
        *(f"/analyser/HA-x/{part}/n/{verb}"
          for part in ("tidslinje", "faktor", "problem", "rotarsak", "tiltak", "laering")
          for verb in ("endre", "slett")),
    }),
    "melder@trondheim.demo": frozenset({"/avvik/nytt (errors)"}),
    "admin@demo.demo": frozenset({
        "/admin/", "/admin/organisasjoner", "/admin/organisasjoner/n",
        "/admin/organisasjoner/n/enheter", "/admin/enheter/n", "/admin/kategorier",
        "/admin/kategorier/n", "/admin/avtaler", "/admin/avtaler/n", "/admin/brukere",
        "/admin/brukere?org", "/admin/brukere/ny", "/admin/brukere/n", "/admin/logg",
        "/admin/reservemottak", "/admin/sikkerhetslogg", "/admin/api-klienter/",
        "/admin/api-klienter/webhooks", "/api/v1/",
    }),
    PRIVACY_OFFICER: frozenset({
        "/personvern/", "/personvern/ (answer)", "/personvern/tilgangslogg", "/personvern/uvanlig",
    }),
}  # fmt: skip

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
  return {violations, csp, layout, h1: document.querySelectorAll('h1').length,
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
        # (who, page kind) for each kind axe has seen: what CRAWL_COVERS is checked against.
        self.who = VISITOR
        self.axed: set[tuple[str, str]] = set()
        self.headings: list[str] = []  # pages without exactly one h1
        self.width = WIDTHS[0]
        self._links: list[str] = []
        page.set_viewport_size({"width": self.width, "height": 900})
        page.add_init_script(WATCH)
        # axe-core in every page from its start: a quarter of what loading it into a page
        # afterwards costs, and the crawl looks with axe at nearly half the pages it loads.
        axe_in_every_load(page)
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

    def check(self, label: str, state: str = "") -> None:
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
        if seen["h1"] != 1:
            self.headings.append(f"{label} ({self.language}): {seen['h1']} h1")
        self._links = seen["links"]
        if run_axe:
            self.axed.add((self.who, f"{kind} {state}".strip()))
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
        visitor.who = who
        visited[who] = visitor.crawl(who)
        if who == "mottak@stolav.demo":
            # The identity shown (a POST answered with the page), and the case's access log.
            page.goto(f"/avvik/{site.with_identity}")
            page.locator("section[aria-labelledby=pasient] form button").click()
            expect(page.locator("#pasient-id")).to_have_text(f"{PATIENT[:6]} {PATIENT[6:]}")
            page.locator("#tilgangslogg + details > summary").click()
            expect(page.locator("#tilgangslogg + details li").first).to_be_visible()
            visitor.check(
                "deviation page with the identity shown and the access log open", "(identity shown)"
            )
        if who == "melder@trondheim.demo":
            # The filing form refused: error summary, invalid fields with their icons.
            page.goto("/avvik/nytt")
            page.locator("main form button[type=submit]").last.click()
            page.wait_for_load_state()
            expect(page.locator("#feiloppsummering")).to_be_visible()
            visitor.checked.discard(kind_of(page.url))
            visitor.check("filing form with errors", "(errors)")
        if who == PRIVACY_OFFICER:
            page.goto("/personvern/")
            page.locator("#number").fill(f"{PATIENT[:6]} {PATIENT[6:]}")
            # The search is the form's first button; the art. 15 exports follow it.
            page.locator("main form button[type=submit]").first.click()
            expect(page.locator("#treff")).to_be_visible()
            visitor.checked.discard(kind_of(page.url))
            visitor.check("the data protection officer's search with its answer", "(answer)")
    print("visited", visited, "kinds checked by axe", len(visitor.checked))
    missed = {(who, kind) for who, kinds in CRAWL_COVERS.items() for kind in kinds} - visitor.axed
    assert not missed, f"the crawl no longer runs axe on these ({language}): {sorted(missed)}"
    assert all(count >= 3 for count in visited.values()), visited
    assert sum(visited.values()) >= 40, visited
    assert not visitor.violations, "\n".join(visitor.violations)
    assert not visitor.layout, "\n".join(visitor.layout)
    assert not visitor.headings, "\n".join(visitor.headings)


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
    # Both events reported, rather than a fixed pause that may be too short on a busy machine.
    page.wait_for_function("window.__cspViolations.length >= 2")
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
