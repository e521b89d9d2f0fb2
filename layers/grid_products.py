"""Published population grids riskmap can download, and how to tell their kind.

Each :class:`GridProduct` names a real product with its URL, licence and
attribution; :func:`fetch_product` downloads it through the checksummed cache
(:mod:`layers.cache`) and unpacks the GeoTIFF. :func:`guess_kind` tells count grids
(people per cell) from density grids (people per km²) by the names their producers
give their files.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from geo.errors import DataError, InputError
from layers.cache import fetch
from layers.provenance import DataSource, Provenance

__all__ = ["GridProduct", "PRODUCTS", "Kind", "check_kind", "fetch_product", "guess_kind"]

#: What a grid's cells hold: people per cell, or people per km².
Kind = Literal["count", "density"]
_KINDS = ("count", "density")


@dataclass(frozen=True)
class GridProduct:
    """A published population grid riskmap knows how to fetch.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"ghs-pop-2020-30ss"``. WorldPop keys end in ``:ISO3``.
    title : str
        What the product is.
    url : str
        Download URL (``{iso3}`` / ``{ISO3}`` placeholders for per-country products).
    kind : {"count", "density"}
        People per cell, or people per km².
    licence : str
        Licence identifier.
    attribution : str
        The credit line the licence asks for.
    version : str
        Release and epoch.
    sha256 : str or None
        Pinned checksum of the download; None when riskmap has not pinned one yet,
        in which case the caller must give one (see :func:`population_grid`).
    member : str or None
        The GeoTIFF inside a zip download; None when the download is the GeoTIFF.

    Examples
    --------
    >>> product = PRODUCTS["ghs-pop-2020-30ss"]
    >>> product.kind, product.licence, product.member
    ('count', 'CC BY 4.0', 'GHS_POP_E2020_GLOBE_R2023A_4326_30ss_V1_0.tif')
    """

    name: str
    title: str
    url: str
    kind: Kind
    licence: str
    attribution: str
    version: str
    sha256: str | None = None
    member: str | None = None


_GHS = "https://jeodpp.jrc.ec.europa.eu/ftp/jrc-opendata/GHSL/GHS_POP_GLOBE_R2023A"
_GHS_CITE = (
    "GHS-POP R2023A: Schiavina, Freire, Carioli, MacManus (2023), European Commission JRC, "
    "doi:10.2905/2FF68A52-5B5B-4A22-8F40-C41DA8332CFE"
)
_WORLDPOP_CITE = "WorldPop (www.worldpop.org), University of Southampton, 2020 estimates"

#: Products :func:`population_grid` can download by name. Checksums are pinned once a
#: copy has been verified (the registry holds ``None`` until then).
PRODUCTS: dict[str, GridProduct] = {
    p.name: p
    for p in [
        GridProduct(
            name="ghs-pop-2020-30ss",
            title="GHS-POP R2023A, epoch 2020, 30 arc-second, EPSG:4326, global",
            url=f"{_GHS}/GHS_POP_E2020_GLOBE_R2023A_4326_30ss/V1-0/"
            "GHS_POP_E2020_GLOBE_R2023A_4326_30ss_V1_0.zip",
            member="GHS_POP_E2020_GLOBE_R2023A_4326_30ss_V1_0.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution=_GHS_CITE,
            version="R2023A V1-0, epoch 2020",
        ),
        GridProduct(
            name="ghs-pop-2020-1km",
            title="GHS-POP R2023A, epoch 2020, 1 km, Mollweide (ESRI:54009), global",
            url=f"{_GHS}/GHS_POP_E2020_GLOBE_R2023A_54009_1000/V1-0/"
            "GHS_POP_E2020_GLOBE_R2023A_54009_1000_V1_0.zip",
            member="GHS_POP_E2020_GLOBE_R2023A_54009_1000_V1_0.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution=_GHS_CITE,
            version="R2023A V1-0, epoch 2020",
        ),
        GridProduct(
            name="worldpop-2020-1km",
            title="WorldPop 2020 unconstrained people per cell, 30 arc-second, one country",
            url="https://data.worldpop.org/GIS/Population/Global_2000_2020_1km/2020/"
            "{ISO3}/{iso3}_ppp_2020_1km_Aggregated.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution=_WORLDPOP_CITE,
            version="Global 2000-2020 1 km, 2020",
        ),
    ]
}

# File-name patterns of known products, to tell count grids from density grids.
_KIND_PATTERNS: list[tuple[re.Pattern[str], Kind]] = [
    (re.compile(r"GHS_POP_", re.I), "count"),
    (re.compile(r"(^|_)ppp([_.]|$)", re.I), "count"),  # WorldPop people per pixel
    (re.compile(r"(^|_)pd([_.]|$)", re.I), "density"),  # WorldPop people per km²
    (re.compile(r"population_count", re.I), "count"),  # GPW
    (re.compile(r"population_density", re.I), "density"),  # GPW
    (re.compile(r"landscan", re.I), "count"),
]


def check_kind(kind: Any) -> Kind:
    """Return ``kind`` if it names a kind of grid, else raise.

    Parameters
    ----------
    kind : str
        ``"count"`` (people per cell) or ``"density"`` (people per km²).

    Returns
    -------
    Kind
        The same value.

    Raises
    ------
    InputError
        For anything else; the message names both kinds.

    Examples
    --------
    >>> check_kind("density")
    'density'
    >>> check_kind("people")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: kind 'people' is not a grid kind; expected 'count' (people per cell) ...
    """
    if kind not in _KINDS:
        raise InputError(
            f"kind {kind!r} is not a grid kind; expected 'count' (people per cell) "
            "or 'density' (people per km²)"
        )
    return cast(Kind, kind)


def guess_kind(name: str) -> Kind | None:
    """Return the kind of a grid recognised by its file name, or None.

    Parameters
    ----------
    name : str
        The file name, as its producer writes it.

    Returns
    -------
    Kind or None
        ``"count"`` for GHS-POP, WorldPop ``*_ppp_*``, GPW ``*population_count*`` and
        LandScan; ``"density"`` for WorldPop ``*_pd_*`` and GPW
        ``*population_density*``; None for any other name.

    Examples
    --------
    >>> guess_kind("prk_ppp_2020_1km_Aggregated.tif"), guess_kind("prk_pd_2020_1km.tif")
    ('count', 'density')
    >>> guess_kind("my_grid.tif") is None
    True
    """
    for pattern, kind in _KIND_PATTERNS:
        if pattern.search(name):
            return kind
    return None


def fetch_product(
    product: GridProduct, country: str = "", *, sha256: str | None = None
) -> tuple[Path, Provenance]:
    """Download a product once (checksum-verified) and return its GeoTIFF and provenance.

    Parameters
    ----------
    product : GridProduct
        The product.
    country : str, default ""
        ISO 3166 alpha-3 code, for per-country products.
    sha256 : str, optional
        Checksum of the download when the registry pins none.

    Returns
    -------
    tuple
        ``(path, provenance)``: the GeoTIFF in the cache and where it came from.

    Raises
    ------
    InputError
        If a per-country product has no valid alpha-3 code, or ``sha256`` differs from
        the pinned checksum.
    DataError
        If no checksum is known, or the download fails (see :func:`layers.cache.fetch`).

    Examples
    --------
    >>> fetch_product(PRODUCTS["ghs-pop-2020-30ss"])
    Traceback (most recent call last):
    ...
    geo.errors.DataError: riskmap has no pinned checksum for 'ghs-pop-2020-30ss' ...
    """
    url = product.url
    if "{iso3}" in url:
        if not re.fullmatch(r"[A-Za-z]{3}", country):
            raise InputError(
                f"product {product.name!r} is per country; name it like '{product.name}:PRK' "
                f"(ISO 3166 alpha-3), got {country!r}"
            )
        url = url.format(iso3=country.lower(), ISO3=country.upper())
    digest = product.sha256
    if sha256 is not None and digest is not None and sha256.lower() != digest:
        raise InputError(
            f"sha256 {sha256!r} differs from the checksum riskmap pins for {product.name!r}"
        )
    digest = digest or sha256
    if digest is None:
        raise DataError(
            f"riskmap has no pinned checksum for {product.name!r} ({url}); pass "
            "sha256='...' (from the producer, or `sha256sum` of a copy you trust), or "
            "download the file yourself and pass its path to population_grid"
        )
    path = fetch(url, sha256=digest, subdir=product.name.split(":")[0])
    if product.member is not None:
        path = _unzip_member(path, product.member)
    provenance = Provenance(
        sources=(
            DataSource(
                name=product.title + (f", {country.upper()}" if country else ""),
                version=product.version,
                licence=product.licence,
                attribution=product.attribution,
                url=url,
            ),
        )
    )
    return path, provenance


def _unzip_member(zip_path: Path, member: str) -> Path:
    """Extract one file of a verified zip beside it (atomically), once."""
    target = zip_path.with_name(member)
    if target.exists():
        return target
    try:
        with zipfile.ZipFile(zip_path) as zf, zf.open(member) as src:
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as dst:
                    while block := src.read(1 << 20):
                        dst.write(block)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
    except (KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{zip_path.name!r} does not contain {member!r}: {exc}") from exc
    return target
