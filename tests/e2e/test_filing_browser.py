"""The core path in a real browser, with the keyboard only: a nurse in Trondheim files a deviation
against St. Olavs, and St. Olavs' mottak opens it from the inbox. axe-core checks every page
the crawl (test_browser_policy.py) does not see in the same state.

Nothing on the form is clicked or filled programmatically: focus moves with Tab, text is typed,
selects and radios change with typing and arrow keys, the form is sent with Enter. If a field
cannot be reached or set that way, the test fails.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from app.common.dates import today_local
from app.data.demo import create_demo_deviations
from app.extensions import db
from app.models import Deviation, DeviationEvent, EventKind, Status
from tests.e2e.browser import SCREENSHOTS, assert_accessible, screenshot
from tests.factories import identity_number

TRONDHEIM_NURSE = "melder@trondheim.demo"
STOLAV_MOTTAK = "mottak@stolav.demo"
PASSWORD = "demo-avvik"
MAX_TABS = 60


def focused(page) -> str:
    """'#id' (or tag and text) of the focused element, for assertions and messages."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e ? (e.id ? '#' + e.id : e.tagName.toLowerCase() + ':' + (e.textContent || '').trim()) : ''; }"
    )


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab until an element matching ``selector`` (a Playwright selector) has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(MAX_TABS):
        if page.locator(selector).evaluate_all("(els) => els.includes(document.activeElement)"):
            return
        page.keyboard.press(key)
        seen.append(focused(page))
    raise AssertionError(f"{selector} not reachable with {key}; focus went through {seen}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")  # replace what is there, as a user selecting it would
    page.keyboard.type(text)


def log_in_with_keyboard(page, email: str) -> None:
    page.goto("/logg-inn")
    assert page.title().startswith("Logg inn")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/logg-inn" not in url)


def log_out_with_keyboard(page) -> None:
    # Logg ut is in the account menu: its button, Enter to open it, then Tab into it.
    tab_to(page, "#kontomeny")
    page.keyboard.press("Enter")
    tab_to(page, "button:has-text('Logg ut')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/logg-inn"))
    expect(page.get_by_text("Du er logget ut.")).to_be_visible()


def select_by_typing(page, selector: str, text: str, expected_label: str) -> None:
    """Type-ahead on a closed <select>: what a keyboard user does to pick from a long list."""
    tab_to(page, selector)
    page.keyboard.type(text)
    label = page.evaluate(
        "(s) => { const e = document.querySelector(s); return e.options[e.selectedIndex].text; }",
        selector,
    )
    assert label == expected_label, f"{selector}: typing {text!r} chose {label!r}"


def selected_label(page, selector: str) -> str:
    return page.evaluate(
        "(s) => { const e = document.querySelector(s); return e.options[e.selectedIndex].text; }",
        selector,
    )


def date_typing_order(page) -> str:
    """strftime pattern for typing into a date input in the order this browser shows the parts.

    Chromium lays date inputs out by its UI language (dd.mm.åååå with Norwegian installed,
    mm/dd/yyyy with only en-US), so probe it once on a scratch page rather than guess.
    """
    probe = page.context.new_page()
    probe.set_content("<input type=date id=probe>")
    probe.keyboard.press("Tab")
    probe.keyboard.type("01022003")
    value = probe.locator("#probe").input_value()
    probe.close()
    orders = {"2003-02-01": "%d%m%Y", "2003-01-02": "%m%d%Y"}
    assert value in orders, f"unknown date input layout: typing 01022003 gave {value!r}"
    return orders[value]


def type_date(page, selector: str, day) -> None:
    order = date_typing_order(page)
    tab_to(page, selector)
    page.keyboard.type(day.strftime(order))
    assert page.locator(selector).input_value() == day.isoformat()


