"""The period's findings: what the owner should know, in plain words, the most costly first.

Each finding carries what it cost (or is owed) in money, which orders them: a zone's credits
with its UPS's margin against the time power takes to come back, the vouchers still owed,
the letters never handed over; then what cost nothing directly (how the customers took it,
whether they came back).
"""

from __future__ import annotations

import dataclasses

from compensator.notices.wording import format_money
from compensator.report.period.data import Finding, Indices, Margin, PeriodReportData


def counted(count: int, thing: str, things: str | None = None) -> str:
    """``count`` things, in the singular for one: "1 voucher", "2 vouchers"."""
    return f"{count} {thing if count == 1 else things or thing + 's'}"


def margin_text(name: str, margin: Margin) -> str:
    """A zone's UPS against the median time to restore, like "Standard: UPS holds 10 min, power comes
    back in a median 16 min: 6 min short in 7 of 9 cuts"."""
    holds = f"UPS holds {margin.ups_minutes} min" if margin.ups_minutes else "no UPS"
    if margin.median_restore_minutes is None:
        return f"{name}: {holds}, no power cut ended in the period"
    back = f"power comes back in a median {margin.median_restore_minutes} min"
    if margin.short_minutes:
        return f"{name}: {holds}, {back}: {margin.short_minutes} min short in {margin.short_cuts} of {margin.cuts} cuts"
    return f"{name}: {holds}, {back}: enough for the median cut; short in {margin.short_cuts} of {margin.cuts} cuts"


def _zone(report: PeriodReportData, zone: Indices) -> Finding | None:
    if zone.margin is None or (not zone.cuts and not zone.credit_value_minor):
        return None
    cost = format_money(zone.credit_value_minor, report.currency)
    share = f" ({zone.credit_share_percent:.1f} % of its takings)" if zone.credit_share_percent is not None else ""
    dark = (f"; each seat was dark {zone.saidi_minutes:g} min over {zone.saifi:g} cuts" if zone.saifi else "")
    return Finding(f"{zone.zone_name} gave {cost} in credits{share}{dark}. {margin_text(zone.zone_name, zone.margin)}.",
                   zone.credit_value_minor)


def findings(report: PeriodReportData) -> tuple[Finding, ...]:
    """The report's findings, the most costly first."""
    money = report.currency
    found = [finding for finding in (_zone(report, zone) for zone in report.zones) if finding is not None]
    owed = report.owed
    if owed.outstanding_count:
        soon = (f"; {owed.expiring_7_days_count} worth {format_money(owed.expiring_7_days_value_minor, money)} "
                f"expire in the next 7 days" if owed.expiring_7_days_count else "")
        found.append(Finding(f"{counted(owed.outstanding_count, 'voucher')} ({owed.outstanding_minutes} min) "
                             f"still owed, "
                             f"worth {format_money(owed.outstanding_value_minor, money)}{soon}.",
                             owed.outstanding_value_minor))
    care = report.care
    if care.letters_pending:
        found.append(Finding(f"{counted(care.letters_pending, 'letter was', 'letters were')} never handed over: "
                             f"their customers may not know "
                             f"of {format_money(care.pending_value_minor, money)} in credits.",
                             care.pending_value_minor))
    unhappy = sum(row.unhappy for row in care.attendants)
    if unhappy:
        found.append(Finding(f"{counted(unhappy, 'customer was', 'customers were')} unhappy with their letter.", 0))
    retention = report.retention
    if retention.issued:
        found.append(Finding(f"Of {counted(retention.issued, 'voucher')} issued, "
                             f"{retention.redeemed_within_30_days} came back "
                             f"within 30 days ({retention.redeemed_within_7_days} within 7).", 0))
    if report.restore.median is not None:
        found.append(Finding(f"Power came back in a median {report.restore.median} min; 9 cuts in 10 within "
                             f"{report.restore.p90} min.", 0))
    elif not report.venue.cuts:
        found.append(Finding("No power cut in the period.", 0))
    # Stable: among findings of equal cost, the order above.
    return tuple(sorted(found, key=lambda finding: -finding.cost_minor))


def with_findings(report: PeriodReportData) -> PeriodReportData:
    """``report`` with its findings."""
    return dataclasses.replace(report, findings=findings(report))
