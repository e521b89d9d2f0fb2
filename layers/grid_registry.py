"""The registry of population grids riskmap knows: where each is, what it holds, its terms.

Each :class:`GridProduct` records its producer's URL (a pattern with ``{year}``,
``{ISO3}`` / ``{iso3}`` and ``{tile}``), release, epochs, cell size, CRS, whether cells
hold people or people per km², whether it counts residents (where people sleep) or
an ambient population (averaged over the day), licence, citation, and when and
against which page the entry was checked. The producers' servers were not reachable
from where the registry was written: each ``checked`` field says what was confirmed
from the producer's documentation and what is riskmap's reading of its file layout;
the download mechanism itself is tested on a loopback server. A wrong URL shows as
an HTTP error naming it, never as a grid of zeros.

Products behind a login or a licence (GPW v4.11 needs a NASA Earthdata login,
LandScan a registration) have ``access="local"``: riskmap cannot download them, and
``instructions`` say where to get the file and where to put it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from layers.grid_tiles import TileGrid

__all__ = ["GridProduct", "Kind", "PRODUCTS", "Population"]

#: What a grid's cells hold: people per cell, or people per km².
Kind = Literal["count", "density"]
#: Whom a grid counts: residents (census-based, where people live) or an ambient
#: population (averaged over 24 hours, e.g. LandScan).
Population = Literal["residential", "ambient"]


@dataclass(frozen=True)
class GridProduct:
    """A published population grid riskmap knows how to get.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"ghs-pop"``; a source names it with a year and, for
        per-country products, a country: ``"worldpop-1km:2020:PRK"``.
    title : str
        What the product is.
    url : str
        Download URL, or for ``access="local"`` the producer's download page.
        Placeholders: ``{year}``, ``{iso3}`` / ``{ISO3}``, ``{tile}``.
    kind : {"count", "density"}
        People per cell, or people per km².
    licence : str
        Licence identifier.
    attribution : str
        The citation the producer asks for.
    version : str
        Release (and epoch, for single-epoch entries).
    sha256 : str or None
        Checksum published by the producer, pinned; None when none is published
        (then the first download is recorded in the lock file, see :mod:`layers.cache`).
    member : str or None
        The GeoTIFF inside a zip download (same placeholders); None for a GeoTIFF.
    epochs : tuple of int
        The years the product has; empty for single-epoch entries.
    default_year : int or None
        The epoch used when a source names none.
    resolution : str
        Cell size as the producer states it (``"30 arc-seconds"``, ``"100 m"``).
    crs : str
        The grid's CRS.
    population : {"residential", "ambient"}
        Whom it counts.
    access : {"download", "local"}
        Downloadable by riskmap, or obtained by the user (see ``instructions``).
    instructions : str
        How to obtain a ``local`` product.
    tiles : TileGrid or None
        The tile grid of a tiled product (only the tiles a question needs are fetched).
    checked : str
        When the entry was checked, against which page, and what was confirmed.

    Examples
    --------
    >>> product = PRODUCTS["ghs-pop"]
    >>> product.kind, product.licence, product.population, product.epochs[:3]
    ('count', 'CC BY 4.0', 'residential', (1975, 1980, 1985))
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
    epochs: tuple[int, ...] = ()
    default_year: int | None = None
    resolution: str = ""
    crs: str = "EPSG:4326"
    population: Population = "residential"
    access: Literal["download", "local"] = "download"
    instructions: str = ""
    tiles: TileGrid | None = None
    checked: str = ""

    @property
    def per_country(self) -> bool:
        """Whether the product comes as one file per country (``{iso3}`` in its URL)."""
        return "{iso3}" in self.url.lower() or "{iso3}" in (self.member or "").lower()


