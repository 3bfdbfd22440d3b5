"""The compensation policy (SPEC section 3) as a pure function over plain data.

Given one seat session, the outage being compensated, the other outages around it and the
compensations the session already received, ``compensate`` works out the dark interval, the
lost minutes, the restart allowance, the lost work, goodwill, the extras cap, rounding, the
form, the money value and whether a manager must approve, and explains every step.

Two ideas keep overlapping outages fair:

* Power outages that overlap or touch on one seat are one long power cut for that seat: its
  UPS bridges the start of that cut only once, however many outage records describe it.
* The seat's dark periods during the session are joined into *dark stretches*. Within one
  stretch, lost minutes are counted on the union of the dark time of every compensated outage,
  so no minute is counted twice and splitting an outage in two changes no total; the restart
  allowance, lost work and fixed goodwill are given once per stretch.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from compensator.domain.figures import CompensationFigures
from compensator.domain.intervals import Span, clip, instant_after, merge, subtract, touches
from compensator.domain.ledger import Interval, SessionFacts, balance, ceil_minutes
from compensator.domain.kinds import CompensationForm, OutageKind, SessionMode, SessionState
from compensator.domain.money import value_minor
from compensator.domain.terms import PolicySettings, ZoneTerms

ZERO = timedelta(0)
FOREVER = timedelta(days=36500)


@dataclass(frozen=True, slots=True)
class OutageFacts:
    """An outage as plain data: its times (``ended_at`` None while ongoing) and the seats it covers."""

    id: int
    kind: OutageKind
    started_at: datetime
    ended_at: datetime | None
    seat_ids: frozenset[str]

    def end_or(self, horizon: datetime) -> datetime:
        """The end of the outage, or ``horizon`` while it is still going on."""
        return self.ended_at if self.ended_at is not None else max(horizon, self.started_at)


@dataclass(frozen=True, slots=True)
class PriorCompensation:
    """What the session already received for another outage."""

    outage_id: int
    lost_minutes: int
    extras_minutes: int
    opened_stretch: bool


@dataclass(frozen=True, slots=True)
class CompensationResult:
    """The outcome of the policy for one (outage, session), with every step explained."""

    outage_id: int
    seat_id: str | None
    # None when the session gets nothing.
    figures: CompensationFigures | None
    needs_approval: bool
    policy_fingerprint: str
    steps: tuple[str, ...]
    # The session's paid end at ``now`` before this credit, as ``ledger.balance`` gives it
    # (None when nothing is given).
    paid_end: datetime | None = None

    @property
    def compensated(self) -> bool:
        """Whether the session gets anything (it lost at least one minute)."""
        return self.figures is not None

    @property
    def explanation(self) -> str:
        """Every step in one readable line."""
        return "; ".join(self.steps)


@dataclass(frozen=True, slots=True)
class CompensationInput:
    """Everything ``compensate`` looks at."""

    session: SessionFacts
    outage: OutageFacts
    outages: tuple[OutageFacts, ...]
    prior: tuple[PriorCompensation, ...]
    seat_terms: Mapping[str, ZoneTerms]
    policy: PolicySettings
    timezone: ZoneInfo
    now: datetime
    # Shared by the sessions compensated for one outage; built here when not given.
    darkness: SeatDarkness | None = None


def choose_form(mode: SessionMode, state: SessionState) -> CompensationForm:
    """Time for a prepaid session still going, a bill reduction for an open postpaid one, else a voucher."""
    if mode is SessionMode.POSTPAID:
        return CompensationForm.BILL_REDUCTION if state is not SessionState.ENDED else CompensationForm.VOUCHER
    if state in (SessionState.RUNNING, SessionState.PAUSED):
        return CompensationForm.TIME
    return CompensationForm.VOUCHER


def round_up(minutes: int, multiple: int) -> int:
    """``minutes`` rounded up to a multiple of ``multiple``."""
    return -(-minutes // multiple) * multiple


class SeatDarkness:
    """When each seat was dark because of each outage, after UPS bridging.

    It depends on the seat only through its zone's UPS and the outages that cover it, so one
    instance is shared by every session compensated for the same outage, and seats alike in
    both share one computation.
    """

    def __init__(self, outage: OutageFacts, outages: tuple[OutageFacts, ...],
                 seat_terms: Mapping[str, ZoneTerms], now: datetime) -> None:
        self.outage = outage
        self.horizon = outage.end_or(now)
        # The outage being compensated replaces any older version of itself (before a correction).
        self.outages = tuple(other for other in outages if other.id != outage.id) + (outage,)
        self._seat_terms = seat_terms
        self._by_seat: dict[str, dict[int, Span]] = {}
        self._by_shape: dict[tuple[int, tuple[int, ...]], dict[int, Span]] = {}

    def spans(self, seat_id: str) -> dict[int, Span]:
        """The dark span of ``seat_id`` for each outage that darkened it, by outage id."""
        found = self._by_seat.get(seat_id)
        if found is None:
            terms = self._seat_terms.get(seat_id)
            covering = tuple(other for other in self.outages if seat_id in other.seat_ids) if terms else ()
            shape = (terms.ups_minutes if terms else 0, tuple(other.id for other in covering))
            found = self._by_shape.get(shape)
            if found is None:
                found = self._by_shape[shape] = _dark_spans(covering, shape[0], self.horizon)
            self._by_seat[seat_id] = found
        return found


def _dark_spans(covering: tuple[OutageFacts, ...], ups_minutes: int, horizon: datetime) -> dict[int, Span]:
    """The dark span of each outage over one seat: a network failure is dark at once; power
    cuts that overlap or touch are one cut, whose beginning the UPS bridges once."""
    found: dict[int, Span] = {}
    cuts = merge((other.started_at, other.end_or(horizon)) for other in covering if other.kind is OutageKind.POWER)
    bridge = timedelta(minutes=ups_minutes)
    for other in covering:
        start, end = other.started_at, other.end_or(horizon)
        if end <= start:
            continue
        if other.kind is OutageKind.POWER:
            cut_start = next(cut[0] for cut in cuts if cut[0] <= start and end <= cut[1])
            start = max(start, cut_start + bridge)
            if end <= start:
                continue
        found[other.id] = (start, end)
    return found


def _by_seat(intervals: tuple[Interval, ...]) -> dict[str, list[Span]]:
    """The intervals' time on each seat, as merged spans."""
    spans: dict[str, list[Span]] = {}
    for interval in intervals:
        spans.setdefault(interval.seat_id, []).append((interval.start, interval.end))
    return {seat_id: merge(items) for seat_id, items in spans.items()}


