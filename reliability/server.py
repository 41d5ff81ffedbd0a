"""gunicorn serving the real app on 127.0.0.1, and what the scenarios do to it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from reliability.database import Database
from reliability.environment import BIN, HEALTH_TOKEN, ROOT, WORK, app_env, free_port

WORKERS = 4


class Server:
    def __init__(self, database: Database, label: str, workers: int = WORKERS) -> None:
        self.database = database
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path: Path = WORK / f"{label}-gunicorn.log"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        """Start on the same port (after a crash: the clients come back to it)."""
        log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers", str(self.workers),
                "--bind", f"127.0.0.1:{self.port}",
                "--timeout", "30",
                "--graceful-timeout", "5",
                "--no-control-socket",
                "app:create_app()",
            ],
            env=app_env(self.database.url),
            cwd=ROOT,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.wait_healthy()

    def wait_healthy(self, seconds: float = 60) -> None:
        """Every worker up (gunicorn says so) and /helse answering 200."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                break
            if len(self.worker_pids()) >= self.workers and self.health()[0] == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not come up; see {self.log_path}")

    def health(self) -> tuple[int, dict]:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            conn.request("GET", "/helse", headers={"Authorization": f"Bearer {HEALTH_TOKEN}"})
            response = conn.getresponse()
            body = response.read()
            conn.close()
            return response.status, json.loads(body or b"{}")
        except (OSError, http.client.HTTPException, ValueError):
            return 0, {}

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        return _children(self.proc.pid)

    def kill_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_master(self) -> None:
        """SIGKILL the master; its workers notice the lost parent and leave. Any still there
        after a few seconds is killed too, as the machine's crash would have."""
        assert self.proc is not None
        workers = self.worker_pids()
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def logged_requests(self) -> list[dict]:
        """The app's own request lines (JSON, app/ops/logs.py) from every start so far."""
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("logger") == "app.request":
                    lines.append(entry)
        return lines

    def logged_server_errors(self) -> int:
        return sum(1 for line in self.logged_requests() if line["status"] >= 500)


def _children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.append(int(entry.name))
    return sorted(pids)


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
