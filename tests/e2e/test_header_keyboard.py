"""The header and the keyboard for every role (issue 22), in Chromium, at 1280, 992 and 360 px in
Norwegian and English, on each role's start page loaded once per language: at most five top-level
menu entries; the header one line (< 80 px) wherever the menu is spread out; nothing scrolls
sideways; Tab first reaches the skip link, shown on screen and uncovered, then the header in
the order it is drawn (brand, menu, account menu; a visitor's language button last), then the
page; the account and group menus open, move and close with the keyboard; axe-core is clean
with the menus open; a table wider than a phone scrolls in a region Tab reaches (the API
docs, as the admin). Every other page kind gets the layout checks in test_browser_policy.py.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import assert_accessible, log_in, log_out, switch_language
from tests.e2e.layout import HEADER_MAX_PX, layout_problems
from tests.e2e.site_data import populate

pytestmark = pytest.mark.e2e

ROLES = {
    "reporter": "melder@trondheim.demo",
    "handler": "mottak@malvik.demo",
    "handler in an analysis": "mottak@stolav.demo",
    "forbedringsgruppe": "forbedring@demo.demo",
    "admin": "admin@demo.demo",
    "lokal_admin": "lokaladmin@trondheim.demo",
    "visitor": None,
}
WIDTHS = (1280, 992, 360)  # 992: the narrowest width at which the menu is spread out
TAB_WIDTHS = (1280, 360)  # at 992 the header is laid out as at 1280: its height is enough
MAX_TABS = 40
SHOWN = re.compile(r"\bshow\b")

FOCUSED = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  return {
    what: `${el.tagName.toLowerCase()} ${(el.innerText || el.getAttribute('aria-label') || el.id || '').trim().slice(0, 30)}`,
    top: r.top + window.scrollY, left: r.left + window.scrollX, height: r.height,
    header: !!el.closest('header'), skip: el.matches('a[href="#innhold"]'),
    toggler: el.matches('.navbar-toggler'),
  };
}"""


def follows(before: dict, after: dict) -> bool:
    """``after`` comes after ``before`` in reading order: further right on the same line, or
    on a lower line."""
    same_line = abs(after["top"] - before["top"]) < max(before["height"], after["height"]) / 2
    return after["left"] > before["left"] if same_line else after["top"] > before["top"]


def tab_through_header(page, width: int, fresh: bool) -> list[dict]:
    """Tab from the top of the page until the focus leaves the header; the menu button is
    pressed on the way (at 360 px), as a keyboard user opens the menu. Returns every stop.
    On a page already looked at (not ``fresh``) the walk starts at the skip link, focused from
    a script: that is where Tab from the top first goes (checked on the fresh load)."""
    stops = []
    if not fresh:
        page.evaluate(
            "window.scrollTo(0, 0); document.querySelector('a[href=\"#innhold\"]').focus()"
        )
        stops.append(page.evaluate(FOCUSED))
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        stops.append(stop)
        if not stop["header"] and not stop["skip"]:
            return stops
        if stop["toggler"]:
            page.keyboard.press("Enter")
            expect(page.locator("#hovedmeny")).to_have_class(SHOWN)
    raise AssertionError(f"the focus never left the header at {width} px: {stops}")


def check_start_page(page, role: str, language: str, width: int, fresh: bool) -> list[str]:
    """The start page at ``width``: loaded there when ``fresh``, else resized to it."""
    label = f"the start page of {role} ({language})"
    page.set_viewport_size({"width": width, "height": 900})
    if fresh:
        page.goto("/")
    problems = []
    height = page.locator("header").bounding_box()["height"]
    spread = (
        page.locator(".navbar-toggler").count() == 0
        or not page.locator(".navbar-toggler").is_visible()
    )
    if spread and height >= HEADER_MAX_PX:
        problems.append(f"{label} at {width} px: the header wraps ({height:.0f} px)")
    entries = page.locator("#hovedmeny > ul.navbar-nav > li").count()
    if entries > 5:
        problems.append(f"{label}: {entries} top-level menu entries")

    if width not in TAB_WIDTHS:
        return problems + layout_problems(page, width, label)
    # The keyboard first, from the top of the page (the layout check below focuses the skip
    # link from a script, which moves where Tab starts from).
    stops = tab_through_header(page, width, fresh)
    problems += layout_problems(page, width, label)
    if not stops[0]["skip"]:
        problems.append(
            f"{label} at {width} px: Tab reached {stops[0]['what']} before the skip link"
        )
    # The skip link, focused by the keyboard, shows where it is; then the header in screen order.
    header = stops[1:-1]
    for before, after in itertools.pairwise(header):
        if not follows(before, after):
            problems.append(
                f"{label} at {width} px: Tab went from {before['what']} back to {after['what']}"
            )
    last_header_bottom = max((s["top"] + s["height"] for s in header), default=0)
    if stops[-1]["top"] < last_header_bottom:
        problems.append(
            f"{label} at {width} px: after the header Tab went up to {stops[-1]['what']}"
        )
    return problems


