"""Forms of the applicant's dossier editor: one form (and its line formsets) per step.

Amounts are read by ``pactes.rules.money.parse_amount``: a negative, non-numeric or absurd amount is a form error
with a French message, never a silent 0. The choices (carrier kinds, publics, territorial levels) come from the call.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from dsfr.forms import DsfrBaseForm

from pactes.calls.models import Measure
from pactes.dossiers.models import ContributionNature, FunderKind, ResourceKind, ResourceStatus
from pactes.rules.call_config import CallConfig
from pactes.rules.dossier import same_name
from pactes.rules.money import AmountError, parse_amount
from pactes.rules.siret import normalize_siret, siret_problems

_QUANTITY = re.compile(r"\d+(?:[.,]\d{1,2})?")
MAX_QUANTITY = Decimal("1000000")


class EditorForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR recommends."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


# -- fields --------------------------------------------------------------------------------------------------------
class AmountField(forms.CharField):
    """An amount in euros typed the French way (« 62 000,50 »), read strictly into a Decimal."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "En euros, par exemple 12 500 ou 12 500,50.")
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "maxlength": "30", "inputmode": "decimal", "data-amount": ""}

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",").removesuffix(",00")
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return parse_amount(text)
        except AmountError as exc:
            raise ValidationError(str(exc), code="amount") from exc


class QuantityField(forms.CharField):
    """A non-negative number with at most two decimals (a quantity, a baseline, a target)."""

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "maxlength": "20", "inputmode": "decimal"}

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f").replace(".", ",")
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = (super().to_python(value) or "").replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if text.startswith(("-", "−")):
            raise ValidationError(f"La valeur ne peut pas être négative (lu : « {text} »).", code="negative")
        if not _QUANTITY.fullmatch(text):
            raise ValidationError(
                f"« {text} » n'est pas un nombre : saisissez des chiffres, avec au plus deux décimales après la "
                "virgule (exemple : 2,4).",
                code="invalid",
            )
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - guarded by the pattern
            raise ValidationError("Ce n'est pas un nombre.", code="invalid") from exc
        if number > MAX_QUANTITY:
            raise ValidationError(f"« {text} » dépasse un million : vérifiez la saisie.", code="absurd")
        return number


