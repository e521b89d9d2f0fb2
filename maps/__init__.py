"""riskmap presentation: Folium maps, static images, scenarios and the command line.

Everything is re-exported from the submodules: :class:`RiskMap` (build a map,
``save`` it as HTML or ``to_png``), :func:`resolve_place` (place names in the
settlements data) and :func:`run_scenario` (a scenario file's claims, numbers and map).
"""

from maps.places import Place, resolve_place
from maps.riskmap import RiskMap
from maps.scenario import ScenarioResult, load_scenario, run_scenario

__all__ = ["Place", "RiskMap", "ScenarioResult", "load_scenario", "resolve_place", "run_scenario"]
