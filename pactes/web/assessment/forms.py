"""Forms of the assessment pages: a score sheet on the call's criteria, the département's proposal, the ranking of
the evaluated dossiers and the transmission. Validation reuses the rules (``pactes.rules.scoring``,
``pactes.rules.money``) so that the page and the services say the same thing."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from pactes.assessment.models import Opinion
from pactes.assessment.services import amount_problems
from pactes.rules import scoring
from pactes.rules.call_config import CallConfig
from pactes.rules.money import AmountError, euros, parse_amount

INTEGER_ERRORS = {"invalid": "Saisissez un nombre entier.", "min_value": "Le rang commence à 1."}
OPINION_CHOICES = [("", "— Choisir un avis —"), *Opinion.choices]


class AssessmentForm(DsfrBaseForm):
    """DSFR form that marks optional fields (without django-dsfr's transition warnings)."""

    def get_context(self) -> dict[str, object]:
        context = super(DsfrBaseForm, self).get_context()
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


def _amount_field(*, required: bool, requested: Decimal, config: CallConfig) -> forms.CharField:
    return forms.CharField(
        label="Montant proposé (€)",
        required=required,
        help_text=(
            f"Au plus la subvention demandée ({euros(requested)}) et le plafond de {euros(config.grant_cap)} par "
            "projet. Exemple : 45 000 ou 45 000,50."
        ),
        error_messages={"required": "Saisissez le montant proposé."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _clean_amount(form: forms.Form, value: str, *, requested: Decimal, config: CallConfig) -> Decimal | None:
    if not value.strip():
        return None
    try:
        amount = parse_amount(value)
    except AmountError as exc:
        raise forms.ValidationError(str(exc)) from exc
    problems = amount_problems(amount, requested=requested, config=config)
    if problems:
        raise forms.ValidationError([p.message for p in problems])
    return amount


class ScoreSheetForm(AssessmentForm):
    """One instructor's sheet: a score and a written justification per criterion of the call."""

    def __init__(self, *args: Any, config: CallConfig, requested: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config
        self.requested = requested
        scale = [("", "— Choisir une note —")] + [
            (str(n), f"{n} — {config.scale_labels.get(n, '')}".rstrip(" —"))
            for n in range(config.scale_min, config.scale_max + 1)
        ]
        for number, criterion in enumerate(config.criteria, start=1):
            self.fields[f"score_{criterion.code}"] = forms.IntegerField(
                label=f"C{number} — {criterion.label}",
                help_text=f"Note de {config.scale_min} à {config.scale_max}, poids {criterion.weight}.",
                required=False,
                error_messages={"invalid": "Choisissez une note du barème."},
                widget=forms.Select(choices=scale),
            )
            self.fields[f"justification_{criterion.code}"] = forms.CharField(
                label=f"Justification du critère C{number}",
                help_text="Obligatoire : ce qui, dans le dossier, fonde la note.",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        self.fields["proposed_amount"] = _amount_field(required=False, requested=requested, config=config)
        self.fields["opinion"] = forms.ChoiceField(label="Avis", choices=OPINION_CHOICES, required=False)
        self.fields["comment"] = forms.CharField(
            label="Commentaire général", required=False, widget=forms.Textarea(attrs={"rows": 3})
        )

    def clean_proposed_amount(self) -> Decimal | None:
        return _clean_amount(self, self.cleaned_data["proposed_amount"], requested=self.requested, config=self.config)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        items = []
        for criterion in self.config.criteria:
            score_field, text_field = f"score_{criterion.code}", f"justification_{criterion.code}"
            score = cleaned.get(score_field)
            justification = cleaned.get(text_field) or ""
            if score is None:
                if score_field not in self.errors:
                    self.add_error(
                        score_field, f"Le critère « {criterion.label} » n'est pas noté : choisissez une note."
                    )
                score_for_check = self.config.scale_min
            else:
                score_for_check = score
            item = scoring.CriterionScore(criterion.code, score_for_check, justification)
            for reason in scoring.sheet_problems([item], self.config):
                if reason.code == scoring.SCORE_OUT_OF_SCALE and score is not None:
                    self.add_error(score_field, reason.message)
                elif reason.code == scoring.JUSTIFICATION_MISSING:
                    self.add_error(text_field, reason.message)
            if score is not None:
                items.append(item)
        cleaned["scores"] = items
        return cleaned


class ProposalForm(AssessmentForm):
    """The département's consolidated proposal: amount and opinion."""

    def __init__(self, *args: Any, config: CallConfig, requested: Decimal, **kwargs: Any) -> None:
        # The score sheet on the same page has fields of the same names: distinct ids keep labels right.
        kwargs.setdefault("auto_id", "id_proposition_%s")
        super().__init__(*args, **kwargs)
        self.config = config
        self.requested = requested
        self.fields["proposed_amount"] = _amount_field(required=True, requested=requested, config=config)
        self.fields["opinion"] = forms.ChoiceField(
            label="Avis de la DDETS-PP",
            choices=OPINION_CHOICES,
            error_messages={
                "required": "Choisissez un avis : favorable, réservé ou défavorable.",
                "invalid_choice": "Choisissez un avis : favorable, réservé ou défavorable.",
            },
        )

    def clean_proposed_amount(self) -> Decimal | None:
        return _clean_amount(self, self.cleaned_data["proposed_amount"], requested=self.requested, config=self.config)


class RankingForm(AssessmentForm):
    """The rank of each evaluated dossier in its territory (1 for the first); a blank leaves it unranked."""

    def __init__(self, *args: Any, references: list[tuple[str, str, int | None]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.references = [reference for reference, _title, _rank in references]
        for reference, title, rank in references:
            self.fields[f"rank_{reference}"] = forms.IntegerField(
                label=f"Rang de {reference}",
                help_text=title,
                required=False,
                min_value=1,
                initial=rank,
                error_messages=INTEGER_ERRORS,
                widget=forms.NumberInput(attrs={"min": 1, "step": 1}),
            )

    def ranks(self) -> dict[str, int | None]:
        return {reference: self.cleaned_data.get(f"rank_{reference}") for reference in self.references}

    def rank_fields(self) -> list["RankField"]:
        """The fields as the page writes them, in DSFR markup, without a widget template per field (issue 12)."""
        errors = self.errors if self.is_bound else {}
        result = []
        for reference in self.references:
            name = f"rank_{reference}"
            field = self.fields[name]
            value = self.data.get(name) if self.is_bound else field.initial
            result.append(
                RankField(
                    name=name,
                    id=f"id_{name}",
                    label=str(field.label),
                    help=str(field.help_text),
                    value="" if value is None else str(value),
                    errors=list(errors.get(name, [])),
                )
            )
        return result


@dataclass(frozen=True)
class RankField:
    name: str
    id: str
    label: str
    help: str
    value: str
    errors: list[str]


class TransmissionForm(AssessmentForm):
    note = forms.CharField(
        label="Observations de la DDETS-PP",
        help_text="Facultatif : ce que le comité régional doit savoir de l'instruction départementale.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScopeForm(AssessmentForm):
    """The département and call a DREETS agent looks at (an instructor sees only its own département)."""

    def __init__(self, *args: Any, departements: list[tuple[str, str]], calls: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        if departements:
            self.fields["departement"] = forms.ChoiceField(
                label="Département", choices=[("", "— Choisir un département —"), *departements], required=False
            )
        if len(calls) > 1:
            self.fields["appel"] = forms.ChoiceField(label="Appel", choices=calls, required=False)