_GHS = "https://jeodpp.jrc.ec.europa.eu/ftp/jrc-opendata/GHSL/GHS_POP_GLOBE_R2023A"
_GHS_CITE = (
    "Schiavina M., Freire S., Carioli A., MacManus K. (2023): GHS-POP R2023A - GHS population "
    "grid multitemporal (1975-2030). European Commission, Joint Research Centre (JRC), "
    "doi:10.2905/2FF68A52-5B5B-4A22-8F40-C41DA8332CFE"
)
_GHS_EPOCHS = tuple(range(1975, 2031, 5))
_GHS_CHECKED = (
    "2025: against https://data.jrc.ec.europa.eu/dataset/2ff68a52-5b5b-4a22-8f40-c41da8332cfe "
    "(epochs 1975-2030 every 5 years, people per cell, residential, 100 m and 1 km Mollweide, "
    "3 and 30 arc-seconds WGS84, citation) and the JRC FTP index of the R2019A release "
    "(folder layout GHS_POP_E{year}_GLOBE_{release}_{crs}_{res}/V1-0/); no checksum published"
)
_GHS_TILES = TileGrid("ESRI:54009", -18_041_000.0, 9_000_000.0, 1_000_000.0, 18, 37)
_WORLDPOP_CITE = (
    "WorldPop (www.worldpop.org - School of Geography and Environmental Science, University "
    "of Southampton), doi:10.5258/SOTON/WP00647"
)
_WORLDPOP_G2_CITE = (
    "Bondarenko M., Priyatikanto R., Tejedor-Garavito N., Zhang W., McKeen T., Cunningham A., "
    "Woods T., Hilton J., Cihan D., Nosatiuk B., Brinkhoff T., Tatem A., Sorichetta A. (2025): "
    "Constrained estimates of total number of people per grid square, 2015-2030, R2025A v1, "
    "WorldPop, University of Southampton"
)
_WP = "https://data.worldpop.org/GIS/Population"
_WP_CHECKED = (
    "2025: against https://www.worldpop.org/geodata/listing?id=74 (1 km) and ?id=29 (100 m): "
    "per country, 2000-2020, GeoTIFF, WGS84, people per pixel, CC BY 4.0; the file names "
    "({iso3}_ppp_{year}...) as WorldPop publishes them; no checksum published"
)


def _ghs(name: str, crs: str, res: str, title: str, resolution: str, **kw: object) -> GridProduct:
    stem = "GHS_POP_E{year}_GLOBE_R2023A_" + f"{crs}_{res}"
    tiled = kw.get("tiles") is not None
    file = stem + "_V1_0" + ("_{tile}" if tiled else "")
    folder = f"{_GHS}/{stem}/V1-0/" + ("tiles/" if tiled else "")
    return GridProduct(
        name=name,
        title=title,
        url=folder + file + ".zip",
        member=file + ".tif",
        kind="count",
        licence="CC BY 4.0",
        attribution=_GHS_CITE,
        version="R2023A V1-0",
        epochs=_GHS_EPOCHS,
        default_year=2020,
        resolution=resolution,
        crs="EPSG:4326" if crs == "4326" else "ESRI:54009",
        checked=_GHS_CHECKED,
        **kw,  # type: ignore[arg-type]
    )


