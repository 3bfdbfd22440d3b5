"""The JSON end-of-day report's shape, as the OpenAPI document states it.

Each section of ``compensator.report.formats.json_format`` is named; the power sections are
spelled out in full: the venue's outages and its seat faults (outages of single seats, listed
apart and left out of the power figures), and what each zone's UPS carried of the day's cuts.
"""

from __future__ import annotations

from typing import Any

INTEGER = {"type": "integer"}
TEXT = {"type": "string"}
MOMENT = {"type": "string", "format": "date-time"}
SPAN = {"type": "object", "required": ["start", "end"], "properties": {"start": MOMENT, "end": MOMENT}}

OUTAGE_ROW: dict[str, Any] = {
    "type": "object",
    "required": ["id", "kind", "scope_kind", "scope_ids", "source", "status", "started_at", "ended_at",
                 "ongoing_at_end", "minutes_in_day", "bridged_by_ups", "logged_by", "note", "compensations",
                 "corrections", "ups_carried"],
    "properties": {
        "id": INTEGER, "kind": {"type": "string", "enum": ["power", "network"]},
        "scope_kind": {"type": "string", "enum": ["venue", "zones", "seats"]},
        "scope_ids": {"type": "array", "items": TEXT}, "source": TEXT, "status": TEXT, "started_at": MOMENT,
        "ended_at": {"anyOf": [MOMENT, {"type": "null"}]}, "ongoing_at_end": {"type": "boolean"},
        "minutes_in_day": INTEGER, "bridged_by_ups": {"type": "boolean"}, "logged_by": TEXT,
        "note": {"anyOf": [TEXT, {"type": "null"}]}, "compensations": INTEGER,
        "corrections": {"type": "array", "items": {"type": "object"}},
        "ups_carried": {
            "type": "array", "description": "what each zone's UPS carried of a power cut's minutes_in_day (the rest "
                                            "it did not); empty for a network failure and a seat fault",
            "items": {"type": "object", "required": ["zone_id", "zone_name", "carried_minutes"],
                      "properties": {"zone_id": TEXT, "zone_name": TEXT, "carried_minutes": INTEGER}}},
    },
}

ZONE_UPS: dict[str, Any] = {
    "type": "object",
    "description": "what one zone's UPS did in the day's power cuts: for each cut over the zone it carried the "
                   "seats for its first ups_minutes, then they were dark (not carried); the two add up to the "
                   "cuts' minutes in the day",
    "required": ["zone_id", "zone_name", "ups_minutes", "cuts", "carried_minutes", "not_carried_minutes"],
    "properties": {"zone_id": TEXT, "zone_name": TEXT, "ups_minutes": INTEGER, "cuts": INTEGER,
                   "carried_minutes": INTEGER, "not_carried_minutes": INTEGER},
}

TIMELINE_ROW: dict[str, Any] = {
    "type": "object",
    "required": ["seat", "zone", "sessions", "dark", "faults"],
    "properties": {"seat": TEXT, "zone": {"anyOf": [TEXT, {"type": "null"}]},
                   "sessions": {"type": "array", "items": SPAN}, "dark": {"type": "array", "items": SPAN},
                   "faults": {"type": "array", "items": SPAN, "description": "the seat faults of this seat"}},
}

DAILY_REPORT: dict[str, Any] = {
    "type": "object",
    "description": "the report's sections; the power figures count the venue's power: the outages of single "
                   "seats are seat_faults, listed apart and left out of outages, figures.outages, "
                   "figures.outage_minutes, reliability and ups_by_zone",
    "required": ["venue_name", "currency", "timezone", "venue_date", "window_start", "window_end", "complete",
                 "generated_at", "figures", "reliability", "outages", "compensations", "anomalies", "timeline",
                 "outage_bands", "takings", "takings_total", "clock", "ups_by_zone", "seat_faults"],
    "properties": {
        "venue_date": {"type": "string", "format": "date"}, "complete": {"type": "boolean"},
        "figures": {"type": "object", "required": ["outages", "outage_minutes", "seat_faults"],
                    "properties": {"outages": INTEGER, "outage_minutes": INTEGER, "seat_faults": INTEGER}},
        "reliability": {"type": "object",
                        "required": ["cuts", "downtime_minutes", "longest_cut_minutes",
                                     "mean_time_to_restore_minutes", "cuts_bridged_by_ups", "bridged_percent"]},
        "outages": {"type": "array", "items": OUTAGE_ROW},
        "seat_faults": {"type": "array", "items": OUTAGE_ROW},
        "ups_by_zone": {"type": "array", "items": ZONE_UPS},
        "timeline": {"type": "array", "items": TIMELINE_ROW},
        "compensations": {"type": "array", "items": {"type": "object"}},
        "anomalies": {"type": "array", "items": {"type": "object"}},
    },
}

