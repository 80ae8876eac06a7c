"""Fills the search text of the dossiers that exist (the same parts as ``pactes.dossiers.search``); reversible."""

from django.db import migrations

from pactes.territories.names import normalize_name


def fill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    Commune = apps.get_model("territories", "Commune")
    for dossier in Dossier.objects.select_related("organisation").iterator(chunk_size=500):
        epcis = list(dossier.epcis.order_by("name").values_list("pk", "name"))
        communes = list(dossier.communes.order_by("name").values_list("name", flat=True))
        if not communes and epcis:
            communes = list(
                Commune.objects.filter(epci_id__in=[pk for pk, _ in epcis])
                .order_by("name")
                .values_list("name", flat=True)
            )
        parts = [dossier.reference, dossier.title, dossier.organisation.name, dossier.organisation.siret]
        parts += [name for _, name in epcis] + communes
        seen = []
        for part in parts:
            normalized = normalize_name(part or "")
            if normalized and normalized not in seen:
                seen.append(normalized)
        Dossier.objects.filter(pk=dossier.pk).update(search_text=" ".join(seen))


def empty(apps, schema_editor):
    apps.get_model("dossiers", "Dossier").objects.update(search_text="")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0011_search_text"),
        ("territories", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, empty)]