def test_file_with_keyboard_and_open_from_inbox(page, live_app):
    # --- the reporter logs in (axe-core on the login page: the crawl, CRAWL_COVERS) -----------
    log_in_with_keyboard(page, TRONDHEIM_NURSE)

    # The start page offers the form; follow the link with the keyboard.
    tab_to(page, "main a[href$='/avvik/nytt'], nav a[href$='/avvik/nytt']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/avvik/nytt$"))
    assert_accessible(page, "filing form")

    # --- first attempt: an identity number in the story and a mistyped patient_id --------------
    patient_id = identity_number("120345")
    event_day = today_local() - timedelta(days=2)
    select_by_typing(page, "#counterpart_org", "St", "St. Olavs hospital HF")
    type_date(page, "#event_date", event_day)
    type_into(page, "#title", "Utskrevet uten epikrise")
    select_by_typing(page, "#category", "Utskr", "Utskrivning")
    type_into(
        page,
        "#description",
        f"Pasient {patient_id[:6]} {patient_id[6:]} kom hjem kl. 21 uten epikrise. "
        "Ringte avdelingen på 73 86 80 00.",
    )
    # Harm: Tab lands on the radio group, arrows move the choice, Space confirms it.
    tab_to(page, "input[name=harm]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("input[name=harm]:checked").get_attribute("value") == "moderat"
    # The optional questions open with Enter on their one line.
    tab_to(page, "#flere-opplysninger > summary")
    page.keyboard.press("Enter")
    # Only St. Olavs' units are offered; the first one is chosen with the arrow key.
    tab_to(page, "#counterpart_unit")
    page.keyboard.press("ArrowDown")
    unit_label = selected_label(page, "#counterpart_unit")
    assert unit_label.startswith("Klinikk for akutt- og mottaksmedisin"), unit_label
    type_into(page, "#immediate_action", "Hjemmesykepleien hentet medisiner på legevakten.")
    type_into(page, "#suggestion", "Send epikrise samme dag som utskrivning.")
    select_by_typing(
        page, "#agreement", "Tjenesteavtale 5", "Tjenesteavtale 5: Utskrivningsklare pasienter"
    )
    type_into(page, "#patient_id", patient_id[:-1] + str((int(patient_id[-1]) + 1) % 10))
    tab_to(page, "button[type=submit]:has-text('Send avvik')")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # --- the form comes back with the messages beside the fields and nothing lost -------------
    summary = page.locator("#feiloppsummering")
    expect(summary).to_be_visible()
    assert focused(page) == "#feiloppsummering", "the error summary must take focus"
    expect(page.locator("#description-feil")).to_contain_text("fødselsnummer eller D-nummer")
    expect(page.locator("#patient_id-feil")).to_contain_text("ikke et gyldig fødselsnummer")
    assert page.locator("#description").get_attribute("aria-invalid") == "true"
    assert page.locator("#title").input_value() == "Utskrevet uten epikrise"
    assert selected_label(page, "#counterpart_org") == "St. Olavs hospital HF"
    assert selected_label(page, "#counterpart_unit") == unit_label
    assert page.locator("#event_date").input_value() == event_day.isoformat()
    assert page.locator("input[name=harm]:checked").get_attribute("value") == "moderat"
    assert_accessible(page, "filing form with validation errors")

    # The summary's link takes the keyboard user straight to the field.
    tab_to(page, "#feiloppsummering a[href='#description']")
    page.keyboard.press("Enter")
    assert focused(page) == "#description"
    page.keyboard.press("Control+A")
    page.keyboard.type("Pasienten kom hjem kl. 21 uten epikrise. Ringte avdelingen på 73 86 80 00.")
    type_into(page, "#patient_id", patient_id)
    page.keyboard.press("Enter")  # Enter in a text field submits the form
    page.wait_for_url(re.compile(r"/avvik/AV-\d{4}-\d{5}/sendt(#.*)?$"))

    # --- confirmation with the reference -----------------------------------------------------
    heading = page.get_by_role("heading", level=1).inner_text()
    reference = re.search(r"AV-\d{4}-\d{5}", page.locator("main").inner_text()).group(0)
    assert reference == f"AV-{today_local().year}-00001", (heading, reference)
    assert_accessible(page, "confirmation page")

    with live_app.app_context():
        deviation = db.session.scalar(sa.select(Deviation).where(Deviation.reference == reference))
        assert deviation is not None
        assert deviation.status is Status.SENDT
        assert deviation.counterpart_org_name == "St. Olavs hospital HF"
        assert deviation.reporter_org_name == "Trondheim"
        assert deviation.event_date == event_day
        assert deviation.harm.value == "moderat"
        assert deviation.agreement.name.startswith("Tjenesteavtale 5")
        assert deviation.has_patient_id and patient_id not in deviation.patient_id_token
        kinds = db.session.scalars(
            sa.select(DeviationEvent.kind).where(DeviationEvent.deviation_id == deviation.id)
        ).all()
        assert kinds == [EventKind.CREATED]

    log_out_with_keyboard(page)

    # --- the hospital's mottak opens it from the inbox --------------------------------------
    log_in_with_keyboard(page, STOLAV_MOTTAK)
    tab_to(page, "nav a[href$='/mottak']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/mottak$"))
    row = page.locator("tbody tr", has=page.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Utskrevet uten epikrise")
    expect(row).to_contain_text("Trondheim")
    assert_accessible(page, "inbox")

    tab_to(page, f"a:has-text('{reference}')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/avvik/{reference}$"))
    main = page.locator("main").inner_text()
    for text in (
        "Utskrevet uten epikrise",
        "Pasienten kom hjem kl. 21 uten epikrise.",
        "Hjemmesykepleien hentet medisiner på legevakten.",
        "Send epikrise samme dag som utskrivning.",
        "Trondheim",
        "Utskrivning",
        "Moderat skade",
        event_day.strftime("%d.%m.%Y"),
    ):
        assert text in main, text
    assert patient_id not in main  # decrypted only on request
    assert_accessible(page, "deviation page")

    # The handler reveals the identity with the keyboard; the showing lands in the history.
    tab_to(page, "button:has-text('Vis fødselsnummer')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#pasient-id").inner_text().replace(" ", "") == patient_id
    history = page.locator("#historikk + ol li")
    # Registered; acknowledged as the handler opened it (issue 20); the identity shown.
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("Bekreftet da avviket ble åpnet første gang")
    expect(history.nth(2)).to_contain_text("Pasientens identitet vist")
    expect(history.nth(2)).to_contain_text("Siri Mottak")
    assert_accessible(page, "deviation page with the identity shown")


def fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width} px: {scroll_width}"


def test_pages_fit_a_phone(page, live_app):
    """360 px wide: the send button is reachable and tappable, and the form and its messages
    do not scroll sideways.

    The other pages of this walk (login, Mine avvik, start page, inbox, a case), and axe-core
    on the form with its messages, are looked at plain by the crawl (test_browser_policy.py:
    no sideways scroll at 360 and 1280 px as each role, axe-core in CRAWL_COVERS); they are
    loaded here only for the screenshots (SCREENSHOTS=1) a human looks at.
    """
    with live_app.app_context():
        create_demo_deviations()
        db.session.commit()
    page.set_viewport_size({"width": 360, "height": 800})
    if SCREENSHOTS:
        page.goto("/logg-inn")
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            screenshot(page, f"login-{width}")
    log_in_with_keyboard(page, TRONDHEIM_NURSE)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/avvik/nytt")
        fits(page, width)
        screenshot(page, f"filing-form-{width}")

        # Reach the send button with the keyboard alone; it must come into view, whole.
        button = "button[type=submit]:has-text('Send avvik')"
        tab_to(page, button)
        box = page.locator(button).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        assert box["height"] >= 44, "a tap target of at least 44 px"
        # Bootstrap scrolls smoothly: give the scroll its moment, then the button must be in view.
        page.wait_for_function(
            "() => { const r = document.activeElement.getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight; }",
            timeout=3_000,
        )

        # Empty submit: the messages must fit too.
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("#feiloppsummering")).to_be_visible()
        fits(page, width)
        screenshot(page, f"filing-form-errors-{width}")
    if not SCREENSHOTS:
        return
    for path, name in (("/avvik/mine", "mine"), ("/", "start")):
        page.goto(path)
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            screenshot(page, f"{name}-{width}")
    page.context.clear_cookies()
    log_in_with_keyboard(page, STOLAV_MOTTAK)
    page.goto("/mottak")
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, f"inbox-{width}")
    page.locator("tbody a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/avvik/AV-"))
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(page, f"deviation-{width}")
