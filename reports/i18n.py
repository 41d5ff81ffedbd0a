"""The language a report is printed in, without Flask.

The msgids are the Norwegian text, as everywhere in the app, and live in the app's catalogue
(``app/translations``); ``pybabel extract`` reads reports/**.py too (babel.cfg). Two ways to mark
a string here:

- inside a render function, ``_ = language.gettext`` and then ``_("Nøkkeltall")``;
- a module-level constant (a label, a definition) is wrapped in ``N_()``, which only marks it for
  extraction, and is passed through ``language.gettext`` where it is printed.

The app hands over Flask-Babel's ``gettext`` for the user's language; the CLI and tests load the
compiled catalogue with Babel's own ``Translations`` (``load``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from babel.support import Translations

from reports.formatting import Numbers, for_language

Translate = Callable[[str], str]

CATALOGUE = Path(__file__).resolve().parents[1] / "app" / "translations"
LANGUAGES = ("nb", "en")
_PDF_LANG = {"nb": "nb-NO", "en": "en-GB"}


def N_(message: str) -> str:
    """Marks a msgid for extraction; it is translated where it is printed."""
    return message


def _untranslated(message: str) -> str:
    return message


@dataclass(frozen=True)
class Language:
    code: str  # "nb" or "en"
    gettext: Translate = field(default=_untranslated, compare=False)

    @property
    def numbers(self) -> Numbers:
        return for_language(self.code)

    @property
    def pdf_lang(self) -> str:
        """The document language written into the PDF (for screen readers)."""
        return _PDF_LANG.get(self.code, self.code)


NORWEGIAN = Language("nb")


def load(code: str, dirname: Path = CATALOGUE) -> Language:
    """A language from the compiled catalogue (``make install`` compiles it)."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {code!r}; choose one of {', '.join(LANGUAGES)}")
    if code == "nb":
        return NORWEGIAN
    translations = Translations.load(str(dirname), [code], domain="messages")
    if not isinstance(translations, Translations):  # Babel returns NullTranslations if no .mo
        raise FileNotFoundError(
            f"no compiled catalogue for {code!r} in {dirname}: run make install"
        )
    return Language(code, translations.gettext)
