"""Forms of the applicant's dossier editor: one form (and its line formsets) per step; see ``base`` for how each maps
to and from the models."""

from .base import (
    AmountField,
    BaseLineFormSet,
    EditorForm,
    LineForm,
    QuantityField,
    RowIdField,
    SiretField,
    TextLinesField,
    deleted_ids,
    kept_rows,
)
from .budget import (
    EXPENSE_CATEGORIES,
    BudgetForm,
    ExpenseFormSet,
    PartnerFormSet,
    ResourceFormSet,
)
from .creation import InvitationForm, NewDossierForm
from .plan import ActionForm, ImpactMeasureFormSet
from .steps import (
    ApplicantForm,
    ConsortiumFormSet,
    DiagnosticForm,
    ImpactForm,
    PerimeterForm,
    priority_formset,
    priority_formset_from_dossier,
)

__all__ = [
    "EXPENSE_CATEGORIES",
    "ActionForm",
    "AmountField",
    "ApplicantForm",
    "BaseLineFormSet",
    "BudgetForm",
    "ConsortiumFormSet",
    "DiagnosticForm",
    "EditorForm",
    "ExpenseFormSet",
    "ImpactForm",
    "ImpactMeasureFormSet",
    "InvitationForm",
    "LineForm",
    "NewDossierForm",
    "PartnerFormSet",
    "PerimeterForm",
    "QuantityField",
    "ResourceFormSet",
    "RowIdField",
    "SiretField",
    "TextLinesField",
    "deleted_ids",
    "kept_rows",
    "priority_formset",
    "priority_formset_from_dossier",
]
