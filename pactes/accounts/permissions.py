"""Who may do what on a dossier: the one set of predicates that selectors, services and views all ask.

Words: an *instructeur DDETS-PP* instructs the filed dossiers of its own département; the *instruction staff* are
the instructors and the DREETS; a *porteur* of a dossier is a member of its carrying organisation or an invited
co-editor. A predicate answers a question about one person and one object, reads no request and raises nothing:
the caller decides between a 404, a 403 or a French refusal.

This module imports no other app (accounts is at the bottom): a dossier is read through its attributes only.
"""

from __future__ import annotations

from typing import Any, Protocol

from pactes.accounts.models import Role


class Dossier(Protocol):
    """What the predicates read of a dossier (``pactes.dossiers.models.Dossier``, which accounts may not import: it
    sits below dossiers in the layers of ``pyproject.toml``)."""

    departement_id: int | None
    organisation: Any
    editors: Any

    @property
    def is_editable(self) -> bool: ...


INSTRUCTION_ROLES = frozenset({Role.INSTRUCTOR, Role.DREETS})


def _is_active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_instructor_of(user: Any, departement_id: int | None) -> bool:
    """``user`` is an active instructeur DDETS-PP of that département."""
    return (
        _is_active(user)
        and user.role == Role.INSTRUCTOR
        and departement_id is not None
        and user.departement_id == departement_id
    )


def is_instruction_staff(user: Any) -> bool:
    """An active instructor (any département) or DREETS agent."""
    return _is_active(user) and user.role in INSTRUCTION_ROLES


def can_instruct(user: Any, dossier: Dossier) -> bool:
    """The DREETS, or the instructor of the dossier's département."""
    return is_instruction_staff(user) and (user.role == Role.DREETS or is_instructor_of(user, dossier.departement_id))


def is_applicant_of(user: Any, dossier: Dossier) -> bool:
    """``user`` is an active porteur of ``dossier``: member of its organisation or invited co-editor."""
    if not _is_active(user) or user.role != Role.APPLICANT:
        return False
    return dossier.organisation.memberships.filter(user=user).exists() or dossier.editors.filter(pk=user.pk).exists()


def can_edit(user: Any, dossier: Dossier) -> bool:
    """A porteur of the dossier while it is a draft or reopened for complements."""
    return bool(dossier.is_editable) and is_applicant_of(user, dossier)


# -- Staff accounts managed in the product (issue 10) ---------------------------------------------------------------
MANAGED_STAFF_ROLES = frozenset({Role.INSTRUCTOR, Role.JURY})


def can_manage_staff(user: Any) -> bool:
    """The DREETS (and an administrator) create and deactivate instructors and jury members."""
    return _is_active(user) and user.role in {Role.DREETS, Role.ADMIN}


def can_manage_account(user: Any, account: Any) -> bool:
    """``user`` may deactivate, reactivate or re-enrol ``account``: an instructor or jury member, never oneself (an
    administrator manages every other account, DREETS and administrators included)."""
    if not can_manage_staff(user) or account.pk == user.pk:
        return False
    return user.role == Role.ADMIN or account.role in MANAGED_STAFF_ROLES


def can_see_staff_list(user: Any) -> bool:
    """The staff page: the DREETS and administrators manage it, an instructor sees the team of its département."""
    return can_manage_staff(user) or (_is_active(user) and user.role == Role.INSTRUCTOR)


def can_audit(user: Any) -> bool:
    """The DREETS: it reads the integrity of the record and who downloaded which private document."""
    return _is_active(user) and user.role == Role.DREETS


EXPORT_ROLES = frozenset({Role.INSTRUCTOR, Role.DREETS, Role.ADMIN})


def can_export(user: Any) -> bool:
    """An active instructor (its département's dossiers), DREETS agent or administrator (the region's) may take the
    dossiers out as spreadsheets; nobody else (applicants, jury members, anonymous visitors)."""
    return _is_active(user) and user.role in EXPORT_ROLES


def can_import_from_ds(user: Any) -> bool:
    """An active administrator or DREETS agent: may import a call's dossiers from démarches simplifiées."""
    return _is_active(user) and user.role in {Role.ADMIN, Role.DREETS}
