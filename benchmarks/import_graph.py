"""Count what the layering of issue 13 is about, from the import graph (grimp).

    PYTHONPATH=src python benchmarks/import_graph.py [--list]

Prints, for the ``wordlight`` package (imports inside functions count; ``if TYPE_CHECKING``
imports do not):
- module cycles: strongly connected components of more than one module;
- package cycles: the same between the subpackages/modules directly under ``wordlight``
  (``wordlight.viz``, ``wordlight.results``, ...): what an import-linter layers contract sees;
- cross-package private imports: a module importing a ``_private`` module (or a ``_name`` from a
  module) of another subpackage.
``--list`` prints each cycle and each private import. Point PYTHONPATH at another checkout's
``src`` to measure it (the before/after figures in benchmarks/README.md were made that way).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping

import grimp

ROOT = "wordlight"


def sccs(nodes: Iterable[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return out


def top(module: str) -> str:
    """``wordlight.viz.html`` -> ``wordlight.viz``."""
    return ".".join(module.split(".")[:2])


def private_imports(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """(importer, imported) where imported is private to another top-level package."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            parts = imported.split(".")[2:]
            private = any(p.startswith("_") and not p.startswith("__") for p in parts)
            if private and top(importer) != top(imported):
                found.append((importer, imported))
    return found


def main(argv: list[str]) -> int:
    graph = grimp.build_graph(ROOT, exclude_type_checking_imports=True)
    modules = set(graph.modules)
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in modules}
    module_cycles = [c for c in sccs(modules, edges) if len(c) > 1]
    packages = {top(m) for m in modules if m != ROOT}
    pkg_edges: dict[str, set[str]] = defaultdict(set)
    for importer, imported in ((a, b) for a in modules for b in edges[a]):
        if ROOT not in (importer, imported) and top(importer) != top(imported):
            pkg_edges[top(importer)].add(top(imported))
    package_cycles = [c for c in sccs(packages, pkg_edges) if len(c) > 1]
    private = private_imports(graph)
    print(f"modules: {len(modules)}, imports: {sum(len(v) for v in edges.values())}")
    print(f"module cycles: {len(module_cycles)} (modules in them: {sum(map(len, module_cycles))})")
    print(f"package cycles: {len(package_cycles)}")
    print(f"cross-package private imports: {len(private)}")
    if "--list" in argv:
        for c in module_cycles:
            print("  module cycle:", " <-> ".join(c))
        for c in package_cycles:
            print("  package cycle:", " <-> ".join(c))
        for a, b in private:
            print(f"  private: {a} -> {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
