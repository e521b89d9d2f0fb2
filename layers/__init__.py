"""riskmap data layers: territories, borders, settlements, population grids, exposure."""

from layers.exposure import Exposure, exposure
from layers.grid import PopulationGrid, population_grid
from layers.provenance import Provenance, Source
from layers.variants import ExposureVariants, exposure_variants

__all__ = [
    "Exposure",
    "ExposureVariants",
    "PopulationGrid",
    "Provenance",
    "Source",
    "exposure",
    "exposure_variants",
    "population_grid",
]
