"""Start-up: ``import geo``, ``import layers``, ``import maps`` load no heavy dependency.

Each package re-exports its public names lazily (PEP 562 ``__getattr__``): the import
itself loads no submodule, a name loads its submodule the first time it is read. These
tests check the behaviour in fresh interpreters (what ``sys.modules`` holds, what a
name resolves to, what a misspelt name raises); the time it saves is measured by
``benchmarks/bench_import.py``, not asserted here.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGES = ("geo", "layers", "layers.analysis", "maps")
#: What no package import may load: data frames, file and raster I/O, plotting, the map.
HEAVY = (
    "pandas",
    "geopandas",
    "pyogrio",
    "rasterio",
    "exactextract",
    "folium",
    "matplotlib",
    "scipy.spatial",
    "numba",
)


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (no site customisation of ours, no test modules)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def _fresh(code: str) -> object:
    """The JSON that ``code`` prints in a fresh interpreter; its traceback fails the test."""
    run = _python(code)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_a_package_loads_no_heavy_dependency_and_no_submodule(package):
    loaded = _fresh(
        f"import json, sys, {package}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{(*HEAVY, 'geo', 'layers', 'maps')!r} or m in {HEAVY!r})))"
    )
    heavy = [m for m in loaded if m in HEAVY or m.split(".")[0] in HEAVY]
    assert heavy == [], f"import {package} loaded {heavy}"
    # The package and its parents, nothing under them but the lazy-name machinery.
    parents = {".".join(package.split(".")[: i + 1]) for i in range(package.count(".") + 1)}
    parents |= {"geo", "geo.lazy"}
    assert set(loaded) == parents, f"import {package} loaded {sorted(set(loaded) - parents)}"


def test_a_submodule_loads_only_what_it_imports():
    # The error classes are what every layer imports; they must not drag in geo.constructive.
    loaded = _fresh(
        "import json, sys\nfrom geo.errors import InputError\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('geo'))))"
    )
    assert loaded == ["geo", "geo.errors", "geo.lazy"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_resolves_to_the_object_its_submodule_defines(package):
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        home = importlib.import_module(module._EXPORTS[name])
        assert value is getattr(home, name), f"{package}.{name}"
        assert name in dir(module), f"dir({package}) lacks {name}"
    namespace: dict[str, object] = {}
    exec(f"from {package} import *", namespace)  # noqa: S102 - the star import reads __all__
    assert set(module.__all__) <= set(namespace)


def test_the_command_line_help_loads_no_heavy_dependency():
    # `riskmap --help` and a usage error parse arguments only; a command loads what it needs.
    loaded = _fresh(
        "import contextlib, io, json, sys\nimport maps.cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        "    maps.cli.build_parser().parse_args(['exposure', '--help'])\n"
        "print(json.dumps([out.getvalue(), sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{(*HEAVY, 'numpy', 'pyproj', 'shapely')!r})]))"
    )
    help_text, heavy = loaded
    assert "--around" in help_text and "--population" in help_text
    assert heavy == [], f"riskmap --help loaded {heavy}"
    # The command itself still runs from the same entry point.
    run = subprocess.run(
        [sys.executable, "-m", "maps.cli", "distance", "131.8869,43.1056", "125.7625,39.0392"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and "684.393 km" in run.stdout, run.stderr


def test_public_names_resolve_in_a_fresh_interpreter():
    # Every name of every package, read first thing after the import, as a user would.
    code = (
        "import importlib, json\n"
        "out = {}\n"
        f"for p in {PACKAGES!r}:\n"
        "    m = importlib.import_module(p)\n"
        "    out[p] = {n: getattr(getattr(m, n), '__module__', type(getattr(m, n)).__name__) "
        "for n in m.__all__}\n"
        "print(json.dumps(out))"
    )
    resolved = _fresh(code)
    for package in PACKAGES:
        assert set(resolved[package]) == set(importlib.import_module(package).__all__)
    assert resolved["maps"]["RiskMap"] == "maps.riskmap"
    assert resolved["maps"]["run_scenario"] == "maps.scenario"
    assert resolved["layers"]["exposure"] == "layers.analysis.compute"
    assert resolved["geo"]["distance"] == "geo.measurement"


def test_from_imports_and_submodules_reach_what_they_did():
    out = _fresh(
        "import maps; maps.RiskMap\n"  # a name read first thing, before any other import
        "import json\n"
        "from layers import territory\n"
        "from maps import run_scenario\n"
        "import layers, maps, geo\n"
        "print(json.dumps([territory.__module__, run_scenario.__name__, "
        "layers.analysis.__name__, maps.elements.__name__, geo.measurement.__name__]))"
    )
    assert out == [
        "layers.territory",
        "run_scenario",
        "layers.analysis",
        "maps.elements",
        "geo.measurement",
    ]


def test_a_function_named_like_its_module_is_not_hidden_by_importing_the_module():
    # layers.territory (and regions, settlements) are functions in modules of the same name;
    # importing the module first (as maps.riskmap does) must leave the function in place.
    code = (
        "import importlib, json, types\n"
        "out = []\n"
        f"for p in {PACKAGES!r}:\n"
        "    m = importlib.import_module(p)\n"
        "    for n in m.__all__:\n"
        "        try:\n"
        "            sub = importlib.import_module(f'{p}.{n}')\n"
        "        except ModuleNotFoundError:\n"
        "            continue\n"
        "        got = getattr(m, n)\n"
        "        same, is_module = got is getattr(sub, n), isinstance(got, types.ModuleType)\n"
        "        out.append([f'{p}.{n}', same, is_module])\n"
        "print(json.dumps(out))"
    )
    out = _fresh(code)
    names = [name for name, _, _ in out]
    assert {"layers.territory", "layers.regions", "layers.settlements"} <= set(names)
    wrong = [name for name, same, is_module in out if not same or is_module]
    assert wrong == [], f"the submodule hides the function: {wrong}"


@pytest.mark.parametrize(
    ("package", "typo", "meant"),
    [
        ("maps", "RiskMapp", "RiskMap"),
        ("layers", "exposur", "exposure"),
        ("geo", "distanc", "distance"),
    ],
)
def test_a_misspelt_name_is_the_usual_attribute_error_with_a_suggestion(package, typo, meant):
    run = _python(f"import {package}; {package}.{typo}")
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last == (
        f"AttributeError: module {package!r} has no attribute {typo!r}. Did you mean: {meant!r}?"
    )
    module = importlib.import_module(package)
    assert not hasattr(module, typo)
    with pytest.raises(AttributeError, match=f"module '{package}' has no attribute '{typo}'"):
        getattr(module, typo)
    with pytest.raises(ImportError, match=f"cannot import name '{typo}' from '{package}'"):
        exec(f"from {package} import {typo}", {})  # noqa: S102 - the statement users write


def test_a_submodule_missing_a_dependency_says_which_not_that_the_name_is_unknown():
    # None in sys.modules makes `import folium` fail as if folium were not installed.
    run = _python("import sys; sys.modules['folium'] = None\nimport maps\nmaps._folium")
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: import of folium halted"), run.stderr


def test_probes_for_names_no_module_can_have_import_nothing():
    loaded = _fresh(
        "import json, sys, maps\n"
        "probes = [hasattr(maps, '__wrapped__'), getattr(maps, 'a.b', None), "
        "hasattr(maps, '_repr_html_')]\n"
        "print(json.dumps([probes, sorted(m for m in sys.modules if m.startswith('maps'))]))"
    )
    assert loaded == [[False, None, False], ["maps"]]


@pytest.mark.slow  # mypy analyses the three packages from a cold cache (about 15 s)
def test_type_checkers_see_the_lazy_names_and_refuse_a_misspelt_one(tmp_path, monkeypatch):
    api = pytest.importorskip("mypy.api")
    user = tmp_path / "user.py"
    user.write_text(
        "import geo\nimport layers\nimport maps\n"
        "from layers import territory\nfrom maps import run_scenario\n"
        "reveal_type(maps.RiskMap)\nreveal_type(layers.exposure)\n"
        "reveal_type(territory)\nreveal_type(geo.distance)\nreveal_type(run_scenario)\n"
        "maps.RiskMapp\nlayers.exposur\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MYPYPATH", str(Path(__file__).resolve().parents[1]))
    out, _, _ = api.run([str(user), "--cache-dir", str(tmp_path / "cache"), "--no-error-summary"])
    lines = out.splitlines()
    revealed = [line.split("Revealed type is ")[1] for line in lines if "Revealed type" in line]
    assert len(revealed) == 5, out
    assert "-> maps.riskmap.RiskMap" in revealed[0]
    assert "-> layers.analysis.result.Exposure" in revealed[1]
    assert all(r.startswith('"def (') for r in revealed), revealed  # functions, not Any
    errors = [line for line in lines if ": error:" in line]
    assert errors == [
        f'{user}:11: error: Module has no attribute "RiskMapp"; maybe "RiskMap"?  [attr-defined]',
        f'{user}:12: error: Module has no attribute "exposur"; maybe "exposure" or "Exposure"?  '
        "[attr-defined]",
    ], out
