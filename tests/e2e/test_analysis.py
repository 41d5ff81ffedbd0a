"""A handler starts an incident analysis from a deviation in a real browser, fills it in and
finishes it; axe-core checks every analysis page on the way."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from app.common.dates import today_local
from app.extensions import db
from tests import factories
from tests.e2e.browser import SCREENSHOTS, assert_accessible, log_in, open_from_menu, screenshot


def _open_all_details(page) -> None:
    # Folded forms are part of the page too: unfold them so axe-core checks them.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def _shoot(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"analysis-{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_create_fill_and_finish_an_analysis(page, live_app):
    with live_app.app_context():
        reference = factories.deviation().reference
        db.session.commit()

    log_in(page, "mottak@stolav.demo")
    page.goto(f"/avvik/{reference}")
    assert_accessible(page, "deviation page with the analysis box")
    page.get_by_role("link", name="Start hendelsesanalyse").click()
    page.wait_for_url("**/analyser/ny/*")

    assert_accessible(page, "start analysis form")
    page.get_by_label("Tittel").fill("Utskrivning fredag kveld uten varsel")
    page.get_by_label("Mandat").fill("Finn ut hvorfor hjemmetjenesten ikke var varslet.")
    page.get_by_label("Avgrensning").fill("Fra utskrivningsbeslutning til første hjemmebesøk.")
    _shoot(page, "new")
    page.get_by_role("button", name="Start hendelsesanalyse").click()
    page.wait_for_url("**/analyser/HA-*")
    expect(page.get_by_text("er opprettet. Du er leder.")).to_be_visible()

    # Timeline entry
    page.get_by_text("Legg til hendelse i tidslinjen").click()
    yesterday = today_local() - timedelta(days=1)
    page.locator("#tidslinje-day").fill(yesterday.isoformat())
    page.locator("#tidslinje-at").fill("21:05")
    page.locator("#tidslinje-what").fill("Pasienten kommer hjem med drosje.")
    page.locator("#tidslinje-source").fill("Journal")
    page.get_by_role("button", name="Lagre hendelsen").click()
    expect(page.get_by_text("Pasienten kommer hjem med drosje.")).to_be_visible()

    # A problem, then a contributory factor on it
    page.get_by_text("Legg til problem").click()
    page.locator("#problem-text").fill("Hjemmetjenesten var ikke varslet.")
    page.get_by_role("button", name="Lagre problemet").click()
    page.get_by_text("Legg til medvirkende faktor").click()
    page.locator("#faktor-problem").select_option(index=1)
    page.get_by_label("Organisasjon og ledelse").check()
    page.locator("#faktor-text").fill("Ingen avtale om utskrivning etter kl. 15.")
    page.get_by_role("button", name="Lagre faktoren").click()
    expect(page.get_by_text("Ingen avtale om utskrivning etter kl. 15.")).to_be_visible()

    # A root cause and an action answering it
    page.get_by_text("Legg til rotårsak").click()
    page.locator("#rotarsak-text").fill("Utskrivning sent på dagen uten bekreftet mottak.")
    page.get_by_role("button", name="Lagre rotårsaken").click()
    page.get_by_text("Legg til tiltak").click()
    page.locator("#tiltak-text").fill("Bekreftet mottak i kommunen før utskrivning etter kl. 15.")
    page.locator("#tiltak-root_cause").select_option(index=1)
    page.locator("#tiltak-responsible_org").select_option(label="St. Olavs hospital HF")
    page.locator("#tiltak-responsible_email").fill("mottak@stolav.demo")
    page.locator("#tiltak-due_date").fill((today_local() + timedelta(days=30)).isoformat())
    page.get_by_label("Sterk").check()
    page.locator("#tiltak-effect_measure").fill("Andel sene utskrivninger med bekreftet mottak.")
    page.get_by_role("button", name="Lagre tiltaket").click()
    expect(page.locator("#tiltak-1")).to_be_visible()

    page.get_by_text("Legg til læringspunkt").click()
    page.locator("#laering-text").fill("Ring kommunen før pasienten drar.")
    page.get_by_role("button", name="Lagre læringspunktet").click()
    expect(
        page.locator("#laeringspunkter li", has_text="Ring kommunen før pasienten drar.")
    ).to_be_visible()

    _open_all_details(page)
    assert_accessible(page, "analysis page while it runs")
    _shoot(page, "show")

    page.goto(page.url.split("#")[0] + "/tiltak/1/endre")
    expect(page.get_by_role("heading", name="Endre tiltak")).to_be_visible()
    assert_accessible(page, "edit action page")
    _shoot(page, "edit-action")
    page.get_by_role("link", name="Avbryt").click()

    # Finish it
    page.locator("#status-status").select_option("ferdig")
    page.get_by_role("button", name="Endre status").click()
    expect(
        page.get_by_text(re.compile(r"Hendelsesanalyse HA-\d{4}-\d+ har fått status Ferdig\."))
    ).to_be_visible()
    expect(page.locator(".badge", has_text="Ferdig").first).to_be_visible()
    expect(page.get_by_text("Legg til hendelse i tidslinjen")).to_have_count(0)
    _open_all_details(page)
    assert_accessible(page, "finished analysis page")
    _shoot(page, "finished")

    # Answer the deviation with a reference to the analysis, through the workflow.
    expect(page.locator("#svar-text")).to_contain_text("hendelsesanalyse HA-")
    page.get_by_role("button", name="Besvar avvikene").click()
    expect(page.get_by_text("1 avvik er besvart med henvisning til analysen.")).to_be_visible()
    page.goto(f"/avvik/{reference}")
    expect(page.locator(".badge", has_text="Besvart").first).to_be_visible()
    expect(page.locator("#svar ~ p, #svar + p").first).to_contain_text(
        "Avviket er gjennomgått i hendelsesanalyse HA-"
    )
    assert_accessible(page, "deviation answered through the analysis")
    page.go_back()

    open_from_menu(page, "Hendelsesanalyser")
    page.wait_for_url("**/analyser")
    assert_accessible(page, "list of analyses")
    _shoot(page, "index")
    expect(page.get_by_role("cell", name="Utskrivning fredag kveld uten varsel")).to_be_visible()


def test_ferdig_refused_message_is_shown_and_accessible(page, live_app):
    with live_app.app_context():
        analysis = factories.analysis()
        factories.fill_analysis(analysis, with_action=False)
        db.session.commit()
        reference = analysis.reference
    log_in(page, "mottak@stolav.demo")
    page.goto(f"/analyser/{reference}")
    page.locator("#status-status").select_option("ferdig")
    page.get_by_role("button", name="Endre status").click()
    expect(
        page.get_by_text(
            "Analysen kan ikke settes som ferdig før handlingsplanen har minst ett tiltak"
        ).first
    ).to_be_visible()
    # An error beside a field, too: a factor without a group.
    page.get_by_text("Legg til medvirkende faktor").click()
    page.locator("#faktor-problem").select_option(index=1)
    page.locator("#faktor-text").fill("Beholdt tekst")
    page.get_by_role("button", name="Lagre faktoren").click()
    expect(page.get_by_text("Velg gruppen faktoren hører til.").first).to_be_visible()
    expect(page.locator("#faktor-text")).to_have_value("Beholdt tekst")
    _open_all_details(page)
    assert_accessible(page, "analysis page with errors")
    _shoot(page, "errors")
