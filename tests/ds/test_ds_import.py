"""``ds_import`` against the fake DS server: pagination, states and dates, repetitions, amounts, idempotence,
``--since``, failures of the call (exit 2, nothing written) and skipped dossiers (exit 1, with reasons)."""

import json
import socket
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from graphql import parse, validate

from pactes.accounts.models import User
from pactes.dossiers.interchange import canonical_json, dossier_to_document, dossier_verdict
from pactes.dossiers.models import Dossier, DossierSource, DossierTransitionLog, DossierVersion
from pactes.dossiers.services import dossier_transition
from pactes.ds.models import ChampMapping, Procedure
from pactes.ds.query import DEMARCHE_QUERY, DOSSIERS_QUERY
from pactes.ds.services import SYSTEM_NAME
from pactes.organisations.models import Organisation
from pactes.rules.money import euros
from tests.ds.fake_ds import SCHEMA, TOKEN

pytestmark = pytest.mark.django_db

PROCEDURE = 84512


def ds_import(call, fake_ds, *extra, url=None):
    out, err = StringIO(), StringIO()
    args = ["--call", call.slug, "--demarche", str(PROCEDURE), "--url", url or fake_ds.url, *extra]
    try:
        call_command("ds_import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def ds_json(call, fake_ds, *extra, url=None):
    code, out, err = ds_import(call, fake_ds, "--json", *extra, url=url)
    return code, (json.loads(out) if out else None), err


def imported(number):
    return DossierSource.objects.select_related("dossier").get(number=number).dossier


def nothing_written():
    return not (Dossier.objects.exists() or DossierVersion.objects.exists() or Procedure.objects.exists())


def test_the_queries_are_valid_against_the_schema_of_ds():
    for query in (DEMARCHE_QUERY, DOSSIERS_QUERY):
        assert validate(SCHEMA, parse(query)) == []


def test_first_import_creates_every_mappable_dossier_and_skips_the_others_with_reasons(real_call, fake_ds):
    code, report, _err = ds_json(real_call, fake_ds)

    assert code == 1
    assert [e["ds_number"] for e in report["created"]] == [1001, 1002, 1003, 1004, 1005]
    assert all(e["reference"].startswith("PTS-2024-") for e in report["created"])
    assert report["updated"] == report["unchanged"] == []
    assert report["skipped"] == [
        {
            "ds_number": 1006,
            "reasons": [
                "le champ obligatoire « Engagement sur l'honneur du porteur » (Q2hhbXAtMTIw) n'est rattaché à aucun "
                "champ de Pactes : complétez la correspondance (ou choisissez « Ne pas importer »)."
            ],
        }
    ]
    assert {"id": "Q2hhbXAtMTIw", "label": "Engagement sur l'honneur du porteur"} in report["unmapped_champs"]
    assert set(report) == {"created", "updated", "unchanged", "skipped", "unmapped_champs"}
    # Skipped means never half-created: no organisation of the skipped demandeur either.
    assert not DossierSource.objects.filter(number=1006).exists()
    assert not Organisation.objects.filter(siret="20004337000002").exists()


def test_pages_are_followed_whatever_their_size(real_call, fake_ds):
    ds_json(real_call, fake_ds)

    pages = [r["body"]["variables"] for r in fake_ds.requests if "dossiers(" in r["body"]["query"]]
    assert len(pages) == 3  # 6 dossiers, 2 per page although 100 were asked
    assert pages[0]["first"] == 100 and pages[0]["after"] is None
    assert pages[1]["after"] and pages[2]["after"] != pages[1]["after"]


def test_ds_states_become_pactes_states_through_the_import_transitions(real_call, fake_ds):
    ds_json(real_call, fake_ds)

    states = {n: imported(n).state for n in (1001, 1002, 1003, 1004, 1005)}
    assert states == {
        1001: "depose",
        1002: "en_instruction",
        1003: "retenu",
        1004: "non_retenu",
        1005: "classe_sans_suite",
    }
    logs = DossierTransitionLog.objects.filter(dossier=imported(1004)).order_by("at")
    assert [log.transition for log in logs] == ["import_submit", "import_start_review", "import_refuse"]
    assert {str(log.by) for log in logs} == {SYSTEM_NAME}
    assert logs[2].reason == "Le cofinancement n'atteint pas 50 % du budget."
    assert logs[2].at.isoformat() == "2024-10-21T09:00:00+00:00"


def test_the_ds_filing_time_is_the_filing_time_and_the_content_is_frozen_as_the_first_version(real_call, fake_ds):
    ds_json(real_call, fake_ds)

    dossier = imported(1001)
    assert dossier.submitted_at.isoformat() == "2024-09-20T08:15:00+00:00"
    version = dossier.versions.get()
    assert version.number == 1
    assert version.submitted_at == dossier.submitted_at
    assert str(version.submitted_by) == SYSTEM_NAME
    document = json.loads(version.snapshot)
    assert document["submitted_at"] == "2024-09-20T10:15:00+02:00"
    assert document["source"]["number"] == 1001
    expected = dossier_to_document(dossier)
    assert canonical_json(expected) == version.snapshot


def test_export_says_where_the_dossier_comes_from(real_call, fake_ds):
    ds_json(real_call, fake_ds)
    out = StringIO()

    call_command("dossier_export", imported(1003).reference, stdout=out)

    assert json.loads(out.getvalue())["source"] == {
        "platform": "demarches-simplifiees",
        "demarche": PROCEDURE,
        "number": 1003,
        "state": "accepte",
        "submitted_at": "2024-09-25T16:30:00+02:00",
    }


def test_amounts_are_read_from_what_was_typed_never_through_a_float(real_call, fake_ds):
    ds_json(real_call, fake_ds)

    amounts = list(imported(1001).expenses.values_list("amount", flat=True))
    assert amounts == [Decimal("116439.50"), Decimal("7560.50")]
    assert euros(amounts[1]) == "7\u202f560,50\u00a0€"


def test_french_typed_amounts_are_accepted(real_call, fake_ds):
    row = next(c for c in fake_ds.dossier(1001)["champs"] if c["label"] == "Dépenses prévisionnelles")["rows"][1]
    amount = next(c for c in row["champs"] if c["__typename"] == "DecimalNumberChamp")
    amount["stringValue"], amount["value"] = "7 560,50", 7560.5

    ds_json(real_call, fake_ds)

    assert imported(1001).expenses.get(position=1).amount == Decimal("7560.50")


def test_an_unreadable_amount_skips_the_dossier_with_its_reason(real_call, fake_ds):
    row = next(c for c in fake_ds.dossier(1001)["champs"] if c["label"] == "Dépenses prévisionnelles")["rows"][0]
    next(c for c in row["champs"] if c["__typename"] == "DecimalNumberChamp")["stringValue"] = "cent euros"

    _code, report, _err = ds_json(real_call, fake_ds)

    skipped = {e["ds_number"]: e["reasons"] for e in report["skipped"]}
    assert "Montant (€)" in skipped[1001][0]
    assert not DossierSource.objects.filter(number=1001).exists()


def test_repetitions_consortium_perimeter_and_in_kind_resources(real_call, fake_ds):
    ds_json(real_call, fake_ds)

    dossier = imported(1001)
    assert dossier.organisation.siret == "78451209300013"
    assert dossier.organisation.kind == "association"  # from the demandeur's SIRENE data
    assert list(dossier.consortium_members.values_list("name", "siret")) == [
        ("Commune de Saint-Girons", "21090261500017")
    ]
    assert [e.siren for e in dossier.epcis.all()] == ["200067940"]
    assert [c.code_insee for c in dossier.communes.all()] == ["09261"]
    assert dossier.departement.code == "09"
    priority = dossier.priorities.get()
    assert [m.code for m in priority.measures.all()] == ["2.3"]
    assert priority.publics == ["familles_monoparentales", "travailleurs_pauvres"]
    action = dossier.actions.get()
    assert (action.start.isoformat(), action.end.isoformat()) == ("2024-11-04", "2025-10-31")
    assert action.impact_measures.get().target == Decimal("25")
    assert list(dossier.resources.values_list("kind", "amount", "status")) == [
        ("state_pts", Decimal("62000.00"), "requested"),
        ("public", Decimal("30000.00"), "acquired"),
        ("own_funds", Decimal("32000.00"), "acquired"),
    ]
    assert list(dossier.in_kind_lines.values_list("partner", "amount")) == [
        ("Commune de Saint-Girons", Decimal("8400.00"))
    ]
    assert imported(1002).organisation.kind == "etablissement_public"  # a CCAS


def test_hidden_and_blank_optional_champs_fill_nothing(real_call, fake_ds):
    ds_json(real_call, fake_ds)

    # 1001: the articulation champ is hidden by its condition (absent); 1002 shows it.
    assert imported(1001).complementarity == ""
    assert imported(1002).complementarity == "Complète l'axe insertion du contrat départemental de l'Aude."
    blank = imported(1002)
    assert blank.impact_measurement == ""
    action = blank.actions.get()
    assert action.description == "" and action.overlaps_departmental_contract is False
    assert not action.impact_measures.exists()


def test_importing_twice_creates_nothing_new(real_call, fake_ds):
    ds_json(real_call, fake_ds)
    counts = (Dossier.objects.count(), DossierVersion.objects.count(), DossierTransitionLog.objects.count())

    code, report, _err = ds_json(real_call, fake_ds)

    assert code == 1  # 1006 is still skipped
    assert report["created"] == report["updated"] == []
    assert [e["ds_number"] for e in report["unchanged"]] == [1001, 1002, 1003, 1004, 1005]
    assert (Dossier.objects.count(), DossierVersion.objects.count(), DossierTransitionLog.objects.count()) == counts


def test_since_asks_only_what_changed_and_a_changed_filed_dossier_gets_a_new_version(real_call, fake_ds):
    ds_json(real_call, fake_ds)
    changed = fake_ds.dossier(1002)
    next(c for c in changed["champs"] if c["label"] == "Intitulé du projet")["stringValue"] = "Limoux : jeunes, v2"
    changed["dateDerniereModification"] = "2024-10-10T12:00:00+02:00"
    fake_ds.requests.clear()

    code, report, _err = ds_json(real_call, fake_ds, "--since", "2024-10-05T00:00:00+02:00")

    asked = [r["body"]["variables"] for r in fake_ds.requests if "dossiers(" in r["body"]["query"]]
    assert asked[0]["updatedSince"] == "2024-10-05T00:00:00+02:00"
    assert code == 0
    assert [e["ds_number"] for e in report["updated"]] == [1002]
    assert {e["ds_number"] for e in report["unchanged"]} == {1003, 1004, 1005}
    dossier = imported(1002)
    assert dossier.title == "Limoux : jeunes, v2"
    assert dossier.state == "en_instruction"  # the instruction's state is kept
    assert list(dossier.versions.values_list("number", flat=True)) == [1, 2]
    assert json.loads(dossier.versions.get(number=2).snapshot)["title"] == "Limoux : jeunes, v2"


def test_a_dossier_moved_on_in_pactes_is_never_overwritten(real_call, fake_ds, demo_accounts):
    ds_json(real_call, fake_ds)
    dossier = imported(1002)
    dossier_transition(
        dossier=dossier, transition="declare_admissible", by=User.objects.get(email="instructeur.11@demo.test")
    )
    changed = fake_ds.dossier(1002)
    next(c for c in changed["champs"] if c["label"] == "Intitulé du projet")["stringValue"] = "Autre titre"

    code, report, _err = ds_json(real_call, fake_ds)

    assert code == 1
    reasons = {e["ds_number"]: e["reasons"] for e in report["skipped"]}
    assert "son instruction a avancé sur Pactes" in reasons[1002][0]
    dossier.refresh_from_db()
    assert (dossier.state, dossier.title) == ("recevable", "Limoux : un accompagnement renforcé des jeunes")


def test_a_state_change_on_ds_moves_the_dossier_forward(real_call, fake_ds):
    ds_json(real_call, fake_ds)
    moved = fake_ds.dossier(1001)
    moved["state"], moved["datePassageEnInstruction"] = "en_instruction", "2024-10-02T09:00:00+02:00"

    _code, report, _err = ds_json(real_call, fake_ds)

    assert [e["ds_number"] for e in report["updated"]] == [1001]
    assert imported(1001).state == "en_instruction"
    assert imported(1001).versions.count() == 1  # same content: no new version


def test_a_fixed_mapping_imports_the_skipped_dossier(real_call, fake_ds):
    ds_json(real_call, fake_ds)
    ChampMapping.objects.filter(descriptor_id="Q2hhbXAtMTIw").update(target="ignore")

    code, report, _err = ds_json(real_call, fake_ds)

    assert code == 0
    assert [e["ds_number"] for e in report["created"]] == [1006]
    assert imported(1006).organisation.kind == "epci"


def test_a_refused_token_exits_2_and_writes_nothing(real_call, fake_ds):
    fake_ds.token = "un-autre-jeton"

    code, out, err = ds_import(real_call, fake_ds)

    assert code == 2
    assert "HTTP 401" in err and "DS_API_TOKEN" in err
    assert TOKEN not in out + err
    assert nothing_written()


def test_an_unreachable_server_exits_2_and_writes_nothing(real_call, fake_ds):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nobody listens there

    code, _out, err = ds_import(real_call, fake_ds, url=f"http://127.0.0.1:{port}/api/v2/graphql")

    assert code == 2
    assert "injoignable" in err
    assert nothing_written()


def test_a_failure_on_a_later_page_writes_nothing(real_call, fake_ds):
    fake_ds.fail_after_requests = 2  # the descriptors and the first page answer, the second page fails

    code, _out, err = ds_import(real_call, fake_ds)

    assert code == 2
    assert "HTTP 500" in err
    assert nothing_written()


def test_a_request_refused_by_ds_exits_2_and_writes_nothing(real_call, fake_ds):
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("ds_import", "--call", real_call.slug, "--demarche", "999", "--url", fake_ds.url, stdout=out,
                     stderr=err)  # fmt: skip

    assert exit_status.value.code == 2
    assert "démarches simplifiées a refusé la requête : Demarche not found" in err.getvalue()
    assert nothing_written()


def test_without_a_token_the_import_says_how_to_give_one(real_call, fake_ds, monkeypatch, settings):
    monkeypatch.delenv("DS_API_TOKEN")
    settings.DS_API_TOKEN = ""

    code, _out, err = ds_import(real_call, fake_ds)

    assert code == 2
    assert "DS_API_TOKEN" in err
    assert not fake_ds.requests


def test_the_token_is_sent_as_a_bearer_and_never_printed(real_call, fake_ds):
    code, out, err = ds_import(real_call, fake_ds)

    assert {r["authorization"] for r in fake_ds.requests} == {f"Bearer {TOKEN}"}
    assert TOKEN not in out + err
    assert code == 1
    assert "Dossiers créés : 5 ; mis à jour : 0 ; inchangés : 0 ; écartés : 1." in out
    assert "dossier DS n° 1006" in out


def test_a_dry_run_reports_without_writing(real_call, fake_ds):
    code, report, _err = ds_json(real_call, fake_ds, "--dry-run")

    assert code == 1
    assert len(report["created"]) == 5
    assert nothing_written()


def test_an_unknown_call_or_a_bad_since_exits_2(real_call, fake_ds):
    assert ds_import(real_call, fake_ds, "--since", "hier")[0] == 2
    real_call.slug = "inconnu"
    assert ds_import(real_call, fake_ds)[0] == 2
    assert not fake_ds.requests


def test_imported_dossiers_are_judged_by_the_rules_like_any_other(real_call, fake_ds):
    ds_json(real_call, fake_ds)

    verdict, summary = dossier_verdict(imported(1001))
    assert summary.total_budget == Decimal("124000.00")
    assert summary.state_grant == Decimal("62000.00")
    assert "COFINANCING_TOO_LOW" not in [r.code for r in verdict.reasons]
    refused, _ = dossier_verdict(imported(1004))
    assert "COFINANCING_TOO_LOW" in [r.code for r in refused.reasons]


def test_a_dry_run_shows_the_numbers_the_import_would_give(real_call, fake_ds):
    _code, preview, _err = ds_json(real_call, fake_ds, "--dry-run")
    _code, report, _err = ds_json(real_call, fake_ds)

    references = [e["reference"] for e in preview["created"]]
    assert len(set(references)) == 5
    assert references == [e["reference"] for e in report["created"]]
