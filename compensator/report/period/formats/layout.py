"""What the period report's formats share: labels, money and figures as shown, the tables' rows."""

from __future__ import annotations

from compensator.notices.wording import format_money
from compensator.report.period.data import Indices, PeriodReportData
from compensator.report.period.findings import counted, margin_text

NOTHING = "—"
INDEX_HEADER = ("", "Seats", "Cuts", "SAIFI", "SAIDI (min)", "CAIDI (min)", "MAIFI", "ASAI", "Sessions interrupted",
                "Credits (min)", "Credits", "Share of takings")
INDEX_NOTE = ("A seat counts as a customer, interrupted when it went dark whether or not someone sat at it. "
              "SAIFI: cuts that darkened a seat; SAIDI: minutes a seat was dark; CAIDI: minutes per such cut; "
              "MAIFI: cuts its UPS bridged completely; ASAI: share of the period's minutes with power. "
              "The venue's power only: seat faults are left out.")
CARE_HEADER = ("Attendant", "Letters", "Shown", "Printed", "Declined", "Median min to handover", "Happy", "Neutral",
               "Unhappy")
AGE_HEADER = ("Age", "Vouchers", "Minutes", "Value")


def money(report: PeriodReportData, amount_minor: int) -> str:
    """An amount in the report's currency, as people read it."""
    return format_money(amount_minor, report.currency)


def number(value: float | int | None, suffix: str = "") -> str:
    """A figure as shown: a dash for none, no trailing ``.0``."""
    return NOTHING if value is None else f"{value:g}{suffix}"


def title(report: PeriodReportData) -> str:
    """The report's title, naming its days."""
    first, last = report.first_day, report.last_day
    if first == last:
        return f"{report.venue_name} - report of {first.strftime('%A %d %B %Y')}"
    return f"{report.venue_name} - report from {first.strftime('%d %B %Y')} to {last.strftime('%d %B %Y')}"


def index_row(report: PeriodReportData, row: Indices) -> tuple[str, ...]:
    """One zone's (or the venue's) figures as the table shows them."""
    interrupted = f"{row.sessions_interrupted} of {row.sessions}"
    if row.interrupted_percent is not None:
        interrupted += f" ({row.interrupted_percent:.1f}\u00a0%)"
    return (row.zone_name, str(row.seats), str(row.cuts), number(row.saifi), number(row.saidi_minutes),
            number(row.caidi_minutes), number(row.maifi), f"{row.asai_percent:.3f}\u00a0%", interrupted,
            str(row.credit_minutes), money(report, row.credit_value_minor),
            NOTHING if row.credit_share_percent is None else f"{row.credit_share_percent:.1f}\u00a0%")


def index_rows(report: PeriodReportData) -> list[tuple[str, ...]]:
    """Each zone's figures, then the venue's."""
    return [index_row(report, row) for row in (*report.zones, report.venue)]


def margins(report: PeriodReportData) -> list[str]:
    """Each zone's UPS against the time power takes to come back, in a sentence."""
    return [margin_text(row.zone_name, row.margin) for row in report.zones if row.margin is not None]


def restore(report: PeriodReportData) -> str:
    """The time to restore in a sentence."""
    times = report.restore
    if times.median is None:
        return "No power cut ended in the period."
    return (f"Power came back in a median {times.median} min, 90 % of cuts within {times.p90} min "
            f"({times.cuts} cuts ended).")


def owed(report: PeriodReportData) -> list[tuple[str, str]]:
    """What is owed in vouchers as (label, value) pairs."""
    owed = report.owed
    return [
        ("Vouchers outstanding at the end", str(owed.outstanding_count)),
        ("Their minutes", str(owed.outstanding_minutes)),
        ("Their value", money(report, owed.outstanding_value_minor)),
        ("Expiring in the next 7 days", f"{owed.expiring_7_days_count} "
                                        f"({money(report, owed.expiring_7_days_value_minor)})"),
        ("Issued in the period", str(owed.issued)),
        ("Redeemed in the period", str(owed.redeemed)),
        ("Expired unused in the period", f"{owed.expired} ({money(report, owed.expired_value_minor)})"),
    ]


def age_rows(report: PeriodReportData) -> list[tuple[str, ...]]:
    return [(band.label, str(band.count), str(band.minutes), money(report, band.value_minor))
            for band in report.owed.by_age]


def care_rows(report: PeriodReportData) -> list[tuple[str, ...]]:
    return [(row.attendant, str(row.letters), str(row.shown), str(row.printed), str(row.declined),
             number(row.median_minutes_to_handover), str(row.happy), str(row.neutral), str(row.unhappy))
            for row in report.care.attendants]


def retention(report: PeriodReportData) -> str:
    """Who came back, in a sentence."""
    kept = report.retention
    if not kept.issued:
        return "No voucher was issued in the period."
    return (f"Of the {counted(kept.issued, 'voucher')} issued in the period, {kept.redeemed_within_7_days} "
            f"came back (redeemed) within 7 days and {kept.redeemed_within_30_days} within 30 days.")


def pending(report: PeriodReportData) -> str:
    care = report.care
    return (f"Letters never handed over: {care.letters_pending} "
            f"({money(report, care.pending_value_minor)} in credits).")


def generated(report: PeriodReportData) -> str:
    """When the report was made, in the venue's time."""
    from zoneinfo import ZoneInfo

    return report.generated_at.astimezone(ZoneInfo(report.timezone)).strftime("%d %b %Y %H:%M")
