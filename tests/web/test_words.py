"""Issue 15 (5): the words of a few pages — the step navigator, the priorities maximum, the rules panel's « sans
objet », the regional envelope's source and the demonstration call's own dates."""

import re
from decimal import Decimal

from django.urls import reverse
from django.utils.html import escape

from pactes.accounts.models import Role, User
from pactes.calls.services import call_envelope_set
from pactes.dossiers.editing import dossier_save_step, step_version
from pactes.rules.formatting import date_fr


def priority(title):
    return {
        "id": None,
        "title": title,
        "measures": [],
        "local_justification": "Contexte local",
        "publics": ["jeunes"],
        "other_public_justification": "",
    }


def step_page(client, dossier, step):
    return client.get(reverse("dossiers:step", kwargs={"reference": dossier.reference, "step": step})).content.decode()


def test_the_step_navigator_is_an_ordered_list_whose_text_does_not_repeat_the_numbers(
    client, editor_dossier, editor_applicant
):
    client.force_login(editor_applicant[0])
    page = step_page(client, editor_dossier, "porteur")
    navigator = page.split('class="pactes-steps"', 1)[1].split("</ol>", 1)[0]
    assert "Porteur" in navigator and "Récapitulatif et dépôt" in navigator
    assert not re.search(r">\s*\d+\.\s", navigator)  # « 1. 1. Porteur » no more: the list's markers number it


def test_with_the_maximum_of_priorities_the_page_says_so_instead_of_inviting_to_fill_the_empty_line(
    client, editor_dossier, editor_applicant
):
    user = editor_applicant[0]
    maximum = editor_dossier.call.rules.priorities_max
    client.force_login(user)
    assert "remplissez la ligne vide" in step_page(client, editor_dossier, "priorites")
    dossier_save_step(
        dossier=editor_dossier,
        step="priorites",
        data={"priorities": [priority(f"Priorité {n}") for n in range(1, maximum + 1)]},
        expected_version=step_version(editor_dossier, "priorites"),
        by=user,
    )
    page = step_page(client, editor_dossier, "priorites")
    assert "la ligne vide" not in page
    assert f"Le maximum de {maximum} priorités fixé par l'appel est atteint" in page


def test_the_rules_panel_says_without_object_for_a_draft_with_no_action(client, editor_dossier, editor_applicant):
    client.force_login(editor_applicant[0])
    page = step_page(client, editor_dossier, "porteur")
    item = page.split('data-rule="ACTION_STARTS_TOO_LATE"', 1)[1].split("</li>", 1)[0]
    assert "sans objet" in item
    assert "Respectée" not in item
    assert "ACTION_STARTS_TOO_LATE</" not in page  # the code stays an attribute, never text


def test_the_summary_table_says_sans_objet_for_a_rule_with_nothing_to_judge(client, editor_dossier, editor_applicant):
    client.force_login(editor_applicant[0])
    page = client.get(reverse("filing:summary", args=[editor_dossier.reference])).content.decode()
    row = page.split('data-rule="ACTION_STARTS_TOO_LATE" data-outcome="not_applicable"', 1)[1].split("</tr>", 1)[0]
    assert "Sans objet" in row and "Respectée" not in row


def test_the_regional_envelope_says_it_was_set_by_the_administrator_and_when(client, editor_call):
    admin = User.objects.create_user("admin@pactes.test", "motdepasse-solide-42", role=Role.ADMIN)
    call = call_envelope_set(call=editor_call, amount=Decimal("600000"), by=admin)
    page = client.get(reverse("calls:detail", args=[call.slug])).content.decode()
    assert escape(f"fixée par l'administrateur le {date_fr(call.regional_envelope_set_at)}") in page


def test_the_demonstration_call_shows_its_own_dates_never_the_real_calls(client, editor_call):
    page = client.get(reverse("calls:detail", args=[editor_call.slug])).content.decode()
    rules = editor_call.rules
    assert f"Au plus tard le {date_fr(rules.latest_start)}" in page
    assert "1er décembre 2024" not in page.split("Texte de l'appel", 1)[0]  # the real call's text may, the page not
    assert "ne sont pas instruits" not in page
    assert "suivent tout le parcours" in page
