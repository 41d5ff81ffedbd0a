"""What the synthetic deviations look like: who files them, when, about what, how serious,
and how far their handling has come. Plain numbers and texts, no database: demo_bulk.py draws
the rows from these with a seeded random generator, so the same seed gives the same data.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from app.common.dates import OSLO
from app.models import Harm, Status

YEARS = 3

# Rough populations (thousands): a municipality's share of the traffic follows its size.
MUNICIPAL_WEIGHT = {
    "Trondheim": 214, "Orkland": 18.5, "Melhus": 17, "Malvik": 14.5, "Ørland": 10.5, "Skaun": 8.6,
    "Oppdal": 7.0, "Midtre Gauldal": 6.3, "Heim": 5.9, "Røros": 5.6, "Frøya": 5.3, "Hitra": 5.1,
    "Selbu": 4.2, "Indre Fosen": 3.5, "Rennebu": 2.5, "Holtålen": 2.0, "Rindal": 2.0, "Åfjord": 1.0,
    "Tydal": 0.8,
}  # fmt: skip
DIRECTION_SHARE = {"kommune_sykehus": 0.55, "sykehus_kommune": 0.36, "kommune_kommune": 0.09}

CATEGORY_WEIGHT = {
    "Utskrivning": 22, "Legemidler/legemiddelliste": 18, "Epikrise/dokumentasjon": 14,
    "Elektronisk meldingsutveksling (PLO)": 12, "Informasjon og kommunikasjon": 10,
    "Innleggelse": 9, "Behandling/oppfølging": 6, "Hjelpemidler/utstyr": 4,
    "Helseplattformen/IKT": 3, "Transport": 2, "Annet": 2,
}  # fmt: skip
HARM_WEIGHT = {
    Harm.INGEN: 35, Harm.LAV: 28, Harm.IKKE_BEROERT: 20, Harm.MODERAT: 13, Harm.ALVORLIG: 3.5,
    Harm.DOD: 0.5,
}  # fmt: skip

# Local hour a report is filed: day shift, then the evening shift, little at night.
HOUR_WEIGHT = [1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 11, 10, 11, 12, 10, 7, 6, 6, 6, 5, 4, 2, 1]

TEXTS: dict[str, list[tuple[str, str]]] = {
    "Utskrivning": [
        ("Utskrevet uten varsel til hjemmetjenesten", "Pasienten kom hjem på kvelden uten at hjemmetjenesten var varslet. Ingen tiltak var planlagt."),
        ("Utskrevet fredag kveld", "Utskrivning sent fredag, etter at kommunens tildelingskontor hadde stengt."),
        ("Utskrivningsklar uten melding", "Vi fikk ikke melding om utskrivningsklar pasient før pasienten sto i døren."),
    ],
    "Legemidler/legemiddelliste": [
        ("Legemiddelliste stemte ikke", "Legemiddellisten i epikrisen stemte ikke med det pasienten fikk på sykehuset."),
        ("Manglet medisiner ved hjemkomst", "Pasienten kom hjem uten medisiner for helgen og uten resept."),
        ("Dosering uklar", "Doseringen av blodfortynnende var ikke beskrevet, og lege måtte kontaktes."),
    ],
    "Epikrise/dokumentasjon": [
        ("Epikrise manglet", "Epikrisen var ikke sendt da pasienten kom til helsehuset."),
        ("Mangelfull sykepleiesammenfatning", "Sykepleiesammenfatningen manglet opplysninger om sår og ernæring."),
    ],
    "Elektronisk meldingsutveksling (PLO)": [
        ("Innleggelsesrapport ikke mottatt", "Vi sendte innleggelsesrapport, men avdelingen sier de ikke har mottatt den."),
        ("PLO-melding ubesvart", "Forespørsel via PLO ble ikke besvart på to døgn."),
    ],
    "Informasjon og kommunikasjon": [
        ("Fikk ikke tak i avdelingen", "Ringte flere ganger uten å få svar. Viktig informasjon kom ikke fram."),
        ("Pårørende ikke informert", "Pårørende var ikke informert om overflyttingen."),
    ],
    "Innleggelse": [
        ("Mangelfull innleggelsesrapport", "Innleggelsesrapporten manglet opplysninger om funksjonsnivå og pårørende."),
        ("Innlagt uten legemiddelliste", "Pasienten ble sendt inn uten oppdatert legemiddelliste."),
    ],
    "Behandling/oppfølging": [
        ("Oppfølging ikke avtalt", "Planlagt kontroll var ikke bestilt, og ingen visste hvem som hadde ansvaret."),
        ("Sårbehandling ikke beskrevet", "Det manglet beskrivelse av sårbehandling etter operasjonen."),
    ],
    "Hjelpemidler/utstyr": [
        ("Seng ikke på plass", "Pasienten trengte sykehusseng, men den var ikke levert ved hjemkomst."),
        ("Utstyr fulgte ikke med", "Oksygenutstyr fulgte ikke med pasienten hjem."),
    ],
    "Helseplattformen/IKT": [
        ("Melding forsvant i systemet", "Meldingen ble sendt, men kom aldri fram i mottakerens innboks."),
        ("Feil i dokumentdeling", "Dokumentene var ikke tilgjengelige for kommunen etter utskrivning."),
    ],
    "Transport": [
        ("Transport ikke bestilt", "Pasienten ventet i flere timer fordi transporten ikke var bestilt."),
    ],
    "Annet": [
        ("Uklar ansvarsfordeling", "Det var uklart hvem som skulle følge opp pasienten etter utskrivning."),
    ],
}  # fmt: skip
IMMEDIATE = [
    "", "", "Ringte avdelingen og fikk sendt opplysningene.", "Legevakten ble kontaktet.",
    "Hjemmesykepleien hentet medisiner på apoteket.",
]  # fmt: skip
SUGGESTION = ["", "", "Varsle kommunen før utskrivning.", "Bruk sjekkliste ved utskrivning."]
RESPONSE = [
    "Saken er gjennomgått med avdelingen, og rutinen for utskrivning er presisert.",
    "Takk for meldingen. Vi har tatt dette opp i personalmøtet.",
    "Saken er drøftet i samhandlingsmøtet, og rutinen er oppdatert.",
]
REJECTION = [
    "Dette er ikke et samhandlingsavvik og bør meldes i eget avvikssystem.",
    "Hendelsen gjelder intern rutine hos melder.",
]


def day_weights(start: date, days: int) -> list[float]:
    """Relative filings per day: summer holidays and Christmas up, weekends down, slow growth."""
    weights = []
    for i in range(days):
        day = start + timedelta(days=i)
        doy = day.timetuple().tm_yday
        season = (
            1.0
            + 0.45 * math.exp(-(((doy - 200) / 22) ** 2))  # fellesferie, July
            + 0.55 * math.exp(-(((doy - 358) / 6) ** 2))  # Christmas
            + 0.15 * math.exp(-(((doy - 100) / 5) ** 2))  # Easter, roughly
        )
        weekday = 0.55 if day.weekday() >= 5 else 1.0
        growth = 1.0 + 0.25 * i / days
        weights.append(season * weekday * growth)
    return weights


def status_for(rng: random.Random, age_days: float) -> Status:
    """Older cases are closed; the newest still wait in the inbox."""
    r = rng.random()
    if age_days > 90:
        closed, open_mix = 0.96, (Status.UNDER_BEHANDLING, Status.TIL_ANALYSE, Status.VIDERESENDT)
    elif age_days > 30:
        closed, open_mix = 0.75, (Status.UNDER_BEHANDLING, Status.MOTTATT, Status.TIL_ANALYSE)
    elif age_days > 7:
        closed, open_mix = 0.35, (Status.MOTTATT, Status.UNDER_BEHANDLING, Status.SENDT)
    else:
        closed, open_mix = 0.05, (Status.SENDT, Status.SENDT, Status.MOTTATT)
    if r < closed:
        return Status.AVVIST if rng.random() < 0.09 else Status.BESVART
    return open_mix[int(rng.random() * 3)]


# The step before the current status, for the one transition row each moved case gets.
PREVIOUS_STATUS = {
    Status.MOTTATT: Status.SENDT,
    Status.UNDER_BEHANDLING: Status.MOTTATT,
    Status.VIDERESENDT: Status.MOTTATT,
    Status.TIL_ANALYSE: Status.UNDER_BEHANDLING,
    Status.BESVART: Status.UNDER_BEHANDLING,
    Status.AVVIST: Status.MOTTATT,
}


def registration_times(rng: random.Random, n: int, now: datetime) -> list[datetime]:
    """n registration times over the last YEARS years, seasonal, sorted oldest first."""
    today = now.astimezone(OSLO).date()
    start = today.replace(year=today.year - YEARS) + timedelta(days=1)
    days = (today - start).days + 1
    cum_days = list(_accumulate(day_weights(start, days)))
    cum_hours = list(_accumulate(HOUR_WEIGHT))
    day_idx = rng.choices(range(days), cum_weights=cum_days, k=n)
    hours = rng.choices(range(24), cum_weights=cum_hours, k=n)
    day_idx.sort()
    result = []
    for i, hour in zip(day_idx, hours, strict=True):
        day = start + timedelta(days=i)
        local_dt = datetime(day.year, day.month, day.day, hour, int(rng.random() * 60),
                            int(rng.random() * 60), tzinfo=OSLO)  # fmt: skip
        at = local_dt.astimezone(UTC)
        result.append(min(at, now - timedelta(seconds=1)))
    # Hour jitter within a day can reorder; numbers must follow time within a year.
    result.sort()
    return result


def _accumulate(values: list[float] | list[int]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total
