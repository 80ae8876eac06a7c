"""Forms of the regional committee's pages: session, attendance, decision and reopening (French labels)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from pactes.accounts.models import User
from pactes.assessment.models import Opinion
from pactes.calls.models import Call
from pactes.committee.models import CommitteeSession, Decision
from pactes.committee.selectors import committee_members_choices
from pactes.rules.money import AmountError, parse_amount


class CommitteeForm(DsfrBaseForm):
    """Marks optional fields, as the DSFR now recommends (without django-dsfr's transitional warning)."""

    def get_context(self) -> dict[str, Any]:
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:  # type: ignore[override]
        name = obj.get_full_name() or obj.email
        return f"{name} — {obj.get_role_display()} ({obj.email})"


class SessionForm(CommitteeForm):
    call = forms.ModelChoiceField(
        label="Appel",
        queryset=Call.objects.all(),
        empty_label=None,
        error_messages={"required": "Choisissez l'appel.", "invalid_choice": "Cet appel n'existe pas."},
    )
    date = forms.DateField(
        label="Date de la séance",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Indiquez la date de la séance.", "invalid": "Saisissez une date valide."},
    )
    place = forms.CharField(
        label="Lieu",
        max_length=300,
        help_text="Par exemple : DREETS Occitanie, Toulouse — salle du comité, ou visioconférence.",
        error_messages={"required": "Indiquez le lieu de la séance."},
    )
    chair = forms.CharField(
        label="Présidence",
        max_length=300,
        help_text="Par défaut, la présidence prévue par l'appel.",
        error_messages={"required": "Indiquez qui préside la séance."},
    )
    members = MemberChoiceField(
        label="Membres du comité",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Membres du jury et agents de la DREETS ; les présences se cochent le jour de la séance.",
        error_messages={"required": "Choisissez au moins un membre.", "invalid_choice": "Membre inconnu."},
    )

    def __init__(self, *args: Any, with_call: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = committee_members_choices()  # type: ignore[attr-defined]
        if not with_call:
            del self.fields["call"]


class AttendanceForm(CommitteeForm):
    present = MemberChoiceField(
        label="Membres présents",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Ce membre ne siège pas à cette séance."},
    )

    def __init__(self, *args: Any, session: CommitteeSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = session.members.order_by("last_name", "first_name", "email")  # type: ignore[attr-defined]


class DecisionForm(CommitteeForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une décision.", "invalid_choice": "Décision inconnue."},
    )
    awarded_amount = forms.CharField(
        label="Montant attribué (€)",
        required=False,
        max_length=30,
        help_text="Obligatoire si le dossier est retenu ; au plus le montant demandé et le plafond par projet.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    motivation = forms.CharField(
        label="Motivation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour un dossier non retenu ou ajourné ; reprise dans la lettre de décision.",
    )

    def clean_awarded_amount(self) -> Decimal | None:
        raw = self.cleaned_data.get("awarded_amount") or ""
        if not raw.strip():
            return None
        try:
            return parse_amount(raw)
        except AmountError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == Decision.RETAINED and data.get("awarded_amount") is None and "awarded_amount" not in self.errors:
            self.add_error("awarded_amount", "Un dossier retenu demande le montant attribué (en euros).")
        if decision in (Decision.REJECTED, Decision.POSTPONED) and not (data.get("motivation") or "").strip():
            self.add_error("motivation", f"Une décision « {Decision(decision).label.lower()} » doit être motivée.")
        return data


class ReopenForm(CommitteeForm):
    motivation = forms.CharField(
        label="Motivation de la réouverture",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Le dossier revient à l'état « Transmis au comité » ; la motivation est inscrite à son historique.",
        error_messages={"required": "Motivez la réouverture de la décision."},
    )


class JuryOpinionForm(CommitteeForm):
    opinion = forms.ChoiceField(
        label="Votre avis",
        choices=Opinion.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez un avis.", "invalid_choice": "Avis inconnu."},
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Obligatoire pour un avis réservé ou défavorable ; lu par la DREETS avant la décision.",
    )
