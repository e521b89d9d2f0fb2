"""riskmap data layers: territories, borders, settlements, population grids, exposure."""

from layers.countries import Country, country, country_table
from layers.exposure import Exposure, exposure
from layers.grid import PopulationGrid, population_grid
from layers.naturalearth import land
from layers.provenance import Provenance, Source
from layers.settlements import coverage, read_settlements, settlements
from layers.territory import border, territory, time_zones
from layers.variants import ExposureVariants, exposure_variants

__all__ = [
    "Country",
    "Exposure",
    "ExposureVariants",
    "PopulationGrid",
    "Provenance",
    "Source",
    "border",
    "country",
    "country_table",
    "coverage",
    "exposure",
    "exposure_variants",
    "land",
    "population_grid",
    "read_settlements",
    "settlements",
    "territory",
    "time_zones",
]
