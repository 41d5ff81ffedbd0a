"""Text is never lost (issue 20), in Chromium: the session really ends by time (the server's
idle limit, SESSION_IDLE_SECONDS, no shortcut), the page warns before, "Fortsett" keeps it
alive, and a nurse who presses *Send deviation* after the end logs in and finds her form filled
in, sends it, and the case is filed with her patient number. Both widths, both languages, axe.

The HTTP-level rules (the owner only, an hour, encrypted at rest, the second factor) are in
tests/test_kept_forms.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.services import find_user
from app.common.crypto import patient_cipher
from app.data.seed import HOSPITAL
from app.extensions import db
from app.maintenance import delete_expired_sessions
from app.models import Category, Deviation, LoginSession, Organisation, utcnow
from tests.e2e.browser import assert_accessible, log_in, screenshot, switch_language
from tests.factories import identity_number

NURSE = "melder@trondheim.demo"
TITLE = "Utskrevet uten legemiddelliste"
DESCRIPTION = "Pasienten kom hjem i kveld uten legemiddelliste; vi ringte avdelingen."
MESSAGE = "Vi har fått legemiddellisten nå, takk."


def _ids(app) -> tuple[str, str]:
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == HOSPITAL))
        category = db.session.scalar(sa.select(Category.id).where(Category.name == "Utskrivning"))
        return str(org), str(category)


def _last_seen(app):
    with app.app_context():
        user = find_user(NURSE)
        return db.session.scalar(
            sa.select(sa.func.max(LoginSession.last_seen_at)).where(LoginSession.user_id == user.id)
        )


def _both_widths_accessible(page, label: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, f"{label} (1280 px)")
    page.set_viewport_size({"width": 360, "height": 740})
    assert_accessible(page, f"{label} (360 px)")
    screenshot(page, f"kept-forms-{label}-360")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_form_sent_after_the_session_ended_by_time_comes_back_after_the_login(page, live_app):
    org_id, category_id = _ids(live_app)
    number = identity_number()
    # Phase 1, Norwegian: the warning, and "Fortsett" keeping the session alive. Long enough
    # that axe can look at the dialog before the end; the warning comes after a quarter of
    # the idle limit, when a visit is written again (sessions.touch_interval).
    live_app.config.update(SESSION_IDLE_SECONDS=16, SESSION_WARNING_SECONDS=12)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, NURSE)
    page.goto("/avvik/nytt")
    dialog = page.locator("#okt-varsel")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_role("heading")).to_have_text("Du blir snart logget ut")
    expect(dialog).to_contain_text("blir logget ut kl.")
    fortsett = dialog.get_by_role("button", name="Fortsett")
    expect(fortsett).to_be_focused()
    _both_widths_accessible(page, "varsel-nb")
    before = _last_seen(live_app)
    with page.expect_response("**/okt/fortsett") as kept_alive:
        page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    assert kept_alive.value.status == 200
    assert _last_seen(live_app) > before  # the server noted the visit: the session goes on
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0

    # Phase 2, English: typing keeps it alive; then nothing, and the session ends by time.
    live_app.config.update(SESSION_IDLE_SECONDS=6, SESSION_WARNING_SECONDS=3)
    switch_language(page, "English")
    page.wait_for_url("**/avvik/nytt")
    page.select_option("#counterpart_org", org_id)
    page.select_option("#category", category_id)
    page.fill("#title", TITLE)
    page.fill("#description", DESCRIPTION)
    page.check("input[name=harm][value=lav]")
    page.get_by_text("Add more details (optional)").click()  # the optional questions
    page.fill("#patient_id", number)
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog.get_by_role("heading")).to_have_text("You will soon be logged out")
    expect(dialog.get_by_role("heading")).to_have_text("You are logged out", timeout=15_000)
    assert utcnow() - _last_seen(live_app) >= timedelta(seconds=6)
    _both_widths_accessible(page, "utlogget-en")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Send deviation").click()
    page.wait_for_url("**/logg-inn?next=*")
    # Back to the usual limit for what follows the login, so the restored page is not itself
    # timed out while it is checked. The ended session would come back to life under the
    # longer limit: first the daily maintenance's step deletes it, as it deletes every ended one.
    with live_app.app_context():
        assert delete_expired_sessions(utcnow()) == 1
        db.session.commit()
    live_app.config.update(SESSION_IDLE_SECONDS=None, SESSION_WARNING_SECONDS=120)
    expect(page.get_by_text("What you wrote has been kept")).to_be_visible()
    with live_app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Deviation).where(Deviation.title == TITLE)
            )
            == 0
        )
    _both_widths_accessible(page, "innlogging-en")

    page.fill("#email", NURSE)
    page.fill("#password", "demo-avvik")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url("**/avvik/nytt")
    expect(page.locator("#skjema-tatt-vare-paa")).to_contain_text(
        "What you wrote has been filled in again."
    )
    expect(page.locator("#counterpart_org")).to_have_value(org_id)
    expect(page.locator("#category")).to_have_value(category_id)
    expect(page.locator("#title")).to_have_value(TITLE)
    expect(page.locator("#description")).to_have_value(DESCRIPTION)
    expect(page.locator("input[name=harm][value=lav]")).to_be_checked()
    expect(page.locator("#patient_id")).to_have_value(number)
    assert page.evaluate("() => localStorage.length + sessionStorage.length") == 0
    _both_widths_accessible(page, "fylt-inn-en")

    page.get_by_role("button", name="Send deviation").click()
    page.wait_for_url("**/sendt")
    with live_app.app_context():
        filed = db.session.scalar(sa.select(Deviation).where(Deviation.title == TITLE))
        assert filed.description == DESCRIPTION
        assert patient_cipher().decrypt(filed.patient_id_token) == number
        reference = filed.reference

    # A message on the case page, among the page's other forms, comes back the same way. The
    # session's end by time was shown above; here its last visit is set back (a shortcut).
    page.goto(f"/avvik/{reference}")
    composer = page.locator("form[action*='/meldinger']")
    composer.locator("textarea[name=body]").fill(MESSAGE)
    with live_app.app_context():
        db.session.execute(
            sa.update(LoginSession).values(last_seen_at=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    composer.locator("button[type=submit]").first.click()
    page.wait_for_url("**/logg-inn?next=*")
    page.fill("#email", NURSE)
    page.fill("#password", "demo-avvik")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"**/avvik/{reference}")
    expect(page.locator("#skjema-tatt-vare-paa")).to_be_visible()
    expect(composer.locator("textarea[name=body]")).to_have_value(MESSAGE)
    expect(composer.locator("textarea[name=body]")).to_be_in_viewport()


SCRIPT = Path(__file__).resolve().parents[2] / "app" / "static" / "session.js"

MOVES_PAGE = """<!doctype html><html lang="nb"><head><base href="http://avvik.test/"></head><body><main>
<div id="skjema-tatt-vare-paa" role="status" hidden>Fylt inn igjen.</div>
<template id="tatt-vare-paa-kopi"><section id="kopi">Teksten din er ikke lagret</section></template>
<script type="application/json" id="tatt-vare-paa">%s</script>
<form method="post" action="/avvik/AV-1/behandling"><input type="hidden" name="version" value="3">
  <input type="hidden" name="move" value="avvis"><textarea name="text"></textarea></form>
