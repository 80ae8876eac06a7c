"""``pactes.core`` is the foundation every app stands on: none of its modules imports an app of Pactes.

Words: an *app* is any package of ``pactes`` but ``core`` itself and ``rules`` (plain Python below every app).
"""

import ast
from pathlib import Path

import pytest

PACTES_DIR = Path(__file__).resolve().parents[2] / "pactes"
CORE_FILES = sorted((PACTES_DIR / "core").rglob("*.py"))
ALLOWED = ("pactes.core", "pactes.rules")


def imported_modules(path: Path) -> list[str]:
    """Absolute names of what ``path`` imports (relative imports resolved from its package)."""
    package = ["pactes", *path.relative_to(PACTES_DIR).parts[:-1]]
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            modules.append(".".join([*base, *([node.module] if node.module else [])]))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
            "__import__",
            "import_module",
        }:
            modules += [a.value for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return modules


def test_core_has_modules_to_check() -> None:
    assert {"models.py", "downloads.py", "transitions.py", "context_processors.py"} <= {p.name for p in CORE_FILES}


def test_imports_are_read_with_their_package() -> None:
    assert imported_modules(PACTES_DIR / "core" / "templatetags" / "pactes_format.py") == [
        "datetime",
        "decimal",
        "typing",
        "django",
        "django.utils",
        "pactes.rules",
    ]


@pytest.mark.parametrize("path", CORE_FILES, ids=[str(p.relative_to(PACTES_DIR)) for p in CORE_FILES])
def test_core_module_imports_no_app(path: Path) -> None:
    forbidden = [
        m
        for m in imported_modules(path)
        if (m == "pactes" or m.startswith("pactes.")) and not any(m == a or m.startswith(f"{a}.") for a in ALLOWED)
    ]
    assert forbidden == [], f"{path.relative_to(PACTES_DIR)} importe {forbidden}"
