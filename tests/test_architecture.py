"""The house rules a newcomer can rely on, checked on the source itself (ast, no imports of ours
except where importing is the point):

- one exception tree: every exception class is defined in pipeline/errors.py under VitrinaError;
- pipeline modules import each other without a cycle (function-level imports count);
- dependencies point one way: pipeline/ is pure (no orchestration, cloud, web or CLI layers, no
  environment reads); dam_connectors/ knows nothing of pipeline/ but its errors;
- importing a package changes no environment variable and no warnings filter;
- modules stay small enough to read.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from tests.conftest import USER_ENV

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "flows", "vitrina", "dam_connectors")
MAX_MODULE_LINES = 600


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. pipeline.checks.results (a package is its __init__)
    path: Path
    tree: ast.Module

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def where(self) -> str:
        return self.path.relative_to(REPO).as_posix()


@cache
def modules(package: str) -> tuple[Module, ...]:
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append(Module(name, path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    return tuple(found)


def all_modules() -> Iterator[Module]:
    for package in PACKAGES:
        yield from modules(package)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _from_module(module: Module, node: ast.ImportFrom) -> str:
    """The absolute module of ``from ... import``, relative levels resolved against ``module``."""
    base = node.module or ""
    if not node.level:
        return base
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{anchor}.{base}" if base else anchor


def imports(module: Module, *, runtime_only: bool = False, import_time_only: bool = False) -> Iterator[str]:
    """Dotted names ``module`` imports (``from a.b import c`` gives ``a.b.c``), relative ones resolved.

    ``runtime_only`` skips ``if TYPE_CHECKING:`` blocks (they never run); ``import_time_only``
    also skips function bodies (what runs when the module is imported).
    """

    def visit(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.If) and (runtime_only or import_time_only) and _is_type_checking(node):
            for child in node.orelse:
                yield from visit(child)
            return
        if import_time_only and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _from_module(module, node)
            yield from (base if alias.name == "*" else f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(module.tree)


# --- (a) one exception tree ------------------------------------------------------------------


@dataclass(frozen=True)
class ClassInfo:
    qualname: str
    module: Module
    line: int
    bases: tuple[str, ...]  # qualified names, as far as the module's imports tell


def _aliases(module: Module) -> dict[str, str]:
    """Local name -> qualified name, from the module's own imports and top-level classes."""
    names: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]  # `import a.b` binds `a`; `import a.b as c` binds a.b
                names[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom):
            base = _from_module(module, node)
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in module.tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = f"{module.name}.{node.name}"
    return names


def _qualify(expr: ast.expr, aliases: dict[str, str]) -> str:
    if isinstance(expr, ast.Subscript):  # Generic[T]
        expr = expr.value
    dotted = ast.unparse(expr)
    head, _, rest = dotted.partition(".")
    if head in aliases:
        return f"{aliases[head]}.{rest}" if rest else aliases[head]
    return f"builtins.{dotted}" if hasattr(builtins, dotted) else dotted


@cache
def classes() -> dict[str, ClassInfo]:
    found = {}
    for module in all_modules():
        aliases = _aliases(module)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                qualname = f"{module.name}.{node.name}"
                found[qualname] = ClassInfo(
                    qualname, module, node.lineno, tuple(_qualify(b, aliases) for b in node.bases)
                )
    return found


@cache
def _is_exception(qualname: str) -> bool:
    ours = classes().get(qualname)
    if ours is not None:
        return any(_is_exception(base) for base in ours.bases)
    module_name, _, attr = qualname.rpartition(".")
    try:
        value = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError):
        return False  # not a class we can find: a subscripted alias, a name built at runtime
    return isinstance(value, type) and issubclass(value, BaseException)


def _derives_from(qualname: str, root: str) -> bool:
    ours = classes().get(qualname)
    return qualname == root or (ours is not None and any(_derives_from(b, root) for b in ours.bases))


def test_every_exception_is_defined_in_pipeline_errors_under_vitrina_error():
    root = "pipeline.errors.VitrinaError"
    wrong = []
    for info in classes().values():
        if not _is_exception(info.qualname):
            continue
        if info.module.name != "pipeline.errors":
            wrong.append(
                f"{info.module.where}:{info.line}: {info.qualname.rpartition('.')[2]} "
                f"(bases {', '.join(info.bases)}) is defined outside pipeline/errors.py"
            )
        elif info.qualname != root and not _derives_from(info.qualname, root):
            wrong.append(f"{info.module.where}:{info.line}: {info.qualname} does not derive from VitrinaError")
    assert _is_exception(root)
    assert not wrong, "one exception tree (pipeline/errors.py):\n" + "\n".join(wrong)


