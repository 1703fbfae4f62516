"""Dependencies point one way: pipeline/ is pure (no Prefect, no boto3, no environment reads)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_pipeline_imports_no_orchestration_cloud_or_app_layers():
    for path in (REPO / "pipeline").glob("*.py"):
        bad = _imports(path) & {"prefect", "boto3", "botocore", "flows", "dam_connectors"}
        assert not bad, f"{path.name} imports {bad}"


def test_pipeline_reads_no_environment():
    for path in (REPO / "pipeline").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, path.name


def test_dam_connectors_do_not_import_the_pipeline_or_prefect():
    for path in (REPO / "dam_connectors").glob("*.py"):
        assert not _imports(path) & {"prefect", "pipeline", "flows"}, path.name
