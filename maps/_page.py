"""The output of a map: its HTML page (within its budget), the page in a notebook, images.

:class:`PageOutput` is the half of :class:`maps.RiskMap` that writes: it draws what
:meth:`~maps.RiskMap.describe` returns, with Folium (:mod:`maps._folium`) or matplotlib
(:mod:`maps._png`), and writes atomically.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from maps._display import notebook_frame
from maps._io import atomic_write, image_format
from maps.assets import inline_assets
from maps.instrument import page_in_budget

if TYPE_CHECKING:
    import folium

    from maps.description import MapDescription

__all__ = ["PageOutput"]


class PageOutput:
    """What a map writes: pages and images of :meth:`describe` (see :class:`maps.RiskMap`)."""

    tolerance_m: float
    max_bytes: int
    auto_tolerance: bool

    def describe(self, *, tolerance_m: float | None = None) -> MapDescription:
        raise NotImplementedError  # maps.RiskMap.describe

    def to_folium(self, *, tolerance_m: float | None = None) -> folium.Map:
        """Build the Folium map (a new one on every call), at ``tolerance_m`` (default its own)."""
        # folium takes 0.16 s to import: only pages need it, not reports or PNGs.
        from maps._folium import build

        return build(self.describe(tolerance_m=tolerance_m))

    def render(self, *, self_contained: bool = True) -> str:
        """Return the whole HTML page as a string (``self_contained``: see :meth:`save`).

        With the default tolerance, a page over its budget is drawn with less detail
        (:func:`~maps.instrument.page_in_budget`); the legend says the tolerance used.
        """
        wrap = inline_assets if self_contained else str

        def page(tolerance: float) -> str:
            return wrap(self.to_folium(tolerance_m=tolerance).get_root().render())

        return page_in_budget(page, self.tolerance_m, self.max_bytes, auto=self.auto_tolerance)

    def save(self, path: str | os.PathLike[str], *, self_contained: bool = True) -> Path:
        """Write the map as an HTML page, atomically.

        Parameters
        ----------
        path : str or path-like
            The file to write (its folder must exist). A symbolic link is written
            through to its file and stays a link.
        self_contained : bool, default True
            Inline Leaflet, its plugins and GeographicLib, so that the page opens with
            no network (tiles aside); False links them from their CDNs (a smaller
            file that needs the network). riskmap's page script is inline either way.

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        InputError
            If ``path`` is a folder or another file that is not a regular one (a FIFO),
            or its folder does not exist or is not writable.
        """
        return atomic_write(path, self.render(self_contained=self_contained))

    def to_png(
        self,
        path: str | os.PathLike[str],
        *,
        dpi: int = 150,
        size_in: tuple[float, float] = (13.0, 8.0),
    ) -> Path:
        """Write a static image of the same content (matplotlib, no browser), atomically.

        Parameters
        ----------
        path : str or path-like
            The file to write; its extension picks the format: ``.png``, ``.svg``
            (text kept as text) or ``.pdf`` (a symbolic link is written through to its file).
        dpi : int, default 150
            Resolution in dots per inch.
        size_in : (float, float), default (13.0, 8.0)
            Figure width and height in inches.

        Returns
        -------
        pathlib.Path
            The path written.

        Raises
        ------
        InputError
            If ``path`` ends in none of ``.png``, ``.svg``, ``.pdf``, or is not a file
            that can be written (see :meth:`save`).
        """
        fmt = image_format(path)
        from maps._png import image_bytes

        return atomic_write(path, image_bytes(self.describe(), fmt, dpi=dpi, size_in=size_in))

    def render_png(self, *, dpi: int = 150, size_in: tuple[float, float] = (13.0, 8.0)) -> bytes:
        """Return the static PNG image of :meth:`to_png` as bytes, writing nothing.

        Parameters
        ----------
        dpi : int, default 150
            Resolution in dots per inch.
        size_in : (float, float), default (13.0, 8.0)
            Figure width and height in inches (the panel's text below adds height).

        Returns
        -------
        bytes
            A PNG image.

        Examples
        --------
        >>> import shapely
        >>> from maps import RiskMap
        >>> png = RiskMap(tiles=None).add_territory(shapely.box(0, 0, 1, 1)).render_png(dpi=20)
        >>> png[1:4]
        b'PNG'
        """
        # matplotlib takes 0.32 s to import: only images need it.
        from maps._png import png_bytes

        return png_bytes(self.describe(), dpi=dpi, size_in=size_in)

    def _repr_html_(self) -> str:
        # The notebook view is the self-contained page in an iframe: it shows offline too.
        return notebook_frame(self.render(self_contained=True))
