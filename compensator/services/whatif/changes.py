"""The changes a what-if tries, from ``KEY=VALUE`` texts: a zone's UPS, a generator, any policy parameter.

``zones.ID.ups_minutes=15`` gives zone ID a UPS that bridges 15 minutes; ``restore_within_minutes=N``
a generator that restores the venue's power within N minutes of a cut; ``policy.KEY=N`` sets
one of the policy's parameters (SPEC section 3). Values are whole numbers within the bounds
``config.yaml`` allows for the same key, checked by the same models; anything else is refused
with a sentence that says what is wrong (``InvalidInput``, exit status 2 at the command line,
a form error on the manager's page).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pydantic import ValidationError

from compensator.config_models.fields import DAY_MINUTES, whole_number_message
from compensator.config_models.problems import did_you_mean, problems_of
from compensator.config_models.sections import PolicyModel
from compensator.domain.terms import PolicySettings, ZoneTerms
from compensator.errors import InvalidInput
from compensator.settings import Settings

GENERATOR_KEY = "restore_within_minutes"
HOW = f"give zones.ID.ups_minutes=N, {GENERATOR_KEY}=N or policy.KEY=N"


@dataclass(frozen=True)
class WhatIfChanges:
    """The equipment and policy a what-if replays the period under, and the changes as given."""

    policy: PolicySettings
    # The UPS of each zone changed, by zone id.
    ups_minutes: Mapping[str, int] = field(default_factory=dict)
    # A generator's start: every power cut of the venue's power longer than this ends this many
    # minutes after it began. None: no generator (cuts last as they did).
    restore_within_minutes: int | None = None
    # The changes as given, ``KEY=VALUE`` each, in the order given.
    texts: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything differs from the venue as it is."""
        return bool(self.texts)

    def seat_terms(self, settings: Settings) -> Mapping[str, ZoneTerms]:
        """Each seat's zone terms with the UPS changes made."""
        if not self.ups_minutes:
            return settings.seat_terms
        return MappingProxyType({
            seat.id: ZoneTerms(self.ups_minutes.get(seat.zone_id, settings.zone(seat.zone_id).ups_minutes),
                               settings.zone(seat.zone_id).price_minor_per_hour)
            for seat in settings.seats})


def _whole_number(key: str, value: str, maximum: int) -> int:
    """``value`` as a whole number from 0 to ``maximum``, or a clear refusal naming ``key``."""
    raw = value.strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:
        raise InvalidInput(f"{key}: {whole_number_message(0, maximum)}, not {raw!r}", field="set")
    return int(raw)


def parse_changes(settings: Settings, texts: Iterable[str]) -> WhatIfChanges:
    """The changes ``texts`` (``KEY=VALUE`` each) ask for, against the venue's ``settings``."""
    ups: dict[str, int] = {}
    generator: int | None = None
    policy: dict[str, int] = {}
    given: list[str] = []
    seen: set[str] = set()
    for text in texts:
        key, sign, value = (part.strip() for part in text.partition("="))
        if not sign or not key or not value:
            raise InvalidInput(f"{text.strip()!r} is not KEY=VALUE: {HOW}", field="set")
        if key in seen:
            raise InvalidInput(f"{key} is given twice", field="set")
        seen.add(key)
        parts = key.split(".")
        if parts[0] == "zones" and len(parts) == 3:
            zone_id, name = parts[1], parts[2]
            if zone_id not in settings.zones_by_id:
                raise InvalidInput(f"{key}: unknown zone {zone_id!r}{did_you_mean(zone_id, settings.zones_by_id)}",
                                   field="set")
            if name != "ups_minutes":
                raise InvalidInput(f"{key}: a zone's ups_minutes is the only equipment a what-if changes",
                                   field="set")
            ups[zone_id] = _whole_number(key, value, DAY_MINUTES)
        elif key == GENERATOR_KEY:
            generator = _whole_number(key, value, DAY_MINUTES)
        elif parts[0] == "policy" and len(parts) == 2:
            known = settings.policy.as_dict()
            if parts[1] not in known:
                raise InvalidInput(f"{key}: unknown policy parameter{did_you_mean(parts[1], known)}", field="set")
            policy[parts[1]] = _whole_number(key, value, 10 ** 9)
        else:
            raise InvalidInput(f"unknown key {key!r}: {HOW}", field="set")
        given.append(f"{key}={value}")
    return WhatIfChanges(_policy(settings.policy, policy), MappingProxyType(ups), generator, tuple(given))


def _policy(current: PolicySettings, changes: dict[str, int]) -> PolicySettings:
    """The policy with ``changes`` made, checked within the bounds ``config.yaml`` allows."""
    if not changes:
        return current
    try:
        return PolicyModel.model_validate({**current.as_dict(), **changes}).to_settings()
    except ValidationError as error:
        raise InvalidInput("; ".join(f"policy.{problem}" for problem in problems_of(error, PolicyModel)),
                           field="set") from None
