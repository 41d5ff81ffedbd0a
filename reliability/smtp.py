"""A real SMTP server (aiosmtpd) on 127.0.0.1 that the suite controls: it refuses or accepts,
and counts what it accepted by Message-ID, with the time of each acceptance."""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from email import message_from_bytes
from typing import Self

from aiosmtpd.controller import Controller

from reliability.environment import free_port

_OUTBOX_ID = re.compile(r"<outbox-(\d+)-")


class Mailbox:
    def __init__(self) -> None:
        self.refuse = False
        self.refused = 0
        self.accepted: dict[int, list[float]] = defaultdict(list)  # outbox id -> when
        self.strangers = 0  # a Message-ID that is not an outbox row's
        self.lock = threading.Lock()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content)
        found = _OUTBOX_ID.match(message.get("Message-ID", ""))
        with self.lock:
            if self.refuse:
                self.refused += 1
                return "451 4.3.0 Try again later"
            if found:
                self.accepted[int(found.group(1))].append(time.monotonic())
            else:
                self.strangers += 1
        return "250 OK"

    def delivered(self) -> int:
        with self.lock:
            return sum(len(times) for times in self.accepted.values())

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
