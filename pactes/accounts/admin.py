"""Administration of accounts: an e-mail-only user model with a role and, for an instructor, a département."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest

from pactes.accounts.models import StaffChange, User
from pactes.accounts.permissions import can_manage_account
from pactes.accounts.two_factor import second_factor_reset


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role", "departement")
        field_classes = {"email": forms.EmailField}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse électronique.")
        return email


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {"email": forms.EmailField}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Un compte existe déjà avec cette adresse électronique.")
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "departement", "is_active", "is_staff", "last_login")
    list_filter = ("role", "departement", "is_active", "is_staff", "is_superuser")
    search_fields = ("email", "first_name", "last_name")
    list_select_related = ("departement",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Rôle et périmètre", {"fields": ("role", "departement")}),
        ("ProConnect", {"fields": ("proconnect_sub",)}),
        (
            "Droits",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "departement",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "proconnect_sub")
    actions = ["reset_second_factor"]

    @admin.action(description="Réinitialiser la double authentification (téléphone perdu)")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        done = 0
        for user in queryset:
            if can_manage_account(request.user, user):
                second_factor_reset(user=user, by=request.user)
                done += 1
        self.message_user(
            request,
            f"Double authentification réinitialisée pour {done} compte(s) : "
            "ils en configureront une nouvelle à leur prochaine connexion.",
        )


@admin.register(StaffChange)
class StaffChangeAdmin(admin.ModelAdmin):
    """The journal of staff accounts: read only."""

    list_display = ("at", "by", "action", "user", "role", "departement", "detail")
    list_filter = ("action", "role", "departement")
    search_fields = ("user__email", "by__email", "detail")
    list_select_related = ("by", "user", "departement")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
