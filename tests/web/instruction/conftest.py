"""The instruction fixtures (tests/instruction/fixtures.py) for the instruction pages."""

from tests.instruction.fixtures import filed, staff, under_review  # noqa: F401
