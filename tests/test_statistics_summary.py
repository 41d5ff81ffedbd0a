"""Every figure of the tertial summary on the hand-made data set (tests/statistics_data.py),
through the app's SQL path on SQLite and PostgreSQL and through the plain-rows path; then the
PDF: its text against the summary, same data → same bytes, and PNG pages for a person to see."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.data.seed import CATEGORIES
from app.statistics import services
from reports import Tertial, input_from_frames, summarise
from reports.pdf import render_pdf
from reports.summary import TertialSummary
from tests import statistics_data as data

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
T2 = Tertial(2023, 2)
MADE_AT = datetime(2023, 9, 5, 8, 0, tzinfo=UTC)


def rows(table) -> dict[str, int]:
    return {r.label: r.count for r in table}


def check_hand_worked_figures(s: TertialSummary) -> None:
    # Cohort (registered 1 May–31 Aug, Oslo time): D1 D2 D3 D4 D5 D6 D7 D9 = 8.
    # D8 (23:30 on 30 April) belongs to T1; D9 (00:30 on 1 May) to T2.
    assert s.total == 8
    # T1 2023: D8 D10 D11 = 3 → +5, 5/3 = +166,7 %.  T2 2022: D12 D13 = 2 → +6, 6/2 = +300 %.
    assert (s.vs_previous.before, s.vs_previous.delta) == (3, 5)
    assert s.vs_previous.ratio == pytest.approx(5 / 3)
    assert (s.vs_last_year.before, s.vs_last_year.delta, s.vs_last_year.ratio) == (2, 6, 3.0)
    # kommune→sykehus: D1 D4 D6 D9; sykehus→kommune: D2 D5 D7; kommune→kommune: D3.
    assert rows(s.by_direction) == {
        "Kommune til sykehus": 4, "Sykehus til kommune": 3, "Kommune til kommune": 1,
    }  # fmt: skip
    assert [r.share for r in s.by_direction] == [0.5, 0.375, 0.125]
    # Reporters: TR D1 D3 D6 D9; H D2 D5 D7; MA D4. Receivers: H 4; MA D3 D5; TR D2 D7.
    assert [(r.label, r.count) for r in s.by_reporter_org] == [
        ("Trondheim", 4), ("St. Olavs hospital HF", 3), ("Malvik", 1),
    ]  # fmt: skip
    # Ties are ordered by name: Malvik before Trondheim.
    assert [(r.label, r.count) for r in s.by_counterpart_org] == [
        ("St. Olavs hospital HF", 4), ("Malvik", 2), ("Trondheim", 2),
    ]  # fmt: skip
    # The 7 cases to or from the hospital, by clinic: D1 Geriatrisk → Medisinsk klinikk,
    # D2 Slagenheten → Nevroklinikken, D5 Akuttmottaket → akuttklinikken; D4 D6 D7 D9 no unit.
    assert rows(s.by_hospital_unit) == {
        "Enhet ikke oppgitt": 4, "Klinikk for akutt- og mottaksmedisin": 1,
        "Medisinsk klinikk": 1, "Nevroklinikken": 1,
    }  # fmt: skip
    # Utskrivning D1 D4 D5; Innleggelse D2 D6 D9; Transport D3 D7; every other category 0.
    by_category = rows(s.by_category)
    assert (by_category["Utskrivning"], by_category["Innleggelse"], by_category["Transport"]) == (
        3,
        3,
        2,
    )
    assert sum(by_category.values()) == 8 and list(by_category) == CATEGORIES
    # moderat D1; lav D2 D6; ingen D3 D5 D7 D9; alvorlig D4.
    assert rows(s.by_harm) == {
        "Nestenuhell": 0, "Ingen skade": 4, "Liten skade": 2, "Moderat skade": 1, "Alvorlig skade": 1, "Dødsfall": 0,
    }  # fmt: skip
    # At 31.08 24:00: besvart D1 D6 D9; avvist D2; under behandling D3, and D5 (reopened
    # 10.08, answered again only 10.09); sendt D4 (answered 04.09) and D7 (imported, closed 05.09).
    assert rows(s.status_at_end) == {
        "Ny": 2, "Mottatt": 0, "Under behandling": 2, "Videresendt": 0,
        "Til hendelsesanalyse": 0, "Besvart": 3, "Avvist": 1,
    }  # fmt: skip
    # Answered in T2 (closed_at in the tertial): D8 1 d (21:30 → 10:00 two days later = 1 d 12,5 h),
    # D9 2 d (22:30 → 22:00 three days later), D1 7 d (+4 h), D6 10 d, D2 41 d, D11 93 d
    # (1 Feb → 5 May). Sorted 1 2 7 10 41 93: median (7+10)/2 = 8,5;
    # 90th percentile at position 0,9 × 5 = 4,5 → 41 + 0,5 × (93 − 41) = 67.
    assert s.answered == 6
    assert (s.median_days, s.p90_days) == (8.5, 67.0)
    # Within the deadline: D8 D9 D1 D6 (4); D2 (deadline 24.05) and D11 (15.02) too late.
    assert s.answered_within_deadline == 4
    assert s.within_deadline_share == pytest.approx(4 / 6)
    # Open at the end, from any tertial: D3 D4 D5 D7 D10 = 5; overdue (deadline ≤ 31.08):
    # D3 (15.06), D5 (29.07), D10 (15.03) = 3; D4 (13.09) and D7 (03.09) not yet.
    assert (s.open_at_end, s.overdue_at_end) == (5, 3)
    # Trend T3 2021 … T2 2023: D14 | – | D12 D13 | – | D8 D10 D11 | the 8. D15 (T2 2021) is out.
    assert [t.code for t in s.trend.tertials] == [
        "2021-T3", "2022-T1", "2022-T2", "2022-T3", "2023-T1", "2023-T2",
    ]  # fmt: skip
    assert s.trend.totals == [1, 0, 2, 0, 3, 8]
    assert s.trend.counts["Transport"] == [1, 0, 1, 0, 0, 2]
    assert s.trend.counts["Utskrivning"] == [0, 0, 1, 0, 1, 3]
    assert s.trend.counts["Innleggelse"] == [0, 0, 0, 0, 2, 3]
    # No analysis module yet: zero.
    assert (s.analyses.started, s.analyses.finished, s.analyses.actions_total) == (0, 0, 0)


def test_summary_from_sql_matches_the_hand_worked_figures(ctx):
    data.insert_cases()
    check_hand_worked_figures(services.tertial_summary(T2, services.ALL))


def test_summary_from_plain_rows_matches_the_same_figures():
    rows_frame, history = data.frames()
    check_hand_worked_figures(summarise(input_from_frames(rows_frame, history, T2, CATEGORIES)))


def test_handler_scope_counts_only_cases_their_organisation_sent_or_got(ctx):
    from app.data.seed import organisation_by_name

    data.insert_cases()
    malvik = organisation_by_name("Malvik")
    s = services.tertial_summary(T2, services.Scope(malvik.id, "Malvik"))
    # Malvik in T2: D3 (TR→MA), D4 (MA→H), D5 (H→MA). D11 (H→MA) is T1.
    assert s.total == 3 and s.vs_previous.before == 1
    # Open at the end: D3 D4 D5; overdue D3 D5.
    assert (s.open_at_end, s.overdue_at_end) == (3, 2)


def test_pdf_text_matches_the_summary_and_is_deterministic(ctx):
    data.insert_cases()
    summary = services.tertial_summary(T2, services.ALL)
    pdf = render_pdf(summary, MADE_AT)
    assert pdf == render_pdf(summary, MADE_AT), "same data must give the same bytes"
    assert pdf != render_pdf(summary, datetime(2023, 9, 6, 8, 0, tzinfo=UTC))

    reader = PdfReader(io.BytesIO(pdf))
    # Layout mode keeps a table row on one line; runs of spaces between cells become one.
    pages = [
        "\n".join(
            " ".join(line.split()) for line in p.extract_text(extraction_mode="layout").splitlines()
        )
        for p in reader.pages
    ]
    text = "\n".join(pages)
    assert "Avviksoversikt pr. 2. tertial 2023" in pages[0]
    assert "Forbedringsgruppen" in pages[0]
    assert "01.05.2023–31.08.2023" in pages[0]
    assert "Utarbeidet 05.09.2023 kl. 10:00" in pages[0]  # 08:00 UTC is 10:00 in Oslo in September
    for number, page in enumerate(pages, start=1):
        assert f"Side {number} av {len(pages)}" in page
    lines = text.splitlines()
    expect = [
        "Avvik registrert i tertialet 8",
        "Endring fra forrige tertial (T1 2023: 3) +5 (+166,7 %)",
        "Endring fra samme tertial i fjor (T2 2022: 2) +6 (+300,0 %)",
        "Besvart eller avvist i tertialet 6",
        "Behandlingstid, median 8,5 d",
        "Behandlingstid, 90-persentil 67,0 d",
        "Besvart innen fristen 66,7 % (4 av 6)",
        "Åpne avvik ved utgangen av tertialet 5",
        "– herav over fristen 3",
        "Kommune til sykehus 4 50,0 %",
        "Sykehus til kommune 3 37,5 %",
        "Kommune til kommune 1 12,5 %",
        "Trondheim 4 50,0 %",
        "Enhet ikke oppgitt 4 57,1 %",
        "Under behandling 2 25,0 %",
        "Ingen skade 4 50,0 %",
        "Transport 1 0 1 0 0 2",
        "Sum 1 0 2 0 3 8",
    ]
    for line in expect:
        assert line in lines, f"{line!r} not a line of the PDF"
    # Every category and organisation of the summary is printed with its count.
    for row in summary.by_category + summary.by_counterpart_org + summary.by_reporter_org:
        assert any(l.startswith(row.label) and f" {row.count} " in f"{l} " for l in lines), row
    assert reader.metadata.title == "Avviksoversikt pr. 2. tertial 2023 – Forbedringsgruppen"
    assert reader.metadata.creation_date.replace(tzinfo=UTC) == MADE_AT.replace(tzinfo=UTC)

    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "tertial-2023-T2.pdf"
    target.write_bytes(pdf)
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed to render the PDF"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", str(target), str(ARTIFACTS / "tertial-2023-T2")],
        check=True,
    )
    assert len(list(ARTIFACTS.glob("tertial-2023-T2-*.png"))) == len(pages)


def test_empty_tertial_renders_zeros_and_dashes(ctx):
    summary = services.tertial_summary(Tertial(2019, 1), services.ALL)
    assert summary.total == 0 and summary.median_days is None
    reader = PdfReader(io.BytesIO(render_pdf(summary, MADE_AT)))
    text = "\n".join(
        " ".join(line.split())
        for page in reader.pages
        for line in page.extract_text(extraction_mode="layout").splitlines()
    )
    assert "Behandlingstid, median –" in text
    assert "Besvart innen fristen – (0 av 0)" in text
