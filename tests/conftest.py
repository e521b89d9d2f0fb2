"""Shared fixtures: the reference data in ../shared/data, read in place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("RISKMAP_SHARED_DATA", REPO.parent / "shared" / "data"))
NATURALEARTH = SHARED_DATA / "naturalearth"


def naturalearth_path(name: str) -> Path:
    """Path of a Natural Earth reference file; skips the test when it is absent."""
    path = NATURALEARTH / name
    if not path.exists():
        pytest.skip(
            f"reference file {path} is absent (the shared data folder lives beside the checkout)"
        )
    return path


@pytest.fixture(scope="session")
def ne_countries():
    """Natural Earth 1:50m admin-0 countries (GeoDataFrame, EPSG:4326)."""
    import geopandas

    return geopandas.read_file(naturalearth_path("ne_50m_admin_0_countries.gpkg"))


@pytest.fixture(scope="session")
def ne_north_korea(ne_countries):
    """North Korea from Natural Earth 1:50m, one shapely (Multi)Polygon in lon/lat."""
    return ne_countries.loc[ne_countries["ADM0_A3"] == "PRK"].geometry.iloc[0]


@pytest.fixture(scope="session")
def kp_land():
    """North Korea, land only, from the data riskmap ships: for tests (the browser ones) that
    must run where the reference files are absent."""
    import layers

    return layers.territory("KP").geometry.union_all()


@pytest.fixture(scope="session")
def osm_north_korea():
    """North Korea from the OpenStreetMap-derived timezone polygons (Asia/Pyongyang), with sea."""
    import numpy as np
    import shapely
    from timezonefinder import TimezoneFinder

    parts = TimezoneFinder().get_geometry(tz_name="Asia/Pyongyang", coords_as_pairs=False)
    polys = [shapely.Polygon(np.transpose(p[0]), [np.transpose(h) for h in p[1:]]) for p in parts]
    return shapely.make_valid(shapely.union_all(polys))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Fail a skipped browser test under CI=true: CI installs Chromium, so a skip hides a bug."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") == "true" and item.get_closest_marker("browser"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"browser test skipped under CI=true, where Chromium is installed: {reason}"
        )


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty riskmap cache (RISKMAP_DATA_DIR) of its own, online, no lock file given."""
    from layers import cache
    from layers.lockfile import LOCK_ENV

    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(folder))
    monkeypatch.delenv(cache.OFFLINE_ENV, raising=False)
    monkeypatch.delenv(LOCK_ENV, raising=False)
    monkeypatch.setenv("RISKMAP_PROGRESS", "0")
    return folder


@pytest.fixture
def loopback(tmp_path):
    """A real HTTP server on 127.0.0.1 serving ``tmp_path / "www"`` (tests/_http.py)."""
    from _http import serve

    with serve(tmp_path / "www") as loop:
        yield loop


@pytest.fixture(autouse=True)
def _buffers_built_afresh():
    """Each test builds its buffers anew, so that one that patches or counts how a buffer is
    built sees it built (geo keeps the buffers of a process, see geo.constructive)."""
    import sys

    constructive = sys.modules.get("geo.constructive")  # not imported here if no test did
    if constructive is not None:
        constructive.forget_built_buffers()
