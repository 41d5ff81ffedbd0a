"""The register_* steps the factory calls, one concern each; the error pages and the
response headers are in app/responses.py."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet
from flask import (
    Flask,
    abort,
    current_app,
    has_request_context,
    request,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event

from app.common.crypto import PatientDataCipher
from app.common.database import WRITE_OPTION
from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
from app.responses import security_headers

log = logging.getLogger(__name__)


def register_instance(app: Flask) -> None:
    """The instance folder, and outside production a session key of this checkout's own
    (production refuses to start without one of its own)."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY") and not app.config.get("PRODUCTION"):
        key = _development_key(app, "secret_key", lambda: secrets.token_hex(32).encode())
        app.config["SECRET_KEY"] = key.decode()


def register_secret_key_rotation(app: Flask) -> None:
    """Flask checks session cookies against SECRET_KEY_FALLBACKS itself; Flask-WTF signs form
    tokens with its own key setting, which itsdangerous accepts as a list, oldest first."""
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or []
    if fallbacks and "WTF_CSRF_SECRET_KEY" not in app.config:
        app.config["WTF_CSRF_SECRET_KEY"] = [*reversed(fallbacks), app.config["SECRET_KEY"]]


def register_logging(app: Flask) -> None:
    """JSON lines on stderr, a request id on each (and in X-Request-ID), one line per request
    (the hooks that do it are registered in register_request_hooks); the render clock of the
    Server-Timing header; the content hash on static URLs."""
    from app.ops import logs, static_versions, timing

    timing.register(app)
    logs.register(app)
    static_versions.register(app)


