"""An exposure in a notebook: its table as escaped HTML, with units, warnings and provenance."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

from layers.analysis.values import radius_label

if TYPE_CHECKING:
    from layers.analysis.result import Exposure

__all__ = ["exposure_html"]


def exposure_html(exposure: Exposure) -> str:
    """Return the exposure's table as escaped HTML, with units, warnings and provenance.

    Parameters
    ----------
    exposure : Exposure
        The result to show.

    Returns
    -------
    str
        A ``<div>`` holding a caption (what is measured from what), one row per
        country and radius (radius in km, population in people, places or cells,
        coverage), the warnings and a provenance line (method, sources, library).

    Examples
    --------
    >>> import geopandas, shapely
    >>> import layers
    >>> towns = geopandas.GeoDataFrame(
    ...     {"name": ["<A>"], "country": ["RU"], "population": [900]},
    ...     geometry=geopandas.points_from_xy([131.9], [43.1]), crs="EPSG:4326")
    >>> page = exposure_html(layers.exposure(shapely.Point(131.9, 43.0), towns, "50km"))
    >>> "population (people)" in page, "<td>900</td>" in page
    (True, True)
    """
    table = exposure.table
    count = "places" if "places" in table.columns else "cells"
    header = ["country", "radius (km)", "population (people)", count]
    cov = "coverage" in table.columns
    if cov:
        header.append("coverage (settlements ÷ population)")
    rows = []
    for row in table.itertuples(index=False):
        cells = [
            str(row.country),
            f"{row.radius_km:,.6g}",
            f"{row.population:,.0f}",
            f"{getattr(row, count):,.6g}",
        ]
        if cov:
            ratio = row.coverage
            cells.append(
                "unknown" if pd.isna(ratio) else f"{ratio:.0%} {row.coverage_note}".strip()
            )
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    p = exposure.provenance
    source = f" of {exposure.source}" if exposure.source else ""
    caption = (
        f"Exposure ({exposure.kind}): people within "
        f"{', '.join(radius_label(r) for r in exposure.radii_m)}{source}"
    )
    warns = "".join(f"<li>{html.escape(w)}</li>" for w in exposure.warnings)
    credit = " · ".join(x for x in (p.method, p.attribution(), p.library) if x)
    return (
        '<div class="riskmap-exposure"><table>'
        f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        + (f'<ul class="riskmap-warnings">{warns}</ul>' if warns else "")
        + f'<p class="riskmap-provenance"><small>{html.escape(credit)}</small></p></div>'
    )
