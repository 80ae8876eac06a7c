"""Forms of the staff pages: a new instructor (with its département), a new jury member (with a session)."""

from django import forms

from pactes.committee.models import CommitteeSession, SessionState
from pactes.rules.formatting import date_short
from pactes.territories.models import Departement
from pactes.web.accounts.forms import AccountForm


class NewStaffForm(AccountForm):
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        max_length=254,
        error_messages={
            "required": "Indiquez l’adresse électronique de la personne.",
            "invalid": "Saisissez une adresse électronique valide, par exemple prenom.nom@ain.gouv.fr.",
        },
    )
    first_name = forms.CharField(label="Prénom", max_length=150, error_messages={"required": "Indiquez le prénom."})
    last_name = forms.CharField(label="Nom", max_length=150, error_messages={"required": "Indiquez le nom."})


class NewInstructorForm(NewStaffForm):
    departement = forms.ModelChoiceField(
        label="Département (DDETS-PP)",
        queryset=Departement.objects.order_by("code"),
        error_messages={"required": "Choisissez le département de l’instructeur."},
    )


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CommitteeSession) -> str:
        return f"Séance du {date_short(obj.date)} — {obj.call.short_title} ({obj.get_state_display().lower()})"


def open_sessions() -> object:
    return CommitteeSession.objects.exclude(state=SessionState.CLOSED).select_related("call").order_by("date")


class NewJuryMemberForm(NewStaffForm):
    session = SessionChoiceField(
        label="Séance du comité",
        queryset=CommitteeSession.objects.none(),
        required=False,
        help_text="La personne y siégera (séances non closes) ; vous pourrez l’ajouter à une séance plus tard.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = open_sessions()


class SeatJuryMemberForm(AccountForm):
    session = SessionChoiceField(
        label="Séance du comité",
        queryset=CommitteeSession.objects.none(),
        error_messages={"required": "Choisissez une séance."},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = open_sessions()
