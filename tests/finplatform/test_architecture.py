"""The house keeps its shape (docs/architecture.md): imports only go down the floors, no
module imports itself back through others, no source file grows past 400 lines, and an
import inside a function says why it is there. Read from the source with `ast`, so a new
import that breaks a rule fails here, in CI, not in a review."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import ROOT

# floor of each top-level package; a package may import its own modules and lower floors only
FLOORS = {
    "finplatform": 0,
    "outbox": 1,
    "bureau_gateway": 2,
    "borrowers": 3,
    "creditors": 3,
    "schedules": 4,
    "resolution": 5,
    "portal": 6,
    "creditor_portal": 6,
    "provider_api": 6,
    "ombudsman": 6,
}
MAX_LINES = 400


def _sources() -> list[Path]:
    files = []
    for package in FLOORS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                files.append(path)
    return files


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in _sources()}


def _resolve(name: str) -> str | None:
    """The project module an import names (a module, or the package holding a name)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(path: Path) -> list[tuple[ast.stmt, list[str], bool]]:
    """(node, project modules it imports, inside a function?) for every import statement."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base]) if base else ".".join(anchor)
                targets = [f"{base}.{alias.name}" for alias in child.names] + [base]
            if targets:
                resolved = sorted({m for t in targets if (m := _resolve(t))})
                found.append((child, resolved, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


GRAPH: dict[str, set[str]] = defaultdict(set)
IMPORTS = {path: _imports(path) for path in MODULES.values()}
for _path, _found in IMPORTS.items():
    for _node, _targets, _inside in _found:
        for _target in _targets:
            if _target != _module_name(_path):
                GRAPH[_module_name(_path)].add(_target)


def _top(module: str) -> str:
    return module.split(".")[0]


def test_the_floors_are_all_known():
    on_disk = {p.name for p in ROOT.iterdir() if (p / "apps.py").exists()}
    assert on_disk == set(FLOORS), "a new app needs its floor here and in docs/architecture.md"


def test_imports_only_go_down():
    upward = []
    for module, targets in GRAPH.items():
        for target in targets:
            here, there = _top(module), _top(target)
            if here != there and FLOORS[there] >= FLOORS[here]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_circles():
    """Tarjan's strongly connected components over the module graph: none larger than one
    module (a package's __init__ re-exporting its own modules is not an edge back)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def edges(module):
        # a package face (its __init__) importing its submodules is how Django finds models
        return [t for t in GRAPH.get(module, ()) if not t.startswith(module + ".")]

    def strongconnect(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges(node):
            if target not in index:
                strongconnect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(MODULES):
        if module not in index:
            strongconnect(module)
    assert circles == []


def test_no_source_file_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): n
        for path in MODULES.values()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_an_import_inside_a_function_says_why():
    silent = []
    for path, found in IMPORTS.items():
        lines = path.read_text().splitlines()
        for node, _targets, inside in found:
            if not inside:
                continue
            line, before = lines[node.lineno - 1], lines[node.lineno - 2].strip()
            if "#" not in line and not before.startswith("#"):
                silent.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert silent == []


def test_services_never_import_task_modules():
    offenders = [
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if ".services" in module or module.endswith(".services")
        for target in targets
        if target.endswith(".tasks")
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("module", "target"),
    [("schedules.services.payments", "resolution.models"), ("finplatform.views", "portal.urls")],
)
def test_the_checks_see_a_violation(module, target):
    """The rule above can fail: an upward edge, put into a copy of the graph, is reported."""
    graph = {m: set(t) for m, t in GRAPH.items()}
    graph.setdefault(module, set()).add(target)
    upward = [
        (m, t)
        for m, ts in graph.items()
        for t in ts
        if _top(m) != _top(t) and FLOORS[_top(t)] >= FLOORS[_top(m)]
    ]
    assert (module, target) in upward
