"""Norwegian labels for the stored enum values.

reports/ may not import the app (it pulls in Flask), so the values are spelled here; a test
checks they are exactly the values of app.models' enums. They stay Norwegian here (the importer
and the exports read them); N_() marks them as msgids, translated where a report prints them.
"""

from reports.i18n import N_

DIRECTIONS = {
    "kommune_sykehus": N_("Kommune til sykehus"),
    "sykehus_kommune": N_("Sykehus til kommune"),
    "kommune_kommune": N_("Kommune til kommune"),
    "annet": N_("Annet"),
}

HARMS = {
    "ikke_berort": N_("Pasienten ikke berørt"),
    "ingen": N_("Ingen skade"),
    "lav": N_("Lav"),
    "moderat": N_("Moderat"),
    "alvorlig": N_("Alvorlig"),
    "dod": N_("Død"),
}

STATUSES = {
    "sendt": N_("Sendt"),
    "mottatt": N_("Mottatt"),
    "under_behandling": N_("Under behandling"),
    "videresendt": N_("Videresendt"),
    "til_analyse": N_("Til hendelsesanalyse"),
    "besvart": N_("Besvart"),
    "avvist": N_("Avvist"),
}

CLOSED_STATUSES = frozenset({"besvart", "avvist"})
OPEN_STATUSES = frozenset(STATUSES) - CLOSED_STATUSES

# Issue 5's analysis module: the values its actions will carry.
ACTION_STATUSES = {
    "planlagt": N_("Planlagt"),
    "pagar": N_("Pågår"),
    "gjennomfort": N_("Gjennomført"),
    "forkastet": N_("Forkastet"),
}
ACTION_DONE = frozenset({"gjennomfort", "forkastet"})
ACTION_STRENGTHS = {"sterk": N_("Sterk"), "middels": N_("Middels"), "svak": N_("Svak")}

UNKNOWN_UNIT = N_("Enhet ikke oppgitt")
ALL_ORGANISATIONS = N_("Alle organisasjoner i helsefellesskapet")
