"""The instruction fixtures (tests/instruction/fixtures.py): the staff by short name, a filed dossier under review."""

from tests.instruction.fixtures import filed, staff, under_review  # noqa: F401
