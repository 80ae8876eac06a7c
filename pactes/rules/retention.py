"""When Pactes deletes what people typed (RGPD art. 5.1.e): the dates a retention rule falls due.

No Django here. Words: a *draft* is a dossier never filed; it is *deleted* ``draft_months_after_closing`` months
after the filing of its call closed (the day after, in the call's time zone), and its carriers get a *reminder*
``draft_reminder_days_before`` days earlier. A *refused* dossier (inadmissible or not retained) keeps its content
but loses the personal data it holds (named people, contacts) ``refused_personal_data_years`` years after the
decision. The parameters are the call's (``CallConfig.retention``, YAML section ``retention``).
"""

from __future__ import annotations

import datetime as dt

from pactes.rules.calendar import add_months
from pactes.rules.call_config import CallConfig


def draft_deletion_day(config: CallConfig) -> dt.date:
    """The first day a never-filed draft of the call may be deleted."""
    closing_day = config.filing_closes_at.astimezone(config.timezone).date()
    return add_months(closing_day, config.retention.draft_months_after_closing)


def draft_reminder_day(config: CallConfig) -> dt.date:
    """The day the carriers of a draft are told it will be deleted."""
    return draft_deletion_day(config) - dt.timedelta(days=config.retention.draft_reminder_days_before)


def refused_erasure_day(decided_on: dt.date, config: CallConfig) -> dt.date:
    """The first day the personal data of a dossier refused on ``decided_on`` may be erased."""
    return add_months(decided_on, 12 * config.retention.refused_personal_data_years)


def draft_is_due(config: CallConfig, today: dt.date) -> bool:
    return today >= draft_deletion_day(config)


def draft_reminder_is_due(config: CallConfig, today: dt.date) -> bool:
    return draft_reminder_day(config) <= today < draft_deletion_day(config)
