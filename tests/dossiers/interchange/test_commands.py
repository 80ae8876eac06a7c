"""The command line of pactes.dossier/1: dossier_check (exit 0/1/2), dossier_import, dossier_export."""

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pactes.calls.models import Call
from pactes.dossiers.interchange import canonical_json, document_sha256, dossier_to_document
from pactes.dossiers.management.commands.dossier_check import Command as CheckCommand
from pactes.dossiers.management.commands.dossier_import import IMPORT_ACCOUNT
from pactes.dossiers.models import Dossier


def write(tmp_path, document, name="dossier.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, ensure_ascii=False), "utf-8")
    return path


def run(command, *args):
    """(exit status, stdout, stderr) of a command called like manage.py would."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *map(str, args), stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def check(tmp_path, document):
    status, out, err = run("dossier_check", write(tmp_path, document))
    return status, (json.loads(out) if out else None), err


def test_example_is_admissible_and_exits_0(pts_call, example, tmp_path):
    status, result, err = check(tmp_path, example)
    assert status == 0
    assert result == {
        "admissible": True,
        "reasons": [],
        "figures": {
            "total_budget": "124000.00",
            "state_grant": "62000.00",
            "cofinancing": "62000.00",
            "cofinancing_rate": "0.5000",
            "in_kind": "8400.00",
        },
    }
    assert err == ""


def test_low_cofinancing_exits_1_with_its_code(pts_call, example, tmp_path):
    example["budget"]["expenses"][0]["amount"] = "66000.00"
    example["budget"]["resources"][4]["amount"] = "6000.00"
    status, result, _ = check(tmp_path, example)
    assert status == 1
    assert result["admissible"] is False
    assert [r["code"] for r in result["reasons"]] == ["COFINANCING_TOO_LOW"]
    assert "50" in result["reasons"][0]["message"]
    assert result["figures"]["cofinancing_rate"] == "0.4833"


@pytest.mark.parametrize(("grant", "expected"), [("62000.00", 0), ("62000.01", 1)])
def test_grant_over_cap_from_one_cent_above(pts_call, example, tmp_path, grant, expected):
    example["budget"]["resources"][0]["amount"] = grant
    example["budget"]["expenses"][0]["amount"] = "70000.02" if expected else "70000.00"
    example["budget"]["resources"][4]["amount"] = "10000.01" if expected else "10000.00"
    status, result, _ = check(tmp_path, example)
    assert status == expected
    assert [r["code"] for r in result["reasons"]] == (["GRANT_OVER_CAP"] if expected else [])


def test_commune_of_a_non_eligible_epci_exits_1(pts_call, example, tmp_path):
    example["perimeter"] = {"epci": [], "communes": ["31555"]}
    status, result, _ = check(tmp_path, example)
    assert status == 1
    assert [r["code"] for r in result["reasons"]] == ["PERIMETER_NOT_ELIGIBLE"]


def test_autre_alone_exits_1_and_autre_with_a_consortium_exits_0(pts_call, example, tmp_path):
    example["applicant"]["kind"] = "autre"
    assert check(tmp_path, example)[0] == 0
    example["applicant"]["consortium"] = []
    status, result, _ = check(tmp_path, example)
    assert status == 1
    assert [r["code"] for r in result["reasons"]] == ["APPLICANT_NOT_ELIGIBLE"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"format": "pactes.dossier/1",', "ligne 1"),
        ({"format": "pactes.dossier/1"}, "clé obligatoire manquante : « call »"),
        ("not-an-object", "JSON invalide"),
    ],
)
def test_invalid_file_exits_2_with_a_message_on_stderr(pts_call, tmp_path, content, words):
    status, out, err = run("dossier_check", write(tmp_path, content))
    assert status == 2
    assert out == ""
    assert words in err


def test_missing_key_exits_2_naming_it(pts_call, example, tmp_path):
    del example["budget"]
    status, _, err = check(tmp_path, example)
    assert status == 2
    assert "« budget »" in err


def test_bad_amount_exits_2_saying_where(pts_call, example, tmp_path):
    example["budget"]["expenses"][2]["amount"] = "-30000.00"
    status, _, err = check(tmp_path, example)
    assert status == 2
    assert "budget.expenses[2].amount" in err
    assert "négatif" in err


def test_unknown_call_exits_2(pts_call, example, tmp_path):
    example["call"] = "pts-bretagne-2031"
    status, _, err = check(tmp_path, example)
    assert status == 2
    assert "call : l'appel « pts-bretagne-2031 »" in err


def test_missing_file_exits_2(pts_call, tmp_path):
    status, _, err = run("dossier_check", tmp_path / "absent.json")
    assert status == 2
    assert "absent.json" in err


def test_exit_status_is_also_a_command_error_with_its_returncode(pts_call, example, tmp_path):
    example["perimeter"] = {"epci": [], "communes": []}
    with pytest.raises(CommandError) as error:
        call_command("dossier_check", str(write(tmp_path, example)), stdout=StringIO())
    assert error.value.returncode == 1


def test_from_the_command_line_stdout_is_one_json_object_and_the_status_is_the_exit_code(
    pts_call, example, tmp_path, capsys
):
    example["budget"]["resources"][0]["amount"] = "70000.00"
    with pytest.raises(SystemExit) as exit_:
        CheckCommand().run_from_argv(["manage.py", "dossier_check", str(write(tmp_path, example))])
    captured = capsys.readouterr()
    assert exit_.value.code == 1
    assert json.loads(captured.out)["admissible"] is False
    assert "CommandError" not in captured.err


def test_import_prints_the_reference_of_a_new_draft(pts_call, example, applicant_user, tmp_path):
    status, out, _ = run("dossier_import", write(tmp_path, example), "--user", applicant_user.email)
    assert status == 0
    dossier = Dossier.objects.get()
    assert out.strip() == dossier.reference == "PTS-2024-09-0001"
    assert dossier.created_by == applicant_user
    assert dossier.is_draft


def test_import_without_user_is_authored_by_an_inactive_account(pts_call, example, tmp_path):
    status, out, _ = run("dossier_import", write(tmp_path, example))
    assert status == 0
    author = Dossier.objects.get(reference=out.strip()).created_by
    assert (author.email, author.is_active, author.has_usable_password()) == (IMPORT_ACCOUNT, False, False)


def test_import_reports_the_rules_still_failing_on_stderr(pts_call, example, tmp_path):
    example["expected_impact"] = ""
    status, out, err = run("dossier_import", write(tmp_path, example))
    assert status == 0
    assert out.strip().startswith("PTS-")
    assert "IMPACT_NOT_DESCRIBED" in err


def test_import_of_an_invalid_file_exits_2_and_creates_nothing(pts_call, example, tmp_path):
    example["budget"]["in_kind"][0]["amount"] = "8 400,001"
    status, out, err = run("dossier_import", write(tmp_path, example))
    assert (status, out) == (2, "")
    assert "budget.in_kind[0].amount" in err
    assert not Dossier.objects.exists()


def test_import_with_an_unknown_user_exits_1(pts_call, example, tmp_path):
    status, _, err = run("dossier_import", write(tmp_path, example), "--user", "personne@pactes.test")
    assert status == 1
    assert "personne@pactes.test" in err


def test_export_by_reference_or_id_gives_back_the_example(pts_call, example, tmp_path):
    _, reference, _ = run("dossier_import", write(tmp_path, example))
    dossier = Dossier.objects.get(reference=reference.strip())
    for key in (dossier.reference, dossier.pk):
        status, out, _ = run("dossier_export", key)
        assert status == 0
        exported = json.loads(out)
        assert exported["budget"] == example["budget"]
        assert exported["applicant"]["siret"] == example["applicant"]["siret"]


def test_exported_file_checks_like_the_original(pts_call, example, tmp_path):
    _, reference, _ = run("dossier_import", write(tmp_path, example))
    _, out, _ = run("dossier_export", reference.strip())
    status, result, _ = check(tmp_path, json.loads(out))
    assert (status, result["reasons"]) == (0, [])


def test_canonical_export_is_the_hashed_text(pts_call, example, tmp_path):
    _, reference, _ = run("dossier_import", write(tmp_path, example))
    _, out, _ = run("dossier_export", reference.strip(), "--canonical")
    dossier = Dossier.objects.get(reference=reference.strip())
    assert out.strip() == canonical_json(dossier_to_document(dossier))
    assert hashlib.sha256(out.strip().encode()).hexdigest() == document_sha256(dossier_to_document(dossier))


def test_export_of_an_unknown_dossier_exits_1(pts_call):
    status, _, err = run("dossier_export", "PTS-2024-09-9999")
    assert status == 1
    assert "PTS-2024-09-9999" in err


def test_check_computes_the_indicative_list_when_the_call_has_none_and_says_so(pts_call, example, tmp_path):
    pts_call.eligible_lists.all().delete()
    status, out, err = run("dossier_check", write(tmp_path, example))
    assert status == 0 and json.loads(out)["admissible"] is True
    assert "liste indicative calculée (43 EPCI)" in err
    assert pts_call.eligible_lists.get().is_indicative


def test_check_on_a_database_without_the_call_loads_the_shipped_call_and_its_indicative_list(example, tmp_path, db):
    assert not Call.objects.exists()
    status, result, err = check(tmp_path, example)
    assert status == 0 and result["admissible"] is True
    assert "Appel « pts-occitanie-2024 » chargé" in err and "liste indicative calculée (43 EPCI)" in err
    assert Call.objects.get(slug="pts-occitanie-2024").eligible_lists.count() == 1


def test_check_of_an_unknown_call_exits_2_and_loads_nothing(example, tmp_path, db):
    example["call"] = "pts-bretagne-2031"
    status, result, err = check(tmp_path, example)
    assert status == 2 and result is None
    assert "pts-bretagne-2031" in err
    assert not Call.objects.exists()
