"""Re-fetch the vendored Leaflet assets from the npm registry into ``maps/static/``.

Run from a checkout, with riskmap installed (``pip install -e .``) and ``npm`` on the
PATH::

    python tools/vendor_assets.py

Each package of :data:`maps.assets.PACKAGES` is fetched with ``npm pack`` (the
registry's own client, which checks the tarball's integrity), the listed files
are extracted, and ``maps/static/README.md`` is rewritten with the versions,
licences and tarball integrity hashes. Nothing else in riskmap uses the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from maps.assets import PACKAGES, Package

__all__ = ["vendor", "main"]

STATIC = Path(__file__).resolve().parents[1] / "maps" / "static"

_README_HEAD = """# Vendored map assets

The JavaScript and CSS a riskmap page needs, copied from the npm registry so that
`RiskMap.save(path)` writes a page that opens with no network (the default;
`self_contained=False` links the same versions on their CDNs instead). Leaflet and
its plugins are at the versions folium 0.20 links to; `geographiclib-geodesic`
measures on the WGS84 ellipsoid in the page, as riskmap does in Python. Only the
files listed in `maps/assets.py` (`PACKAGES`) are kept, unmodified; each package's
licence file sits beside its files. A self-contained page inlines them (images as
data: URIs).

`riskmap/` is riskmap's own page script and stylesheet (radius control, WGS84
readouts, search, state in the URL), always inlined; it is not fetched.

Regenerate with `python tools/vendor_assets.py` (needs `npm`).

| package | version | licence | npm tarball integrity |
|---|---|---|---|
"""


def _pack(package: Package, workdir: Path) -> tuple[Path, str]:
    out = subprocess.run(
        [
            "npm",
            "pack",
            f"{package.name}@{package.version}",
            "--json",
            "--pack-destination",
            str(workdir),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    return workdir / info["filename"], info["integrity"]


def vendor(static: Path = STATIC) -> list[tuple[Package, str]]:
    """Fetch every package and copy its listed files under ``static``.

    Parameters
    ----------
    static : Path
        Destination folder (``maps/static`` by default).

    Returns
    -------
    list of (Package, str)
        Each package with its tarball's integrity hash.
    """
    fetched = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            tarball, integrity = _pack(package, Path(tmp))
            dest = static / package.name
            if dest.exists():
                shutil.rmtree(dest)
            with tarfile.open(tarball) as tar:
                for member, relpath in package.files:
                    data = tar.extractfile(member)
                    if data is None:
                        raise FileNotFoundError(f"{member} is not a file in {tarball.name}")
                    target = dest / relpath
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data.read())
            fetched.append((package, integrity))
    rows = "".join(f"| {p.name} | {p.version} | {p.licence} | `{i}` |\n" for p, i in fetched)
    (static / "README.md").write_text(_README_HEAD + rows, encoding="utf-8")
    return fetched


def main() -> int:
    """Vendor the assets and list what was fetched."""
    for package, integrity in vendor():
        print(f"{package.name}@{package.version} ({package.licence}) {integrity}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
