"""``riskmap exposure``'s option values read as Python and scenario files read them."""

from __future__ import annotations

import pytest
from test_cli import _one_line_error, riskmap

import geo


def test_radius_with_underscores_counts_as_the_plain_number():
    # 1_000 km is 1000 km: the same table, read by the one distance parser.
    plain = riskmap("exposure", "--around", "KP", "--radius", "1000km", "--country", "CN")
    grouped = riskmap("exposure", "--around", "KP", "--radius", "1_000km", "--country", "CN")
    assert plain.returncode == grouped.returncode == 0, grouped.stderr
    assert "within 1000 km" in grouped.stdout
    assert grouped.stdout == plain.stdout


@pytest.mark.parametrize("value", ["1,000km", "50km,1,000km"])
def test_radius_with_a_thousands_comma_is_refused_not_split(value):
    # Split at the comma, "1,000km" would be "1" (refused without a unit, or worse, a list).
    line = _one_line_error(riskmap("exposure", "--around", "KP", "--radius", value))
    assert "--radius" in line and "'1000km' or '1_000km'" in line


def test_a_list_of_distances_still_splits_at_commas():
    proc = riskmap("exposure", "--around", "KP", "--radius", "50km,1_00km", "--country", "CN")
    assert proc.returncode == 0, proc.stderr
    assert "within 50, 100 km" in proc.stdout
    assert geo.parse_distance("1_00km") == 100_000.0
