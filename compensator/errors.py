"""Named domain errors, raised by the service layer and mapped to HTTP codes in one place in ``web``.

Each error carries a stable machine-readable ``code``, a sentence for a person, and, where the
problem is one input, the ``field`` it concerns.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause; the message is safe to show."""

    code = "invalid"
    # A refusal is kept as the answer to its idempotency key, so a retry hears the same thing;
    # a fault outside the program (a printer that is off) is not, so a retry tries again.
    kept_for_retries = True

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """An input is missing, of the wrong type, or outside its allowed range."""

    code = "invalid_input"


class NotFound(DomainError):
    """The thing named does not exist (unknown seat, session, outage, voucher...)."""

    code = "not_found"


class Conflict(DomainError):
    """The request is valid but clashes with the current state."""

    code = "conflict"


class SeatBusy(Conflict):
    """The seat already has a session that has not ended."""

    code = "seat_busy"


class SeatDark(Conflict):
    """The seat has no power (an ongoing power cut, its UPS run out or none): nobody can use it until power is back."""

    code = "seat_dark"


class TimeOutOfRange(Conflict):
    """A well-formed time that the current state refuses: in the future, too far back, or before what it ends."""

    code = "time_out_of_range"


class SessionEnded(Conflict):
    """The session has already ended; it can no longer change."""

    code = "session_ended"


class InvalidState(Conflict):
    """The action does not apply in the current state (pausing a paused session, ...)."""

    code = "invalid_state"


class IdempotencyConflict(Conflict):
    """An idempotency key was reused for a request with different content."""

    code = "idempotency_conflict"


class PermissionDenied(DomainError):
    """The actor is not allowed to do this (an attendant doing a manager's action)."""

    code = "forbidden"


class AuthenticationFailed(DomainError):
    """The name, PIN or token given does not identify anyone."""

    code = "unauthenticated"


class PrinterUnavailable(DomainError):
    """The receipt printer is off, unplugged or refused the receipt; nothing was recorded."""

    code = "printer_unavailable"
    kept_for_retries = False


class PrinterNotConfigured(PrinterUnavailable):
    """No receipt printer is configured at all (``printer.kind: none``): a state of the configuration, not a fault."""

    code = "printer_not_configured"
    kept_for_retries = True


# Ids are 32-bit on PostgreSQL: a larger one names no row, and looking it up would overflow.
ID_MAX = 2**31 - 1


def require_id(value: object, what: str) -> int:
    """Return ``value`` if it can be the id of a row, else raise ``NotFound`` naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ID_MAX:
        raise NotFound(f"unknown {what} {value!r}", field=what)
    return value
