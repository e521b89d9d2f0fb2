"""Names that could resolve to the wrong thing: refused with every reading, or the right one.

A region named without its kind word ("Nakhchivan" for the Naxçıvan Autonomous Republic),
a region name that is also a city's ("Victoria"), a place name matched by another
city's alternate name ("Alexandria" on Mashhad), and the order of ``riskmap distance A B``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re

import geopandas
import numpy as np
import pytest
import shapely
from pyproj import Geod

import layers
from geo.errors import AmbiguousError
from layers.places import ALTERNATE_NAME_FACTOR, _fold
from layers.regions import _short_index, match_regions
from layers.settlements import alternate_names
from layers.sources import MAJOR_CITY_POPULATION, resolve_source
from maps.cli import main

GEOD = Geod(ellps="WGS84")


def riskmap(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def codes(group: list[int]) -> set[str]:
    return set(layers.regions().iloc[group]["iso_3166_2"])


def area_km2(layer) -> float:
    geom = shapely.union_all(layer.geometry.values)
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


# -- 1. a region named without its kind word ------------------------------------------


@pytest.mark.parametrize("name", ["Nakhchivan", "Naxcivan", "Nakhichevan"])
def test_nakhchivan_is_refused_naming_the_municipality_and_the_republic(name):
    with pytest.raises(AmbiguousError) as info:
        layers.region(name)
    text = str(info.value)
    assert "AZ-NX" in text and "AZ-10" in text and "Naxçıvan Autonomous Republic" in text
    assert "the municipality" in text
    # each way the message offers to write a region names that region alone
    city, republic = layers.region("AZ-NX"), layers.region("AZ-10")
    assert layers.region("Naxçıvan Autonomous Republic")["iso_3166_2"].tolist() == (
        republic["iso_3166_2"].tolist()
    )
    # the two are what their kinds say (geodesic areas of Natural Earth's polygons): the
    # municipality is a town (about 130 km² here), the republic the exclave (5,500 km²)
    assert area_km2(city) < 500 and 4_500 < area_km2(republic) < 6_500
    with pytest.raises(AmbiguousError, match="AZ-NX.*AZ-10"):
        resolve_source(name)
    code, _, err = riskmap("exposure", "--around", name, "--radius", "50km")
    assert code != 0 and "AZ-NX" in err and "AZ-10" in err


def test_every_name_of_a_region_and_of_another_without_its_kind_word_is_ambiguous():
    # over the whole admin-1 table: where a key is one region's name and another region's
    # name without its kind word, both are matched, and each is offered in a form that
    # names it alone
    features, groupings = _short_index()
    pairs = 0
    for key in sorted(set(features) | set(groupings)):
        groups = match_regions(key)
        short = [g for g in groups if set(g) & set(features.get(key, []) + groupings.get(key, []))]
        if len(groups) < 2 or not short:
            continue
        pairs += 1
        with pytest.raises(AmbiguousError) as info:
            layers.region(key)
        for written, _ in re.findall(r"(\S+|'[^']+') (or|for) ", str(info.value).split("; ")[-1]):
            if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}|'.+'", written):
                assert len(match_regions(written.strip("'"))) == 1, (key, written)
    assert pairs >= 6  # Nakhchivan, Fujian (Kinmen's province), Vientiane, Northern, ...


# -- 2. a region name that is also a major city ---------------------------------------


def test_victoria_is_the_city_of_289625_with_a_note_naming_both_regions():
    src = resolve_source("Victoria", settlements=layers.settlements())
    assert src.kind == "place" and (src.place.name, src.place.country) == ("Victoria", "CA")
    assert src.place.population == 289_625 >= MAJOR_CITY_POPULATION
    for written, country in (("AU-VIC", "AU"), ("MT-45", "MT")):
        assert written in src.note and f"'region:Victoria, {country}'" in src.note
        assert resolve_source(f"region:Victoria, {country}").codes == (country,)
        assert resolve_source(written).codes == (country,)
    code, out, err = riskmap("distance", "Victoria", "0,0")
    assert code == 0, err
    assert out.startswith("from: Victoria, CA") and "AU-VIC" in err and "MT-45" in err
    km = float(re.search(r"distance: ([\d,.]+) km", out).group(1).replace(",", ""))
    assert km == pytest.approx(GEOD.inv(*src.place.lonlat, 0, 0)[2] / 1000, abs=0.001)


def test_an_ambiguous_region_name_of_a_small_town_lists_the_town_too():
    # Plateau: the departments of Benin and the state of Nigeria, and a town of 2,000
    with pytest.raises(AmbiguousError) as info:
        resolve_source("Plateau", settlements=layers.settlements())
    text = str(info.value)
    assert "BJ-PL" in text and "NG-PL" in text
    assert "the settlement Plateau, US" in text and "population 2,000" in text
    for written in ("'region:Plateau, BJ'", "'region:Plateau, NG'", "'place:Plateau,US'"):
        assert written in text
    assert resolve_source("region:Plateau, NG").codes == ("NG",)
    assert resolve_source("place:Plateau,US").place.population == 2_000


# -- 3. own names before alternate names, and the real number of matches --------------


def _count(name: str, table) -> tuple[int, int]:
    """Own-name and alternate-name-only matches, counted from the tables directly."""
    key = name.casefold()
    own = table["name"].str.casefold().to_numpy() == key
    alt = alternate_names()
    ids = set(alt.loc[alt["alternate_name"].to_numpy() == key, "geonameid"])
    other = table["geonameid"].isin(ids).to_numpy() & ~own
    return int(own.sum()), int(other.sum())


@pytest.mark.parametrize("name", ["Springfield", "Alexandria", "Victoria"])
def test_the_number_of_matches_is_every_match(name):
    table = layers.settlements()
    own, other = _count(name, table)
    place = layers.resolve_place(name, table)
    assert (place.matches, place.alternate_matches) == (own + other, other)
    if other:
        assert f"the {own} places of that own name ({other} more" in place.describe_choice()
    else:  # no place has it only as an alternate name (Springfield, since its sections)
        assert f"the most populous of {own} matches;" in place.describe_choice()
    assert own > len(place.alternatives) + 1  # more than the runners-up shown


def test_an_own_name_outranks_an_alternate_name():
    place = layers.resolve_place("Alexandria", layers.settlements())
    assert (place.name, place.country) == ("Alexandria", "EG")
    assert [p.name for p in place.alternatives] == ["Alexandria"] * 4  # Mashhad comes later
    assert [p.country for p in place.alternatives][:3] == ["US", "US", "RO"]
    # "Zaporizhzhia" is still the city, 1,082 times the village of that own name
    zap = layers.resolve_place("Zaporizhzhia")
    assert zap.name == "Zaporizhzhya" and zap.population >= ALTERNATE_NAME_FACTOR * 656
    assert "by its alternate name 'Zaporizhzhia'" in zap.describe_choice()
    assert "Mashhad" not in _fold(place.describe_choice())


@pytest.mark.parametrize(("factor", "winner"), [(99.9, "Victoria"), (100, "Hong Kong")])
def test_an_alternate_name_wins_from_the_stated_factor_on(factor, winner):
    # Hong Kong (geonameid 1819729) carries "Victoria" as a GeoNames alternate name
    towns = geopandas.GeoDataFrame(
        {
            "name": ["Victoria", "Hong Kong"],
            "country": ["CA", "HK"],
            "population": [1_000, 1_000 * factor],
            "geonameid": np.array([6174041, 1819729]),
        },
        geometry=shapely.points([(-123.35, 48.43), (114.17, 22.28)]),
        crs="EPSG:4326",
    )
    place = layers.resolve_place("Victoria", towns)
    assert place.name == winner and place.matches == 2 and place.alternate_matches == 1


# -- 4. riskmap distance keeps the order the user gave --------------------------------


def test_distance_from_an_area_to_a_point_prints_them_in_that_order():
    code, out, err = riskmap("distance", "Georgia", "0,0")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("from: the nearest point of Georgia")
    assert lines[1] == "to:   0,0 (0.0000°N, 0.0000°E)"
    code, back, _ = riskmap("distance", "0,0", "Georgia")
    assert back.splitlines()[0] == "from: 0,0 (0.0000°N, 0.0000°E)"
    assert back.splitlines()[2] == lines[2]  # the same distance either way
    _, text, _ = riskmap("distance", "Georgia", "0,0", "--json")
    record = json.loads(text)
    assert record["from"]["kind"] == "territory" and record["to"]["name"] == "0,0"
    foot = record["from"]["nearest_point"]
    assert record["distance_m"] == pytest.approx(GEOD.inv(*foot, 0, 0)[2], abs=0.01)


# -- 4. a region's capital by another name, sections, and the bigger alternate ----------


def test_a_region_name_that_is_its_capitals_other_name_is_the_capital():
    # "Odessa" is the oblast UA-51 and, by an alternate name, its capital Odesa (1,010,537);
    # its own name is Odessa, Texas (114,428), 9,783 km from Kyiv.
    src = resolve_source("Odessa")
    assert (src.place.name, src.place.country) == ("Odesa", "UA")
    assert "its capital Odesa, UA" in src.note and "write 'place:Odessa,US'" in src.note
    assert resolve_source("place:Odessa,US").place.country == "US"  # the fix it gives works
    code, out, _ = riskmap("distance", "Odessa", "Kyiv")
    assert code == 0
    kyiv = layers.resolve_place("Kyiv")
    expected = GEOD.inv(*src.place.lonlat, *kyiv.lonlat)[2] / 1000
    assert f"distance: {expected:,.3f} km" in out and expected < 500


def test_a_capital_smaller_than_the_settlement_of_that_own_name_is_not_taken():
    # Victoria (MT-45) has its capital Victoria, Gozo; Victoria, CA has 40 times its people.
    src = resolve_source("Victoria")
    assert (src.place.name, src.place.country) == ("Victoria", "CA")
    assert "the settlement Victoria, CA" in src.note


def test_a_section_ranks_after_a_place_of_its_name_with_a_tenth_of_its_people():
    # Victoria, HK (956,800) is a district of Hong Kong, counted in Hong Kong's figure.
    with_sections = layers.settlements(include_sections=True)
    hk = with_sections[(with_sections["name"] == "Victoria") & (with_sections["country"] == "HK")]
    assert bool(hk["section"].iat[0]) and hk["population"].iat[0] > 289_625
    place = layers.resolve_place("Victoria", with_sections)
    assert (place.name, place.country) == ("Victoria", "CA")
    code, out, _ = riskmap("distance", "Victoria", "0,0")
    assert "from: Victoria, CA" in out
    code, out, _ = riskmap("exposure", "--around", "Victoria", "--radius", "10km")
    assert "of Victoria, CA" in out


def test_a_bigger_place_of_that_alternate_name_is_named_with_the_fix():
    place = layers.resolve_place("St. Petersburg")
    assert (place.name, place.country) == ("St. Petersburg", "US")
    choice = place.describe_choice()
    spb = layers.resolve_place("Saint Petersburg,RU")
    times = spb.population / place.population
    assert f"Saint Petersburg, RU has {times:,.0f} times the people" in choice
    assert "write 'Saint Petersburg,RU' for it" in choice
    assert "the only place of that own name" in choice  # not "the 1 places"
    # Shown even when it ranks below the runners-up kept (Odessa has five of its own name)
    odessa = layers.resolve_place("Odessa")
    assert any(p.country == "UA" for p in odessa.alternatives), odessa.describe_choice()


def test_the_exposure_command_says_which_place_an_ambiguous_name_took():
    code, out, _ = riskmap("exposure", "--around", "Springfield", "--radius", "20km")
    assert code == 0
    note = next(line for line in out.splitlines() if line.startswith("note: "))
    assert "chose the most populous of the" in note and "Springfield, US" in note
