"""The package's shape holds: tiers import downwards only, no module cycles, no library internals.

The tier rules are import-linter contracts in `pyproject.toml` (`[tool.importlinter]`); the
first test runs `lint-imports` on them. Two rules import-linter cannot state are checked here
on the same import graph (grimp's, which import-linter builds on): no import cycle between our
modules, counting imports inside functions and under `TYPE_CHECKING`, and no import of a
private module or name (one starting with `_`) of another package.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest
from importlinter.api import read_configuration

ROOT = Path(__file__).resolve().parents[1]
OURS = ("sim", "hydra_plugins.jointduty_sweeper")
IMPORT_LINE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+(.*)|import\s+(.+))$")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    options = read_configuration(str(ROOT / "pyproject.toml"))["session_options"]
    roots = options["root_packages"]
    return grimp.build_graph(*roots, include_external_packages=True, cache_dir=None)


def test_lint_imports_keeps_every_contract_of_pyproject():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    report = done.stdout[done.stdout.find("Contracts:") :]
    assert done.returncode == 0, report + done.stderr


def test_no_module_of_ours_is_part_of_an_import_cycle(graph):
    modules = sorted(m for m in graph.modules if _is_ours(m))
    imports = {
        m: [i for i in graph.find_modules_directly_imported_by(m) if _is_ours(i)] for m in modules
    }
    cycles = [sorted(c) for c in _strongly_connected(imports) if len(c) > 1]
    assert cycles == [], "\n".join(" <-> ".join(c) for c in cycles)


def test_no_module_of_ours_imports_a_private_module_or_name_of_another_package(graph):
    found = [
        f"{detail['importer']}:{detail['line_number']}: {detail['line_contents'].strip()}"
        for importer in sorted(m for m in graph.modules if _is_ours(m))
        for imported in graph.find_modules_directly_imported_by(importer)
        if not _is_ours(imported)
        for detail in graph.get_import_details(importer=importer, imported=imported)
        if any(_is_private(name) for name in _imported_names(detail["line_contents"]))
    ]
    assert found == [], "\n".join(found)


def test_a_private_import_is_told_from_a_public_one():
    assert any(map(_is_private, _imported_names("from hydra._internal.utils import run")))
    assert any(map(_is_private, _imported_names("from joblib.parallel import _backend")))
    assert any(map(_is_private, _imported_names("import omegaconf._utils as u")))
    assert not any(map(_is_private, _imported_names("from hydra.core.plugins import Plugins")))
    assert not any(map(_is_private, _imported_names("from simpy import Environment as _Env")))


def test_a_cycle_is_found_and_a_chain_is_not():
    cycle = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}
    assert sorted(map(sorted, _strongly_connected(cycle))) == [["a", "b", "c"], ["d"]]
    assert all(len(c) == 1 for c in _strongly_connected({"a": ["b"], "b": [], "c": ["a"]}))


def _is_ours(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in OURS)


def _is_private(dotted: str) -> bool:
    return any(p.startswith("_") and not p.endswith("__") for p in dotted.split("."))


def _imported_names(line: str) -> list[str]:
    """The dotted names an import line takes from another package (aliases left out)."""
    match = IMPORT_LINE.match(line.split("#")[0].rstrip())
    if match is None:
        return []
    source, names, modules = match.groups()
    if modules is not None:
        return [part.split(" as ")[0].strip() for part in modules.split(",")]
    names = names.strip("() \\")
    taken = [part.split(" as ")[0].strip() for part in names.split(",") if part.strip()]
    return [source] + [f"{source}.{name}" for name in taken]


def _strongly_connected(imports: dict[str, list[str]]) -> Iterator[list[str]]:
    """Tarjan's strongly connected components, without recursion."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for start in imports:
        if start in index:
            continue
        work = [(start, iter(imports[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(imports.get(child, []))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
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
                yield component
