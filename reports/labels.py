"""The one spelling of every stored enum value, for the pages, the mails, the exports and the PDFs.

reports/ may not import the app (it pulls in Flask), so each table is keyed by the stored value
(a ``StrEnum`` member is equal to its value, so ``HARMS[Harm.LAV]`` works as well as
``HARMS["lav"]``); tests/test_labels.py checks that every enum of app.models has its table here,
with exactly its values. The labels are the Norwegian msgids, marked with ``N_()`` and translated
where they are printed: by the report's ``language.gettext`` in reports/, by Flask-Babel for the
request's language in the app (app/common/labels.py). The importer reads these Norwegian labels
back from the exports.
"""

from reports.i18n import N_

# -- the deviation (app.models.deviation) --

# The handler's words (docs/glossary.md). A case nobody has opened yet is "Ny", not "Sendt":
# from the mottak's side nothing has been sent.
STATUSES = {
    "sendt": N_("Ny"),
    "mottatt": N_("Mottatt"),
    "under_behandling": N_("Under behandling"),
    "videresendt": N_("Videresendt"),
    "til_analyse": N_("Til hendelsesanalyse"),
    "besvart": N_("Besvart"),
    "avvist": N_("Avvist"),
}
CLOSED_STATUSES = frozenset({"besvart", "avvist"})
OPEN_STATUSES = frozenset(STATUSES) - CLOSED_STATUSES

# The reporting side reads four statuses (issue 22): whether a case is acknowledged, forwarded
# to a unit or sent to an incident analysis is the receiving organisation's business, and the
# reporter needs only to know whether it has arrived, is being worked on, or is answered.
REPORTER_STATUSES = {
    "mottatt": N_("Mottatt"),
    "under_arbeid": N_("Under arbeid"),
    "besvart": N_("Besvart"),
    "avvist": N_("Avvist"),
}
REPORTER_STATUS_HELP = {
    "mottatt": N_("Avviket er kommet fram til mottaket og venter på behandling."),
    "under_arbeid": N_("Mottaket arbeider med avviket. Du får e-post når det er besvart."),
    "besvart": N_("Mottaket har svart, og avviket er lukket. Svaret står på avvikets side."),
    "avvist": N_(
        "Mottaket mener at dette ikke er et samhandlingsavvik. Begrunnelsen står på avvikets side."
    ),
}
# Every internal status is exactly one reporter status (tests/test_labels.py).
REPORTER_STATUS_OF = {
    "sendt": "mottatt",
    "mottatt": "mottatt",
    "under_behandling": "under_arbeid",
    "videresendt": "under_arbeid",
    "til_analyse": "under_arbeid",
    "besvart": "besvart",
    "avvist": "avvist",
}

# WHO's minimal information model, plus the near miss (DESIGN.md: a noun label each). One name
# for the scale on the form, the case page, the statistics and the PDF.
HARM_SCALE = N_("Skade på pasienten")
HARMS = {
    "ikke_berort": N_("Nestenuhell"),
    "ingen": N_("Ingen skade"),
    "lav": N_("Liten skade"),
    "moderat": N_("Moderat skade"),
    "alvorlig": N_("Alvorlig skade"),
    "dod": N_("Dødsfall"),
}
# One line under each harm wherever the scale is shown, so a level is picked and read by its
# meaning, not by its adjective (docs/glossary.md).
HARM_HELP = {
    "ikke_berort": N_("Hendelsen ble fanget opp før den nådde pasienten."),
    "ingen": N_("Hendelsen nådde pasienten, men ga ingen skade."),
    "lav": N_("Liten, forbigående skade som trengte lite eller ingen ekstra behandling."),
    "moderat": N_("Skade som trengte ekstra behandling eller oppfølging, uten varige følger."),
    "alvorlig": N_("Betydelig eller varig skade, eller fare for pasientens liv."),
    "dod": N_("Hendelsen kan ha bidratt til at pasienten døde."),
}
# The labels exports and spreadsheets carried before the glossary (2026-12): the importer still
# reads them back. Not translated: they are only ever read.
FORMER_HARMS = {
    "Uønsket hendelse uten at pasienten ble berørt": "ikke_berort",
    "Pasienten ikke berørt": "ikke_berort",
    "Lav": "lav",
    "Moderat": "moderat",
    "Alvorlig": "alvorlig",
    "Død": "dod",
}
FORMER_STATUSES = {
    "Sendt": "sendt",
    "Under behandling": "under_behandling",
    "Til analyse": "til_analyse",
}