def register_extensions(app: Flask) -> None:
    """The extensions that add no request hook; those that do (Flask-WTF's CSRF check,
    Flask-Limiter, Flask-Login) are initialised in register_request_hooks, at their place."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    bootstrap.init_app(app)


def register_database(app: Flask) -> None:
    """SQLite as SQLAlchemy's pysqlite documentation recommends for several processes.

    Several gunicorn workers share one file: WAL lets readers run beside the one writer,
    busy_timeout makes a writer wait for the lock instead of failing, and SQLite enforces no
    foreign keys unless asked. pysqlite's own BEGIN handling is switched off so that SQLAlchemy
    emits BEGIN itself (savepoints then work), and a transaction that will write starts with
    BEGIN IMMEDIATE: it takes the write lock before it reads, so it never has to upgrade a
    read lock another writer has made stale, which SQLite refuses at once, whatever the
    busy_timeout. Requests that may write (every method but GET, HEAD and OPTIONS) begin so
    (app.common.database.begin_request_write); a write block begins so (app.common.writing).
    """
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection, connection_record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection) -> None:
        mode = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")


# --- Sign-in: sessions, proxies, rate limits, single sign-on (app.auth) ---------------------


def register_proxy(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host
    from their X-Forwarded-* headers: the rate limits and the security log need the address.
    Only from a connection coming from TRUSTED_PROXY_ADDRESSES: anyone else could name their
    own address there."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        from app.ops.proxy import TrustedProxyFix

        addresses = app.config.get("TRUSTED_PROXY_ADDRESSES") or []
        if isinstance(addresses, str):
            addresses = addresses.replace(",", " ").split()
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, hops, addresses)  # type: ignore[method-assign]


def register_sign_in(app: Flask) -> None:
    from app.auth.services import sign_in

    sign_in.init_app(app)


def _development_key(app: Flask, name: str, make: Callable[[], bytes]) -> bytes:
    # Development only (production refuses to start without its keys): keep a generated key
    # beside the database so restarts can still read what was stored.
    key_file = Path(app.instance_path) / name
    if not key_file.exists():
        key_file.write_bytes(make())
        key_file.chmod(0o600)
    return key_file.read_bytes().strip()


def register_patient_cipher(app: Flask) -> None:
    keys = app.config.get("PATIENT_DATA_KEYS") or []
    if isinstance(keys, str):
        keys = keys.replace(",", " ").split()
    if not keys and app.config.get("PATIENT_DATA_KEY"):
        keys = [app.config["PATIENT_DATA_KEY"]]
    if not keys:
        keys = [_development_key(app, "patient_data.key", Fernet.generate_key)]
    hash_key = app.config.get("PATIENT_ID_HASH_KEY") or _development_key(
        app, "patient_id_hash.key", lambda: secrets.token_hex(32).encode()
    )
    app.extensions["patient_cipher"] = PatientDataCipher(keys, hash_key)


def _select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and the mail sender: no user, no cookie
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # the open API: Accept-Language, never a cookie
        from app.api.problems import language

        return language()
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_i18n(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(Path(app.root_path) / "translations"),
    )


def register_input_guards(app: Flask) -> None:
    """An id larger than the database's integer matches no route (404). The guard against NUL
    is a request hook, registered with the others in register_request_hooks."""
    from app.common.ids import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter


def refuse_nul() -> None:
    """A NUL character in the address or the query string, which PostgreSQL refuses in text,
    is no page (404) or a bad request (400); form fields lose theirs in AvvikForm."""
    if "\x00" in request.path:
        abort(404)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def register_request_hooks(app: Flask) -> None:
    """Every request hook of the app, in the order it must run. Flask runs the before_request
    hooks in the order they are registered and the after_request hooks in the reverse order, so
    the after_request ones are registered first, the last to run first. The extensions that add
    hooks of their own are initialised here, at their place. Blueprint hooks (admin, privacy:
    who may enter at all) run after every app hook.

    Before the view:
      0. ops.timing.start_clock: the Server-Timing clock starts before anything else.
      1. ops.logs.start_request: the request id and start time, so that every later log line,
         and an error page, can name the request.
      2. Input guards, before anything that can write: a refused request changes nothing, not
         even the session's last_seen_at. NUL in the address (404) or the query string (400);
         Flask-WTF's check of the form's CSRF token (400); Flask-Limiter's limits (429).
      3. database.begin_request_write: on SQLite a request that may write begins its
         transaction with the write lock, before its first statement (unless its view is
         marked @defer_write_lock).
      4. sign_in.load_user_first: Flask-Login's loader finds the user's session as the first
         statement, and notes the visit (a write of its own, at most once a minute).
      4b. sign_in.restore_kept_form: on the page a form posted after the session ended came
          from, once its owner has logged in again, the kept form is taken (and deleted).
    After the view:
      5. Flask-Limiter's rate headers, then Flask-Login's remember cookie.
      6. The security headers.
      7. ops.logs.finish_request: the access log line, with the status the client gets and the
         Server-Timing figures.
      8. ops.timing.write_header, last: the Server-Timing header (database, render, total).
    Teardown: Flask-Limiter lets go of its request state; Flask-SQLAlchemy ends the session
    with the app context (db.init_app), rolling back what was not committed.
    """
    from app.auth.services import sign_in
    from app.common import database
    from app.ops import logs, timing

    # After the view, registered in the reverse of the order they run (8, 7, 6, 5).
    app.after_request(timing.write_header)
    app.after_request(logs.finish_request)
    app.after_request(security_headers)
    login_manager.init_app(app)  # its after_request: the remember cookie
    # Before the view, in order (0 to 4). Flask-Limiter also adds its after_request (5, the
    # first to run) and its teardown here.
    app.before_request(timing.start_clock)
    app.before_request(logs.start_request)
    app.before_request(refuse_nul)
    csrf.init_app(app)
    limiter.init_app(app)
    app.before_request(database.begin_request_write)
    app.before_request(sign_in.load_user_first)
    app.before_request(sign_in.restore_kept_form)


def register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.analysis.routes import bp as analysis_bp
    from app.auth.routes import bp as auth_bp
    from app.deviations.routes import bp as deviations_bp
    from app.handling.routes import bp as handling_bp
    from app.learning.routes import bp as learning_bp
    from app.main.routes import bp as main_bp
    from app.ops.routes import bp as ops_bp
    from app.privacy.routes import bp as privacy_bp
    from app.search.routes import bp as search_bp

    # Endring over tid (issue 23) adds its views to the statistics blueprint.
    from app.statistics.routes import bp as statistics_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(deviations_bp)
    app.register_blueprint(handling_bp)
    app.register_blueprint(statistics_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(analysis_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(ops_bp)
    # The open API (/api/v1/) and its documentation page, through flask-smorest.
    from app.api.routes import register as register_api
    from app.api.routes import register_admin as register_api_admin

    register_api(app)
    register_api_admin(app)
    if app.config.get("BENCH_ENDPOINT"):
        from app.main.bench import bp as bench_bp

        app.register_blueprint(bench_bp)


def register_template_helpers(app: Flask) -> None:
    from app.common import labels, names, navigation, permissions
    from app.common.dates import format_date, format_datetime

    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = lambda value: format_datetime(value, at=_l("kl."))
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["permissions"] = permissions
    app.jinja_env.globals["can"] = permissions.can
    app.jinja_env.globals["get_locale"] = get_locale
    # A category's, agreement's or unit's name, a unit's path: in the reader's language.
    app.jinja_env.filters["localized"] = names.localized_name
    app.jinja_env.filters["unit_path"] = names.unit_path

    @app.context_processor
    def _main_menu() -> dict[str, object]:
        if not has_request_context():
            return {}
        return {"main_menu": navigation.main_menu(current_user)}


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)
