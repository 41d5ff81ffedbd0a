"""Norwegian labels for the enum values, translated through Flask-Babel."""

from flask_babel import lazy_gettext as _l

from app.models import Direction, Harm, OrgKind, Role, Status

STATUS = {
    Status.SENDT: _l("Sendt"),
    Status.MOTTATT: _l("Mottatt"),
    Status.UNDER_BEHANDLING: _l("Under behandling"),
    Status.VIDERESENDT: _l("Videresendt"),
    Status.TIL_ANALYSE: _l("Til hendelsesanalyse"),
    Status.BESVART: _l("Besvart"),
    Status.AVVIST: _l("Avvist"),
}

HARM = {
    Harm.IKKE_BEROERT: _l("Uønsket hendelse uten at pasienten ble berørt"),
    Harm.INGEN: _l("Ingen skade"),
    Harm.LAV: _l("Lav"),
    Harm.MODERAT: _l("Moderat"),
    Harm.ALVORLIG: _l("Alvorlig"),
    Harm.DOD: _l("Død"),
}

DIRECTION = {
    Direction.KOMMUNE_SYKEHUS: _l("kommune → sykehus"),
    Direction.SYKEHUS_KOMMUNE: _l("sykehus → kommune"),
    Direction.KOMMUNE_KOMMUNE: _l("kommune → kommune"),
    Direction.ANNET: _l("annet"),
}

ORG_KIND = {
    OrgKind.KOMMUNE: _l("kommune"),
    OrgKind.SYKEHUS: _l("sykehus"),
    OrgKind.ANNET: _l("annet"),
}

ROLE = {
    Role.MELDER: _l("melder"),
    Role.SAKSBEHANDLER: _l("saksbehandler"),
    Role.ANALYTIKER: _l("analytiker"),
    Role.FORBEDRINGSGRUPPE: _l("forbedringsgruppe"),
    Role.ADMIN: _l("administrator"),
    Role.LOKAL_ADMIN: _l("lokal administrator"),
    Role.PERSONVERN: _l("personvernombud"),
}

STATUS_BADGE = {
    Status.SENDT: "text-bg-primary",
    Status.MOTTATT: "text-bg-info",
    Status.UNDER_BEHANDLING: "text-bg-warning",
    Status.VIDERESENDT: "text-bg-secondary",
    Status.TIL_ANALYSE: "text-bg-dark",
    Status.BESVART: "text-bg-success",
    Status.AVVIST: "text-bg-light border",
}

from app.models import EventKind

EVENT = {
    EventKind.CREATED: _l("Avvik meldt"),
    EventKind.IMPORTED: _l("Importert fra tidligere registrering"),
    EventKind.TRANSITION: _l("Status endret"),
    EventKind.PATIENT_ID_SHOWN: _l("Pasientens identitet vist"),
    EventKind.PATIENT_ID_ERASED: _l("Pasientens identitet slettet"),
    EventKind.PATIENT_ID_EXPIRED_OPEN: _l(
        "Pasientens identitet slettet fordi saken har vært åpen for lenge"
    ),
}

from app.models import AccessAction

ACCESS = {
    AccessAction.DEVIATION_VIEWED: _l("Åpnet avviket"),
    AccessAction.PATIENT_ID_SHOWN: _l("Så pasientens identitet"),
    AccessAction.ANALYSIS_VIEWED: _l("Åpnet hendelsesanalysen"),
    AccessAction.ANALYSIS_PDF: _l("Lastet ned hendelsesanalysen som PDF"),
    AccessAction.PATIENT_SEARCH: _l("Søkte etter en pasients saker"),
    AccessAction.PATIENT_SEARCH_HIT: _l("Fant saken i et søk på pasient (personvernombud)"),
}
