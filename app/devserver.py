"""`make run`'s server: Werkzeug's development server, as `flask run` starts it (threaded, no
reloader), but without its start-up banner, so that the address is the last line printed.
`flask run` wrote Werkzeug's warning about the development server below the address, where a
newcomer reads the last line first. Werkzeug prints that banner only from `run_simple`;
`make_server` and `serve_forever`, its documented lower-level API, print nothing.

Production runs under gunicorn (gunicorn.conf.py, docs/operations.md), never this.

    python -m app.devserver --host 127.0.0.1 --port 5000
"""

from __future__ import annotations

import argparse

from werkzeug.serving import make_server

from app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    server = make_server(args.host, args.port, create_app(), threaded=True)
    address = f"http://{args.host}:{server.server_port}"
    print(f"Helse: {address}/helse  ·  stopp med Ctrl+C", flush=True)
    print(f"Avvik kjører på {address}  (demopassord: demo-avvik)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
