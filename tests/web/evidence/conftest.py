"""The instruction fixtures (tests/instruction/fixtures.py): the demo staff and a filed Ariège dossier."""

from tests.instruction.fixtures import filed, staff, under_review  # noqa: F401
