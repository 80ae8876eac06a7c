"""The rules of the call stay plain Python: no module of pactes/rules imports Django or a Django app."""

import ast
from pathlib import Path

import pytest

RULES_DIR = Path(__file__).resolve().parents[2] / "pactes" / "rules"
RULE_FILES = sorted(RULES_DIR.rglob("*.py"))


def imported_modules(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
            "__import__",
            "import_module",
        }:
            modules += [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return modules


def test_rules_package_has_modules_to_check() -> None:
    assert {"budget.py", "calendar.py", "dossier.py", "scoring.py"} <= {p.name for p in RULE_FILES}


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.name for p in RULE_FILES])
def test_rule_module_imports_neither_django_nor_an_app(path: Path) -> None:
    forbidden = [
        m
        for m in imported_modules(path)
        if m == "django" or m.startswith("django.") or (m.startswith("pactes.") and not m.startswith("pactes.rules"))
    ]
    assert forbidden == [], f"{path.name} importe {forbidden}"


def test_the_scan_catches_a_django_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom django.db import models\nimport importlib\nimportlib.import_module('django')\n")
    assert imported_modules(sample) == ["os", "django.db", "importlib", "django"]
