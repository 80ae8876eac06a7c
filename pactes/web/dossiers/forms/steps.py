"""The forms of steps 1 to 4 and 8 of the editor: porteur, périmètre, diagnostic, priorités, impact."""

from __future__ import annotations

from typing import Any, Self

from django import forms
from django.core.exceptions import ValidationError

from pactes.calls.models import Measure
from pactes.calls.selectors import eligible_sirens
from pactes.dossiers.models import Dossier
from pactes.rules.call_config import CallConfig
from pactes.territories.models import Commune, Epci

from .base import BaseLineFormSet, EditorForm, LineForm, SiretField, code_choices


# -- step 1: porteur -----------------------------------------------------------------------------------------------
class ApplicantForm(EditorForm):
    title = forms.CharField(label="Intitulé du projet", max_length=300)
    # The applicant's own organisation: its name and address are autofilled (WCAG 1.3.5, ADR 0049).
    name = forms.CharField(
        label="Raison sociale de l'organisation porteuse (chef de file)",
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    siret = SiretField(required=True)
    kind = forms.ChoiceField(label="Nature juridique")
    address = forms.CharField(
        label="Adresse", widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}), required=False
    )
    legal_representative = forms.CharField(
        label="Représentant légal", max_length=300, required=False, help_text="Nom, prénom et qualité."
    )
    contact = forms.CharField(
        label="Personne à contacter", max_length=300, required=False, help_text="Nom, courriel et téléphone."
    )

    def __init__(self, *args: Any, config: CallConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "— Choisir —"), *code_choices(config.carrier_kinds)]  # type: ignore[attr-defined]

    @classmethod
    def from_dossier(cls, dossier: Dossier, data: Any = None) -> Self:
        organisation = dossier.organisation
        return cls(
            data,
            config=dossier.call.rules,
            initial={
                "title": dossier.title,
                "name": organisation.name,
                "siret": organisation.siret,
                "kind": organisation.kind,
                "address": organisation.address,
                "legal_representative": dossier.applicant_legal_representative,
                "contact": dossier.applicant_contact,
            },
        )

    def to_step_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "title": c["title"],
            "organisation": {k: c[k] for k in ("name", "siret", "kind", "address")},
            "legal_representative": c["legal_representative"],
            "contact": c["contact"],
        }


class ConsortiumMemberForm(LineForm):
    name = forms.CharField(label="Organisation membre", max_length=300)
    siret = SiretField()
    role = forms.CharField(label="Rôle dans le consortium", max_length=300, required=False)


class ConsortiumLines(BaseLineFormSet):
    data_key = "consortium"
    default_prefix = "consortium"
    line_label = "Membre"

    @classmethod
    def initial_rows(cls, dossier: Dossier) -> list[dict[str, Any]]:
        return [
            {"id": m.pk, "name": m.name, "siret": m.siret, "role": m.role} for m in dossier.consortium_members.all()
        ]


ConsortiumFormSet = forms.formset_factory(ConsortiumMemberForm, formset=ConsortiumLines, extra=1, can_delete=True)


# -- step 2: périmètre ---------------------------------------------------------------------------------------------
FILTERABLE = "dossiers/steps/_filterable_checkboxes.html"


class PerimeterForm(EditorForm):
    mode = forms.ChoiceField(
        label="Le périmètre couvre",
        choices=[("epci", "un ou plusieurs EPCI entiers"), ("communes", "une partie d'un EPCI (liste de communes)")],
        widget=forms.RadioSelect,
    )
    # Long lists: a search box filters them and the boxes ticked are listed above, each with « Retirer » (ADR 0049).
    epcis = forms.MultipleChoiceField(
        label="EPCI du périmètre", required=False, widget=forms.CheckboxSelectMultiple, template_name=FILTERABLE
    )
    commune_epci = forms.ChoiceField(label="EPCI dont les communes forment le périmètre", required=False)
    communes = forms.MultipleChoiceField(
        label="Communes", required=False, widget=forms.CheckboxSelectMultiple, template_name=FILTERABLE
    )

    def __init__(
        self,
        *args: Any,
        epci_choices: list[tuple[str, str]],
        commune_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["epcis"].choices = epci_choices  # type: ignore[attr-defined]
        self.fields["commune_epci"].choices = [("", "— Choisir un EPCI —"), *epci_choices]  # type: ignore[attr-defined]
        self.fields["communes"].choices = commune_choices  # type: ignore[attr-defined]

    @classmethod
    def from_dossier(cls, dossier: Dossier, data: Any = None) -> Self:
        """The region's EPCI, eligible ones first, and the communes of the EPCI chosen (posted, else stored)."""
        eligible = eligible_sirens(dossier.call)
        region_epcis = sorted(
            Epci.objects.filter(main_region_code=dossier.call.rules.region_code),
            key=lambda e: (e.siren not in eligible, e.name),
        )
        epci_choices = [
            (e.siren, f"{e.name} — éligible" if e.siren in eligible else f"{e.name} — hors liste des EPCI éligibles")
            for e in region_epcis
        ]
        current_communes = list(dossier.communes.select_related("epci"))
        commune_epci = current_communes[0].epci.siren if current_communes and current_communes[0].epci else ""
        chosen_epci = (data.get("commune_epci") if data is not None else None) or commune_epci
        communes = list(Commune.objects.filter(epci__siren=chosen_epci).order_by("name")) if chosen_epci else []
        form = cls(
            data,
            epci_choices=epci_choices,
            commune_choices=[(c.code_insee, f"{c.name} ({c.code_insee})") for c in communes],
            initial={
                "mode": "communes" if current_communes else "epci",
                "epcis": [e.siren for e in dossier.epcis.all()],
                "commune_epci": commune_epci,
                "communes": [c.code_insee for c in current_communes],
            },
        )
        form.eligible = eligible
        return form

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("mode") == "communes" and not data.get("commune_epci") and "commune_epci" not in self.errors:
            self.add_error("commune_epci", "Choisissez l'EPCI dont vous retenez une partie des communes.")
        return data

    def to_step_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        if c["mode"] == "epci":
            return {"epcis": list(Epci.objects.filter(siren__in=c["epcis"])), "communes": []}
        return {"epcis": [], "communes": list(Commune.objects.filter(code_insee__in=c["communes"]))}


class DossierTextForm(EditorForm):
    """A step of free texts, stored on the dossier under the names of the fields."""

    @classmethod
    def from_dossier(cls, dossier: Dossier, data: Any = None) -> Self:
        return cls(data, initial={name: getattr(dossier, name) for name in cls.base_fields})

    def to_step_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# -- step 3: diagnostic --------------------------------------------------------------------------------------------
class DiagnosticForm(DossierTextForm):
    diagnostic = forms.CharField(
        label="Diagnostic : besoins identifiés",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Les besoins, les statistiques utilisées et leurs sources, le lien avec le diagnostic départemental.",
    )
    complementarity = forms.CharField(
        label="Articulation et complémentarité",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Articulation avec le contrat départemental ou métropolitain des solidarités et les dispositifs "
        "existants (§1.1 et §1.3.1).",
    )


# -- step 4: priorités ---------------------------------------------------------------------------------------------
class MeasuresField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Measure) -> str:
        return f"Axe {obj.axis.code} · mesure {obj.code} — {obj.label}"


