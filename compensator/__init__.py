"""Compensator: an outage compensation engine for pay-per-time venues.

The package is the engine: configuration, the clock, the store, the pure domain core and the
service layer. It never imports Flask; the dashboard and JSON API live in the ``web`` package.
"""

__version__ = "0.1.0"
