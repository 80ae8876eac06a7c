"""What ``dossier_check`` needs in the database before it can judge a document, loaded from what the platform ships
when it is missing: the reference territories and INSEE indicators, the call (its versioned YAML file) and an eligible
list (the indicative one, until an official list is imported). Each step is the idempotent service that
``setup_demo`` runs; nothing already loaded is changed.
"""

from collections.abc import Callable

from django.conf import settings

from pactes.calls.models import Call
from pactes.calls.selectors import current_eligible_list
from pactes.calls.services import call_files_in_order, call_load, eligible_list_build_indicative, read_call_yaml
from pactes.territories.models import Epci, IndicatorValue
from pactes.territories.services import shipped_indicators_import, territories_import


def ensure_check_reference(slug: str, *, say: Callable[[str], None]) -> None:
    """Loads, when absent, the shipped data the check of a document of call ``slug`` needs; ``say`` tells what."""
    if not Epci.objects.exists():
        territories_import()
        say("Données de référence absentes : territoires chargés depuis les fichiers livrés.")
    if not IndicatorValue.objects.exists():
        shipped_indicators_import()
        say("Indicateurs INSEE absents : Filosofi 2019 chargé depuis les fichiers livrés.")
    if not Call.objects.filter(slug=slug).exists():
        files = call_files_in_order(settings.PACTES_CALLS_DIR.glob("*.yaml"))
        wanted = [p for p in files if read_call_yaml(p).get("slug") == slug]
        if not wanted:
            return  # an unknown call: the check says so (exit 2)
        base = read_call_yaml(wanted[0]).get("derived_from")
        for path in files:
            if read_call_yaml(path).get("slug") == base and not Call.objects.filter(slug=base).exists():
                call_load(path=path)
        call_load(path=wanted[0])
        say(f"Appel « {slug} » chargé depuis {wanted[0].name}.")
    call = Call.objects.get(slug=slug)
    related = [call, *([call.derived_from] if call.derived_from_id else []), *call.derived_calls.all()]
    if all(current_eligible_list(c) is None for c in related):
        built = eligible_list_build_indicative(call=call)
        say(f"Aucune liste d'EPCI éligibles : liste indicative calculée ({built.entries.count()} EPCI).")
