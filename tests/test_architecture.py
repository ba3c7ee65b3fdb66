"""The layering of helpers/, read from the code's own imports (docs/architecture.md).

Data flows one way: errors -> shapes (pure) -> bridge (the only crossing into Keras
for specs) -> fixes, pictures -> training -> models -> widgets -> checks. A module may
import from its own unit and from lower tiers only, lazily or not; the pure part
never imports Keras or TensorFlow at all; no two modules import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "helpers"

# The tiers, lowest first: a unit may import units of lower tiers (and itself).
TIERS = [
    {"helpers.errors"},
    {"helpers.shapes"},
    {"helpers.bridge", "helpers.data", "helpers.runtime"},
    {"helpers.fixes", "helpers.plots"},
    {"helpers.training"},
    {"helpers.models"},
    {"helpers.widgets"},
    {"helpers.checks", "helpers.labkit", "helpers.panel"},
]
TIER = {unit: i for i, units in enumerate(TIERS) for unit in units}
PURE = {"helpers.errors", "helpers.shapes"}  # no third-party framework, not even lazily
FRAMEWORKS = {"keras", "tensorflow", "matplotlib", "ipywidgets", "IPython"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def unit_of(module: str) -> str:
    """helpers.shapes.layers -> helpers.shapes; helpers.models -> helpers.models."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def imports(path: Path) -> set[str]:
    """Every module this file imports, at the top or inside a function."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names
                      if _is_module(f"{base}.{alias.name}")}  # from helpers import shapes
    return found


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(HELPERS.rglob("*.py"))}


def violations(edges: dict[str, set[str]]) -> list[str]:
    """Every import against the tiers, every framework in the pure part, every cycle."""
    found = []
    for module, targets in edges.items():
        unit = unit_of(module)
        for target in targets:
            top = target.split(".")[0]
            if unit in PURE and top in FRAMEWORKS:
                found.append(f"{module} imports {target}: the pure part imports no framework")
            if top != "helpers" or module == "helpers" or target == "helpers":
                continue
            other = unit_of(target)
            if other != unit and TIER.get(other, 99) >= TIER.get(unit, -1):
                found.append(f"{module} imports {target}: tier {TIER.get(unit)} may not import "
                             f"tier {TIER.get(other)}")
    for module, targets in edges.items():
        for target in targets:
            if module != target and module in edges.get(target, set()):
                found.append(f"cycle: {module} <-> {target}")
    return found


def test_every_helpers_module_has_a_tier() -> None:
    units = {unit_of(m) for m in graph()} - {"helpers"}
    assert units <= set(TIER), f"add these to TIERS and docs/architecture.md: {units - set(TIER)}"


def test_imports_follow_the_layers_and_make_no_cycle() -> None:
    assert violations(graph()) == []


@pytest.mark.parametrize("module, target, words", [
    ("helpers.shapes.trace", "keras", "the pure part imports no framework"),
    ("helpers.shapes.layers", "helpers.bridge", "tier 1 may not import tier 2"),
    ("helpers.fixes.advisor", "helpers.widgets.stack", "tier 3 may not import tier 6"),
])
def test_a_wrong_import_is_caught(module: str, target: str, words: str) -> None:
    edges = graph()
    edges[module] = edges[module] | {target}
    assert any(words in v for v in violations(edges)), violations(edges)


def test_a_cycle_is_caught() -> None:
    edges = graph()
    edges["helpers.training.metrics"] = edges["helpers.training.metrics"] | {
        "helpers.training.fit"}
    assert "cycle: helpers.training.metrics <-> helpers.training.fit" in violations(edges)


def test_only_the_bridge_turns_specs_into_keras_layers() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in HELPERS.rglob("*.py")
                 if "getattr(keras.layers" in p.read_text(encoding="utf-8")
                 and "bridge" not in p.parts]
    assert offenders == []


def _strategy_names(registry: Path) -> set[str]:
    """The first argument of every Strategy(...) in the registry: the strategies' names."""
    return {node.args[0].value for node in ast.walk(ast.parse(registry.read_text()))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Strategy"
            and node.args and isinstance(node.args[0], ast.Constant)}


def _literals(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a file, except __all__'s (those name Python objects)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    exports = {id(c) for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and any(getattr(t, "id", "") == "__all__" for t in node.targets)
               for c in ast.walk(node.value)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in exports]


def test_strategy_names_are_written_as_literals_in_the_registry_only() -> None:
    registry = HELPERS / "fixes" / "strategies.py"
    names = _strategy_names(registry)
    assert len(names) >= 10, names
    found = [f"{path.relative_to(ROOT)}:{line} {value!r}"
             for path in sorted(HELPERS.rglob("*.py")) if path != registry
             for line, value in _literals(path) if value in names]
    assert found == [], "use the registry (helpers.fixes.strategies) instead of: " + str(found)
