"""The package layout of DESIGN.md: every module imports, and imports only go down the levels.

A module may import from its own package or from a package on a lower level; nothing imports
the ``nnrecipe`` package itself (its ``__init__`` only re-exports); the import graph has no
circles; imports of nnrecipe's own modules sit at the top of the module (a function may
import only optional third-party extras). Each check lists every offender it finds.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "nnrecipe"

# DESIGN.md, "Layout": the level of each top-level package or module of nnrecipe
LEVELS = {
    "_checks": 0,
    "_files": 0,
    "_version": 0,
    "_figures": 0,
    "_html": 1,  # notebook HTML, the updating display, figures shown as PNG (uses _figures)
    "_npz": 1,  # reads .npz files safely (uses _checks)
    "data": 1,
    "nn": 2,
    "train": 3,
    "gradcheck": 4,
    "diagnosis": 4,
    "io": 4,
    "ensemble": 4.5,  # nnrecipe.Ensemble: uses io and diagnosis; model's load builds one
    "model": 5,
    "recipe": 6,
    "sklearn": 6,
    "course": 6,
    "tune": 7,  # starts from the recipe's framing of the problem (recipe/problem.py)
    "report": 8,
    "cli": 9,
    # public re-exports only
    "progress": 10,
    "": 10,  # nnrecipe/__init__.py
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _is_module(name: str) -> bool:
    return name in MODULES


def _imports(name: str, path: Path):
    """(imported nnrecipe module, line, inside a function) for every import in ``path``."""
    tree = ast.parse(path.read_text())
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            in_function.update(id(n) for n in ast.walk(node) if n is not node)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != "nnrecipe":
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                targets.append(sub if _is_module(sub) else module)
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.split(".")[0] == "nnrecipe"]
        for target in targets:
            yield target, node.lineno, id(node) in in_function


def _top(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


EDGES = [(m, *imp) for m, p in MODULES.items() for imp in _imports(m, p)]


@pytest.mark.parametrize("name", sorted(m for m in MODULES if not m.endswith("__main__")))
def test_every_module_imports(name):
    importlib.import_module(name)


def test_every_package_has_a_level():
    assert sorted({_top(m) for m in MODULES} - set(LEVELS)) == []


def test_imports_go_only_down_the_levels():
    offenders = [
        f"{m}:{line} imports {t} (level {LEVELS[_top(m)]} -> {LEVELS[_top(t)]})"
        for m, t, line, _ in EDGES
        if t != "nnrecipe" and _top(t) != _top(m) and LEVELS[_top(t)] >= LEVELS[_top(m)]
    ]
    assert offenders == []


def test_no_module_imports_the_package_init():
    offenders = [f"{m}:{line}" for m, t, line, _ in EDGES if t == "nnrecipe" and m != "nnrecipe"]
    assert offenders == []


HEAVY = ("matplotlib", "rich", "pandas", "sklearn", "optuna")


def _imports_heavy(name: str) -> bool:
    """Whether a module imports a heavy third-party library when it is imported."""
    for node in ast.parse(MODULES[name].read_text()).body:
        mods = []
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            mods = [node.module or ""]
        if any(x.split(".")[0] in HEAVY for x in mods):
            return True
    return False


def test_own_modules_are_imported_at_the_top():
    """Only a module that pulls in a heavy library (pandas for tables: ~0.5 s) may be imported
    inside a function, so that ``import nnrecipe`` stays light."""
    offenders = [
        f"{m}:{line} imports {t} in a function"
        for m, t, line, inner in EDGES
        if inner and not (t in MODULES and _imports_heavy(t))
    ]
    assert offenders == []


def test_no_import_circles():
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m, t, _, _ in EDGES:
        if t in graph and t != m:
            graph[m].add(t)
    circles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                circles.append(" -> ".join(stack[stack.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert circles == []


def test_the_math_imports_numpy_only():
    """nn/, train/ and gradcheck/ load NumPy only; Rich is imported when a progress bar starts
    or a result is rendered, never when the module is imported."""
    offenders = []
    for name, path in MODULES.items():
        if _top(name) not in ("nn", "train", "gradcheck"):
            continue
        for node in ast.parse(path.read_text()).body:  # module level only
            mods = []
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                mods = [node.module or ""]
            bad = [x for x in mods if x.split(".")[0] in HEAVY]
            if bad:
                offenders.append(f"{name}:{node.lineno} imports {bad}")
    assert offenders == []


@pytest.mark.parametrize(
    "statement",
    [
        "from nnrecipe.sklearn import NNClassifier, NNRegressor",
        "from nnrecipe.progress import ProgressBar",
        "from nnrecipe import augment; augment.Shift",
        "from nnrecipe.cli import main, build_parser",
        "import nnrecipe; [getattr(nnrecipe, n) for n in nnrecipe.__all__]",
    ],
)
def test_public_addresses_import_as_before(statement):
    exec(statement, {})
