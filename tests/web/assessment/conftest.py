"""The assessment fixtures (tests/assessment/fixtures.py) for the assessment pages."""

from tests.assessment.fixtures import accounts, ariege, aude, filed, real_call, rival  # noqa: F401
