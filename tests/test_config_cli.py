"""Configuration modes and the command-line interface."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import Deviation, Organisation, Role, User
from config import _database_url


def test_database_url_is_normalised_to_psycopg3():
    assert _database_url("postgres://u@h/d").startswith("postgresql+psycopg://")
    assert _database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_demo_is_idempotent_and_prints_accounts(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    for email in (
        "melder@trondheim.demo",
        "melder@stolav.demo",
        "mottak@stolav.demo",
        "mottak@trondheim.demo",
        "mottak@malvik.demo",
        "forbedring@demo.demo",
        "admin@demo.demo",
    ):
        assert email in first.output
    assert "demo-avvik" in first.output
    # The demo names St. Olavs' mottak the fallback, so Frøya's unstaffed mottak shows it working.
    assert "Reservemottak: St. Olavs hospital HF" in first.output
    with app.app_context():
        fallback = db.session.scalars(
            sa.select(Organisation.name).where(Organisation.fallback_mottak)
        ).all()
        assert fallback == ["St. Olavs hospital HF"]
        users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        deviations = db.session.scalar(sa.select(sa.func.count()).select_from(Deviation))
    assert deviations > 0
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "Reservemottak" not in second.output  # an admin's later choice would stay
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Deviation)) == deviations


def test_demo_refuses_in_production(app, runner):
    app.config["PRODUCTION"] = True
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "produksjon" in result.output


def test_create_user(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Ny@Melhus.no",
            "--name",
            "Nina Ny",
            "--org",
            "Melhus",
            "--unit",
            "Legevakt",
            "--role",
            "saksbehandler",
        ],
        input="et-langt-passord\net-langt-passord\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "ny@melhus.no"))
        assert user.organisation.name == "Melhus" and user.unit.name == "Legevakt"
        assert user.roles == {Role.MELDER, Role.SAKSBEHANDLER}
        assert user.password_hash.startswith("$argon2")
    again = runner.invoke(
        args=["create-user", "--email", "ny@melhus.no", "--name", "X", "--org", "Melhus"],
        input="et-langt-passord\net-langt-passord\n",
    )
    assert again.exit_code != 0 and "finnes allerede" in again.output


def test_create_user_rejects_short_password_and_unknown_org(app, runner):
    short = runner.invoke(
        args=["create-user", "--email", "a@b.no", "--name", "A", "--org", "Melhus"],
        input="kort\nkort\n",
    )
    assert short.exit_code != 0 and "minst 12 tegn" in short.output
    common = runner.invoke(
        args=["create-user", "--email", "a@b.no", "--name", "A", "--org", "Melhus"],
        input="passord12345678\npassord12345678\n",
    )
    assert common.exit_code != 0 and "for vanlig" in common.output
    unknown = runner.invoke(
        args=["create-user", "--email", "a@b.no", "--name", "A", "--org", "Atlantis"],
        input="et-langt-passord\net-langt-passord\n",
    )
    assert unknown.exit_code != 0 and "Finner ikke" in unknown.output


def test_bench_endpoint_only_with_the_bench_flag(database_url):
    from tests.support import make_app

    assert make_app(database_url).test_client().get("/bench/bare").status_code == 404
    bench = make_app(database_url, BENCH_ENDPOINT=True).test_client().get("/bench/bare")
    assert bench.status_code == 200 and bench.get_data(as_text=True) == "ok"