def _session_dark(darkness: SeatDarkness, occupied: dict[str, list[Span]],
                  active: dict[str, list[Span]]) -> dict[int, tuple[list[Span], list[Span], str | None]]:
    """For each outage that darkened the session: its occupied-and-dark spans, its active-and-dark
    spans, and the first seat to go dark."""
    found: dict[int, tuple[list[Span], list[Span], str | None]] = {}
    first: dict[int, datetime] = {}
    for seat_id, spans in occupied.items():
        for outage_id, seat_span in darkness.spans(seat_id).items():
            parts = clip(spans, seat_span)
            if not parts:
                continue
            # The session only runs on a seat it occupies, so its active time needs no other cut.
            active_parts = clip(active.get(seat_id, ()), seat_span)
            if outage_id not in found:
                found[outage_id] = (parts, active_parts, seat_id)
                first[outage_id] = parts[0][0]
                continue
            dark, active_dark, seat = found[outage_id]
            if parts[0][0] < first[outage_id]:
                seat, first[outage_id] = seat_id, parts[0][0]
            found[outage_id] = (merge(dark + parts), merge(active_dark + active_parts), seat)
    return found


def _usage(active: list[Span], origin: datetime, moment: datetime) -> timedelta:
    """Active time between ``origin`` and ``moment``; ``active`` is merged (sorted, disjoint)."""
    total = ZERO
    if moment <= origin:
        return total
    for start, end in active:
        if start >= moment:
            break
        if end > origin:
            total += min(end, moment) - max(start, origin)
    return total


@functools.lru_cache(maxsize=1024)
def _clock(moment: datetime, timezone: ZoneInfo) -> str:
    # Cached: the sessions of one outage mostly share its start and end times.
    return moment.astimezone(timezone).strftime("%H:%M")


