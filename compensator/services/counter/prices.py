"""What the counter charges: each dashboard package's price in each zone, from the zones' hourly prices.

The amounts are those a purchase or an extension of the package is charged
(``domain.money.value_minor``), so that the button and the ledger entry always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from compensator.domain.money import value_minor
from compensator.settings import Settings


@dataclass(frozen=True, slots=True)
class PackagePrice:
    """A package of minutes and what it costs in one zone."""

    minutes: int
    price_minor: int


@dataclass(frozen=True, slots=True)
class ZonePrices:
    """A zone's hourly price (what a postpaid hour costs) and the price of each package there."""

    zone_id: str
    price_minor_per_hour: int
    packages: tuple[PackagePrice, ...]


def zone_prices(settings: Settings) -> tuple[ZonePrices, ...]:
    """Every zone's prices for the packages the dashboard offers, in the configured order."""
    return tuple(
        ZonePrices(zone.id, zone.price_minor_per_hour,
                   tuple(PackagePrice(minutes, value_minor(minutes, zone.price_minor_per_hour))
                         for minutes in settings.dashboard.packages_minutes))
        for zone in settings.zones
    )
