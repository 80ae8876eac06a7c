"""One writer of every lifecycle state: no module under pactes/ but the engine (``pactes/core/transitions.py``) and
the migrations assigns a ``state`` attribute or a field the engine stamps (``submitted_at``, ``opened_at``…),
directly, through ``setattr`` with its name, or as a keyword of ``.update()`` / ``.create()`` / a lifecycle model's constructor."""

import ast
from pathlib import Path

import pytest

from pactes.rules.lifecycles import LIFECYCLES

PACTES = Path(__file__).resolve().parents[2] / "pactes"
ENGINE = PACTES / "core" / "transitions.py"
MODULES = sorted(p for p in PACTES.rglob("*.py") if "migrations" not in p.parts and p != ENGINE)

STAMPED = {name for lc in LIFECYCLES for stamps in lc.stamps.values() for s in stamps for name in (s.at, s.by) if name}
WRITTEN = {"state"} | STAMPED
LIFECYCLE_MODELS = {"Dossier", "Agreement", "Report", "CommitteeSession"}
WRITING_METHODS = {"update", "create", "get_or_create", "update_or_create"}
# Models that are not lifecycle objects but have a field of the same name (a filed version's ``submitted_at``).
OTHER_MODELS = {"DossierVersion"}


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _targets(node: ast.AST) -> list[ast.expr]:
    match node:
        case ast.Assign(targets=targets):
            found = list(targets)
        case ast.AugAssign(target=target) | ast.AnnAssign(target=target):
            found = [target]
        case _:
            return []
    flat: list[ast.expr] = []
    while found:
        target = found.pop()
        if isinstance(target, ast.Tuple | ast.List):
            found += target.elts
        else:
            flat.append(target)
    return flat


def state_writes(path: Path) -> list[str]:
    """Each write of a state or a stamped field in ``path``, as « line: what »."""
    writes: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        for target in _targets(node):
            if isinstance(target, ast.Attribute) and target.attr in WRITTEN:
                writes.append(f"{node.lineno}: .{target.attr} =")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and name.value in WRITTEN:
                writes.append(f"{node.lineno}: setattr(…, {ast.unparse(name)})")
            continue
        is_method = isinstance(func, ast.Attribute) and func.attr in WRITING_METHODS
        is_model = isinstance(func, ast.Name) and func.id in LIFECYCLE_MODELS
        if not (is_method or is_model) or _root_name(func) in OTHER_MODELS:
            continue
        keywords = {k.arg for k in node.keywords if k.arg}
        for k in node.keywords:
            if k.arg == "defaults" and isinstance(k.value, ast.Dict):
                keywords |= {key.value for key in k.value.keys if isinstance(key, ast.Constant)}
        writes += [f"{node.lineno}: {ast.unparse(func)}({name}=…)" for name in sorted(keywords & WRITTEN)]
    return writes


def test_the_stamped_fields_are_known():
    assert {"submitted_at", "opened_at", "closed_at", "validated_by"} <= STAMPED


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACTES)))
def test_no_module_but_the_engine_writes_a_state(path):
    assert state_writes(path) == [], "Passez par pactes.core.transitions.fire (ADR 0014)."


def test_the_check_sees_every_kind_of_write(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "\n".join(
            [
                "dossier.state = 'x'",
                "session.state, session.closed_at = 'close', now",
                "setattr(report, 'submitted_at', now)",
                "setattr(report, name, now)",
                "Dossier.objects.filter(pk=1).update(state='x')",
                "Report.objects.create(dossier=d, state='remis')",
                "CommitteeSession(call=c, state='close')",
                "Agreement.objects.update_or_create(dossier=d, defaults={'state': 'signee'})",
                "DossierVersion.objects.create(submitted_at=now)",
                "dossier.title = 'ok'",
                "Dossier.objects.filter(state='brouillon').count()",
            ]
        ),
        encoding="utf-8",
    )
    assert [w.split(":")[0] for w in state_writes(sample)] == ["1", "2", "2", "3", "5", "6", "7", "8"]


def test_the_engine_itself_is_seen_writing():
    assert state_writes(ENGINE)
