"""Norwegian labels and help texts for the analysis enums, translated through Flask-Babel."""

from flask_babel import lazy_gettext as _l

from app.models import ActionStatus, ActionStrength, AnalysisEventKind, AnalysisStatus, FactorGroup

STATUS = {
    AnalysisStatus.PLANLAGT: _l("Planlagt"),
    AnalysisStatus.PAGAR: _l("Pågår"),
    AnalysisStatus.FERDIG: _l("Ferdig"),
    AnalysisStatus.AVBRUTT: _l("Avbrutt"),
}

STATUS_BADGE = {
    AnalysisStatus.PLANLAGT: "text-bg-info",
    AnalysisStatus.PAGAR: "text-bg-warning",
    AnalysisStatus.FERDIG: "text-bg-success",
    AnalysisStatus.AVBRUTT: "text-bg-light border",
}

ACTION_STATUS = {
    ActionStatus.PLANLAGT: _l("Planlagt"),
    ActionStatus.PAGAR: _l("Pågår"),
    ActionStatus.GJENNOMFORT: _l("Gjennomført"),
    ActionStatus.FORKASTET: _l("Forkastet"),
}

STRENGTH = {
    ActionStrength.STERK: _l("Sterk"),
    ActionStrength.MIDDELS: _l("Middels"),
    ActionStrength.SVAK: _l("Svak"),
}

# The RCA² action hierarchy's examples, shown beside the choice so a team picks honestly.
STRENGTH_HELP = {
    ActionStrength.STERK: _l(
        "Endrer systemet så feilen blir vanskelig å gjøre: fysiske endringer, tvingende "
        "funksjoner i IKT (sperrer), forenkling av prosessen, standardisert utstyr eller "
        "prosess, synlig ledelse som følger opp."
    ),
    ActionStrength.MIDDELS: _l(
        "Støtter den som gjør jobben: sjekklister og huskelister, redundans (dobbeltkontroll med "
        "to uavhengige), økt bemanning eller mindre arbeidsbelastning, programvareforbedringer, "
        "fjerne forstyrrelser, simuleringstrening."
    ),
    ActionStrength.SVAK: _l(
        "Avhenger av at folk husker: dobbeltkontroll, varsler og advarsler, ny prosedyre, "
        "memo eller skriv, opplæring, ekstra undersøkelse eller analyse."
    ),
}

FACTOR_GROUP = {
    FactorGroup.PASIENT: _l("Pasient"),
    FactorGroup.OPPGAVE_TEKNOLOGI: _l("Oppgave og teknologi"),
    FactorGroup.INDIVID: _l("Individ (ansatt)"),
    FactorGroup.TEAM: _l("Team"),
    FactorGroup.ARBEIDSMILJO: _l("Arbeidsmiljø"),
    FactorGroup.ORGANISASJON_LEDELSE: _l("Organisasjon og ledelse"),
    FactorGroup.YTRE_FORHOLD: _l("Ytre forhold"),
}

FACTOR_GROUP_HELP = {
    FactorGroup.PASIENT: _l("Tilstand, kommunikasjon, språk, sosiale forhold."),
    FactorGroup.OPPGAVE_TEKNOLOGI: _l(
        "Prosedyrer, utstyr, IKT og meldingsutveksling, tilgjengelige beslutningsgrunnlag."
    ),
    FactorGroup.INDIVID: _l("Kunnskap, ferdigheter, erfaring, helse og trøtthet."),
    FactorGroup.TEAM: _l("Muntlig og skriftlig kommunikasjon, veiledning, hjelp, ansvarsdeling."),
    FactorGroup.ARBEIDSMILJO: _l("Bemanning, arbeidsmengde, vaktordning, lokaler, avbrytelser."),
    FactorGroup.ORGANISASJON_LEDELSE: _l(
        "Ressurser, prioriteringer, organisering, avtaler mellom nivåene, sikkerhetskultur."
    ),
    FactorGroup.YTRE_FORHOLD: _l(
        "Lover og føringer, økonomiske rammer, forhold utenfor virksomhetene."
    ),
}

EVENT = {
    AnalysisEventKind.CREATED: _l("Analyse opprettet"),
    AnalysisEventKind.DETAILS_CHANGED: _l("Mandat eller rammer endret"),
    AnalysisEventKind.STATUS_CHANGED: _l("Status endret"),
    AnalysisEventKind.DEVIATION_LINKED: _l("Avvik lagt til"),
    AnalysisEventKind.DEVIATION_ANSWERED: _l("Avvik besvart med henvisning til analysen"),
    AnalysisEventKind.MEMBER_ADDED: _l("Medlem lagt til"),
    AnalysisEventKind.MEMBER_REMOVED: _l("Medlem fjernet"),
    AnalysisEventKind.LEADER_CHANGED: _l("Ny leder"),
    AnalysisEventKind.TIMELINE_ADDED: _l("Hendelse lagt til i tidslinjen"),
    AnalysisEventKind.TIMELINE_CHANGED: _l("Hendelse i tidslinjen endret"),
    AnalysisEventKind.TIMELINE_DELETED: _l("Hendelse slettet fra tidslinjen"),
    AnalysisEventKind.PROBLEM_ADDED: _l("Problem lagt til"),
    AnalysisEventKind.PROBLEM_CHANGED: _l("Problem endret"),
    AnalysisEventKind.PROBLEM_DELETED: _l("Problem slettet"),
    AnalysisEventKind.FACTOR_ADDED: _l("Medvirkende faktor lagt til"),
    AnalysisEventKind.FACTOR_CHANGED: _l("Medvirkende faktor endret"),
    AnalysisEventKind.FACTOR_DELETED: _l("Medvirkende faktor slettet"),
    AnalysisEventKind.ROOT_CAUSE_ADDED: _l("Rotårsak lagt til"),
    AnalysisEventKind.ROOT_CAUSE_CHANGED: _l("Rotårsak endret"),
    AnalysisEventKind.ROOT_CAUSE_DELETED: _l("Rotårsak slettet"),
    AnalysisEventKind.ACTION_ADDED: _l("Tiltak lagt til"),
    AnalysisEventKind.ACTION_CHANGED: _l("Tiltak endret"),
    AnalysisEventKind.ACTION_DELETED: _l("Tiltak slettet"),
    AnalysisEventKind.LEARNING_ADDED: _l("Læringspunkt lagt til"),
    AnalysisEventKind.LEARNING_CHANGED: _l("Læringspunkt endret"),
    AnalysisEventKind.LEARNING_DELETED: _l("Læringspunkt slettet"),
}

# Keyed by the stored value, as the form's radio options carry it.
STRENGTH_HELP_BY_VALUE = {k.value: v for k, v in STRENGTH_HELP.items()}
FACTOR_GROUP_HELP_BY_VALUE = {k.value: v for k, v in FACTOR_GROUP_HELP.items()}

STRENGTH_BADGE = {
    ActionStrength.STERK: "text-bg-success",
    ActionStrength.MIDDELS: "text-bg-warning",
    ActionStrength.SVAK: "text-bg-light border",
}
