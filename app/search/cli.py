"""`flask --app app search-index`: make every deviation's search document again."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.common.writing import writing
from app.extensions import db


@click.command("search-index")
@with_appcontext
def search_index_command() -> None:
    """Rebuild the full-text search index of all deviations (one transaction).

    The index follows every change by itself; run this after writing deviations outside the
    app, or after upgrading the stemmer.
    """
    from app.models import Deviation
    from app.search.index import rebuild

    with writing() as done:
        total = db.session.scalar(db.select(db.func.count()).select_from(Deviation)) or 0
        started = time.perf_counter()
        with click.progressbar(length=total, label="Søkeindeks") as bar:
            done.value = rebuild(db.session.connection(), progress=bar.update)
    seconds = time.perf_counter() - started
    click.echo(f"Søkeindeksen er bygd for {done.value} avvik på {seconds:.1f} s.")
