"""Production code never imports Django's test tools (``django.test``: ``override_settings``, the test client…):
what a test needs stays in ``tests/``; the demo, for one, turns mail off by configuration."""

import ast
from pathlib import Path

import pytest

PACTES_DIR = Path(__file__).resolve().parents[1] / "pactes"
PRODUCTION_FILES = sorted(PACTES_DIR.rglob("*.py"))


def django_test_imports(path: Path) -> list[str]:
    """What ``path`` imports from ``django.test`` (``from django import test`` included)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name == "django.test" or a.name.startswith("django.test.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "django.test" or node.module.startswith("django.test."):
                found.append(node.module)
            elif node.module == "django":
                found += [f"django.{a.name}" for a in node.names if a.name == "test"]
    return found


def test_every_production_package_is_checked() -> None:
    assert {"core", "demo", "dossiers", "web"} <= {p.relative_to(PACTES_DIR).parts[0] for p in PRODUCTION_FILES}


@pytest.mark.parametrize("path", PRODUCTION_FILES, ids=[str(p.relative_to(PACTES_DIR)) for p in PRODUCTION_FILES])
def test_production_module_does_not_import_django_test(path: Path) -> None:
    assert django_test_imports(path) == [], f"{path.relative_to(PACTES_DIR)} importe {django_test_imports(path)}"


def imports_inside_functions(path: Path) -> list[str]:
    """The modules of Pactes that ``path`` imports inside a function (a cycle dodged instead of removed)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.level == 0 and (inner.module or "").startswith("pactes"):
                found.append(f"{node.name}: {inner.module}")
            elif isinstance(inner, ast.Import):
                found += [f"{node.name}: {a.name}" for a in inner.names if a.name.startswith("pactes")]
    return found


MODULE_FILES = [p for p in PRODUCTION_FILES if "migrations" not in p.parts]


@pytest.mark.parametrize("path", MODULE_FILES, ids=[str(p.relative_to(PACTES_DIR)) for p in MODULE_FILES])
def test_no_module_of_pactes_is_imported_inside_a_function(path: Path) -> None:
    assert imports_inside_functions(path) == [], f"{path.relative_to(PACTES_DIR)} : {imports_inside_functions(path)}"


def test_no_production_module_is_longer_than_500_lines() -> None:
    long = {str(p.relative_to(PACTES_DIR)): n for p in MODULE_FILES if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}