def check_menus_with_keyboard(page, role: str, language: str, axe_at: int) -> list[str]:
    """At desktop width: the account menu (and a group's menu) open with Enter, the arrows move
    in them, Escape closes and gives the focus back. At 360 px the whole menu open. axe-core
    with the account menu open at the width ``axe_at`` (1280 or 360)."""
    problems = []
    page.set_viewport_size({"width": 1280, "height": 900})
    toggles = page.locator("header [data-bs-toggle=dropdown]")
    for i in range(toggles.count()):
        toggle = toggles.nth(i)
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        inside = page.evaluate("document.activeElement.closest('.dropdown-menu') !== null")
        if not inside:
            problems.append(f"{role} ({language}): ArrowDown does not enter {toggle.inner_text()}")
        if axe_at == 1280 and i == toggles.count() - 1:  # the account menu, open
            assert_accessible(page, f"the account menu of {role} open ({language})")
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        if not toggle.evaluate("(el) => el === document.activeElement"):
            problems.append(
                f"{role} ({language}): Escape leaves the focus off {toggle.inner_text()}"
            )
    # At 360 px the whole menu, opened by its button, and axe-core on it.
    page.set_viewport_size({"width": 360, "height": 800})
    if page.locator(".navbar-toggler").get_attribute("aria-expanded") != "true":
        page.locator(".navbar-toggler").click()
    expect(page.locator("#hovedmeny")).to_have_class(SHOWN)
    page.locator("#kontomeny").click()
    expect(page.locator("#kontomeny")).to_have_attribute("aria-expanded", "true")
    if axe_at == 360:
        assert_accessible(page, f"the open menu of {role} at 360 px ({language})")
    return problems


def test_the_header_fits_and_the_keyboard_follows_the_screen_for_every_role(
    page, live_app, live_server
):
    populate(live_app)
    problems = []
    for role, email in ROLES.items():
        log_out(page)
        if email:
            log_in(page, email)
        for language in ("nb", "en"):
            if language == "en":
                page.goto("/")
                switch_language(page, "English")
            # One load per language: the first width loads the page, the others resize it.
            for width in WIDTHS:
                problems += check_start_page(page, role, language, width, width == WIDTHS[0])
            if email:
                axe_at = 1280 if language == "nb" else 360
                problems += check_menus_with_keyboard(page, role, language, axe_at)
            # The visitor's front page with its menu closed: axe-core in the crawl
            # (test_browser_policy.py, CRAWL_COVERS), at both widths in both languages.
        if role == "admin":
            problems += check_scroll_regions(page)
    assert not problems, "\n".join(problems)


def check_scroll_regions(page) -> list[str]:
    """scroll-regions.js: a table wider than a phone (the API's parameters) scrolls in its own
    region, which Tab reaches and which has the table's caption as its name; at desktop width,
    where nothing overflows, the region leaves the tab order again."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/api/v1/")
    regions = page.locator("[data-scroll-region]")
    problems = []
    if not regions.count():
        return ["/api/v1/ at 360 px: no table scrolls in a region of its own"]
    first = regions.first
    if first.get_attribute("tabindex") != "0" or not first.get_attribute("aria-labelledby"):
        problems.append("/api/v1/ at 360 px: a scroll region Tab cannot reach or without a name")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("[data-scroll-region]")).to_have_count(0)
    if page.locator(".table-responsive[tabindex]").count():
        problems.append("/api/v1/ at 1280 px: a region that does not scroll is still a tab stop")
    return problems