# --- (b) no import cycle in pipeline ----------------------------------------------------------


def _import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the package's modules it imports at run time (function-level imports included)."""
    known = {m.name for m in modules(package)}
    graph: dict[str, set[str]] = {}
    for module in modules(package):
        targets = set()
        for name in imports(module, runtime_only=True):
            # `from a.b import c`: the submodule a.b.c if there is one, else the module a.b
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module.name:
                targets.add(name)
        graph[module.name] = targets
    return graph


def test_pipeline_modules_import_each_other_without_a_cycle():
    try:
        TopologicalSorter(_import_graph("pipeline")).prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        pytest.fail("import cycle in pipeline: " + " -> ".join(reversed(cycle)), pytrace=False)


# --- (c) dependencies point one way -----------------------------------------------------------

PIPELINE_MUST_NOT_IMPORT = frozenset(
    {
        "prefect",
        "boto3",
        "botocore",
        "fastapi",
        "starlette",
        "typer",
        "rich",
        "flows",
        "vitrina",
        "dam_connectors",
    }
)


def test_pipeline_imports_no_orchestration_cloud_web_or_cli_layer():
    wrong = sorted(
        f"{m.where} imports {name}"
        for m in modules("pipeline")
        for name in imports(m)
        if name.split(".")[0] in PIPELINE_MUST_NOT_IMPORT
    )
    assert not wrong, "\n".join(wrong)


def test_pipeline_reads_no_environment():
    for module in modules("pipeline"):
        text = module.path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, module.where


def test_dam_connectors_know_nothing_of_the_pipeline_but_its_errors():
    wrong = []
    for module in modules("dam_connectors"):
        for name in imports(module):
            top = name.split(".")[0]
            if top in ("prefect", "flows", "vitrina") or (top == "pipeline" and not name.startswith("pipeline.errors")):
                wrong.append(f"{module.where} imports {name}")
    assert not wrong, "\n".join(wrong)


# --- (d) importing changes no process state ---------------------------------------------------

_PROBE = """
import importlib, json, os, sys, warnings

def attempt(name):
    try:
        importlib.import_module(name)
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"

spec = json.loads(sys.argv[1])
for name in spec["theirs"]:  # libraries first: what they do on import is not ours to check
    attempt(name)
env, filters = dict(os.environ), list(warnings.filters)
failed = {name: error for name in spec["ours"] if (error := attempt(name))}
print(json.dumps({
    "failed": failed,
    "env": sorted(k for k in set(env) | set(os.environ) if env.get(k) != os.environ.get(k)),
    "filters": [repr(f) for f in warnings.filters if f not in filters]
               + [f"removed {f!r}" for f in filters if f not in warnings.filters],
}))
"""


@pytest.mark.parametrize("package", PACKAGES)
def test_importing_a_package_changes_no_environment_and_no_warnings_filter(package: str):
    """Import every module of the package in a fresh interpreter; settings belong to entry points
    (e.g. `flows.runtime.configure_prefect`, called by `vitrina`), never to an import."""
    # Alembic runs `migrations/env.py` as a script inside its own migration context, by file path:
    # it is not a module anyone imports.
    ours = [m.name for m in modules(package) if not m.name.endswith(".migrations.env")]
    # Its modules import the other packages' modules too: every library any of them imports
    # at import time is loaded before the snapshot.
    theirs = sorted(
        {
            name
            for m in all_modules()
            for name in imports(m, import_time_only=True)
            if name.split(".")[0] not in PACKAGES
        }
    )
    # The shell's environment, without Prefect's settings: an import that set them must show.
    env = {k: v for k, v in USER_ENV.items() if not k.startswith("PREFECT_") and k != "DO_NOT_TRACK"}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps({"ours": ours, "theirs": theirs})],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not found["failed"], f"modules of {package} that do not import: {found['failed']}"
    assert found["env"] == [], f"importing {package} changed os.environ: {found['env']}"
    assert found["filters"] == [], f"importing {package} changed warnings.filters: {found['filters']}"


# --- (e) modules a reader can hold in their head ----------------------------------------------


def test_no_module_is_over_600_lines():
    long = sorted(
        (n, m.where)
        for m in all_modules()
        if (n := len(m.path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    )
    assert not long, "\n".join(f"{where}: {n} lines" for n, where in reversed(long))
