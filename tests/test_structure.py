"""The shape of the code: imports point one way, no circles, small modules, documented API.

Read from the source with ``ast`` (nothing is imported), so that a lazy import inside a
function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "layers", "maps")
#: What each package may import of the others: ``maps -> layers -> geo``.
MAY_IMPORT = {"geo": set(), "layers": {"geo"}, "maps": {"layers", "geo"}}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: Functions allowed past MAX_FUNCTION_LINES of code, each with its reason.
LONG_FUNCTIONS: dict[str, str] = {}
#: The tests of an ``if`` whose body only type checkers run.
TYPE_CHECKING_TESTS = ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _modules() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    out = {}
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks (annotations only, never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        # ``if not TYPE_CHECKING:`` (a lazy package's __getattr__) is the run-time side.
        if isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_CHECKING_TESTS:
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(name: str) -> list[tuple[str, bool]]:
    """``(module imported, at run time)`` for every import in a module, resolved to modules."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        runtime = node.lineno not in typing_only if hasattr(node, "lineno") else True
        if isinstance(node, ast.Import):
            out.extend((alias.name, runtime) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            out.append((target, runtime))
            for alias in node.names:  # "from layers import analysis" names a module
                if f"{target}.{alias.name}" in MODULES:
                    out.append((f"{target}.{alias.name}", runtime))
    # A package's lazy exports (PEP 562) import their submodules on first access: run time.
    out.extend((module, True) for module in _lazy_exports(tree).values())
    return out


def _lazy_exports(tree: ast.Module) -> dict[str, str]:
    """A package ``__init__``'s ``_EXPORTS``: public name -> module ``__getattr__`` imports."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "_EXPORTS" for t in node.targets
        ):
            return dict(ast.literal_eval(node.value))
    return {}


def _internal_edges() -> dict[str, set[str]]:
    """Run-time imports between modules of the same package."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for name in MODULES:
        for target, runtime in _imports(name):
            if not runtime or target.split(".")[0] != name.split(".")[0]:
                continue
            # Python runs a package's __init__ before its submodules; that is no circle.
            # Only a module that names its own package (``import geo``, ``from geo import``)
            # depends on everything the __init__ re-exports.
            if target in MODULES and target != name:
                edges[name].add(target)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _is_package_init(name: str, target: str) -> bool:
    """Whether ``target`` is the package (or a parent package) ``name`` belongs to."""
    return MODULES.get(target, Path()).name == "__init__.py" and name.startswith(target + ".")


def test_no_import_circle_inside_a_package():
    edges = _internal_edges()
    # A submodule that imports its own package's __init__ closes a circle through it.
    back = {
        (name, target)
        for name, targets in edges.items()
        for target in targets
        if _is_package_init(name, target)
    }
    assert not back, f"modules importing their own package's __init__: {sorted(back)}"
    assert not _cycles(edges), f"import circles: {_cycles(edges)}"


def test_imports_point_from_maps_to_layers_to_geo():
    wrong = []
    for name in MODULES:
        pkg = name.split(".")[0]
        for target, _ in _imports(name):
            other = target.split(".")[0]
            if other in PACKAGES and other != pkg and other not in MAY_IMPORT[pkg]:
                wrong.append(f"{name} imports {target}")
    assert not wrong, wrong


def test_no_package_imports_another_packages_underscore_module():
    wrong = []
    for name in MODULES:
        pkg = name.split(".")[0]
        for target, _ in _imports(name):
            parts = target.split(".")
            if parts[0] in PACKAGES and parts[0] != pkg and any(p.startswith("_") for p in parts):
                wrong.append(f"{name} imports {target}")
    assert not wrong, wrong


def test_examples_use_public_modules_only():
    wrong = []
    for path in sorted((REPO / "examples").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
                if any(p.startswith("_") for p in node.module.split(".")):
                    wrong.append(f"{path.name} imports {node.module}")
    assert not wrong, wrong


def test_the_circle_finder_finds_circles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_is_small(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines; split it by topic"


def test_functions_are_short():
    long = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if ast.get_docstring(node) and len(body) > 1:
                    body = body[1:]
                code = (node.end_lineno or 0) - body[0].lineno + 1
                key = f"{name}.{node.name}"
                if code > MAX_FUNCTION_LINES and key not in LONG_FUNCTIONS:
                    long.append(f"{key} ({code} lines of code)")
    assert not long, long


def _public_definitions():
    """(module, node) for every public function and class a public module exports."""
    for name, path in MODULES.items():
        if any(part.startswith("_") for part in name.split(".")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        exported = None
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", None) == "__all__" for t in node.targets
            ):
                exported = {ast.literal_eval(e) for e in node.value.elts}
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and (
                exported is None or node.name in exported
            ):
                if not node.name.startswith("_"):
                    yield name, node


def test_every_public_module_declares_all():
    missing = []
    for name, path in MODULES.items():
        if any(part.startswith("_") for part in name.split(".")) or path.name == "__main__.py":
            continue
        if "__all__" not in path.read_text(encoding="utf-8"):
            missing.append(name)
    assert not missing, missing


def test_every_public_function_and_class_has_numpydoc_with_examples():
    missing = []
    for name, node in _public_definitions():
        doc = ast.get_docstring(node) or ""
        if "\nExamples\n--------\n" not in doc or ">>> " not in doc:
            missing.append(f"{name}.{node.name}")
    assert not missing, f"{len(missing)} without an Examples section: {missing}"


def test_import_geo_loads_no_mapping_or_geopandas_io():
    code = (
        "import sys, geo\n"
        "bad = [m for m in ('folium', 'maps', 'layers', 'matplotlib', 'pyogrio', 'rasterio') "
        "if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import geo loaded {out.stdout.strip()}"


@pytest.mark.parametrize("name", sorted(m for m, p in MODULES.items() if p.name == "__init__.py"))
def test_lazy_exports_match_all_and_what_type_checkers_see(name):
    """``_EXPORTS`` names ``__all__``, and each name where the ``TYPE_CHECKING`` import finds it."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    exports = _lazy_exports(tree)
    if not exports:
        pytest.skip(f"{name} re-exports nothing lazily")
    (declared,) = (
        {ast.literal_eval(e) for e in node.value.elts}
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", None) == "__all__" for t in node.targets)
    )
    assert set(exports) == declared, f"{name}: _EXPORTS and __all__ differ"
    typing_only = _type_checking_lines(tree)
    seen = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.lineno in typing_only
        for alias in node.names
    }
    assert seen == exports, f"{name}: the TYPE_CHECKING imports and _EXPORTS differ"