NUMBER = {"type": "number"}
MAYBE_NUMBER = {"anyOf": [NUMBER, {"type": "null"}]}
MAYBE_INTEGER = {"anyOf": [INTEGER, {"type": "null"}]}
INDICES_REQUIRED = ["zone", "zone_name", "seats", "cuts", "saifi", "saidi_minutes", "caidi_minutes", "maifi",
                    "asai_percent", "sessions", "sessions_interrupted", "interrupted_percent", "credit_minutes",
                    "credit_value_minor", "takings_minor", "credit_share_percent"]
INDICES: dict[str, Any] = {
    "type": "object",
    "description": "a seat counts as a customer, interrupted when it went dark whether or not someone sat at it: "
                   "saifi cuts that darkened a seat, saidi_minutes minutes a seat was dark, caidi_minutes their "
                   "ratio, maifi cuts its UPS bridged completely, asai_percent the share of the period's minutes "
                   "with power (per seat; the venue's are the zones' weighted by their seats); the venue's power "
                   "only: seat faults and suspected or dismissed outages are left out",
    "required": INDICES_REQUIRED,
    "properties": {"zone": {"anyOf": [TEXT, {"type": "null"}]}, "zone_name": TEXT, "seats": INTEGER, "cuts": INTEGER,
                   "saifi": NUMBER, "saidi_minutes": NUMBER, "caidi_minutes": MAYBE_NUMBER, "maifi": NUMBER,
                   "asai_percent": NUMBER, "sessions": INTEGER, "sessions_interrupted": INTEGER,
                   "interrupted_percent": MAYBE_NUMBER, "credit_minutes": INTEGER, "credit_value_minor": INTEGER,
                   "takings_minor": INTEGER, "credit_share_percent": MAYBE_NUMBER,
                   "margin": {"type": "object", "description": "the zone's UPS (rated minutes) against the median "
                                                               "length of the cuts over it that ended",
                              "required": ["ups_minutes", "median_restore_minutes", "short_minutes", "short_cuts",
                                           "cuts"],
                              "properties": {"ups_minutes": INTEGER, "median_restore_minutes": MAYBE_INTEGER,
                                             "short_minutes": INTEGER, "short_cuts": INTEGER, "cuts": INTEGER}}},
}

PERIOD_REPORT: dict[str, Any] = {
    "type": "object",
    "description": "the owner's report of a period of venue days: reliability per seat, credits, what is owed in "
                   "vouchers, care and retention, findings (most costly first)",
    "required": ["period", "venue", "zones", "days", "restore_minutes", "vouchers", "care", "retention", "findings"],
    "properties": {
        "period": {"type": "object", "required": ["from", "to", "days", "start", "end", "complete"],
                   "properties": {"from": {"type": "string", "format": "date"},
                                  "to": {"type": "string", "format": "date"}, "days": INTEGER, "start": MOMENT,
                                  "end": MOMENT, "complete": {"type": "boolean"}}},
        "venue": INDICES,
        "zones": {"type": "array", "items": {**INDICES, "required": [*INDICES_REQUIRED, "margin"]}},
        "days": {"type": "array", "items": {
            "type": "object", "required": ["date", "cuts", "minutes_lost_per_seat", "credit_minutes",
                                           "credit_value_minor"],
            "properties": {"date": {"type": "string", "format": "date"}, "cuts": INTEGER,
                           "minutes_lost_per_seat": NUMBER, "credit_minutes": INTEGER,
                           "credit_value_minor": INTEGER}}},
        "restore_minutes": {"type": "object", "required": ["cuts", "median", "p90"],
                            "description": "nearest-rank percentiles of the lengths of the cuts that ended",
                            "properties": {"cuts": INTEGER, "median": MAYBE_INTEGER, "p90": MAYBE_INTEGER}},
        "vouchers": {"type": "object",
                     "required": ["outstanding_count", "outstanding_minutes", "outstanding_value_minor", "by_age",
                                  "expiring_7_days_count", "expiring_7_days_value_minor", "issued", "redeemed",
                                  "expired", "expired_value_minor"],
                     "properties": {"outstanding_count": INTEGER, "outstanding_minutes": INTEGER,
                                    "outstanding_value_minor": INTEGER, "by_age": {"type": "array"},
                                    "expiring_7_days_count": INTEGER, "expiring_7_days_value_minor": INTEGER,
                                    "issued": INTEGER, "redeemed": INTEGER, "expired": INTEGER,
                                    "expired_value_minor": INTEGER}},
        "care": {"type": "object", "required": ["attendants", "letters_pending", "pending_value_minor"],
                 "properties": {"attendants": {"type": "array", "items": {"type": "object"}},
                                "letters_pending": INTEGER, "pending_value_minor": INTEGER}},
        "retention": {"type": "object", "required": ["issued", "redeemed_within_7_days", "redeemed_within_30_days"],
                      "properties": {"issued": INTEGER, "redeemed_within_7_days": INTEGER,
                                     "redeemed_within_30_days": INTEGER}},
        "findings": {"type": "array", "items": {"type": "object", "required": ["text", "cost_minor"],
                                                "properties": {"text": TEXT, "cost_minor": INTEGER}}},
    },
}
