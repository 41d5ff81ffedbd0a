"""Help texts and badges for the analysis enums; their labels are in reports/labels.py
(app.common.labels in the app)."""

from flask_babel import lazy_gettext as _l

from app.models import ActionStrength, AnalysisStatus, FactorGroup

STATUS_BADGE = {
    AnalysisStatus.PLANLAGT: "text-bg-info",
    AnalysisStatus.PAGAR: "text-bg-warning",
    AnalysisStatus.FERDIG: "text-bg-success",
    AnalysisStatus.AVBRUTT: "text-bg-light border",
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

# Keyed by the stored value, as the form's radio options carry it.
STRENGTH_HELP_BY_VALUE = {k.value: v for k, v in STRENGTH_HELP.items()}
FACTOR_GROUP_HELP_BY_VALUE = {k.value: v for k, v in FACTOR_GROUP_HELP.items()}

STRENGTH_BADGE = {
    ActionStrength.STERK: "text-bg-success",
    ActionStrength.MIDDELS: "text-bg-warning",
    ActionStrength.SVAK: "text-bg-light border",
}
