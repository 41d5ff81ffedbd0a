"""The one stylesheet `make install` builds from app/static/scss/ (Bootstrap from its Sass
variables, then the app's rules): that it is there, says what the look decided, and is what
every page links, through the content-hashed URL."""

import gzip
import hashlib
import re
from pathlib import Path

import flask_bootstrap

from app.extensions import db
from tests import factories

STATIC = Path(__file__).resolve().parents[1] / "app" / "static"
BUILT = STATIC / "build" / "avvik.css"
SOURCES = sorted((STATIC / "scss").glob("*.scss"))
BRAND = "#0b3d91"


def test_the_built_stylesheet_has_the_brand_colour_and_18px_text():
    assert BUILT.exists(), "run `make install`: it compiles app/static/scss/ with dart-sass"
    css = BUILT.read_text()
    assert f"--bs-primary: {BRAND}" in css or f"--bs-primary:{BRAND}" in css
    assert re.search(r"--bs-body-font-size: ?1\.125rem", css), "18 px body text"
    assert ".navbar{" in css and ".badge{" in css and ".form-check{" in css
    assert ".choice-card" in css, "the app's own rules are in the same file"
    # The Content-Security-Policy has no data: images; Bootstrap's icons are files.
    assert "data:" not in css
    assert not (STATIC / "avvik.css").exists(), "one stylesheet, not Bootstrap's plus ours"


def test_no_rule_of_ours_is_forced():
    assert SOURCES and any(p.name == "avvik.scss" for p in SOURCES)
    for source in SOURCES:
        assert "!important" not in source.read_text(), source.name


def test_a_phone_downloads_less_css_than_stock_bootstrap():
    stock = Path(flask_bootstrap.__file__).parent / "static/bootstrap5/css/bootstrap.min.css"
    ours = len(gzip.compress(BUILT.read_bytes(), 6))
    assert ours < len(gzip.compress(stock.read_bytes(), 6)), ours


def test_every_page_links_the_built_file_by_its_content_hash(client):
    page = client.get("/logg-inn").get_data(as_text=True)
    digest = hashlib.sha256(BUILT.read_bytes()).hexdigest()[:12]
    assert f'<link rel="stylesheet" href="/static/build/avvik.css?v={digest}">' in page
    assert "bootstrap.min.css" not in page
    with client.get(f"/static/build/avvik.css?v={digest}") as served:
        assert served.status_code == 200 and served.mimetype == "text/css"


def test_harm_is_chosen_on_cards_each_with_its_definition(login_as):
    page = login_as("melder@trondheim.demo").get("/avvik/nytt").get_data(as_text=True)
    cards = re.findall(
        r'<div class="form-check choice-card">\s*<input([^>]*)>\s*<label[^>]*>([^<]*)</label>\s*'
        r'<div id="([^"]+)" class="form-text">([^<]+)</div>',
        page,
    )
    assert len(cards) == 6, cards
    for attributes, label, help_id, help_text in cards:
        assert 'name="harm"' in attributes and f'aria-describedby="{help_id}"' in attributes
        assert label.strip() and len(help_text.strip()) > 20
    assert "fanget opp før den nådde pasienten" in cards[0][3]


def test_a_page_with_a_parent_says_tilbake_to_it(app, login_as):
    with app.app_context():
        reference = factories.deviation().reference
        db.session.commit()
    handler = login_as("mottak@stolav.demo").get(f"/avvik/{reference}").get_data(as_text=True)
    assert '<a class="back-link" href="/mottak">Tilbake til mottaket</a>' in handler
    reporter = login_as("melder@trondheim.demo").get(f"/avvik/{reference}").get_data(as_text=True)
    assert '<a class="back-link" href="/avvik/mine">Tilbake til mine avvik</a>' in reporter
    admin = login_as("admin@demo.demo").get("/admin/brukere/ny").get_data(as_text=True)
    assert '<a class="back-link" href="/admin/brukere">Tilbake til brukerne</a>' in admin


def test_every_bootstrap_class_the_app_names_is_built():
    """avvik.scss builds only the Bootstrap parts in use: a template, script or module that
    starts to use another one (`position-absolute`, `.mt-md-3`) fails here, not silently on a
    phone. Named classes are the words of app/ and reports/ that stock Bootstrap defines."""
    stock_css = (
        Path(flask_bootstrap.__file__).parent / "static/bootstrap5/css/bootstrap.min.css"
    ).read_text()
    stock = set(re.findall(r"\.([a-z][\w-]*)", stock_css))
    built = set(re.findall(r"\.([a-z][\w-]*)", BUILT.read_text()))
    root = STATIC.parents[1]
    files = [*root.glob("app/**/*.html"), *root.glob("app/**/*.py"), *STATIC.glob("*.js")]
    files += root.glob("reports/**/*.py")
    named = set()
    for file in files:
        named |= set(re.findall(r"[a-z][a-z0-9-]*", file.read_text())) & stock
    # Words that are Bootstrap class names by accident (a Python name, an attribute, a URL), and
    # `collapsed`, which Bootstrap's script sets and only the accordion (not used) styles.
    named -= {"collapsed", "css", "figure", "map", "min", "org", "placeholder", "progress"}
    named -= {"showing", "w3"}
    assert named - built == set()
