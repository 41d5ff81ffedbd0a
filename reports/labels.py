"""Norwegian labels for the stored enum values.

reports/ may not import the app (it pulls in Flask), so the values are spelled here; a test
checks they are exactly the values of app.models' enums.
"""

DIRECTIONS = {
    "kommune_sykehus": "Kommune til sykehus",
    "sykehus_kommune": "Sykehus til kommune",
    "kommune_kommune": "Kommune til kommune",
    "annet": "Annet",
}

HARMS = {
    "ikke_berort": "Pasienten ikke berørt",
    "ingen": "Ingen skade",
    "lav": "Lav",
    "moderat": "Moderat",
    "alvorlig": "Alvorlig",
    "dod": "Død",
}

STATUSES = {
    "sendt": "Sendt",
    "mottatt": "Mottatt",
    "under_behandling": "Under behandling",
    "videresendt": "Videresendt",
    "til_analyse": "Til hendelsesanalyse",
    "besvart": "Besvart",
    "avvist": "Avvist",
}

CLOSED_STATUSES = frozenset({"besvart", "avvist"})
OPEN_STATUSES = frozenset(STATUSES) - CLOSED_STATUSES

# Issue 5's analysis module: the values its actions will carry.
ACTION_STATUSES = {
    "planlagt": "Planlagt",
    "pagar": "Pågår",
    "gjennomfort": "Gjennomført",
    "forkastet": "Forkastet",
}
ACTION_DONE = frozenset({"gjennomfort", "forkastet"})
ACTION_STRENGTHS = {"sterk": "Sterk", "middels": "Middels", "svak": "Svak"}

UNKNOWN_UNIT = "Enhet ikke oppgitt"
ALL_ORGANISATIONS = "Alle organisasjoner i helsefellesskapet"
