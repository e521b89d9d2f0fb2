"""riskmap presentation: Folium maps, static images, scenarios and the command line.

Everything is re-exported from the submodules: :class:`RiskMap` (build a map from
the elements of :mod:`maps.elements`, ``save`` it as HTML or ``to_png``) and
:func:`run_scenario` (a scenario file's claims, numbers and map; the file format is
documented in ``docs/scenario.md``, read by :mod:`maps.scenario_config`). Place
names and sources are resolved by :mod:`layers`.
"""

from maps._io import OutputError
from maps.report import ScenarioResult
from maps.riskmap import RiskMap
from maps.scenario import run_scenario
from maps.scenario_config import Scenario, load_scenario, parse_scenario, read_scenario

__all__ = [
    "OutputError",
    "RiskMap",
    "Scenario",
    "ScenarioResult",
    "load_scenario",
    "parse_scenario",
    "read_scenario",
    "run_scenario",
]
