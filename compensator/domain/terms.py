"""The terms a compensation is computed under: the policy's parameters and each zone's UPS and price.

``config`` reads these from ``config.yaml`` and validates them; the policy only reads them, so
they live here, in the pure core, with the plain-words description shown to managers.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict, dataclass

from compensator.domain.records import record


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """The compensation policy's parameters (SPEC section 3)."""

    restart_minutes: int = 3
    lost_work_cap_minutes: int = 10
    goodwill_minutes: int = 0
    goodwill_percent: int = 0
    extras_cap_minutes: int = 60
    round_to_minutes: int = 5
    voucher_valid_days: int = 30
    manager_approval_above_minutes: int = 120

    def as_dict(self) -> dict[str, int]:
        """The parameters as a plain mapping."""
        return asdict(self)

    def fingerprint(self) -> str:
        """A short stable hash of the parameters, stored with every compensation."""
        return _policy_fingerprint(self)


@functools.lru_cache(maxsize=32)
def _policy_fingerprint(policy: PolicySettings) -> str:
    # Stored with every compensation: the canonical form and the hash must never change.
    canonical = json.dumps(policy.as_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


@record
class ZoneTerms:
    """What the policy needs to know about a seat's zone."""

    ups_minutes: int
    price_minor_per_hour: int


def describe_policy(policy: PolicySettings) -> list[str]:
    """The policy in plain words, one sentence per rule, for the manager's page."""
    goodwill = []
    if policy.goodwill_minutes:
        goodwill.append(f"{policy.goodwill_minutes} min")
    if policy.goodwill_percent:
        goodwill.append(f"{policy.goodwill_percent}% of the lost minutes")
    return [
        "Every minute a customer's seat was dark while their paid time was running is given back, however long "
        "the cut (a UPS's bridging time is not dark).",
        f"Each time a seat goes dark, {policy.restart_minutes} min are added for restarting and reopening work.",
        f"Unsaved work is made good with the minutes worked since the session started or the last cut, "
        f"up to {policy.lost_work_cap_minutes} min.",
        "Goodwill: " + (" plus ".join(goodwill) if goodwill else "none") + ".",
        f"Restart, lost work and goodwill together are capped at {policy.extras_cap_minutes} min; "
        "lost minutes are never capped.",
        f"The credit is rounded up to a multiple of {policy.round_to_minutes} min.",
        "A running session gets the time added; a customer who left, or whose time ran out during the cut, "
        f"gets a voucher valid {policy.voucher_valid_days} days; a postpaid bill is reduced.",
        f"A credit above {policy.manager_approval_above_minutes} min waits for a manager's approval.",
        f"Policy fingerprint {policy.fingerprint()}: stored with every compensation.",
    ]
