"""Places of other countries inside a territory's polygon are counted at distance 0, and said so.

Natural Earth draws Crimea as Russian: GeoNames lists its places under UA, so an exposure
around RU (Natural Earth) counts them as exposed at distance 0. The answer is kept (it is
the geometric one) and :attr:`Exposure.warnings` discloses it.
"""

from __future__ import annotations

import geopandas
import shapely

import layers
from layers.analysis import exposure

SQUARE = shapely.box(10.0, 50.0, 11.0, 51.0)


def _territory():
    gdf = geopandas.GeoDataFrame({"iso2": ["AA"]}, geometry=[SQUARE], crs="EPSG:4326")
    gdf.attrs["kind"] = "territory"
    return gdf


def _towns():
    return geopandas.GeoDataFrame(
        {
            "name": ["Own", "Inside1", "Inside2", "Outside", "Small"],
            "country": ["AA", "BB", "BB", "BB", "CC"],
            "population": [5_000, 70_000, 3_000, 9_000, 40],
        },
        geometry=shapely.points(
            [(10.5, 50.5), (10.2, 50.2), (10.8, 50.8), (11.2, 50.5), (10.5, 50.9)]
        ),
        crs="EPSG:4326",
    )


def _inside_warnings(res):
    return [w for w in res.warnings if "inside the source polygon itself" in w]


def test_other_countries_inside_a_synthetic_territory_are_warned_of():
    res = exposure(_territory(), _towns(), "50km", by="country")
    # the geometric answer is kept: BB's two inside towns at 0 km, plus the one 14 km out
    assert dict(zip(res.table["country"], res.table["population"], strict=True))["BB"] == 82_000
    [warning] = _inside_warnings(res)
    assert warning.startswith("3 places (73,040 people) of other countries lie inside")
    assert "BB 2 places (73,000 people), CC 1 place (40 people)" in warning
    assert "largest Inside1, BB (70,000), Inside2, BB (3,000), Small, CC (40)" in warning


def test_no_warning_when_only_the_territorys_own_places_are_inside():
    towns = _towns()
    towns = towns[towns["name"].isin(["Own", "Outside"])]
    assert _inside_warnings(exposure(_territory(), towns, "50km")) == []


def test_crimea_inside_natural_earths_russia_is_disclosed_against_a_containment_reference():
    source = layers.resolve_source("RU", boundary="naturalearth")
    res = layers.exposure(source, layers.settlements(), "50km", by=["UA"])
    [warning] = _inside_warnings(res)
    # reference: shapely's point-in-polygon on the same territory, not the distance index
    polygon = shapely.union_all(source.data.geometry.to_numpy())
    shapely.prepare(polygon)
    ua = layers.settlements(country="UA")
    inside = shapely.intersects(polygon, ua.geometry.to_numpy())
    n, people = int(inside.sum()), int(ua["population"].to_numpy()[inside].sum())
    assert (n, people) == (528, 2_490_614)
    assert warning.startswith(f"{n:,} places ({people:,} people) of other countries")
    assert f"UA {n:,} places ({people:,} people)" in warning
    assert "largest Sevastopol, UA" in warning