#: The products a source can name (``"ghs-pop:2020"``, ``"worldpop-1km:2020:PRK"``).
PRODUCTS: dict[str, GridProduct] = {
    p.name: p
    for p in [
        _ghs(
            "ghs-pop",
            "4326",
            "30ss",
            "GHS-POP R2023A, 30 arc-second, EPSG:4326, global",
            "30 arc-seconds",
        ),
        _ghs(
            "ghs-pop-3ss",
            "4326",
            "3ss",
            "GHS-POP R2023A, 3 arc-second, EPSG:4326, global",
            "3 arc-seconds",
        ),
        _ghs("ghs-pop-1km", "54009", "1000", "GHS-POP R2023A, 1 km, Mollweide, global", "1 km"),
        _ghs(
            "ghs-pop-100m",
            "54009",
            "100",
            "GHS-POP R2023A, 100 m, Mollweide, in 1,000 km tiles",
            "100 m",
            tiles=_GHS_TILES,
        ),
        GridProduct(
            name="worldpop-1km",
            title="WorldPop unconstrained people per cell, 30 arc-second, per country",
            url=_WP + "/Global_2000_2020_1km/{year}/{ISO3}/{iso3}_ppp_{year}_1km_Aggregated.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution=_WORLDPOP_CITE,
            version="Global 2000-2020 (Global1), 1 km",
            epochs=tuple(range(2000, 2021)),
            default_year=2020,
            resolution="30 arc-seconds",
            checked=_WP_CHECKED,
        ),
        GridProduct(
            name="worldpop-100m",
            title="WorldPop unconstrained people per cell, 3 arc-second, per country",
            url=_WP + "/Global_2000_2020/{year}/{ISO3}/{iso3}_ppp_{year}.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution=_WORLDPOP_CITE,
            version="Global 2000-2020 (Global1), 100 m",
            epochs=tuple(range(2000, 2021)),
            default_year=2020,
            resolution="3 arc-seconds",
            checked=_WP_CHECKED,
        ),
        GridProduct(
            name="worldpop-constrained-100m",
            title="WorldPop constrained people per cell (built-up areas only), 3 arc-second, "
            "per country",
            url=_WP
            + "/Global_2000_2020_Constrained/2020/BSGM/{ISO3}/{iso3}_ppp_2020_constrained.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution=_WORLDPOP_CITE,
            version="Global1 constrained 2020 (BSGM)",
            epochs=(2020,),
            default_year=2020,
            resolution="3 arc-seconds",
            checked=_WP_CHECKED + "; a few countries are published under maxar_v1/ instead of "
            "BSGM/ and answer 404 here: give their URL as the source",
        ),
        GridProduct(
            name="worldpop",
            title="WorldPop Global2 constrained people per cell, 3 arc-second, per country "
            "(latest release)",
            url=_WP + "/Global_2015_2030/R2025A/{year}/{ISO3}/v1/100m/constrained/"
            "{iso3}_pop_{year}_CN_100m_R2025A_v1.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution=_WORLDPOP_G2_CITE,
            version="Global2 R2025A v1",
            epochs=tuple(range(2015, 2031)),
            default_year=2025,
            resolution="3 arc-seconds",
            checked="2025: release, years 2015-2030, constrained, residential, 100 m, CC BY 4.0 "
            "and citation against https://developers.google.com/earth-engine/datasets/catalog/"
            "WorldPop_GP_100m_R2025A_v1_pop and WorldPop's Global2 announcement; the folder "
            "layout under data.worldpop.org is riskmap's reading, not confirmed against a "
            "directory listing; no checksum published",
        ),
        GridProduct(
            name="gpw",
            title="GPW v4.11 population count, 30 arc-second, global",
            url="https://sedac.ciesin.columbia.edu/data/set/gpw-v4-population-count-rev11/"
            "data-download",
            member="gpw_v4_population_count_rev11_{year}_30_sec.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution="Center for International Earth Science Information Network - CIESIN - "
            "Columbia University (2018): Gridded Population of the World, Version 4 (GPWv4): "
            "Population Count, Revision 11. NASA SEDAC, doi:10.7927/H4JW8BX5",
            version="v4.11",
            epochs=(2000, 2005, 2010, 2015, 2020),
            default_year=2020,
            resolution="30 arc-seconds",
            access="local",
            instructions="log in with a NASA Earthdata account at the URL above, download "
            "'Population Count, v4.11, GeoTIFF, 30 second' for the year, unzip it and put "
            "gpw_v4_population_count_rev11_{year}_30_sec.tif at the path `riskmap data path "
            "gpw:{year}` prints (or give the file's path as the source)",
            checked="2025: against https://sedac.ciesin.columbia.edu/data/set/"
            "gpw-v4-population-count-rev11/data-download (years 2000-2020 every 5, 30 arc-second "
            "GeoTIFF in a zip, WGS84, citation); login required",
        ),
        GridProduct(
            name="landscan",
            title="LandScan Global ambient population, 30 arc-second, global",
            url="https://landscan.ornl.gov/",
            member="landscan-global-{year}.tif",
            kind="count",
            licence="CC BY 4.0",
            attribution="Oak Ridge National Laboratory: LandScan Global {year}, "
            "e.g. Sims K. et al. (2023), LandScan Global 2022, doi:10.48690/1529167",
            version="LandScan Global",
            epochs=tuple(range(2000, 2024)),
            default_year=2022,
            resolution="30 arc-seconds",
            population="ambient",
            access="local",
            instructions="register at the URL above, download LandScan Global for the year, "
            "unzip it and put landscan-global-{year}.tif at the path `riskmap data path "
            "landscan:{year}` prints (or give the file's path as the source)",
            checked="2025: against the Earth Engine community catalog entry ORNL/LANDSCAN_GLOBAL "
            "(30 arc-seconds, ambient population over 24 h, years 2000-2023, CC BY 4.0 since the "
            "2022 release, citation); registration required",
        ),
    ]
}
