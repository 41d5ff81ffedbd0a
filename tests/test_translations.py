"""English is complete: every msgid in the code and templates has a reviewed English translation,
the catalogue compiles, and a user who chose English gets English pages.

Workflow after adding strings: `make babel-update` (extract + merge + this file), translate what
it lists in app/translations/en/LC_MESSAGES/messages.po, run it again until it passes.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.auth.services import find_user
from app.extensions import db
from app.models import User
from tests.support import login

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}


def _catalog():
    with PO.open("rb") as handle:
        return read_po(handle, locale="en")


def _source_msgids() -> dict[str, str]:
    """msgid (singular) → where it was found, extracted now from the working tree."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def test_every_string_in_code_and_templates_has_an_english_translation():
    source = _source_msgids()
    assert len(source) > 300  # the extraction itself worked
    translated = {
        _key(m.id): m
        for m in _catalog()
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(
        f"{where}: {msgid!r}" for msgid, where in source.items() if msgid not in translated
    )
    assert not missing, (
        f"{len(missing)} string(s) lack an English translation "
        "(run `make babel-update`, translate them in "
        + str(PO.relative_to(ROOT))
        + "):\n"
        + "\n".join(missing)
    )


def test_catalogue_has_no_fuzzy_or_empty_entries_and_placeholders_match():
    catalog = _catalog()
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy: it would not compile"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy (review and remove the flag): {_key(message.id)!r}")
        elif not all(strings):
            problems.append(f"empty: {_key(message.id)!r}")
    for message, errors in catalog.check():
        problems.extend(f"{_key(message.id)!r}: {error}" for error in errors)
    assert not problems, "\n".join(problems)


def test_catalogue_compiles_and_translates():
    buffer = io.BytesIO()
    write_mo(buffer, _catalog(), use_fuzzy=False)
    buffer.seek(0)
    translations = gettext.GNUTranslations(buffer)
    assert translations.gettext("Meld avvik") == "Report deviation"
    assert translations.ngettext("%(num)d dag", "%(num)d dager", 3) % {"num": 3} == "3 days"


def _set_language(email: str, language: str) -> None:
    user = find_user(email)
    assert isinstance(user, User)
    user.language = language
    db.session.commit()


def test_a_user_who_chose_english_gets_english_pages(app, client):
    with app.app_context():
        _set_language("admin@demo.demo", "en")
    login(client, "admin@demo.demo")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Report deviation" in page and "Meld avvik" not in page
    admin = client.get("/admin/organisasjoner").get_data(as_text=True)
    assert "Organisations" in admin and "Create organisation" in admin
    assert "Organisasjoner" not in admin


def test_the_language_control_keeps_the_choice_on_the_account(app, client):
    login(client, "melder@trondheim.demo")
    assert "Meld avvik" in client.get("/").get_data(as_text=True)
    response = client.post("/sprak", data={"lang": "en", "next": "/avvik/mine"})
    assert response.status_code == 302 and response.headers["Location"] == "/avvik/mine"
    assert "My deviations" in client.get("/avvik/mine").get_data(as_text=True)
    with app.app_context():
        assert find_user("melder@trondheim.demo").language == "en"  # type: ignore[union-attr]
    # A new browser (no cookie) gets English too: the choice is on the account.
    other = app.test_client()
    login(other, "melder@trondheim.demo")
    assert "Report deviation" in other.get("/").get_data(as_text=True)


def test_the_language_control_works_before_login_with_a_cookie(client):
    assert "Logg inn" in client.get("/logg-inn").get_data(as_text=True)
    client.post("/sprak", data={"lang": "en", "next": "/logg-inn"})
    page = client.get("/logg-inn").get_data(as_text=True)
    assert "Log in" in page and "Forgotten your password?" in page


@pytest.mark.parametrize("bad", ["de", "", "../en"])
def test_an_unknown_language_falls_back_to_norwegian(client, bad):
    client.post("/sprak", data={"lang": bad, "next": "https://evil.example/"})
    assert "Logg inn" in client.get("/logg-inn").get_data(as_text=True)


def test_invitation_mail_is_written_in_the_invitees_language(ctx):
    import sqlalchemy as sa

    from app.admin.services import invite_user
    from app.models import Organisation, OutboxMail

    admin = find_user("admin@demo.demo")
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Malvik"))
    invite_user(admin, "ny@malvik.demo", "Nora Ny", org.id, None, set(), language="en")
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.to_address == "ny@malvik.demo"))
    assert mail.subject == "You are invited to Samhandlingsavvik"
    assert "Choose your own password here" in mail.body and "72 hours" in mail.body


def test_logging_in_from_the_english_login_page_keeps_english_on_the_account(app, client):
    client.post("/sprak", data={"lang": "en", "next": "/logg-inn"})
    login(client, "mottak@malvik.demo")
    assert "Report deviation" in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert find_user("mottak@malvik.demo").language == "en"  # type: ignore[union-attr]
    # Switching back is kept too, and a fresh browser follows the account.
    client.post("/sprak", data={"lang": "nb"})
    fresh = app.test_client()
    login(fresh, "mottak@malvik.demo")
    assert "Meld avvik" in fresh.get("/").get_data(as_text=True)
