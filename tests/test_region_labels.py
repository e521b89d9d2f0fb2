"""One label per admin-1 region: the title's, in the legend, the tooltips, the page and the PNG.

Natural Earth's ``name`` and ``name_en`` differ for 1,265 of its 4,596 regions ("Chukchi
Autonomous Okrug" and "Chukotka Autonomous Okrug" for RU-CHU); riskmap names a region by
:func:`layers.region_label` everywhere.
"""

from __future__ import annotations

import html

import pytest

import layers
from layers.regions import region_label
from maps import RiskMap
from maps.elements import Territory


@pytest.mark.parametrize("code", ["RU-CHU", "RU-PRI", "FR-IDF"])
def test_a_region_is_drawn_under_the_label_the_title_uses(code):
    data = layers.region(code)
    label = region_label(data)
    (layer,) = Territory(data).layers(200.0)
    assert layer.name == label and [e.label for e in layer.legend] == [label]
    for i, tip in enumerate(layer.features["tooltip"]):
        row = data.iloc[[i]]  # a grouping (Île-de-France): each feature by its own label
        assert f"<b>{html.escape(region_label(row))}</b>" in tip
        name, english = row["name"].iat[0], row["name_en"].iat[0]
        if english and name not in english:  # Natural Earth's other spelling is not shown
            assert name not in tip, tip


def test_the_page_and_the_legend_name_chukotka_one_way():
    data = layers.region("RU-CHU")
    assert data["name"].iat[0] == "Chukchi Autonomous Okrug"  # Natural Earth's `name`
    label = region_label(data)
    assert label == "Chukotka Autonomous Okrug (RU-CHU), Russia"
    rmap = RiskMap(title=f"Within 100 km of {label}").add_territory(data)
    desc = rmap.describe()
    legend = [e.label for layer in desc.layers for e in layer.legend]
    assert legend == [label]
    page = rmap.render()
    assert "Chukchi" not in page and "Chukotka Autonomous Okrug (RU-CHU), Russia" in page


def test_a_placeholder_code_is_not_offered_as_a_way_to_write_a_region():
    # Natural Earth codes some regions "JE-X01~": a placeholder no one writes (or can look up).
    note = layers.resolve_source("Jersey").note
    assert "write 'region:Jersey' for it" in note and "or JE-X01~" not in note
