from tests.accounts.fixtures import call, demo_accounts, demo_dossiers, departements  # noqa: F401
