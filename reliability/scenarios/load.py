"""Reporters filing without pause, in threads, until a count is reached or they are stopped."""

from __future__ import annotations

import itertools
import threading
import time

from reliability.accounts import REPORTERS
from reliability.client import NoAnswer, Tally
from reliability.filing import Filing, Reporter

# Counterparts with two, one or no mottak handlers (Orkland's filings must queue no mail).
COUNTERPARTS = ("St. Olavs hospital HF", "Trondheim", "Malvik", "Melhus", "Skaun", "Orkland")


class FilingLoad:
    def __init__(self, port: int, tag: str, clients: int, limit: int | None = None) -> None:
        self.port = port
        self.tag = tag
        self.clients = clients
        self.limit = limit
        self.tally = Tally()
        self.receipts: dict[str, Filing] = {}
        self.receipt_times: dict[str, float] = {}  # when each receipt came back (monotonic)
        self.errors: list[BaseException] = []
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)
        ]

    def start(self) -> FilingLoad:
        for thread in self._threads:
            thread.start()
        return self

    def wait_for(self, receipts: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.receipts) < receipts and time.monotonic() < deadline and not self.errors:
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self.join()

    def join(self) -> None:
        for thread in self._threads:
            thread.join()

    def _run(self, i: int) -> None:
        try:
            account = REPORTERS[i % len(REPORTERS)]
            reporter = self._reporter(account.email, account.organisation)
            targets = [o for o in COUNTERPARTS if o != account.organisation]
            while not self._stop.is_set():
                with self._lock:
                    number = next(self._numbers)
                if self.limit is not None and number > self.limit:
                    return
                filing = reporter.filing(self.tag, number, targets[number % len(targets)])
                try:
                    reference = reporter.file(filing)
                except NoAnswer:
                    time.sleep(0.2)  # the server is down: come back, as a person would
                    continue
                if reference is None:
                    continue
                with self._lock:
                    self.receipts[reference] = filing
                    self.receipt_times[reference] = time.monotonic()
        except BaseException as error:  # noqa: BLE001  (the scenario reports it)
            self.errors.append(error)

    def _reporter(self, email: str, organisation: str) -> Reporter:
        while True:
            try:
                return Reporter(self.port, self.tally, email, organisation)
            except NoAnswer:
                if self._stop.is_set():
                    raise
                time.sleep(0.2)