# The harms that may make a case an "alvorlig hendelse" (app.models.deviation.SERIOUS_HARMS).
SERIOUS_HARMS = ("alvorlig", "dod")

DIRECTIONS = {
    "kommune_sykehus": N_("Kommune til sykehus"),
    "sykehus_kommune": N_("Sykehus til kommune"),
    "kommune_kommune": N_("Kommune til kommune"),
    "annet": N_("Annet"),
}

EVENTS = {
    "opprettet": N_("Avvik meldt"),
    "importert": N_("Importert fra tidligere registrering"),
    "statusendring": N_("Status endret"),
    "pasient_vist": N_("Pasientens identitet vist"),
    "pasient_slettet": N_("Pasientens identitet slettet"),
    "pasient_utlopt": N_("Pasientens identitet slettet fordi avviket har vært åpent for lenge"),
    "sak_anonymisert": N_("Avviket anonymisert etter oppbevaringstiden"),
    "pasient_rettet": N_("Pasientens nummer rettet"),
    "tekst_fjernet": N_("Tekst fjernet"),
    "tilsyn_varslet": N_("Varslet Helsetilsynet"),
    "ikke_pliktig": N_("Ikke varslingspliktig"),
}

# What the system says in a case's history (app.models.deviation.HistoryLine): a sentence whose
# placeholders are filled, in the reader's language, with the names the row stores by id.
HISTORY_LINES = {
    "apnet": N_("Bekreftet da avviket ble åpnet første gang"),
    "videresendt": N_("Videresendt til %(unit)s"),
    "sendt_videre": N_("Sendt fra %(old)s til %(new)s"),
    "reservemottak": N_(
        "Sendt fra %(old)s til reservemottaket hos %(new)s: mottaket hos %(old)s har "
        "ingen saksbehandler."
    ),
    "uten_saksbehandler": N_(
        "Mottaket hos %(org)s har ingen saksbehandler, og det er ikke valgt noe "
        "reservemottak som kan ta avviket. Administratorene har fått e-post."
    ),
}

# -- the incident analysis (app.models.analysis) --

ANALYSIS_STATUSES = {
    "planlagt": N_("Planlagt"),
    "pagar": N_("Pågår"),
    "ferdig": N_("Ferdig"),
    "avbrutt": N_("Avbrutt"),
}

ACTION_STATUSES = {
    "planlagt": N_("Planlagt"),
    "pagar": N_("Pågår"),
    "gjennomfort": N_("Gjennomført"),
    "forkastet": N_("Forkastet"),
}
ACTION_DONE = frozenset({"gjennomfort", "forkastet"})

# RCA²'s action hierarchy.
ACTION_STRENGTHS = {"sterk": N_("Sterk"), "middels": N_("Middels"), "svak": N_("Svak")}

# The London Protocol's seven groups of contributory factors.
FACTOR_GROUPS = {
    "pasient": N_("Pasient"),
    "oppgave_teknologi": N_("Oppgave og teknologi"),
    "individ": N_("Individ (ansatt)"),
    "team": N_("Team"),
    "arbeidsmiljo": N_("Arbeidsmiljø"),
    "organisasjon_ledelse": N_("Organisasjon og ledelse"),
    "ytre_forhold": N_("Ytre forhold"),
}

ANALYSIS_EVENTS = {
    "opprettet": N_("Analyse opprettet"),
    "endret": N_("Mandat eller rammer endret"),
    "status": N_("Status endret"),
    "avvik_koblet": N_("Avvik lagt til"),
    "avvik_besvart": N_("Avvik besvart med henvisning til analysen"),
    "medlem_lagt_til": N_("Medlem lagt til"),
    "medlem_fjernet": N_("Medlem fjernet"),
    "leder_endret": N_("Ny leder"),
    "tidslinje_lagt_til": N_("Hendelse lagt til i tidslinjen"),
    "tidslinje_endret": N_("Hendelse i tidslinjen endret"),
    "tidslinje_slettet": N_("Hendelse slettet fra tidslinjen"),
    "problem_lagt_til": N_("Problem lagt til"),
    "problem_endret": N_("Problem endret"),
    "problem_slettet": N_("Problem slettet"),
    "faktor_lagt_til": N_("Medvirkende faktor lagt til"),
    "faktor_endret": N_("Medvirkende faktor endret"),
    "faktor_slettet": N_("Medvirkende faktor slettet"),
    "rotarsak_lagt_til": N_("Rotårsak lagt til"),
    "rotarsak_endret": N_("Rotårsak endret"),
    "rotarsak_slettet": N_("Rotårsak slettet"),
    "tiltak_lagt_til": N_("Tiltak lagt til"),
    "tiltak_endret": N_("Tiltak endret"),
    "tiltak_slettet": N_("Tiltak slettet"),
    "laering_lagt_til": N_("Læringspunkt lagt til"),
    "laering_endret": N_("Læringspunkt endret"),
    "laering_slettet": N_("Læringspunkt slettet"),
}

