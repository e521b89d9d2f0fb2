"""The summit example, run as a script: its files, its size, and its numbers against the library."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "summit_2019.py"
GEOD = Geod(ellps="WGS84")


def _int(text: str) -> int:
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("summit")
    cache = tmp_path_factory.mktemp("empty_cache")  # the Quickstart as a new user runs it
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=out,
        env={**os.environ, "RISKMAP_DATA_DIR": str(cache)},
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout, seconds


@pytest.fixture(scope="module")
def settlements():
    import layers

    return layers.settlements()


def _claim(text: str, n: int) -> str:
    return re.search(
        rf"^Claim {n}:.*?(?=^Claim {n + 1}:|^Population within)", text, flags=re.S | re.M
    ).group(0)


def test_outputs_exist_and_the_page_is_small(run):
    out, _, seconds = run
    html, png = out / "summit_2019.html", out / "summit_2019.png"
    assert html.exists() and png.exists()
    assert html.stat().st_size <= 2_000_000, html.stat().st_size
    assert png.read_bytes()[:4] == b"\x89PNG"
    page = html.read_text(encoding="utf-8")
    assert "<script src=" not in page  # self-contained, as the scenario asks
    print(f"example: {seconds:.1f} s, HTML {html.stat().st_size / 1e6:.2f} MB")


def test_distance_claim(run, settlements):
    _, text, _ = run
    block = _claim(text, 1)
    # the places, chosen here independently: the most populous of that name in that country
    ends = []
    for name, cc in (("Vladivostok", "RU"), ("Pyongyang", "KP")):
        rows = settlements[(settlements["name"] == name) & (settlements["country"] == cc)]
        best = rows.iloc[int(np.argmax(rows["population"].to_numpy()))]
        ends.append((best.geometry.x, best.geometry.y))
    _, _, reference = GEOD.inv(*ends[0], *ends[1])
    km = float(re.search(r"distance: ([\d,.]+) km", block).group(1).replace(",", ""))
    assert km == pytest.approx(reference / 1000, abs=0.05)
    verdict = "holds" if abs(reference - 700_000) <= 0.05 * 700_000 else "does not hold"
    assert f"verdict: {verdict}" in block


def test_exposure_claim_over_boundary_variants(run, settlements):
    import layers

    _, text, _ = run
    block = _claim(text, 2)
    printed = [_int(v) for v in re.findall(r"^\s{4}.+?\s{2}([\d,]+)\s+\(", block, flags=re.M)]
    # the variants, recomputed here: three boundaries, each with the settlements counted once
    # (sections of cities left out, the default) and as the raw GeoNames sum
    raw = layers.settlements(include_sections=True)
    assert raw["section"].any() and not settlements["section"].any()
    expected = []
    for kwargs in (
        {"source": "osm", "land_only": False},
        {"source": "osm", "land_only": True},
        {"source": "naturalearth"},
    ):
        territory = layers.territory("KP", **kwargs)
        for population in (settlements, raw):
            exp = layers.exposure(territory, population, "200km", by=["RU"])
            expected.append(round(exp.population("200km")))
    assert printed == expected
    above = [p > 1_000_000 for p in expected]
    verdict = (
        "holds" if all(above) else "does not hold" if not any(above) else "depends on the variant"
    )
    assert f"verdict: {verdict}" in block
    assert f"range: {min(expected):,} – {max(expected):,}" in block
    # the places near the 200 km edge are named, each within 5 km of it, on the side printed
    table = block[block.index("edge (km from the source") :]
    rows = re.findall(r"^\s{4}(\S.*?, RU)\s+([\d,]+)\s+(.*)$", table, flags=re.M)
    assert rows
    for _name, _population, cells in rows:
        for km, side in re.findall(r"([\d.,]+) (in|out)", cells):
            assert abs(float(km) - 200) <= 5.0
            assert (side == "in") == (float(km) <= 200)


def test_border_line_claim_and_length(run, settlements):
    import layers

    _, text, _ = run
    block = _claim(text, 3)
    border = layers.border("KP", "RU")
    km = float(re.search(r"border length: ([\d,.]+) km", block).group(1).replace(",", ""))
    assert km == pytest.approx(border["length_m"].sum() / 1000, abs=0.05)
    land = float(re.search(r"land ([\d.]+) km", block).group(1))
    assert land == pytest.approx(
        17.5, abs=2.0
    )  # the Tumen river border, measured outside riskmap (DESIGN.md)
    exp = layers.exposure(border, settlements, "200km", by=["RU"])
    printed = _int(re.search(r"^\s{4}.+?\s{2}([\d,]+)\s+\(", block, flags=re.M).group(1))
    assert printed == round(exp.population("200km"))


def test_population_by_country_and_curve(run, settlements):
    import layers

    _, text, _ = run
    section = text[text.index("Population within 200 km") :]
    exp = layers.exposure(
        layers.territory("KP", source="osm", land_only=False),
        settlements,
        ["200km", "500km"],
        by="country",
    )
    for cc in ("RU", "CN", "KR", "JP"):
        line = re.search(rf"^\s+{cc} .*$", section, flags=re.M).group(0)
        pop = _int(line.split()[-3])
        assert pop == round(exp.population("200km", country=cc))
        coverage = float(line.split()[-1].rstrip("%")) / 100
        assert coverage == pytest.approx(layers.coverage(cc), abs=0.005)
    # a coverage warning for each country in range whose settlements hold under 60 % or
    # over 120 % of its people (China's hold about half), and for no other
    warned = set(
        re.findall(r"^  warning: ([A-Z]{2}): .*likely (?:undercount|overcount)", section, re.M)
    )
    in_range = exp.table.loc[exp.table["places"] > 0, "country"].unique()
    assert warned == {cc for cc in in_range if not 0.6 <= layers.coverage(cc) <= 1.2}
    assert "CN" in warned
    header = re.search(r"^\s+km\s+RU\s+CN\s+KR\s+JP\s+all$", section, flags=re.M)
    assert header
    rows = {
        float(r.split()[0]): [_int(v) for v in r.split()[1:]]
        for r in re.findall(r"^\s+\d+(?:\s+[\d,]+){5}$", section[header.end() :], flags=re.M)
    }
    assert max(rows) == 500.0
    assert rows[200.0][0] == round(exp.population("200km", country="RU"))
    assert rows[500.0][-1] == round(exp.population("500km"))
    totals = [v[-1] for _, v in sorted(rows.items())]
    assert totals == sorted(totals)  # population within a distance never decreases with it


def test_offline_the_grid_variant_is_one_line_with_its_fetch_command(run):
    _, text, _ = run
    block = _claim(text, 2)
    lines = [line for line in block.splitlines() if "ghs-pop-100m:2020" in line]
    assert lines == [
        "  ghs-pop-100m:2020: not in the cache, so not counted; to count it too: "
        "riskmap data fetch ghs-pop-100m:2020 --around KP --radius 200km"
    ]
    assert text.count("ghs-pop") == 2  # that line, and nowhere else
