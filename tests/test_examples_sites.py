"""The sites examples, run as a user runs them; their numbers against Geod.inv sums."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

import layers

GEOD = Geod(ellps="WGS84")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(script: str, out: Path) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def towns():
    s = layers.settlements()
    return s, s.geometry.get_coordinates().to_numpy()


def _within(towns, lon, lat, metres):
    s, xy = towns
    d = GEOD.inv(np.full(len(xy), lon), np.full(len(xy), lat), xy[:, 0], xy[:, 1])[2]
    return d <= metres


def test_nuclear_plant_zones(tmp_path, towns):
    out = _run("nuclear_plant.py", tmp_path)
    rows = re.findall(r"within\s+(\d+) km:\s+([\d,]+) in (\d+) places", out)
    assert [km for km, _, _ in rows] == ["20", "30", "80"]
    for km, people, places in rows:
        inside = _within(towns, 141.0329, 37.4213, int(km) * 1000)
        assert int(people.replace(",", "")) == towns[0]["population"][inside].sum()
        assert int(places) == inside.sum()
    by_region = re.findall(r"^\s+80 km\s+(JP-\w+)\s.*?([\d,]+)$", out, flags=re.M)
    # reference: each place within 80 km goes to the nearest Japanese prefecture polygon
    # (the one that holds it, or the nearest for a coastal town just outside)
    inside = _within(towns, 141.0329, 37.4213, 80_000)
    near = towns[0][inside]
    jp = layers.regions(country="JP")
    d = np.array([shapely.distance(np.asarray(jp.geometry), p) for p in near.geometry])
    near = near.assign(region=jp["iso_3166_2"].to_numpy()[d.argmin(axis=1)])
    ref = near.groupby("region")["population"].sum()
    assert {code: int(p.replace(",", "")) for code, p in by_region} == ref.to_dict()
    assert set(ref.index) == {"JP-04", "JP-07", "JP-08"}  # Miyagi, Fukushima, Ibaraki
    assert (tmp_path / "nuclear_plant.html").stat().st_size > 10_000


@pytest.mark.slow  # about 8 s
def test_launch_sites_ranges(tmp_path, towns):
    out = _run("launch_sites.py", tmp_path)
    table = pd.read_csv(EXAMPLES / "launch_sites.csv")
    rows = re.findall(r"^  (\w+)\s+([\d,]+) km\s+([\d,]+)\s+\((\d+) places\)$", out, flags=re.M)
    assert len(rows) == 2 * len(table)
    union = np.zeros(len(towns[1]), bool)
    for name, km, people, places in rows:
        site = table[table["name"] == name].iloc[0]
        inside = _within(towns, site.lon, site.lat, float(km.replace(",", "")) * 1000)
        union |= inside
        assert int(people.replace(",", "")) == towns[0]["population"][inside].sum()
        assert int(places) == inside.sum()
    total = re.search(r"at least one site: ([\d,]+) people in ([\d,]+) places", out)
    assert int(total.group(1).replace(",", "")) == towns[0]["population"][union].sum()
    assert int(total.group(2).replace(",", "")) == union.sum()
    assert (tmp_path / "launch_sites.html").stat().st_size > 10_000
