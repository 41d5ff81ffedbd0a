"""The identity-number scanner on 100 kB of digits and separators (target: under 50 ms each).

The security review found the scan growing with the square of its input: 60 kB of "1 " took
5.8 s of CPU. Prints the CPU time (best of five) for each shape of hostile text, and for
ordinary prose of the same size for comparison. A form's fields are far shorter (at most
5,000 characters) and a request over 256 kB is refused before it is read (MAX_CONTENT_LENGTH),
so 100 kB is beyond the worst a request can bring.

    .venv/bin/python bench/identity_scanner.py
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.common.identity import find_all

SIZE = 100_000
TARGET_MS = 50.0


def shapes() -> dict[str, str]:
    rng = random.Random(7)
    single_digits = " ".join(rng.choice("0123456789") for _ in range(SIZE // 2))
    # Every window of single-digit groups with a possible month, each distinct: the most
    # candidates that reach the check-digit arithmetic.
    months = " ".join(rng.choice(["0", "1", "4", "5"]) for _ in range(SIZE // 2))
    return {
        '"1 " repeated': ("1 " * SIZE)[:SIZE],
        '"0 1 " repeated': ("0 1 " * SIZE)[:SIZE],
        "random single digits": single_digits[:SIZE],
        "random digits 0/1/4/5": months[:SIZE],
        '"12-34 " repeated': ("12-34 " * SIZE)[:SIZE],
        '"1. " repeated': ("1. " * SIZE)[:SIZE],
        "one unbroken run": "7" * SIZE,
        "prose": ("Pasienten ble skrevet ut kl. 14.30 den 03.02 uten epikrise. " * 2000)[:SIZE],
    }


def best_cpu_ms(text: str, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.process_time()
        find_all(text)
        times.append((time.process_time() - start) * 1000)
    return min(times)


def main() -> int:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    worst = 0.0
    for name, text in shapes().items():
        ms = best_cpu_ms(text)
        worst = max(worst, ms)
        print(f"{name:<26} {len(text):>7} chars  {ms:7.1f} ms CPU")
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(f"worst {worst:.1f} ms against the target of {TARGET_MS:.0f} ms: {verdict}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
