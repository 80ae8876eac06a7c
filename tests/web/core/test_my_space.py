"""« Mon espace »: one page of the dossiers in scope as plain rows, the role's buttons and the pagination rendered once
per process (pactes.web.core.views)."""

import pytest
from django.urls import reverse

from pactes.dossiers.models import Dossier
from pactes.web.core import views
from tests.factories import DossierFactory, UserFactory

URL = reverse("core:dashboard")


@pytest.mark.django_db
def test_a_row_shows_number_link_title_porteur_departement_call_and_state_in_french(client):
    dossier = DossierFactory(filed=True)
    client.force_login(dossier.created_by)
    page = client.get(URL).content.decode()
    link = reverse("dossiers:detail", args=[dossier.reference])
    assert f'<td><a href="{link}">{dossier.reference}</a></td>' in page
    assert f"<td>{dossier.organisation.name}</td><td>Ariège (09)</td>" in page
    assert f"<td>{dossier.call.short_title}</td>" in page
    assert '<p class="fr-badge fr-badge--sm">Déposé</p>' in page
    assert "Dossiers visibles dans mon périmètre (1)" in page


@pytest.mark.parametrize("reference", ["PTS-2024-09-0001", "Réf été+1 (bis)", "a&b=c;d@e:f~g'h"])
def test_the_row_link_is_the_address_reverse_gives(reference):
    [row] = views._dossier_rows([{"reference": reference, "state": "depose"}])
    assert row["href"] == reverse("dossiers:detail", args=[reference])
    assert row["state_label"] == "Déposé"


@pytest.mark.django_db
def test_each_role_has_its_buttons_and_the_administrator_one_per_call(client, real_call):
    applicant, instructor, admin = UserFactory(), UserFactory(instructor=True), UserFactory(admin=True)
    views._space_actions.cache_clear()
    client.force_login(applicant)
    mine = client.get(URL).content.decode()
    assert "Nouveau dossier" in mine and "Dossiers à instruire" not in mine
    client.force_login(instructor)
    theirs = client.get(URL).content.decode()
    assert "Dossiers à instruire" in theirs and "Équipe du département" in theirs and "Nouveau dossier" not in theirs
    client.force_login(admin)
    administrator = client.get(URL).content.decode()
    propose = reverse("calls:propose_list", args=[real_call.slug])
    assert f'href="{propose}">Liste des EPCI éligibles — {real_call.short_title}</a>' in administrator
    assert "Comptes des agents" in administrator and "Nouveau dossier" not in administrator
    client.force_login(applicant)
    assert client.get(URL).content.decode().count("Nouveau dossier") == mine.count("Nouveau dossier")


@pytest.mark.django_db
def test_more_than_a_page_is_paginated_with_the_count_of_the_whole_scope(client):
    first = DossierFactory(filed=True)
    Dossier.objects.bulk_create(
        Dossier(
            call=first.call,
            organisation=first.organisation,
            departement=first.departement,
            reference=f"PTS-2024-09-{100 + i}",
            title=f"Projet {i}",
            created_by=first.created_by,
        )
        for i in range(views.PER_PAGE + 5)
    )
    client.force_login(first.created_by)
    page = client.get(URL).content.decode()
    assert f"Dossiers visibles dans mon périmètre ({views.PER_PAGE + 6})" in page
    assert page.count("<tr>") == views.PER_PAGE + 1  # the header's row and one page
    assert 'class="fr-pagination"' in page and "?page=2" in page
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count("<tr>") == 6 + 1
    assert 'title="Page 2"' in second
