"""Exposure analysis: who lives within given distances of a source.

:func:`exposure` joins a source (a territory, a border line, a place, any geometry)
with a population layer (settlement points, a population grid, or a Dask
GeoDataFrame of settlements) and returns an :class:`Exposure`: population and places
per radius and country of residence, the bands between radii, a population-by-distance
curve, the places near each radius, and the provenance of every number.
:func:`exposure_variants` asks the same question over several boundary (and
population) variants and reports the range; :func:`compare_populations` counts it with
several population sources (settlements, grids and their years) and boundary variants,
every combination labelled with its source's release, year, whom it counts and its
coverage.

Settlements: each place's exact geodesic distance to the source is computed once
(:class:`geo.DistanceIndex`, WGS84, Karney); everything else is arithmetic on that
one array, so the places counted within R are exactly those whose distance is ≤ R,
and a curve over 1,000 radii costs one sort and one cumulative sum.

Grids: each band (:func:`geo.rings`) is intersected with each country of residence,
reprojected to the grid's CRS and summed with exact partial-cell coverage
(``exactextract``); the curve uses the distance of each cell's centre.

Modules: :mod:`~layers.analysis.result` (the result, the source description and
their plain values), one per worker (:mod:`~layers.analysis.points`,
:mod:`~layers.analysis.grids`, :mod:`~layers.analysis.dask_points`), the entry point
(:mod:`~layers.analysis.compute`) and :mod:`~layers.analysis.variants`.

Every public name is imported from its submodule on first use (PEP 562), so that
``import layers.analysis`` loads neither pandas nor exactextract until it counts.

>>> from layers.analysis import exposure
>>> exposure.__module__
'layers.analysis.compute'
"""

from typing import TYPE_CHECKING

from geo.lazy import attach as _attach

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports the same names
    from layers.analysis.compare import PopulationComparison, compare_populations
    from layers.analysis.compute import exposure
    from layers.analysis.result import Exposure
    from layers.analysis.variants import ExposureVariants, exposure_variants

__all__ = [
    "Exposure",
    "ExposureVariants",
    "PopulationComparison",
    "compare_populations",
    "exposure",
    "exposure_variants",
]

#: The submodule each public name lives in, imported when the name is first read.
_EXPORTS = {
    "Exposure": "layers.analysis.result",
    "ExposureVariants": "layers.analysis.variants",
    "PopulationComparison": "layers.analysis.compare",
    "compare_populations": "layers.analysis.compare",
    "exposure": "layers.analysis.compute",
    "exposure_variants": "layers.analysis.variants",
}

if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name stays an error there
    __getattr__, __dir__ = _attach(__name__, _EXPORTS)
