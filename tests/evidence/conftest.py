"""The assessment fixtures (tests/assessment/fixtures.py): the demo accounts by short name, dossiers recevables."""

from tests.assessment.fixtures import accounts, ariege, aude, filed, real_call, rival  # noqa: F401