<details><summary>Besvar</summary>
<form method="post" action="/avvik/AV-1/behandling"><input type="hidden" name="version" value="3">
  <input type="hidden" name="move" value="besvar"><textarea name="text"></textarea></form>
</details>
</main></body></html>"""


def _kept_page(browser, kept: dict) -> object:
    """session.js on a page of its own (no server): which form a kept form goes into."""
    import json

    page = browser.new_page()
    page.set_content(MOVES_PAGE % json.dumps(kept))
    page.add_script_tag(content=SCRIPT.read_text())
    return page


def test_the_kept_form_goes_into_the_form_it_came_from_or_is_offered_to_copy(browser):
    answer = {
        "action": "/avvik/AV-1/behandling",
        "fields": [["version", "2"], ["move", "besvar"], ["text", "Rutinen er rettet."]],
    }
    page = _kept_page(browser, answer)
    try:
        # The answer's form, not the rejection's at the same address; the case's newer
        # version does not make it another form; its <details> is opened.
        texts = page.locator("textarea[name=text]")
        expect(texts.nth(1)).to_have_value("Rutinen er rettet.")
        expect(texts.nth(0)).to_have_value("")
        assert page.locator("details").evaluate("(d) => d.open")
        expect(page.locator("#skjema-tatt-vare-paa")).to_be_visible()
    finally:
        page.close()
    # A move no longer offered: nothing filled in the wrong form; the text to copy instead.
    gone = {**answer, "fields": [["move", "gjenapne"], ["text", "Rutinen er rettet."]]}
    page = _kept_page(browser, gone)
    try:
        expect(page.locator("#kopi")).to_be_visible()
        expect(page.locator("textarea[name=text]").nth(0)).to_have_value("")
        expect(page.locator("textarea[name=text]").nth(1)).to_have_value("")
        expect(page.locator("#skjema-tatt-vare-paa")).to_be_hidden()
    finally:
        page.close()
