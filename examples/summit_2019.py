"""The 2019 Vladivostok summit: an editorial's geography, checked offline.

Checks three statements against the WGS84 ellipsoid and the data shipped with
riskmap, prints the numbers and verdicts, and writes ``summit_2019.html`` (one
map with all of it) and ``summit_2019.png``:

- Vladivostok is "a mere 700 km from Pyongyang";
- "more than 1 million Russian citizens live within 200 km of the North Korean
  border", for each boundary variant, and from the North Korea–Russia border line;
- who else lives within 200 km (China, South Korea, Japan), and the population
  curve 0–500 km.

The claims live in ``summit_2019.toml``; the work is done by ``maps.run_scenario``.

Usage: python examples/summit_2019.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from maps import run_scenario

SCENARIO = Path(__file__).resolve().with_name("summit_2019.toml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the 2019 summit editorial's geography.")
    parser.add_argument(
        "--out", default=".", help="folder for summit_2019.html and .png (default: here)"
    )
    args = parser.parse_args(argv)
    result = run_scenario(SCENARIO, out_dir=args.out)
    print(result.to_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
