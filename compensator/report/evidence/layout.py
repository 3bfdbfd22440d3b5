"""What the evidence file's formats share: scopes, standings, times to the second and the totals, in words.

The CSV and the PDF say the same things in the same words; times are the venue's, with their
date and to the second, since an outage of the evidence may span days.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from compensator.domain.kinds import ScopeKind
from compensator.notices.wording import format_money
from compensator.report.data import CorrectionRow
from compensator.report.evidence.data import CreditRow, Evidence, EvidenceOutage, Standing
from compensator.report.evidence.witness import stamp

TITLE = "Outage evidence"
ABOUT = ("Every outage that overlaps the period, with its times as they were recorded (an outage across the "
         "period's edges is shown whole), what recorded it, every correction with who made it and why, the "
         "minutes each seat lost and the credits given for them. Times are the venue's local time.")


def tz_of(evidence: Evidence) -> ZoneInfo:
    """The venue's time zone."""
    return ZoneInfo(evidence.timezone)


def money(evidence: Evidence, amount_minor: int) -> str:
    """An amount in the venue's currency, as people read it."""
    return format_money(amount_minor, evidence.currency)


def scope(outage: EvidenceOutage) -> str:
    """What an outage covered, in words."""
    if outage.scope_kind is ScopeKind.VENUE:
        return "whole venue"
    return f"{outage.scope_kind.value}: {', '.join(outage.scope_ids)}"


def standing(outage: EvidenceOutage) -> str:
    """Whether the outage counts, and why not when it was dismissed."""
    if outage.standing is Standing.DISMISSED:
        return f"dismissed: {outage.dismissed_reason}" if outage.dismissed_reason else "dismissed (no reason given)"
    if outage.standing is Standing.COUNTED:
        return f"counted ({outage.status.value})"
    return "suspected (never confirmed)"


def length(outage: EvidenceOutage) -> str:
    """The outage's whole length in minutes, or that it still goes on."""
    return "still going on" if outage.minutes is None else f"{outage.minutes} min"


def period(evidence: Evidence) -> str:
    """The period's days."""
    first, last = evidence.first_day, evidence.last_day
    if first == last:
        return first.strftime("%A %d %B %Y")
    return f"{first.strftime('%d %B %Y')} to {last.strftime('%d %B %Y')}"


def correction(evidence: Evidence, item: CorrectionRow) -> str:
    """One correction of an outage's times as a sentence: before, after, by whom, when and why."""
    tz = tz_of(evidence)
    reason = f": {item.reason}" if item.reason else ""
    return (f"{stamp(item.started_before, tz)} - {stamp(item.ended_before, tz)} changed to "
            f"{stamp(item.started_after, tz)} - {stamp(item.ended_after, tz)} by {item.actor} "
            f"at {stamp(item.at, tz)}{reason}")


def credit_form(credit: CreditRow) -> str:
    """The form of a credit and its state, when it did not simply reach the customer."""
    form = credit.form.value.replace("_", " ")
    state = "" if credit.status.value == "applied" else f", {credit.status.value.replace('_', ' ')}"
    decided = f" by {credit.decided_by}" if credit.decided_by and state else ""
    why = f": {credit.decision_reason}" if credit.decision_reason else ""
    return f"{form}{state}{decided}{why}"


def totals(evidence: Evidence) -> list[tuple[str, str]]:
    """The period's totals as (label, value) pairs."""
    figures = evidence.totals
    return [
        ("Outages recorded", str(figures.outages)),
        ("Counted / suspected / dismissed", f"{figures.counted} / {figures.suspected} / {figures.dismissed}"),
        ("Minutes of the counted outages (whole)", str(figures.counted_minutes)),
        ("Corrections of outage times", str(figures.corrections)),
        ("Seat sessions compensated", str(figures.compensations)),
        ("Minutes lost at the seats", str(figures.lost_minutes)),
        ("Minutes credited", str(figures.granted_minutes)),
        ("Value of the credits given", money(evidence, figures.value_minor)),
    ]
