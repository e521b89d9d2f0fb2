"""Getting a population grid: named products, years, tiles and URLs, through the cache.

:func:`fetch_grid` turns what a user writes into a verified GeoTIFF (or a mosaic of
tiles) in the cache, with its provenance: a product of the registry
(:data:`PRODUCTS`, :mod:`layers.grid_registry`) with an optional year and country
(``"ghs-pop:2020"``, ``"worldpop-1km:2015:PRK"``), or an ``http(s)://`` URL of a
GeoTIFF or of a zip holding one. Every download goes through :func:`layers.cache.fetch`
(pinned checksum where the producer publishes one, else trust on first use, recorded
in the lock file). Tiled products fetch only the tiles the question's area touches
and read them as one mosaic (:func:`layers.grid_tiles.write_mosaic`); per-country
products asked for several countries are mosaicked the same way.

A year must be one of the product's epochs: riskmap does not pick the nearest one for
you (GHS-POP 2019 is not GHS-POP 2020); the error names the nearest epochs.
:func:`guess_kind` tells count grids (people per cell) from density grids (people per
km²) by the names their producers give their files.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse

from geo.errors import DataError, InputError
from layers.cache import cache_dir, fetch
from layers.grid_registry import PRODUCTS, GridProduct, Kind, Population
from layers.provenance import DataSource, Provenance
from layers.unpack import only_tif, unzip_member

__all__ = [
    "GridFile",
    "GridProduct",
    "PRODUCTS",
    "Kind",
    "check_kind",
    "fetch_grid",
    "fetch_product",
    "guess_kind",
    "is_url",
    "parse_product",
    "product_path",
]

_KINDS = ("count", "density")


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


def is_url(source: Any) -> bool:
    """Return True when ``source`` is an ``http://`` or ``https://`` URL.

    Parameters
    ----------
    source : object
        What a user gave as a population source.

    Returns
    -------
    bool
        True for a string starting with ``http://`` or ``https://``.

    Examples
    --------
    >>> is_url("https://example.org/pop.tif"), is_url("ghs-pop:2020")
    (True, False)
    """
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


def _epoch(product: GridProduct, year: Any) -> int | None:
    if year is None:
        return product.default_year
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = None
    if value is None or isinstance(year, bool) or str(value) != str(year).strip():
        raise InputError(f"year {year!r} of {product.name!r} is not a year like 2020")
    if product.epochs and value not in product.epochs:
        nearest = sorted(product.epochs, key=lambda e: (abs(e - value), e))[:2]
        span = f"{product.epochs[0]}-{product.epochs[-1]}"
        raise InputError(
            f"{product.name!r} has no epoch {value}; its epochs are {span} "
            f"({', '.join(map(str, product.epochs))}); riskmap does not substitute another "
            f"year: name one, e.g. '{product.name}:{sorted(nearest)[0]}'"
        )
    return value


def parse_product(source: str) -> tuple[GridProduct, int | None, tuple[str, ...]]:
    """Read ``"NAME[:YEAR][:ISO3[+ISO3...]]"`` into a product, its epoch and countries.

    Parameters
    ----------
    source : str
        A registry name, optionally with a year (one of its epochs) and, for
        per-country products, ISO 3166 alpha-3 codes, in any order.

    Returns
    -------
    tuple
        ``(product, year, countries)``; the year is the product's default epoch when
        none is named (None for products without epochs).

    Raises
    ------
    InputError
        For an unknown product, a year that is not one of its epochs (the message
        names them), or a part that is neither a year nor a country code.

    Examples
    --------
    >>> product, year, countries = parse_product("worldpop-1km:2015:PRK+RUS")
    >>> product.name, year, countries
    ('worldpop-1km', 2015, ('PRK', 'RUS'))
    >>> parse_product("ghs-pop:2019")
    Traceback (most recent call last):
    ...
    geo.errors.InputError: 'ghs-pop' has no epoch 2019; its epochs are 1975-2030 ...
    """
    name, *parts = [p.strip() for p in str(source).split(":")]
    if name.lower() not in PRODUCTS:
        raise InputError(
            f"population grid {name!r} is not a known product; expected one of "
            f"{', '.join(sorted(PRODUCTS))} (see `riskmap data list`), a GeoTIFF path or "
            "an http(s) URL"
        )
    product = PRODUCTS[name.lower()]
    year: str | None = None
    countries: list[str] = []
    for part in parts:
        if re.fullmatch(r"\d{4}", part) and year is None:
            year = part
        elif re.fullmatch(r"[A-Za-z]{3}(\+[A-Za-z]{3})*", part) and product.per_country:
            countries += [c.upper() for c in part.split("+")]
        elif product.per_country and "+" in part:
            bad = [c for c in part.split("+") if not re.fullmatch(r"[A-Za-z]{3}", c.strip())]
            verb = "is not an ISO3 country code" if len(bad) == 1 else "are not ISO3 country codes"
            raise InputError(
                f"{', '.join(map(repr, bad))} in {source!r} {verb}"
                f" (three letters, e.g. 'RUS'); write it like '{product.name}:"
                f"{product.default_year or 2020}:PRK+RUS'"
            )
        else:
            what = "a year or ISO3 country codes" if product.per_country else "a year"
            raise InputError(
                f"{part!r} in {source!r} is not {what}; write it like "
                f"'{product.name}:{product.default_year or 2020}"
                + (":PRK'" if product.per_country else "'")
            )
    return product, _epoch(product, year), tuple(countries)


@dataclass(frozen=True)
class GridFile:
    """A population grid on disk, ready to open, and where it came from.

    Attributes
    ----------
    path : pathlib.Path
        A GeoTIFF, or a VRT mosaic of several.
    provenance : Provenance
        Product, release, epoch, licence, citation, URL.
    kind : {"count", "density"} or None
        People per cell or per km² (None for a URL whose name does not say).
    name : str
        The source as written (``"ghs-pop:2020"``, a URL).
    release : str
        The product's release, or "" for a URL.
    year : int or None
        The epoch.
    population : {"residential", "ambient"} or None
        Whom the grid counts (None when unknown, for a URL).
    pieces : tuple of str
        The tiles or countries fetched for a mosaic (empty for one file).
    missing : tuple of str
        Tiles the producer does not publish (all sea), left out of the mosaic.

    Examples
    --------
    >>> GridFile(Path("a.tif"), Provenance(), "count", "a", "", None, None).pieces
    ()
    """

    path: Path
    provenance: Provenance
    kind: Kind | None
    name: str
    release: str
    year: int | None
    population: Population | None
    pieces: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


def product_path(source: str) -> Path:
    """Return where a one-file product (a GeoTIFF) lives in the cache, fetched or not.

    Parameters
    ----------
    source : str
        ``"NAME[:YEAR][:ISO3]"`` (one country at most).

    Returns
    -------
    pathlib.Path
        The GeoTIFF's place in the cache folder; for ``access="local"`` products,
        where to put the file you downloaded.

    Raises
    ------
    InputError
        For a tiled product (its tiles depend on the area: ``riskmap data fetch``
        prints the mosaic), or a per-country product without one country.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"RISKMAP_DATA_DIR": "/data/riskmap"}):
    ...     print(product_path("gpw:2015").as_posix())
    /data/riskmap/gpw/gpw_v4_population_count_rev11_2015_30_sec.tif
    """
    product, year, countries = parse_product(source)
    if product.tiles is not None:
        raise InputError(
            f"{product.name!r} is tiled; its mosaic depends on the area: run `riskmap data "
            f"fetch {product.name} --around PLACE` (or --bbox W,S,E,N), which prints its path"
        )
    if product.per_country and len(countries) != 1:
        raise InputError(
            f"{product.name!r} is per country; name one, like '{product.name}:"
            f"{year or product.default_year}:PRK'"
        )
    url = _fill(product.url, year, countries[0] if countries else "", "")
    folder = cache_dir() / product.name
    if product.member is not None:
        return folder / _fill(product.member, year, countries[0] if countries else "", "")
    return folder / Path(unquote(urlparse(url).path)).name


def _fill(pattern: str, year: int | None, iso3: str, tile: str) -> str:
    return pattern.format(year=year or "", iso3=iso3.lower(), ISO3=iso3.upper(), tile=tile)


def _source(product: GridProduct, year: int | None, what: str, url: str) -> Provenance:
    version = product.version + (f", epoch {year}" if year else "")
    return Provenance(
        sources=(
            DataSource(
                name=product.title + (f", {what}" if what else ""),
                version=version,
                licence=product.licence,
                attribution=product.attribution.replace("{year}", str(year or "")),
                url=url,
            ),
        ),
        details={"population": product.population, "grid_checked": product.checked},
    )


def fetch_grid(
    source: str | GridProduct,
    *,
    year: int | None = None,
    area: Any = None,
    countries: Sequence[str] = (),
    sha256: str | None = None,
    progress: bool | None = None,
    refetch: bool = False,
) -> GridFile:
    """Get a population grid into the cache (verified) and say what it is.

    Parameters
    ----------
    source : str or GridProduct
        ``"NAME[:YEAR][:ISO3[+ISO3...]]"`` from :data:`PRODUCTS`, or an
        ``http(s)://`` URL of a GeoTIFF or of a zip holding one (``URL#member.tif``
        picks one of several).
    year : int, optional
        The epoch (overrides none written in ``source``; must be one of the product's).
    area : shapely geometry or tuple, optional
        The question's area in lon/lat (or a ``(west, south, east, north)`` box): a
        tiled product fetches the tiles it touches, and only those.
    countries : sequence of str, default ()
        ISO3 codes for a per-country product not named with them; several give a
        mosaic.
    sha256 : str, optional
        The checksum the download must have (a one-file source only); by default the
        producer's pinned one, else the lock file's, else trust on first use.
    progress : bool, optional
        Draw download progress bars.
    refetch : bool, default False
        Download again even when cached (the copy must still match the lock file).

    Returns
    -------
    GridFile
        The file (GeoTIFF or VRT), its kind, release, epoch, whom it counts, and
        provenance.

    Raises
    ------
    InputError
        For an unknown product, an epoch it lacks, a tiled product without an area,
        a per-country product without countries.
    DataError
        For a failed or mismatched download, a ``local`` product not yet put in
        place (the message says how to get it), or offline without a cached copy.

    Examples
    --------
    >>> fetch_grid("landscan:2022")
    Traceback (most recent call last):
    ...
    geo.errors.DataError: 'landscan' (LandScan Global ambient population, ...) cannot be ...
    """
    if isinstance(source, str) and is_url(source):
        return _fetch_url(source, sha256=sha256, progress=progress, refetch=refetch)
    named: tuple[str, ...] = ()
    if isinstance(source, GridProduct):
        product, named_year = source, _epoch(source, None)
    else:
        product, named_year, named = parse_product(source)
    epoch = _epoch(product, year) if year is not None else named_year
    wanted = tuple(dict.fromkeys([*named, *(c.upper() for c in countries)]))
    if product.access == "local":
        return _local(product, epoch, wanted)
    if product.tiles is not None:
        if area is None:
            raise InputError(
                f"{product.name!r} comes in tiles ({product.tiles.crs}, {product.tiles.size:g} a "
                "side); name the area they must cover: fetch_grid(..., area=geometry or "
                "(W, S, E, N)), or "
                f"`riskmap data fetch {product.name} --around PLACE`"
            )
        pieces = [("tile", t) for t in product.tiles.tiles_for(area)]
    elif product.per_country:
        if not wanted:
            raise InputError(
                f"product {product.name!r} is per country; name it like '{product.name}:"
                f"{epoch}:PRK' (ISO 3166 alpha-3; several as PRK+RUS)"
            )
        pieces = [("country", c) for c in wanted]
    else:
        pieces = [("one", "")]
    if sha256 is not None and len(pieces) != 1:
        raise InputError(f"sha256= names one file; {product.name!r} needs {len(pieces)} here")
    return _fetch_pieces(product, epoch, pieces, sha256 or product.sha256, progress, refetch)


def _fetch_pieces(
    product: GridProduct,
    year: int | None,
    pieces: list[tuple[str, str]],
    sha256: str | None,
    progress: bool | None,
    refetch: bool,
) -> GridFile:
    """Fetch each file (tile or country), unpack it, mosaic them when several."""
    from layers.download import NotFoundError
    from layers.grid_tiles import write_mosaic

    tifs: list[Path] = []
    urls: list[str] = []
    missing: list[str] = []
    pinned_by = "pinned by producer" if sha256 == product.sha256 else "pinned by user"
    for what, value in pieces:
        iso3 = value if what == "country" else ""
        tile = value if what == "tile" else ""
        url = _fill(product.url, year, iso3, tile)
        try:
            path = fetch(
                url,
                sha256=sha256,
                subdir=product.name,
                progress=progress,
                refetch=refetch,
                pinned_by=pinned_by,
            )
        except NotFoundError:
            if what != "tile":
                raise
            missing.append(tile)  # GHSL publishes no tile of open sea
            continue
        if product.member is not None:
            path = unzip_member(path, _fill(product.member, year, iso3, tile))
        tifs.append(path)
        urls.append(url)
    if not tifs:
        raise DataError(
            f"none of the tiles {', '.join(missing)} of {product.name!r} exists on the "
            f"server ({_fill(product.url, year, '', missing[0])}); check the URL pattern"
        )
    if missing:
        warnings.warn(
            f"{product.name!r}: tiles {', '.join(missing)} are not published (open sea); "
            "they count no people",
            stacklevel=3,
        )
    values = tuple(v for _, v in pieces if v)
    if len(tifs) == 1:
        path = tifs[0]
    else:
        key = hashlib.sha256("|".join(map(str, tifs)).encode()).hexdigest()[:12]
        path = write_mosaic(tifs, cache_dir() / product.name / "mosaics" / f"{year}-{key}.vrt")
    provenance = _source(
        product,
        year,
        "+".join(values),
        urls[0]
        if len(urls) == 1
        else _fill(product.url, year, "{ISO3}" if product.per_country else "", "{tile}"),
    )
    return GridFile(
        path,
        provenance,
        product.kind,
        product.name + (f":{year}" if year else ""),
        product.version,
        year,
        product.population,
        values,
        tuple(missing),
    )


def _local(product: GridProduct, year: int | None, countries: tuple[str, ...]) -> GridFile:
    """Find a product the user downloads in the cache, verified like a download."""
    target = product_path(product.name + (f":{year}" if year else ""))
    if not target.exists():
        raise DataError(
            f"{product.name!r} ({product.title}) cannot be downloaded by riskmap: "
            f"{product.instructions.replace('{year}', str(year))}. Expected the file at "
            f"{str(target)!r}; download page: {product.url}"
        )
    path = fetch(target.as_uri(), subdir=product.name, filename=target.name)
    return GridFile(
        path,
        _source(product, year, "", product.url),
        product.kind,
        f"{product.name}:{year}",
        product.version,
        year,
        product.population,
    )


def _fetch_url(url: str, *, sha256: str | None, progress: bool | None, refetch: bool) -> GridFile:
    """Fetch a GeoTIFF (or a zip of one) named by URL, through the cache and lock file."""
    address, _, member = url.partition("#")
    folder = "url/" + hashlib.sha256(address.encode()).hexdigest()[:12]
    path = fetch(address, sha256=sha256, subdir=folder, progress=progress, refetch=refetch)
    if path.suffix.lower() == ".zip":
        path = unzip_member(path, member or only_tif(path))
    name = Path(unquote(urlparse(address).path)).name
    provenance = Provenance(
        sources=(
            DataSource(
                name=f"population grid {path.name}",
                version=f"downloaded from {name}",
                licence="as published by its producer",
                attribution="",
                url=address,
            ),
        )
    )
    return GridFile(path, provenance, guess_kind(path.name), url, "", None, None)


def fetch_product(
    product: GridProduct, country: str = "", *, sha256: str | None = None
) -> tuple[Path, Provenance]:
    """Download a product once (verified) and return its GeoTIFF and provenance.

    Parameters
    ----------
    product : GridProduct
        The product.
    country : str, default ""
        What follows the product's name in a source: a year and/or ISO3 codes
        (``"2020"``, ``"PRK"``, ``"2020:PRK"``).
    sha256 : str, optional
        Checksum the download must have; by default the producer's pinned one, else
        the lock file's, else the first download is trusted and recorded.

    Returns
    -------
    tuple
        ``(path, provenance)``: the GeoTIFF (or VRT mosaic) in the cache.

    Raises
    ------
    InputError
        For a tiled product (it needs an area: use :func:`fetch_grid`), a
        per-country product without a country, or an epoch it lacks.
    DataError
        If the download fails or does not match (see :func:`layers.cache.fetch`).

    Examples
    --------
    >>> fetch_product(PRODUCTS["worldpop-1km"])
    Traceback (most recent call last):
    ...
    geo.errors.InputError: product 'worldpop-1km' is per country; name it like ...
    """
    if PRODUCTS.get(product.name) is product:
        grid = fetch_grid(product.name + (f":{country}" if country else ""), sha256=sha256)
    else:  # a product built by the caller
        grid = fetch_grid(product, countries=_codes(country), sha256=sha256)
    return grid.path, grid.provenance


def _codes(spec: str) -> tuple[str, ...]:
    return tuple(p.upper() for p in re.split(r"[:+]", spec) if re.fullmatch(r"[A-Za-z]{3}", p))
