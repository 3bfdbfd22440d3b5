"""Enumerations of the domain's closed vocabularies, shared by the core, the store and the web layer."""

from __future__ import annotations

from enum import StrEnum


class SessionMode(StrEnum):
    """How a seat session is paid: in advance for N minutes, or at the end for the time used."""

    PREPAID = "prepaid"
    POSTPAID = "postpaid"


class SessionEventKind(StrEnum):
    """What can happen to a running seat session after it starts."""

    PAUSE = "pause"
    RESUME = "resume"
    MOVE = "move"
    END = "end"


class SessionState(StrEnum):
    """The derived state of a seat session at an instant."""

    RUNNING = "running"
    PAUSED = "paused"
    TIME_UP = "time_up"
    ENDED = "ended"


class EntryKind(StrEnum):
    """The kinds of append-only ledger entries; every kind but ``reversal`` and ``price_change`` adds minutes."""

    PURCHASE = "purchase"
    EXTENSION = "extension"
    OUTAGE_CREDIT = "outage_credit"
    OUTAGE_TOPUP = "outage_topup"
    MANUAL_CREDIT = "manual_credit"
    REVERSAL = "reversal"
    VOUCHER_REDEMPTION = "voucher_redemption"
    # A prepaid session moved to a seat of another price: a pair at the move, the minutes left
    # taken off at the old price (negative) and put back at the new one (``domain.repricing``).
    PRICE_CHANGE = "price_change"


# The entries a customer pays for: a sale (a purchase, or an extension). Every other kind that adds
# minutes is given (an outage credit or top-up, a manual credit, a redeemed voucher).
SALE_KINDS = (EntryKind.PURCHASE, EntryKind.EXTENSION)
# The entries that carry money the customer paid (or was refunded): the sales and a move's re-pricing,
# whose minutes net to nothing.
PAID_KINDS = (*SALE_KINDS, EntryKind.PRICE_CHANGE)


class CreditReason(StrEnum):
    """Why minutes were given to a session without being paid for, as its bill tells it."""

    POWER_CUT = "power_cut"
    NETWORK_FAILURE = "network_failure"
    MANUAL = "manual"
    VOUCHER = "voucher"


class Role(StrEnum):
    """What a logged-in person may do: attendants run the counter, managers also change things."""

    ATTENDANT = "attendant"
    MANAGER = "manager"


class DashboardLanguage(StrEnum):
    """The languages the attendant's pages are written in (the notices have their own list)."""

    EN = "en"
    FR = "fr"


class OutageKind(StrEnum):
    """What failed: the mains power, or the internet line."""

    POWER = "power"
    NETWORK = "network"


class OutageSource(StrEnum):
    """Who or what reported an outage."""

    MANUAL = "manual"
    UPS = "ups"
    HEARTBEAT = "heartbeat"
    SERVER_GAP = "server_gap"
    API = "api"


class OutageStatus(StrEnum):
    """Where an outage is in its life: suspected → ongoing → ended, or dismissed."""

    SUSPECTED = "suspected"
    ONGOING = "ongoing"
    ENDED = "ended"
    DISMISSED = "dismissed"


# The outages that happened and count: an outage still suspected, or dismissed, credits nobody,
# and neither the report's reliability nor the day's figures count it.
COUNTED_OUTAGE_STATUSES = (OutageStatus.ONGOING, OutageStatus.ENDED)


class DarkBasis(StrEnum):
    """What a seat's dark start rests on (SPEC section 3, rule 1 amended), strongest evidence first.

    ``seat_report``: the seat agent's own last-alive record, reported after its PC started again;
    ``heartbeats``: the seat's heartbeats (or its PC's uptime) show it stayed on through the cut;
    ``ups_battery``: the zone's UPS reported a low battery (``LB``) or a forced shutdown (``FSD``).
    Without evidence: ``ups_rating`` (the zone's ``ups_minutes``), ``no_ups`` (dark at once), and
    ``network`` for an internet failure (no UPS matters).
    """

    SEAT_REPORT = "seat_report"
    HEARTBEATS = "heartbeats"
    UPS_BATTERY = "ups_battery"
    UPS_RATING = "ups_rating"
    NO_UPS = "no_ups"
    NETWORK = "network"


# The bases that rest on something measured, rather than on the zone's rating.
MEASURED_BASES = (DarkBasis.SEAT_REPORT, DarkBasis.HEARTBEATS, DarkBasis.UPS_BATTERY)


class ScopeKind(StrEnum):
    """What an outage covers: the whole venue, some zones, or some seats."""

    VENUE = "venue"
    ZONES = "zones"
    SEATS = "seats"


class CompensationForm(StrEnum):
    """How a credit reaches the customer."""

    TIME = "time"
    VOUCHER = "voucher"
    BILL_REDUCTION = "bill_reduction"


class CompensationStatus(StrEnum):
    """Whether a compensation has reached the customer or waits for a manager."""

    APPLIED = "applied"
    AWAITING_APPROVAL = "awaiting_approval"
    # A manager refused it, with a reason: nothing reached the customer.
    REFUSED = "refused"


class Delivery(StrEnum):
    """How an apology notice reached (or did not reach) the customer."""

    SHOWN = "shown"
    PRINTED = "printed"
    DECLINED = "declined"


class Feedback(StrEnum):
    """The customer's reaction to the apology, on three faces."""

    HAPPY = "happy"
    NEUTRAL = "neutral"
    UNHAPPY = "unhappy"


class RevisionAction(StrEnum):
    """What an outage revision records: how the outage came to be as the revision shows it."""

    START = "start"
    END = "end"
    CORRECT = "correct"
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    # Evidence from a seat (its PC's own report, its heartbeats) recomputed the outage's compensations.
    EVIDENCE = "evidence"


class TileState(StrEnum):
    """What the dashboard shows on a seat's tile: free, or the state of the session on it."""

    FREE = "free"
    RUNNING = "running"
    PAUSED = "paused"
    TIME_UP = "time_up"


class SeatState(StrEnum):
    """A seat's state as the JSON API names it (SPEC appendix C, with ``time_up`` added by issue 22).

    ``dark`` comes first (a seat without power, whatever its session); ``time_up`` is a seat whose
    prepaid time has run out while its session is still open (the customer has not been ended yet).
    """

    FREE = "free"
    IN_SESSION = "in_session"
    PAUSED = "paused"
    TIME_UP = "time_up"
    DARK = "dark"
