"""riskmap presentation: Folium maps, static images, scenarios and the command line.

Everything is re-exported from the submodules: :class:`RiskMap` (build a map,
``save`` it as HTML or ``to_png``) and :func:`run_scenario` (a scenario file's claims,
numbers and map). Place names and sources are resolved by :mod:`layers`.
"""

from maps.riskmap import RiskMap
from maps.scenario import ScenarioResult, load_scenario, run_scenario

__all__ = ["RiskMap", "ScenarioResult", "load_scenario", "run_scenario"]
