"""The exclave example, run as a script: its map, and its numbers against an independent count."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

# the script loads every settlement and draws a map: about 15 s, so not in the default run
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "region_exclave.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("exclave")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=out,
    )
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def _rows(text: str, radius: str) -> dict[tuple[str, str], int]:
    block = re.search(rf"^Within {radius}:.*?\n((?:  .*\n)*)", text, flags=re.M).group(1)
    rows = {}
    for line in block.splitlines():
        country, code, *_, population, _places = line.split()
        rows[(country, code)] = int(population.replace(",", ""))
    return rows


def _total(text: str, radius: str) -> int:
    return int(
        re.search(rf"^Within {radius}: ([\d,]+) people", text, flags=re.M).group(1).replace(",", "")
    )


@pytest.fixture(scope="module")
def reference_distances():
    """Distance of every settlement near the oblast, without geo: AEQD + shapely.

    One azimuthal equidistant projection centred on the oblast; the polygon densified
    to 0.002° (≤ 220 m); planar distance. Within 300 km of the centre the projection's
    scale error is under 0.04% (≤ 40 m at 100 km), so places more than 300 m from a
    radius are classified the same as by the exact distance.
    """
    import layers

    towns = layers.settlements(bbox=(16, 52, 26.5, 57.5))
    geom = layers.region("RU-KGD").geometry.union_all()
    c = geom.centroid
    tr = Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={c.y} +lon_0={c.x} +ellps=WGS84", always_xy=True
    )
    proj = shapely.transform(
        shapely.segmentize(geom, 0.002), lambda xy: np.column_stack(tr.transform(*xy.T))
    )
    x, y = tr.transform(towns.geometry.x.to_numpy(), towns.geometry.y.to_numpy())
    d = shapely.distance(proj, shapely.points(np.column_stack([x, y])))
    return towns, d


def test_the_example_writes_its_map(run):
    out, stdout = run
    html = (out / "region_exclave.html").read_text()
    assert "Kaliningrad" in html and "Made with Natural Earth" in html
    assert "Source: Kaliningrad (RU-KGD), Russia (admin-1 region)" in stdout


@pytest.mark.parametrize(("radius", "metres"), [("50km", 50_000), ("100km", 100_000)])
def test_people_in_range_per_country_match_the_independent_count(
    run, reference_distances, radius, metres
):
    _, stdout = run
    towns, d = reference_distances
    rows = _rows(stdout, radius)
    assert sum(rows.values()) == _total(stdout, radius)
    neighbours = towns["country"] != "RU"  # the oblast's residents are left out
    sure_in = neighbours & (d <= metres - 300)
    maybe = neighbours & (d <= metres + 300)
    for country in ("LT", "PL", "BY", "LV"):
        got = sum(v for (c, _), v in rows.items() if c == country)
        low = towns.loc[sure_in & (towns["country"] == country), "population"].sum()
        high = towns.loc[maybe & (towns["country"] == country), "population"].sum()
        assert low <= got <= high, (country, low, got, high)
    assert not any(c == "RU" for c, _ in rows)


def test_each_region_row_is_one_geonames_division(run, reference_distances):
    """The admin-1 rows against GeoNames' own first-level code of each place (independent).

    Each row must be one GeoNames division: the rows of a country pair off one-to-one
    with its divisions in range, each row's people between the division's people surely
    in range and those possibly in range (±300 m of 100 km), give or take 0.5% of the
    country's people in range: the two data sets draw a few places on the other side
    of a county border (Pagėgiai, 1,576 people: Tauragė in GeoNames, Klaipėda in
    Natural Earth; Kalinowo, 750: Warmian-Masurian in GeoNames, Podlaskie).
    """
    _, stdout = run
    towns, d = reference_distances
    rows = _rows(stdout, "100km")
    neighbours = towns[towns["country"] != "RU"]
    dn = d[(towns["country"] != "RU").to_numpy()]
    low = neighbours[dn <= 100_000 - 300].groupby(["country", "admin1"])["population"].sum()
    high = neighbours[dn <= 100_000 + 300].groupby(["country", "admin1"])["population"].sum()
    for country in sorted({c for c, _ in rows}):
        got = [v for (c, _), v in rows.items() if c == country]
        bounds = [(low.get((country, a), 0), v) for (c, a), v in high.items() if c == country]
        bounds = [b for b in bounds if b[1] > 0]
        assert len(got) == len(bounds), country
        slack = 0.005 * sum(got)
        assert any(
            all(lo - slack <= g <= hi + slack for g, (lo, hi) in zip(perm, bounds, strict=True))
            for perm in itertools.permutations(got)
        ), (country, got, bounds)
