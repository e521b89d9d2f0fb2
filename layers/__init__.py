"""riskmap data layers: territories, borders, settlements, population grids, exposure."""

from layers.provenance import Provenance, Source

__all__ = ["Provenance", "Source"]
