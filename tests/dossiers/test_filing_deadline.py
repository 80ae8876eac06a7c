"""The deadline rush: a filing is judged at the moment its request reached the server, whatever the queue behind it.

Twenty-one applicants file at once, in twenty-one threads, each with its own database connection, on a call that
closed long before the filings are processed (the 2024 call): the arrival moments are given explicitly, so nothing
here depends on timing or load. The threads work on a throwaway copy of the test database (SQLite: a file, since
an in-memory database cannot take concurrent writers; PostgreSQL: a database made from the test one as template),
so that the committed rows never reach the other tests; whichever database the suite runs on is the one tested.
"""

import copy
import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.db.utils import load_backend

from pactes.accounts.models import Role, User
from pactes.calls.services import call_load, eligible_list_build_indicative
from pactes.dossiers.filing import FilingRefused, dossier_file
from pactes.dossiers.interchange import document_to_dossier
from pactes.dossiers.models import Dossier, DossierTransitionLog, DossierVersion
from pactes.rules.lifecycle import DossierState
from tests.dossiers.fixtures import PASSWORD, example_document

pytestmark = [pytest.mark.django_db, pytest.mark.engine]  # the threads work on a copy of the test database

IN_FLIGHT = 20
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


@pytest.fixture(scope="session")
def deadline_database(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict]:
    """The settings of a copy of the test database, made before any test opens its transaction (a PostgreSQL
    template must have no other session), dropped at the end of the session."""
    with django_db_blocker.unblock():
        original = connections["default"]
        settings_dict = copy.deepcopy(original.settings_dict)
        if original.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path_factory.mktemp("deadline") / "deadline.sqlite3")
            original.ensure_connection()
            target = sqlite3.connect(settings_dict["NAME"])
            original.connection.backup(target)
            target.close()
        else:
            settings_dict["NAME"] = f"{original.settings_dict['NAME']}_deadline"[:63]
            original.close()
            with original._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
                cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}" TEMPLATE "{original.settings_dict["NAME"]}"')
    yield settings_dict
    if settings_dict["ENGINE"].endswith("postgresql"):
        with django_db_blocker.unblock(), connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')


@pytest.fixture
def threaded_database(deadline_database) -> Iterator[Callable[[], None]]:
    """Calling this fixture's value in a thread gives that thread its own connection to the copy; the test's own
    thread works on the copy too, until the end of the test."""
    original = connections["default"]
    backend = load_backend(deadline_database["ENGINE"])

    def use_copy() -> None:
        connections["default"] = backend.DatabaseWrapper(copy.deepcopy(deadline_database), "default")

    use_copy()
    try:
        yield use_copy
    finally:
        connections["default"].close()
        connections["default"] = original


@pytest.fixture
def rush_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.TASKS = DUMMY_TASKS  # the receipts are another test's business: these filings only enqueue them
    return settings


def drafts_of_the_2024_call(count: int, *, prefix: str) -> list[Dossier]:
    call = call_load(path=django_settings.PACTES_CALLS_DIR / "pts-occitanie-2024.yaml")
    eligible_list_build_indicative(call=call)
    drafts = []
    for index in range(count):
        applicant = User.objects.create_user(
            f"{prefix}.{index:02d}@pactes.test",
            PASSWORD,
            role=Role.APPLICANT,
            first_name="Porteur",
            last_name=f"{index}",
        )
        drafts.append(document_to_dossier(example_document(call.slug), by=applicant))
    return drafts


def file_at_once(
    drafts: list[Dossier], arrivals: list[dt.datetime], use_copy: Callable[[], None]
) -> dict[int, tuple[str, object]]:
    """Files every draft in its own thread, all released together by a barrier; the outcome of each, by dossier."""
    barrier = threading.Barrier(len(drafts))
    outcomes: dict[int, tuple[str, object]] = {}

    def file(draft: Dossier, arrived_at: dt.datetime) -> None:
        use_copy()
        try:
            barrier.wait(timeout=30)
            version = dossier_file(dossier=draft, by=draft.created_by, arrived_at=arrived_at)
            outcomes[draft.pk] = ("accepted", version.submitted_at)
        except FilingRefused as exc:
            outcomes[draft.pk] = ("refused", [r.code for r in exc.reasons])
        except Exception as exc:  # reported by the assertion, with its type
            outcomes[draft.pk] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=pair) for pair in zip(drafts, arrivals, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_filings_that_arrived_before_closing_are_all_accepted_while_twenty_others_are_in_flight(
    threaded_database, rush_settings
):
    drafts = drafts_of_the_2024_call(IN_FLIGHT + 1, prefix="a-l-heure")
    closes_at = drafts[0].call.rules.filing_closes_at  # 30 September 2024, 23:59:59: long past when processed
    # Twenty requests arrived in the last seconds, the last one a second before closing; all are processed now.
    arrivals = [closes_at - dt.timedelta(seconds=3, milliseconds=100 * i) for i in range(IN_FLIGHT)]
    arrivals.append(closes_at - dt.timedelta(seconds=1))

    outcomes = file_at_once(drafts, arrivals, threaded_database)

    assert {pk: kind for pk, (kind, _detail) in outcomes.items()} == {d.pk: "accepted" for d in drafts}, outcomes
    for draft, arrived_at in zip(drafts, arrivals, strict=True):
        draft.refresh_from_db()
        assert draft.state == DossierState.SUBMITTED
        assert draft.submitted_at == arrived_at.replace(microsecond=0)
        [version] = DossierVersion.objects.filter(dossier=draft)
        assert version.submitted_at == arrived_at.replace(microsecond=0)
        assert DossierTransitionLog.objects.get(dossier=draft).at == arrived_at.replace(microsecond=0)
    last = DossierVersion.objects.get(dossier=drafts[-1])
    assert last.submitted_at == dt.datetime(2024, 9, 30, 23, 59, 58, tzinfo=closes_at.tzinfo)


def test_a_filing_that_arrived_a_second_after_closing_is_refused_with_deadline_passed(threaded_database, rush_settings):
    [draft] = drafts_of_the_2024_call(1, prefix="en-retard")
    closes_at = draft.call.rules.filing_closes_at

    with pytest.raises(FilingRefused) as refused:
        dossier_file(dossier=draft, by=draft.created_by, arrived_at=closes_at + dt.timedelta(seconds=1))

    [deadline] = [r for r in refused.value.reasons if r.code == "DEADLINE_PASSED"]
    assert "30 septembre 2024 à 23 h 59" in deadline.message
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT
    assert not DossierVersion.objects.filter(dossier=draft).exists()


def test_an_arrival_in_the_future_is_never_accepted(threaded_database, rush_settings):
    [draft] = drafts_of_the_2024_call(1, prefix="dans-l-avenir")
    with pytest.raises(ValueError, match="avenir"):
        dossier_file(dossier=draft, by=draft.created_by, arrived_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    draft.refresh_from_db()
    assert draft.state == DossierState.DRAFT