# -- learning (app.models.learning) --

LESSON_STATUSES = {
    "til_vurdering": N_("Til vurdering"),
    "returnert": N_("Sendt tilbake"),
    "publisert": N_("Publisert"),
    "trukket": N_("Trukket tilbake"),
}

# -- people, organisations and their logs --

ROLES = {
    "melder": N_("melder"),
    "saksbehandler": N_("saksbehandler"),
    "analytiker": N_("analytiker"),
    "forbedringsgruppe": N_("forbedringsgruppe"),
    "admin": N_("administrator"),
    "lokal_admin": N_("lokal administrator"),
    "personvern": N_("personvernombud"),
}
# One line under each role in the admin's invitation and user forms: what the role may do
# (../shared/DESIGN.md, people and roles), so the admin chooses by what a person needs.
ROLE_HELP = {
    "melder": N_("Melder avvik og følger sine egne. Alle brukere kan dette."),
    "saksbehandler": N_(
        "Bemanner mottaket: ser og behandler avvik sendt til organisasjonen eller videresendt "
        "til enheten, og ser avvik meldt fra organisasjonen."
    ),
    "analytiker": N_("Deltar i hendelsesanalysene personen er medlem av."),
    "forbedringsgruppe": N_(
        "Ser statistikk og tertialrapporter for alle organisasjoner; avvikstekster bare uten "
        "personopplysninger."
    ),
    "admin": N_(
        "Forvalter organisasjoner, enheter, kategorier, avtaler, brukere og svarfrister for hele "
        "helsefellesskapet."
    ),
    "lokal_admin": N_("Forvalter enhetene og brukerne i egen organisasjon."),
    "personvern": N_(
        "Personvernombud for egen organisasjon: ser tilgangsloggene og hvilke avvik som gjelder "
        "en bestemt pasient."
    ),
}

ORG_KINDS = {"kommune": N_("kommune"), "sykehus": N_("sykehus"), "annet": N_("annet")}

ACCESS_ACTIONS = {
    "avvik_vist": N_("Åpnet avviket"),
    "pasient_vist": N_("Så pasientens identitet"),
    "analyse_vist": N_("Åpnet hendelsesanalysen"),
    "analyse_pdf": N_("Lastet ned hendelsesanalysen som PDF"),
    "personvern_sok": N_("Søkte etter en pasients avvik"),
    "personvern_treff": N_("Fant avviket i et søk på pasient (personvernombud)"),
    "avvik_listet": N_("Så avviket i en liste (mottak eller søk)"),
    "eksport": N_("Lastet ned en eksport"),
}

ALERT_KINDS = {
    "mange_saker": N_("Leste uvanlig mange avvik på én dag"),
    "samme_pasient": N_("Leste flere avvik om samme pasient fra den meldende siden"),
}

SECURITY_EVENTS = {
    "login": N_("Innlogget"),
    "login_failed": N_("Mislykket innlogging"),
    "locked": N_("Kontoen må vente"),
    "logout": N_("Logget ut"),
    "password_changed": N_("Passord endret"),
    "second_factor_enrolled": N_("Totrinnsinnlogging satt opp"),
    "second_factor_reset": N_("Totrinnsinnlogging tilbakestilt"),
    "session_ended": N_("Innlogging avsluttet"),
    "api_token_used": N_("API-nøkkel brukt"),
    "api_token_refused": N_("API-nøkkel avvist"),
    "api_client_created": N_("API-klient opprettet"),
    "api_client_revoked": N_("API-klient trukket tilbake"),
}

# A webhook delivery (app/api/webhooks.py), as the API clients' page shows it.
DELIVERY_STATUSES = {"pending": N_("Venter"), "delivered": N_("Levert"), "failed": N_("Ga opp")}

# What a mailed link was for, as the administrative log names it.
TOKEN_PURPOSES = {"invitation": N_("invitasjon"), "reset": N_("nytt passord")}

# Not an enum: the words the tertial report prints for a missing unit and the whole community.
UNKNOWN_UNIT = N_("Enhet ikke oppgitt")
ALL_ORGANISATIONS = N_("Alle organisasjoner i helsefellesskapet")
