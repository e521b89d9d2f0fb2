"""Place names: alternate spellings, ranking by population, and the runners-up reported."""

from __future__ import annotations

import geopandas
import pytest
import shapely
from pyproj import Geod

from geo.errors import InputError
from layers import resolve_place, settlements
from layers.places import MAX_ALTERNATIVES, Place

GEOD = Geod(ellps="WGS84")


def km(a: Place, lon: float, lat: float) -> float:
    return GEOD.inv(a.lon, a.lat, lon, lat)[2] / 1000


def test_zaporizhzhia_is_the_city_not_a_village_of_the_same_name():
    # GeoNames spells the city Zaporizhzhya (710,052 people) and lists "Zaporizhzhia" as an
    # alternate name; a village of 656 people 100 km south carries it as its own name.
    place = resolve_place("Zaporizhzhia")
    assert (place.name, place.country, place.geonameid) == ("Zaporizhzhya", "UA", 687700)
    assert place.population == 710_052
    assert place.matched == "Zaporizhzhia"
    # the city centre (47°50′N 35°08′E) is a few km away; the village is 100 km away
    assert km(place, 35.1396, 47.8388) < 5
    village = place.alternatives[0]
    assert (village.name, village.population) == ("Zaporizhzhia", 656)
    assert km(village, 35.1396, 47.8388) > 90
    # the distance to Kyiv is the cities', about 530 km (Geod.inv on the two city centres)
    kyiv = resolve_place("Kyiv")
    d = GEOD.inv(place.lon, place.lat, kyiv.lon, kyiv.lat)[2]
    assert d == pytest.approx(GEOD.inv(35.1396, 47.8388, 30.5234, 50.4501)[2], abs=5_000)


@pytest.mark.parametrize("query", ["Kyiv", "Kiev", "kiev", "KIEV,UA", "Kyïv"])
def test_kyiv_by_any_spelling(query):
    place = resolve_place(query)
    assert (place.name, place.geonameid) == ("Kyiv", 703448)


def test_peking_is_beijing():
    place = resolve_place("Peking")
    assert (place.name, place.country, place.geonameid) == ("Beijing", "CN", 1816670)
    assert place.matched == "Peking"


def test_a_name_of_two_big_cities_reports_the_runner_up():
    place = resolve_place("San Jose")
    assert (place.name, place.country) == ("San Jose", "US")  # 997,368 people
    assert place.ambiguous
    runner_up = place.alternatives[0]
    assert (runner_up.name, runner_up.country, runner_up.population) == ("San José", "CR", 335_007)
    assert km(runner_up, -84.0833, 9.9333) < 5  # San José, Costa Rica: 9°56′N 84°05′W
    assert len(place.alternatives) <= MAX_ALTERNATIVES
    pops = [place.population] + [p.population for p in place.alternatives]
    assert pops == sorted(pops, reverse=True)
    line = place.describe_choice()
    assert "San José, CR" in line and "335,007" in line
    record = place.to_dict()
    assert record["alternatives"][0]["country"] == "CR"
    # with the country given, Costa Rica's is the one
    assert resolve_place("San Jose,CR").name == "San José"


def test_a_unique_match_has_no_alternatives():
    place = resolve_place("Vladivostok,RU")
    assert not place.ambiguous and place.alternatives == () and place.describe_choice() == ""
    assert place.matched == ""


def test_alternate_names_work_on_a_table_with_geonameids():
    # the CLI passes layers.settlements() (sections left out): alternate names still match
    place = resolve_place("Zaporizhzhia", settlements(country="UA"))
    assert place.geonameid == 687700


def test_a_table_without_geonameids_matches_own_names_only():
    towns = geopandas.GeoDataFrame(
        {"name": ["Zaporizhzhia", "Somewhere"], "country": ["UA", "UA"], "population": [5, 7]},
        geometry=shapely.points([(35.0, 47.0), (36.0, 48.0)]),
        crs="EPSG:4326",
    )
    assert resolve_place("Zaporizhzhia", towns).population == 5
    with pytest.raises(InputError, match="no settlement named 'Peking'"):
        resolve_place("Peking", towns)


def test_sections_are_found_by_name():
    # a ward of Tokyo is a section (left out of sums) but still a place one can name
    place = resolve_place("Setagaya,JP")
    assert place.population == 940_071


# -- a place credits its data ---------------------------------------------------------


def test_a_place_source_credits_geonames_with_its_geonameid():
    from layers import resolve_source

    src = resolve_source("Vladivostok,RU")
    assert [s.name for s in src.provenance.sources] == ["GeoNames cities500"]
    assert src.provenance.details["geonameid"] == src.place.geonameid == 2013348
    assert src.provenance.details["place_url"] == "https://www.geonames.org/2013348"


def test_a_point_source_says_it_is_the_users_own_coordinates():
    from layers import resolve_source

    src = resolve_source("131.9,43.1")
    assert src.provenance.sources == ()
    assert src.provenance.details["coordinates"] == "given by the user"
    assert "the user's own coordinates" in src.provenance.method


def test_an_exposure_around_a_place_lists_geonames_even_counting_other_people(tmp_path):
    # counted with a table that credits nobody, the exposure still credits the place's source
    from layers import exposure, resolve_source

    towns = geopandas.GeoDataFrame(
        {"name": ["a", "b"], "country": ["RU", "RU"], "population": [100, 200]},
        geometry=[shapely.Point(131.9, 43.2), shapely.Point(135.0, 48.5)],
        crs="EPSG:4326",
    )
    exp = exposure(resolve_source("Vladivostok,RU"), towns, "50km")
    assert exp.population("50km") == 100  # b is 600 km away (Khabarovsk)
    assert "GeoNames cities500" in [s.name for s in exp.provenance.sources]
    assert exp.provenance.details["geonameid"] == 2013348
    assert "GeoNames (CC BY 4.0)" in exp.provenance.attribution()


def test_a_place_found_in_a_table_of_ones_own_credits_that_table():
    from layers import Provenance, resolve_source
    from layers.provenance import DataSource

    towns = geopandas.GeoDataFrame(
        {"name": ["Springfield"], "country": ["US"], "population": [100]},
        geometry=[shapely.Point(-89.6, 39.8)],
        crs="EPSG:4326",
    )
    own = DataSource("my towns", "2024", "CC0", "My towns")
    Provenance(sources=(own,)).attach(towns)
    src = resolve_source("Springfield", settlements=towns)
    assert src.provenance.sources == (own,)