def compensate(inputs: CompensationInput) -> CompensationResult:
    """Apply the compensation policy to one seat session for one outage."""
    policy = inputs.policy
    outage = inputs.outage
    session = inputs.session
    darkness = inputs.darkness
    if darkness is None or darkness.outage != outage or darkness.horizon != outage.end_or(inputs.now):
        darkness = SeatDarkness(outage, inputs.outages, inputs.seat_terms, inputs.now)
    horizon = darkness.horizon
    position = balance(session, horizon)
    occupancy, active_intervals = position.occupancy, position.intervals
    active_spans = merge((item.start, item.end) for item in active_intervals)
    fingerprint = policy.fingerprint()
    tz = inputs.timezone

    def nothing(reason: str) -> CompensationResult:
        return CompensationResult(outage.id, None, None, False, fingerprint, (reason,))

    occupied, active = _by_seat(occupancy), _by_seat(active_intervals)
    per_outage = _session_dark(darkness, occupied, active)
    own_dark, own_active_dark, seat_id = per_outage.get(outage.id, ([], [], None))
    if not own_dark:
        return nothing("the seat never went dark during this session (a UPS bridged the cut, or the seat was elsewhere)")

    stretches = merge(span for dark, _, _ in per_outage.values() for span in dark)
    prior_by_outage = {item.outage_id: item for item in inputs.prior if item.outage_id != outage.id}
    # The stretches this outage darkened (a move to a seat whose UPS still holds makes more than
    # one), with every already compensated outage sharing one of them, and that outage's other
    # stretches too: its lost minutes are then taken off exactly what it counted.
    group = [item for item in stretches if any(touches(item, span) for span in own_dark)]
    counted_ids = [outage.id]
    grown = True
    while grown:
        grown = False
        for other_id in prior_by_outage:
            if other_id in counted_ids or other_id not in per_outage:
                continue
            other_dark = per_outage[other_id][0]
            if any(touches(span, item) for span in other_dark for item in group):
                counted_ids.append(other_id)
                group.extend(item for item in stretches
                             if item not in group and any(touches(item, span) for span in other_dark))
                grown = True
    group.sort()
    prior_in_group = [prior_by_outage[other_id] for other_id in counted_ids[1:]]

    # Lost time is measured, stretch by stretch, in "usage" (active time since the stretch
    # began), so that the cap of the paid time left at its start applies whatever pauses
    # happened while dark.
    ended_at = session.ended_at
    prepaid = session.mode is SessionMode.PREPAID
    left_while_dark = False
    lost_total = ZERO
    cutoffs: list[tuple[Span, datetime | None]] = []
    for stretch in group:
        origin = stretch[0]
        lost_usage: list[tuple[timedelta, timedelta]] = []
        for other_id in counted_ids:
            dark, active_dark, _ = per_outage[other_id]
            for start, end in active_dark:
                if touches((start, end), stretch):
                    lost_usage.append((_usage(active_spans, origin, start), _usage(active_spans, origin, end)))
            if ended_at is not None and prepaid:
                if any(span[1] == ended_at for span in dark) and touches((ended_at, ended_at), stretch):
                    left_while_dark = True
                    lost_usage.append((_usage(active_spans, origin, ended_at), FOREVER))
        window_end = position.remaining_at(origin) if prepaid else FOREVER
        for start, end in merge(lost_usage):
            lost_total += max(min(end, window_end) - start, ZERO)
        cutoffs.append((stretch, instant_after(active_spans, origin, window_end) if prepaid else None))
    lost_minutes = max(ceil_minutes(lost_total) - sum(item.lost_minutes for item in prior_in_group), 0)

    dark_start, dark_end = own_dark[0][0], own_dark[-1][1]
    # Show the minutes this outage adds: its dark running time, less what overlapping outages
    # already counted, up to the moment the paid time would have run out.
    already = [span for other_id in counted_ids[1:] for span in per_outage[other_id][1]]
    shown: list[Span] = []
    for stretch, cutoff in cutoffs:
        parts = [(start, end if cutoff is None else min(end, cutoff))
                 for start, end in subtract(own_active_dark, already)
                 if touches((start, end), stretch) and (cutoff is None or start < cutoff)]
        if parts:
            shown.append((parts[0][0], parts[-1][1]))
    span_text = ", ".join(f"{_clock(start, tz)}–{_clock(end, tz)}" for start, end in shown or [(dark_start, dark_end)])
    if lost_minutes == 0:
        if not own_active_dark and not left_while_dark:
            return nothing(f"dark {span_text}, but the session was not running then: no minutes lost")
        return nothing(f"dark {span_text}: these minutes were already counted or no paid time was left")

    steps: list[str] = []
    # Said only when the seat's own UPS held (not when the customer sat elsewhere meanwhile).
    assert seat_id is not None
    held_until = darkness.spans(seat_id)[outage.id][0]
    if outage.kind is OutageKind.POWER and held_until > outage.started_at and held_until == dark_start:
        steps.append(f"power cut {_clock(outage.started_at, tz)}, UPS held until {_clock(dark_start, tz)}")
    # Each stretch gets one restart and its lost work, from whichever outage was compensated
    # first in it.
    opened_stretches = [
        stretch for stretch in group
        if not any(prior_by_outage[other_id].opened_stretch for other_id in counted_ids[1:]
                   if any(touches(span, stretch) for span in per_outage[other_id][0]))
    ]
    opened = bool(opened_stretches)
    restart = policy.restart_minutes * len(opened_stretches)
    lost_work = 0
    lost_work_capped = False
    for stretch in opened_stretches:
        previous_stretch_end = max((item[1] for item in stretches if item[1] < stretch[0]), default=None)
        since = max(session.started_at, previous_stretch_end or session.started_at)
        worked = ceil_minutes(_usage(active_spans, since, stretch[0]))
        lost_work += min(worked, policy.lost_work_cap_minutes)
        lost_work_capped = lost_work_capped or worked > policy.lost_work_cap_minutes
    goodwill = (policy.goodwill_minutes if opened else 0) + -(-lost_minutes * policy.goodwill_percent // 100)
    extras_raw = restart + lost_work + goodwill
    allowance = max(policy.extras_cap_minutes - sum(item.extras_minutes for item in prior_in_group), 0)
    extras = min(extras_raw, allowance)
    raw = lost_minutes + extras
    credit = round_up(raw, policy.round_to_minutes)

    lost_text = f"lost {lost_minutes} min ({span_text})"
    if left_while_dark:
        lost_text += ", all the paid time left when the customer gave up"
    if prior_in_group:
        lost_text += ", minutes already credited for an overlapping outage not counted again"
    terms = [lost_text]
    if len(opened_stretches) > 1:
        terms.append(f"restart {restart} (the seat went dark {len(opened_stretches)} times)")
    elif restart:
        terms.append(f"restart {restart}")
    if not opened:
        terms.append("no new restart or lost work (the seat was already dark)")
    if lost_work:
        terms.append(f"lost work {lost_work}" + (" (capped)" if lost_work_capped else ""))
    if goodwill:
        terms.append(f"goodwill {goodwill}")
    sum_text = " + ".join(terms) + f" = {lost_minutes + extras_raw}"
    if extras < extras_raw:
        sum_text += f", extras capped at {policy.extras_cap_minutes} → {raw}"
    if credit != raw:
        sum_text += f" → rounded to {credit} min"
    else:
        sum_text += " min"
    steps.append(sum_text)

    # The form depends on the session as it is when the credit is applied, not as it was.
    current = position if inputs.now <= horizon else balance(session, inputs.now)
    form = choose_form(session.mode, current.state)
    if form is CompensationForm.BILL_REDUCTION:
        steps.append(f"{credit} min off the bill")
    elif form is CompensationForm.TIME:
        if current.paid_end is not None:
            new_end = current.paid_end + timedelta(minutes=credit)
            steps.append(f"time added: paid end {_clock(current.paid_end, tz)} → {_clock(new_end, tz)}")
        else:
            steps.append(f"{credit} min added to the paused session")
    else:
        reason = "the session ended before power returned" if current.state is SessionState.ENDED else \
            "the paid time ran out during the outage"
        steps.append(f"voucher of {credit} min valid {policy.voucher_valid_days} days ({reason})")

    terms_for_value = inputs.seat_terms[seat_id] if seat_id else None
    money = value_minor(credit, terms_for_value.price_minor_per_hour) if terms_for_value else 0
    needs_approval = credit > policy.manager_approval_above_minutes
    if needs_approval:
        steps.append(f"above {policy.manager_approval_above_minutes} min: waits for a manager's approval")
    figures = CompensationFigures(
        dark_start=dark_start, dark_end=dark_end, lost_minutes=lost_minutes, restart_minutes=restart,
        lost_work_minutes=lost_work, goodwill_minutes=goodwill, extras_minutes=extras, credit_minutes=credit,
        opened_stretch=opened, form=form, value_minor=money)
    return CompensationResult(
        outage_id=outage.id,
        seat_id=seat_id,
        figures=figures,
        needs_approval=needs_approval,
        policy_fingerprint=fingerprint,
        steps=tuple(steps),
        paid_end=current.paid_end,
    )

