from tests.agreements.fixtures import (  # noqa: F401
    accounts,
    committee_call,
    draft_agreement,
    engaged_agreement,
    filed,
    media_root,
    retained_dossier,
    signed_agreement,
)
