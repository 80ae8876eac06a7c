"""The forms of steps 6 (partenaires and their contributions) and 7 (budget: expenses, grant, cofinancing)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Self

from django import forms
from django.core.exceptions import ValidationError

from pactes.dossiers.models import ContributionNature, Dossier, FunderKind, ResourceKind, ResourceStatus
from pactes.rules.call_config import CallConfig
from pactes.rules.dossier import same_name
from pactes.rules.money import euros

from .base import AmountField, BaseLineFormSet, EditorForm, LineForm, QuantityField, SiretField


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


class PartnerLines(BaseLineFormSet):
    data_key = "partners"
    default_prefix = "partenaires"
    line_label = "Partenaire"

    @classmethod
    def initial_rows(cls, dossier: Dossier) -> list[dict[str, Any]]:
        names = ("name", "siret", "contribution", "amount", "quantity", "unit", "unit_value", "basis")
        return [
            {"id": p.pk, **{n: getattr(p, n) for n in (*names, "funder_kind", "funding_status")}}
            for p in dossier.partners.all()
        ]


PartnerFormSet = forms.formset_factory(PartnerForm, formset=PartnerLines, extra=1, can_delete=True)


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


def typed_resources(dossier: Dossier) -> list[Any]:
    """The resource lines typed at this step (not a partner's contribution), read from the dossier's lines (prefetched
    by the step): SQLite would search ``contributor IS NULL`` through that column's unique index, most of the table."""
    return [r for r in dossier.resources.all() if r.contributor_id is None]


class BudgetForm(EditorForm):
    state_grant = AmountField(
        label="Subvention demandée à l'État (pacte des solidarités)",
        required=False,
    )
    own_funds = AmountField(label="Fonds propres du porteur", required=False)

    def __init__(self, *args: Any, config: CallConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state_grant"].label = f"Subvention demandée à l'État ({config.funding_label})"
        self.fields["state_grant"].help_text = f"Plafond : {euros(config.grant_cap)}."

    @classmethod
    def from_dossier(cls, dossier: Dossier, data: Any = None) -> Self:
        typed = typed_resources(dossier)
        initial = {
            "state_grant": next((r.amount for r in typed if r.kind == ResourceKind.STATE_PTS), None),
            "own_funds": next((r.amount for r in typed if r.kind == ResourceKind.OWN_FUNDS), None),
        }
        return cls(data, config=dossier.call.rules, initial=initial)

    def to_step_data(self) -> dict[str, Any]:
        return {"state_grant": self.cleaned_data["state_grant"], "own_funds": self.cleaned_data["own_funds"]}


class ExpenseLines(BaseLineFormSet):
    data_key = "expenses"
    default_prefix = "depenses"
    line_label = "Dépenses prévisionnelles, ligne"

    @classmethod
    def initial_rows(cls, dossier: Dossier) -> list[dict[str, Any]]:
        return [
            {"id": e.pk, "action": str(e.action_id or ""), "category": e.category, "label": e.label, "amount": e.amount}
            for e in dossier.expenses.all()
        ]

    @classmethod
    def form_kwargs_for(cls, dossier: Dossier) -> dict[str, Any]:
        return {"actions": [(str(a.pk), a.title) for a in dossier.actions.all()]}

    def to_step_data(self) -> dict[str, Any]:
        """Each line's action as the dossier's row (None: costs shared by several actions)."""
        data = super().to_step_data()
        assert self.dossier is not None
        actions = {str(a.pk): a for a in self.dossier.actions.all()}
        for row in data[self.data_key]:
            row["action"] = actions.get(row["action"] or "")
        return data


class ResourceLines(BaseLineFormSet):
    """The cofinancing typed at the budget step: partners' contributions are typed at step 6 and not listed here."""

    data_key = "resources"
    default_prefix = "ressources"
    line_label = "Cofinancements, ligne"

    @classmethod
    def initial_rows(cls, dossier: Dossier) -> list[dict[str, Any]]:
        typed = (r for r in typed_resources(dossier) if r.kind in (ResourceKind.PUBLIC, ResourceKind.PRIVATE))
        return [{"id": r.pk, "kind": r.kind, "funder": r.funder, "amount": r.amount, "status": r.status} for r in typed]

    @classmethod
    def form_kwargs_for(cls, dossier: Dossier) -> dict[str, Any]:
        return {"partner_names": tuple(p.name for p in dossier.partners.all())}


ExpenseFormSet = forms.formset_factory(ExpenseForm, formset=ExpenseLines, extra=2, can_delete=True)
ResourceFormSet = forms.formset_factory(ResourceForm, formset=ResourceLines, extra=1, can_delete=True)
