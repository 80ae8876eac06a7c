"""The instruction fixtures (tests/instruction/fixtures.py) for the journal's tests: a filed Ariège dossier and the
demo staff."""

from tests.instruction.fixtures import filed, staff, under_review  # noqa: F401
