"""The fields and bases of the dossier editor's forms.

Every form of a step maps to and from the models itself: ``from_dossier(dossier, data)`` builds it (unbound with the
stored values, or bound to a POST), ``to_step_data()`` gives its part of the data ``dossier_save_step`` writes; the
data of a step is the union of its forms' parts. Amounts are read by ``pactes.rules.money.parse_amount``: a negative,
non-numeric or absurd amount is a form error with a French message, never a silent 0. The choices (carrier kinds,
publics, territorial levels) come from the call.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django import forms
from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from dsfr.forms import DsfrBaseForm

from pactes.rules.money import NBSP, AmountError, euros, parse_amount
from pactes.rules.siret import normalize_siret, siret_problems

from .lines import LineTable, line_table
from .rendering import EDITOR_RENDERER

if TYPE_CHECKING:
    from pactes.dossiers.models import Dossier

_QUANTITY = re.compile(r"\d+(?:[.,]\d{1,2})?")
MAX_QUANTITY = Decimal("1000000")


class EditorForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR recommends; its widgets are written by the editor's renderer."""

    default_renderer = EDITOR_RENDERER

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
            # Written back as ``money.euros`` writes it (« 62 000,50 »), without the unit the label already gives.
            return euros(value).removesuffix(f"{NBSP}€")
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


def code_choices(items: Any) -> list[tuple[str, str]]:
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

    data_key: ClassVar[str] = ""  # the name of these lines in the step's data (``expenses``…)
    default_prefix: ClassVar[str] = "form"  # the prefix of their inputs in the page (``depenses``…)
    line_label: ClassVar[str] = "Ligne"  # how the page names one line (« Membre 2 »), in the error summary too

    def __init__(self, data: Any = None, *args: Any, initial: Any = None, **kwargs: Any) -> None:
        if self.renderer is None:  # its lines and its management form (``formset_factory`` sets None)
            self.renderer = EDITOR_RENDERER
        super().__init__(data, *args, initial=None if data is not None else initial, **kwargs)
        self.dossier: Dossier | None = None  # set by ``from_dossier``

    @classmethod
    def get_default_prefix(cls) -> str:
        return cls.default_prefix

    @classmethod
    def initial_rows(cls, dossier: Dossier) -> list[dict[str, Any]]:
        """The stored lines, each with its ``id``."""
        raise NotImplementedError

    @classmethod
    def form_kwargs_for(cls, dossier: Dossier) -> dict[str, Any]:
        return {}

    @classmethod
    def from_dossier(cls, dossier: Dossier, data: Any = None) -> Self:
        formset = cls(data, initial=cls.initial_rows(dossier), form_kwargs=cls.form_kwargs_for(dossier))
        formset.dossier = dossier
        return formset

    def to_step_data(self) -> dict[str, Any]:
        """The kept lines and the ids ticked « Supprimer »."""
        return {self.data_key: kept_rows(self), f"{self.data_key}_deleted": deleted_ids(self)}

    @cached_property
    def table(self) -> LineTable:
        """The lines as the budget's tables show them (read once: the headers, then the lines)."""
        return line_table(self)

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
