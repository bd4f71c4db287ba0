"""The project's modules import without a cycle: every module imports on its own, and the graph
of module-level imports inside cases/ and kb/ (read with ast: imports inside functions, the lazy
ones, do not count) has no cycle. Migrations are left out: Django loads them itself."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cases", "kb")


def module_names():
    names = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            names[name] = path
    return names


MODULES = module_names()


def module_level_imports(name, path):
    """The project modules `name` imports when it is loaded (statements outside functions)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found = set()

    def visit(nodes):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join([*base, node.module] if node.module else base)
                else:
                    target = node.module
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
            if isinstance(node, ast.ClassDef):
                visit(node.body)
            for field in ("body", "orelse", "finalbody", "handlers"):
                if not isinstance(node, ast.ClassDef) and isinstance(getattr(node, field, None), list):
                    visit(getattr(node, field))

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {target for target in found if target in MODULES and target != name}


def find_cycle(graph):
    """One cycle of `graph` ({node: {nodes}}) as a list of nodes, or None."""
    state, stack = {}, []

    def walk(node):
        state[node] = "open"
        stack.append(node)
        for child in sorted(graph.get(node, ())):
            if state.get(child) == "open":
                return stack[stack.index(child) :] + [child]
            if child not in state:
                cycle = walk(child)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = walk(node)
            if cycle:
                return cycle
    return None


def test_find_cycle_finds_one_and_only_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_module_level_import_graph_has_no_cycle():
    graph = {name: module_level_imports(name, path) for name, path in MODULES.items()}
    # A package's own __init__ importing its submodules is not a cycle with them importing siblings.
    graph = {
        name: {target for target in targets if not (path.name == "__init__.py" and target.startswith(name + "."))}
        for (name, path), targets in zip(MODULES.items(), graph.values())
    }
    assert find_cycle(graph) is None


@pytest.mark.parametrize("name", [name for name in MODULES if not name.startswith("cases.data.")])
def test_every_module_imports(name):
    importlib.import_module(name)