class PriorityForm(LineForm):
    title = forms.CharField(label="Intitulé de la priorité", max_length=300)
    measures = MeasuresField(
        label="Mesures du Pacte des solidarités",
        queryset=Measure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    local_justification = forms.CharField(
        label="Justification par le contexte socio-économique local",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si la priorité ne se rattache à aucune mesure du Pacte.",
    )
    publics = forms.MultipleChoiceField(label="Publics visés", widget=forms.CheckboxSelectMultiple, required=False)
    other_public_justification = forms.CharField(
        label="Précision sur l'autre public précaire",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, config: CallConfig, protected_ids: frozenset[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config
        self.protected_ids = protected_ids
        self.fields["measures"].queryset = (  # type: ignore[attr-defined]
            Measure.objects.filter(is_active=True).select_related("axis").order_by("axis__position", "code")
        )
        self.fields["publics"].choices = code_choices(config.target_publics)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        needing = [p for p in self.config.target_publics if p.requires_justification]
        for public in needing:
            if (
                public.code in (data.get("publics") or [])
                and not (data.get("other_public_justification") or "").strip()
            ):
                self.add_error(
                    "other_public_justification",
                    f"Vous avez coché « {public.label} » : précisez et justifiez ce public.",
                )
        if data.get("DELETE") and data.get("id") in self.protected_ids:
            self.add_error(None, "Cette priorité porte des actions : supprimez ou rattachez-les d'abord à une autre.")
        return data


class BasePriorityFormSet(BaseLineFormSet):
    data_key = "priorities"
    default_prefix = "priorites"
    line_label = "Priorité"

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() or f.cleaned_data.get("id")]
        kept = [f for f in kept if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        maximum = self.form_kwargs["config"].priorities_max
        if len(kept) > maximum:
            raise ValidationError(f"Un projet porte au plus {maximum} priorités : supprimez-en une.")

    @classmethod
    def initial_rows(cls, dossier: Dossier) -> list[dict[str, Any]]:
        return [
            {
                "id": p.pk,
                "title": p.title,
                "measures": list(p.measures.all()),
                "local_justification": p.local_justification,
                "publics": p.publics,
                "other_public_justification": p.other_public_justification,
            }
            for p in dossier.priorities.prefetch_related("measures")
        ]

    @classmethod
    def form_kwargs_for(cls, dossier: Dossier) -> dict[str, Any]:
        # A priority that carries actions may not be deleted.
        protected = frozenset(dossier.actions.values_list("priority_id", flat=True))
        return {"config": dossier.call.rules, "protected_ids": protected}


def priority_formset(config: CallConfig) -> type[BasePriorityFormSet]:
    return forms.formset_factory(  # type: ignore[return-value]
        PriorityForm, formset=BasePriorityFormSet, extra=1, can_delete=True, max_num=config.priorities_max
    )


def priority_formset_from_dossier(dossier: Dossier, data: Any = None) -> BasePriorityFormSet:
    """The priorities of the dossier, at most as many as its call allows."""
    return priority_formset(dossier.call.rules).from_dossier(dossier, data)


# -- step 8: impact ------------------------------------------------------------------------------------------------
class ImpactForm(DossierTextForm):
    expected_impact = forms.CharField(
        label="Impact réel attendu sur les bénéficiaires",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    impact_measurement = forms.CharField(
        label="Comment cet impact est mesuré tout au long de la mise en œuvre",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
