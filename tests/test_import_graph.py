"""The package's import graph has no circles (an AST walk over every module, function-level imports included).

An edge A -> B is any ``import B`` or ``from B import x`` inside A, at module level or in a function (lazy
imports close circles too, they only hide them until run time). ``from pkg import mod`` counts as an edge to
``pkg.mod`` when ``mod`` is a submodule, else to ``pkg``. Imports under ``if TYPE_CHECKING:`` are included.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "contagion"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base_parts = name.split(".") if is_pkg else name.split(".")[:-1]
                    base_parts = base_parts[: len(base_parts) - node.level + 1]
                    base = ".".join(base_parts + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            for target in targets:
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_the_package_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = import_graph()
    graph["contagion.errors"].add("contagion.workflow.runner")  # runner imports errors: a circle
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1]


def test_no_import_error_guard_around_the_package_itself() -> None:
    """``try: import contagion.x except ImportError`` would turn an import bug into "not available"."""
    offenders = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Try):
                continue
            catches = any(isinstance(h.type, ast.Name) and h.type.id in {"ImportError", "ModuleNotFoundError"}
                          for h in node.handlers)
            own = any(isinstance(n, ast.ImportFrom | ast.Import)
                      and any((getattr(n, "module", None) or a.name).startswith("contagion") for a in n.names)
                      for stmt in node.body for n in ast.walk(stmt))
            if catches and own:
                offenders.append(f"{name}:{node.lineno}")
    assert not offenders, f"ImportError guards around contagion's own modules: {offenders}"


def test_no_models_folder_and_no_reference_twins_in_the_package() -> None:
    assert not (PACKAGE / "models").exists()
    assert not [p for p in PACKAGE.rglob("*reference*.py")]


def test_subpackages_do_not_shadow_public_names() -> None:
    """Importing every subpackage leaves each public name of ``contagion`` what it was.

    Python binds a submodule on its parent package when it is imported, so a subpackage named like a public
    function (``contagion.connectedness``) would replace that function; the spillover tables therefore live
    in :mod:`contagion.spillover`.
    """
    import importlib

    import contagion

    names = {n: getattr(contagion, n) for n in contagion.__all__}
    for sub in ("var", "spillover", "dcc", "hypothesis", "events", "data", "workflow", "report", "cli"):
        importlib.import_module(f"contagion.{sub}")
    for name, value in names.items():
        assert getattr(contagion, name) is value, name
    assert callable(contagion.connectedness) and not isinstance(contagion.connectedness, type(contagion))
