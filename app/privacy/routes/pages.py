"""The data protection officer's pages (/personvern): find a patient's cases and who read them,
and the organisation's access log. Everyone else gets 404 (blueprint.py)."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.common import labels
from app.common.dates import format_date, format_datetime
from app.common.identity import normalise
from app.common.ids import parse_id
from app.common.translations import report_language
from app.common.writing import writing
from app.models import utcnow
from app.privacy import services
from app.privacy.forms import LogFilterForm, PatientSearchForm
from app.privacy.routes.blueprint import bp


@bp.route("/", methods=["GET", "POST"])
def index():
    """The search is a POST and its answer is drawn in reply: the number never appears in an
    address, a server log or the browser's history."""
    form = PatientSearchForm()
    results = None
    if form.validate_on_submit():
        number = normalise(form.number.data)
        with writing(form=form) as done:
            done.value = services.patient_cases(current_user, number)
        results = done.value if done else None
    status = 422 if form.errors else 200
    return render_template("privacy/index.html", form=form, results=results), status


@bp.get("/uvanlig")
def unusual_access():
    """The daily check's finds for the officer's organisation (app/privacy/unusual_access.py)."""
    from app.privacy.unusual_access import alerts_for

    return render_template(
        "privacy/unusual.html",
        alerts=alerts_for(current_user),
        limit=int(_config("UNUSUAL_ACCESS_CASES_PER_DAY")),
    )


@bp.get("/tilgangslogg")
def access_log():
    form = LogFilterForm(request.args)
    before = request.args.get("for", type=parse_id)
    entries, next_before = [], None
    if form.validate():
        entries, next_before = services.organisation_log(
            current_user,
            email=form.email.data or None,
            reference=form.reference.data or None,
            before_id=before,
        )
    return render_template(
        "privacy/log.html", form=form, entries=entries, next_before=next_before
    ), (422 if form.errors else 200)


# The columns of the art. 15 CSV: one row per reading of a case that concerns the patient.
ACCESS_COLUMNS = [
    "reference",
    "registered",
    "reporter_org",
    "counterpart_org",
    "read_at",
    "reader",
    "reader_email",
    "reader_org",
    "action",
]


def _patient_answer():
    """The validated search form and, when valid, the cases with their readers (the search is
    logged, as on the page); the number itself goes into no file."""
    form = PatientSearchForm()
    if not form.validate_on_submit():
        return form, None
    with writing(form=form) as done:
        done.value = services.patient_cases(current_user, normalise(form.number.data))
    return form, (done.value if done else None)


def _refused(form):
    return render_template("privacy/index.html", form=form, results=None), 422


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _reading_rows(case) -> list[list[str]]:
    return [
        [
            format_datetime(e.at, at=_("kl.")),
            e.user.name,
            e.organisation.name,
            str(labels.ACCESS[e.action]),
        ]
        for e in case.entries
    ]


@bp.post("/innsyn.csv")
def access_csv():
    """Art. 15: the patient's cases and who read them, as CSV (no identity number in it)."""
    from reports.export import csv_bytes

    form, results = _patient_answer()
    if results is None:
        return _refused(form)
    rows = [
        [
            case.deviation.reference,
            format_date(case.deviation.registered_at),
            case.deviation.reporter_org_name,
            case.deviation.counterpart_org_name,
            format_datetime(e.at, at=_("kl.")),
            e.user.name,
            e.user.email,
            e.organisation.name,
            str(labels.ACCESS[e.action]),
        ]
        for case in results
        for e in case.entries
    ]
    return _download(csv_bytes(ACCESS_COLUMNS, rows), "text/csv", "innsyn.csv")


@bp.post("/innsyn.pdf")
def access_pdf():
    """Art. 15: the same answer as a PDF to hand to the patient."""
    from reports.access_pdf import AccessSection, render_access_pdf

    form, results = _patient_answer()
    if results is None:
        return _refused(form)
    sections = [
        AccessSection(
            heading=_(
                "%(ref)s, meldt %(date)s av %(from)s til %(to)s",
                ref=case.deviation.reference,
                date=format_date(case.deviation.registered_at),
                to=case.deviation.counterpart_org_name,
                **{"from": case.deviation.reporter_org_name},
            ),
            rows=_reading_rows(case),
            empty=_("Ingen oppslag er logget."),
        )
        for case in results
    ]
    made = format_datetime(utcnow(), at=_("kl."))
    body = render_access_pdf(
        title=_("Innsyn: avvik om pasienten og hvem som har lest dem"),
        intro=_(
            "Avvik i %(org)s der pasientens fødselsnummer er registrert, og hvert oppslag i dem "
            "som er logget. Tilgangsloggen oppbevares i %(days)d dager.",
            org=current_user.organisation.name,
            days=int(_config("ACCESS_LOG_DAYS")),
        ),
        header=[_("Når"), _("Hvem"), _("Organisasjon"), _("Hva")],
        sections=sections,
        none_found=_("Ingen avvik har dette nummeret."),
        footer=str(_l("Innsyn etter personvernforordningen artikkel 15")),
        made=_("Utarbeidet %(when)s", when=made),
        page_of=_("Side %(page)d av %(pages)d"),
        subject=current_user.organisation.name,
        lang=report_language().pdf_lang,
    )
    return _download(body, "application/pdf", "innsyn.pdf")


def _config(name: str) -> object:
    from flask import current_app

    return current_app.config[name]