class SiretField(forms.CharField):
    def __init__(self, *, required: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "14 chiffres, espaces acceptés.")
        super().__init__(required=required, label=kwargs.pop("label", "SIRET"), **kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        problems = siret_problems(text)
        if problems:
            raise ValidationError(problems[0].message.replace("du porteur ", ""), code="siret")
        return normalize_siret(text)


def _choices(items: Any) -> list[tuple[str, str]]:
    return [(c.code, c.label) for c in items]


class TextLinesField(forms.CharField):
    """A textarea read as a list of non-empty lines."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class RowIdField(forms.IntegerField):
    """The database id of a line, carried by the page so that every save (typed or automatic) updates that row
    instead of creating or dropping one; empty for a line not saved yet."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=1, max_value=2**62, **kwargs)


class LineForm(EditorForm):
    id = RowIdField()


class BaseLineFormSet(forms.BaseFormSet):
    """The lines of a step. Bound, it ignores the rows stored in the database: each posted line stands for itself
    (its ``id`` says which row it is), so that rows saved meanwhile by the autosave never shift the comparison of
    the blank lines (which once dropped a typed line, or required an empty one)."""

    def __init__(self, data: Any = None, *args: Any, initial: Any = None, **kwargs: Any) -> None:
        super().__init__(data, *args, initial=None if data is not None else initial, **kwargs)

    def is_tampered(self) -> bool:
        """A management form no page of ours sends: missing, negative counts, more initial lines than lines."""
        if not self.is_bound:
            return False
        management = self.management_form
        if not management.is_valid():
            return True
        total, initial = management.cleaned_data[TOTAL_FORM_COUNT], management.cleaned_data[INITIAL_FORM_COUNT]
        if not (0 <= initial <= total <= self.absolute_max):
            return True
        # Our pages render every stored line with its id: a stored line sent back without one would be saved twice.
        return any(not self.data.get(self.add_prefix(i) + "-id") for i in range(initial))


# -- new dossier ---------------------------------------------------------------------------------------------------
class NewDossierForm(EditorForm):
    call = forms.ChoiceField(label="Appel", error_messages={"invalid_choice": "Cet appel n'est pas ouvert au dépôt."})
    title = forms.CharField(label="Intitulé du projet", max_length=300)
    organisation = forms.ChoiceField(
        label="Organisation porteuse",
        required=False,
        help_text="Une organisation dont vous êtes membre ; sinon, créez-la ci-dessous.",
    )
    new_name = forms.CharField(label="Raison sociale de la nouvelle organisation", max_length=300, required=False)
    new_siret = SiretField(label="SIRET de la nouvelle organisation")
    new_kind = forms.ChoiceField(label="Nature juridique de la nouvelle organisation", required=False)
    new_address = forms.CharField(label="Adresse", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    new_departement = forms.ChoiceField(label="Département du siège", required=False)

    def __init__(
        self,
        *args: Any,
        calls: list[tuple[str, str]],
        organisations: list[tuple[str, str]],
        kinds: list[tuple[str, str]],
        departements: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["call"].choices = calls  # type: ignore[attr-defined]
        self.fields["organisation"].choices = [("", "— Créer une nouvelle organisation —"), *organisations]  # type: ignore[attr-defined]
        self.fields["new_kind"].choices = [("", "— Choisir —"), *kinds]  # type: ignore[attr-defined]
        self.fields["new_departement"].choices = [("", "— Choisir —"), *departements]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("organisation"):
            for name, label in (
                ("new_name", "la raison sociale"),
                ("new_siret", "le SIRET"),
                ("new_kind", "la nature"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"Pour créer l'organisation, indiquez {label}.")
        return data


# -- step 1: porteur -----------------------------------------------------------------------------------------------
class ApplicantForm(EditorForm):
    title = forms.CharField(label="Intitulé du projet", max_length=300)
    name = forms.CharField(label="Raison sociale de l'organisation porteuse (chef de file)", max_length=300)
    siret = SiretField(required=True)
    kind = forms.ChoiceField(label="Nature juridique")
    address = forms.CharField(label="Adresse", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    legal_representative = forms.CharField(
        label="Représentant légal", max_length=300, required=False, help_text="Nom, prénom et qualité."
    )
    contact = forms.CharField(
        label="Personne à contacter", max_length=300, required=False, help_text="Nom, courriel et téléphone."
    )

    def __init__(self, *args: Any, config: CallConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "— Choisir —"), *_choices(config.carrier_kinds)]  # type: ignore[attr-defined]


class ConsortiumMemberForm(LineForm):
    name = forms.CharField(label="Organisation membre", max_length=300)
    siret = SiretField()
    role = forms.CharField(label="Rôle dans le consortium", max_length=300, required=False)


ConsortiumFormSet = forms.formset_factory(ConsortiumMemberForm, formset=BaseLineFormSet, extra=1, can_delete=True)


class InvitationForm(EditorForm):
    email = forms.EmailField(
        label="Courriel du co-éditeur invité",
        error_messages={"invalid": "Saisissez une adresse électronique valide (exemple : nom@domaine.fr)."},
    )


# -- step 2: périmètre ---------------------------------------------------------------------------------------------
class PerimeterForm(EditorForm):
    mode = forms.ChoiceField(
        label="Le périmètre couvre",
        choices=[("epci", "un ou plusieurs EPCI entiers"), ("communes", "une partie d'un EPCI (liste de communes)")],
        widget=forms.RadioSelect,
    )
    epcis = forms.MultipleChoiceField(label="EPCI du périmètre", required=False, widget=forms.CheckboxSelectMultiple)
    commune_epci = forms.ChoiceField(label="EPCI dont les communes forment le périmètre", required=False)
    communes = forms.MultipleChoiceField(label="Communes", required=False, widget=forms.CheckboxSelectMultiple)

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

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("mode") == "communes" and not data.get("commune_epci") and "commune_epci" not in self.errors:
            self.add_error("commune_epci", "Choisissez l'EPCI dont vous retenez une partie des communes.")
        return data


# -- step 3: diagnostic --------------------------------------------------------------------------------------------
class DiagnosticForm(EditorForm):
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
        self.fields["publics"].choices = _choices(config.target_publics)  # type: ignore[attr-defined]

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
    def clean(self) -> None:
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() or f.cleaned_data.get("id")]
        kept = [f for f in kept if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        maximum = self.form_kwargs["config"].priorities_max
        if len(kept) > maximum:
            raise ValidationError(f"Un projet porte au plus {maximum} priorités : supprimez-en une.")


def priority_formset(config: CallConfig) -> type[forms.BaseFormSet]:
    return forms.formset_factory(
        PriorityForm, formset=BasePriorityFormSet, extra=1, can_delete=True, max_num=config.priorities_max
    )


# -- step 5: one action --------------------------------------------------------------------------------------------
class ActionForm(EditorForm):
    priority = forms.ChoiceField(label="Priorité à laquelle l'action se rattache")
    title = forms.CharField(label="Intitulé de l'action", max_length=300)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    territorial_level = forms.ChoiceField(label="Échelon territorial", required=False)
    publics = forms.MultipleChoiceField(label="Publics visés", widget=forms.CheckboxSelectMultiple, required=False)
    partner_choices = forms.MultipleChoiceField(
        label="Partenaires du dossier engagés dans l'action", widget=forms.CheckboxSelectMultiple, required=False
    )
    other_partners = TextLinesField(
        label="Autres partenaires engagés", required=False, help_text="Un partenaire par ligne."
    )
    start = forms.DateField(
        label="Date de début",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    end = forms.DateField(
        label="Date de fin",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Saisissez une date valide (jj/mm/aaaa)."},
    )
    overlaps_departmental_contract = forms.BooleanField(
        label="L'action recoupe une action du contrat départemental ou métropolitain des solidarités", required=False
    )
    articulation = forms.CharField(
        label="Articulation avec le contrat départemental",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si l'action recoupe une action du contrat (§1.3.1).",
    )

    def __init__(
        self,
        *args: Any,
        config: CallConfig,
        priorities: list[tuple[str, str]],
        partners: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = priorities  # type: ignore[attr-defined]
        self.fields["territorial_level"].choices = [("", "— Choisir —"), *_choices(config.territorial_levels)]  # type: ignore[attr-defined]
        self.fields["publics"].choices = _choices(config.target_publics)  # type: ignore[attr-defined]
        self.fields["partner_choices"].choices = [(p, p) for p in partners]  # type: ignore[attr-defined]
        if not partners:
            del self.fields["partner_choices"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("overlaps_departmental_contract") and not (data.get("articulation") or "").strip():
            self.add_error("articulation", "Expliquez comment l'action s'articule avec le contrat départemental.")
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "La date de fin précède la date de début.")
        return data

    def partners(self) -> list[str]:
        chosen = list(self.cleaned_data.get("partner_choices") or [])
        return chosen + [p for p in self.cleaned_data.get("other_partners") or [] if p not in chosen]


class ImpactMeasureForm(LineForm):
    indicator = forms.CharField(label="Indicateur", max_length=300)
    unit = forms.CharField(label="Unité", max_length=100, required=False)
    baseline = QuantityField(label="Valeur de départ", required=False)
    target = QuantityField(label="Cible", required=False)
    method = forms.CharField(label="Méthode de mesure", max_length=300, required=False)
    frequency = forms.CharField(label="Fréquence", max_length=100, required=False)


ImpactMeasureFormSet = forms.formset_factory(ImpactMeasureForm, formset=BaseLineFormSet, extra=1, can_delete=True)


# -- step 6: partenaires -------------------------------------------------------------------------------------------
class PartnerForm(LineForm):
    name = forms.CharField(label="Partenaire", max_length=300)
    siret = SiretField()
    contribution = forms.ChoiceField(
        label="Nature de la contribution", choices=ContributionNature.choices, initial=ContributionNature.FINANCIAL
    )
    amount = AmountField(label="Montant de l'apport financier", required=False)
    quantity = QuantityField(label="Quantité", required=False, help_text="Par exemple 2,4 (ETP-mois) ou 120 (heures).")
    unit = forms.CharField(label="Unité", max_length=100, required=False, help_text="ETP-mois, heure, m²…")
    unit_value = AmountField(label="Valeur unitaire", required=False)
    basis = forms.CharField(
        label="Base du calcul", max_length=300, required=False, help_text="Par exemple : 0,2 ETP × 12 mois × 3 500 €."
    )
    funder_kind = forms.ChoiceField(
        label="Nature du financeur (apport financier)",
        choices=FunderKind.choices,
        initial=FunderKind.PUBLIC,
        required=False,
        help_text="Pour le budget : cofinancement public ou privé.",
    )
    funding_status = forms.ChoiceField(
        label="Statut de l'apport financier",
        choices=ResourceStatus.choices,
        initial=ResourceStatus.REQUESTED,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        nature = data.get("contribution")
        data["funder_kind"] = data.get("funder_kind") or FunderKind.PUBLIC
        data["funding_status"] = data.get("funding_status") or ResourceStatus.REQUESTED
        if nature == ContributionNature.FINANCIAL:
            data["quantity"] = data["unit_value"] = None
            data["unit"] = data["basis"] = ""
        elif nature in (ContributionNature.IN_KIND, ContributionNature.STAFF):
            quantity, unit_value = data.get("quantity"), data.get("unit_value")
            if quantity is not None and unit_value is not None:
                data["amount"] = (quantity * unit_value).quantize(Decimal("0.01"))
            elif "quantity" not in self.errors and "unit_value" not in self.errors:
                self.add_error(
                    "quantity" if quantity is None else "unit_value",
                    "Un apport en nature ou en moyens humains se valorise : indiquez la quantité et la valeur "
                    "unitaire.",
                )
        return data


PartnerFormSet = forms.formset_factory(PartnerForm, formset=BaseLineFormSet, extra=1, can_delete=True)


# -- step 7: budget ------------------------------------------------------------------------------------------------
EXPENSE_CATEGORIES = (
    "Achats",
    "Services extérieurs",
    "Autres services extérieurs",
    "Impôts et taxes",
    "Frais de personnel",
    "Déplacements",
    "Frais de structure",
    "Autres charges",
)


class ExpenseForm(LineForm):
    action = forms.ChoiceField(label="Action", required=False)
    category = forms.CharField(label="Catégorie", max_length=200, required=False)
    label = forms.CharField(label="Libellé", max_length=300, required=False)
    amount = AmountField(label="Montant", help_text="")

    def __init__(self, *args: Any, actions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Frais communs à plusieurs actions"), *actions]  # type: ignore[attr-defined]
        self.fields["category"].widget.attrs["list"] = "pactes-expense-categories"


class ResourceForm(LineForm):
    kind = forms.ChoiceField(
        label="Nature",
        choices=[(k.value, k.label) for k in (ResourceKind.PUBLIC, ResourceKind.PRIVATE)],
        initial=ResourceKind.PUBLIC,
    )
    funder = forms.CharField(label="Financeur", max_length=300)
    amount = AmountField(label="Montant", help_text="")
    status = forms.ChoiceField(label="Statut", choices=ResourceStatus.choices, initial=ResourceStatus.REQUESTED)

    def __init__(self, *args: Any, partner_names: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner_names = partner_names

    def clean_funder(self) -> str:
        funder = self.cleaned_data["funder"].strip()
        if any(same_name(funder, name) for name in self.partner_names):
            raise ValidationError(
                f"« {funder} » est un partenaire du dossier : son apport se saisit une seule fois, à l'étape "
                "Partenaires, et figure déjà ci-dessus.",
                code="partner",
            )
        return funder


class BudgetForm(EditorForm):
    state_grant = AmountField(
        label="Subvention demandée à l'État (pacte des solidarités)",
        required=False,
    )
    own_funds = AmountField(label="Fonds propres du porteur", required=False)

    def __init__(self, *args: Any, config: CallConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state_grant"].label = f"Subvention demandée à l'État ({config.funding_label})"
        self.fields["state_grant"].help_text = f"Plafond : {config.grant_cap:,.0f} €.".replace(",", "\u202f")


ExpenseFormSet = forms.formset_factory(ExpenseForm, formset=BaseLineFormSet, extra=2, can_delete=True)
ResourceFormSet = forms.formset_factory(ResourceForm, formset=BaseLineFormSet, extra=1, can_delete=True)


# -- step 8: impact ------------------------------------------------------------------------------------------------
class ImpactForm(EditorForm):
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


def kept_rows(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The cleaned rows of a valid formset, without deleted and untouched blank lines; each keeps its ``id`` (None
    for a new line) and ``_prefix``, the form's prefix, to send the new row's id back to the page."""
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        rows.append({**{k: v for k, v in data.items() if k != "DELETE"}, "_prefix": form.prefix})
    return rows


def deleted_ids(formset: forms.BaseFormSet) -> list[int]:
    """The ids of the stored lines the person ticked « Supprimer »: the only rows a save removes."""
    ids = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("DELETE") and data.get("id"):
            ids.append(data["id"])
    return ids
