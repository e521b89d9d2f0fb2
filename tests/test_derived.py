"""Geometries derived from package data are kept on disk, and read back only when intact."""

from __future__ import annotations

import importlib

import shapely

from layers import cache
from layers.derived import derived_geometry, inputs_key

territory_module = importlib.import_module("layers.territory")


def _never():
    raise AssertionError("built again, though a valid file was in the cache")


def test_a_territory_read_back_is_the_one_built_to_the_bit(data_dir, monkeypatch):
    built = territory_module._osm_with_sea.__wrapped__("KP")  # past the in-process cache
    files = list((data_dir / cache.DERIVED_FOLDER).glob("osm-sea-KP-*.wkb"))
    assert len(files) == 1
    monkeypatch.setattr(territory_module, "_build_with_sea", lambda iso2: _never())
    read = territory_module._osm_with_sea.__wrapped__("KP")
    assert shapely.to_wkb(read) == shapely.to_wkb(built)
    assert read.equals_exact(built, 0.0)
    # The land-only variant is kept under its own name, built from the one with its sea.
    land = territory_module._osm_land.__wrapped__("KP")
    assert land.area < built.area
    assert len(list((data_dir / cache.DERIVED_FOLDER).glob("osm-land-KP-*.wkb"))) == 1


def test_a_changed_or_cut_file_is_built_over(data_dir):
    box = shapely.box(0, 0, 1, 1)
    derived_geometry("box", "k", lambda: box)
    (path,) = (data_dir / cache.DERIVED_FOLDER).glob("box-*.wkb")
    whole = path.read_bytes()
    for damaged in (whole[:-3], whole[:-8] + b"\xff" * 8, b"not a cache file"):
        path.write_bytes(damaged)
        other = shapely.box(0, 0, 2, 2)
        assert derived_geometry("box", "k", lambda other=other: other).equals_exact(other, 0)
        assert path.read_bytes() != damaged  # rewritten whole
        assert derived_geometry("box", "k", _never).equals_exact(other, 0)


def test_new_inputs_give_a_new_file_and_the_old_one_goes(data_dir, tmp_path):
    source = tmp_path / "input.txt"
    source.write_text("release 1")
    first = inputs_key([source], "package 1.0")
    derived_geometry("thing", first, lambda: shapely.Point(1, 2))
    source.write_text("release 2")
    second = inputs_key([source], "package 1.0")
    assert second != first != inputs_key([source], "package 1.1")
    assert derived_geometry("thing", second, lambda: shapely.Point(3, 4)).equals(
        shapely.Point(3, 4)
    )
    names = [p.name for p in (data_dir / cache.DERIVED_FOLDER).iterdir()]
    assert names == [f"thing-{second[:20]}.wkb"]  # and no temporary file left


def test_a_cache_where_nothing_can_be_written_only_costs_the_time(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.DATA_DIR_ENV, str(blocker / "cache"))  # below a file: no folder
    got = derived_geometry("box", "k", lambda: shapely.box(0, 0, 1, 1))
    assert got.equals(shapely.box(0, 0, 1, 1))


def test_verify_leaves_derived_geometries_out(data_dir):
    derived_geometry("box", "k", lambda: shapely.box(0, 0, 1, 1))
    assert cache.verify_cache(data_dir) == []
