"""riskmap presentation: Folium maps, static images, scenarios and the command line.

Everything is re-exported from the submodules: :class:`RiskMap` (build a map from
the elements of :mod:`maps.elements`, ``save`` it as HTML or ``to_png``) and
:func:`run_scenario` (a scenario file's claims, numbers and map; the file format is
documented in ``docs/scenario.md``, read by :mod:`maps.scenario_config`). Place
names and sources are resolved by :mod:`layers`.

Each name is imported from its submodule on first use (PEP 562, as scientific-python's
SPEC 1 does): ``import maps`` loads neither folium nor pandas; ``maps.RiskMap``
loads :mod:`maps.riskmap` the first time it is read.

>>> import maps
>>> maps.RiskMap.__module__, maps.run_scenario.__module__
('maps.riskmap', 'maps.scenario')
"""

from typing import TYPE_CHECKING

from geo.lazy import attach as _attach

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports the same names
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

#: The submodule each public name lives in, imported when the name is first read.
_EXPORTS = {
    "OutputError": "maps._io",
    "RiskMap": "maps.riskmap",
    "Scenario": "maps.scenario_config",
    "ScenarioResult": "maps.report",
    "load_scenario": "maps.scenario_config",
    "parse_scenario": "maps.scenario_config",
    "read_scenario": "maps.scenario_config",
    "run_scenario": "maps.scenario",
}

if not TYPE_CHECKING:  # hidden from type checkers, so that a misspelt name stays an error there
    __getattr__, __dir__ = _attach(__name__, _EXPORTS)
