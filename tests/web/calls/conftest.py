"""The calls fixtures (tests/calls/fixtures.py) for the call pages."""

from tests.calls.fixtures import (  # noqa: F401
    admin_user,
    demo_call,
    dreets_user,
    indicative_call,
    instructor_user,
    real_call,
    reference_data,
)
