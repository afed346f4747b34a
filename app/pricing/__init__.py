"""The subsidy pricing engine: pure Python, no framework, no database.

`price(facts, request, usage, scheme)` turns a senior's eligibility on the service date, one order and the
subsidy already used into a balanced `PriceBreakdown`. Schemes are data (`load_scheme`, `builtin_scheme`);
`scheme_in_force` picks the version for a date."""

from app.pricing.breakdown import PriceBreakdown, SubsidyShare
from app.pricing.builtin import BUILTIN_SCHEME_KEYS, DEFAULT_SCHEME_KEY, builtin_scheme, builtin_scheme_data
from app.pricing.describe import describe
from app.pricing.engine import full_price, price, scheme_in_force
from app.pricing.facts import (
    CHANNEL_NAMES,
    CHANNELS,
    DISABILITY_LEVELS,
    ECONOMIC_STATUSES,
    SLOT_NAMES,
    SLOTS,
    EligibilityFacts,
    Line,
    PriceRequest,
    Usage,
    UsageRecord,
    full_years,
    usage_from,
)
from app.pricing.loading import load_scheme, load_scheme_json, parse_json
from app.pricing.money import yuan
from app.pricing.scheme import AREA_LEVELS, BENEFIT_KINDS, Area, Scheme

__all__ = [
    "AREA_LEVELS",
    "Area",
    "BENEFIT_KINDS",
    "DISABILITY_LEVELS",
    "ECONOMIC_STATUSES",
    "BUILTIN_SCHEME_KEYS",
    "CHANNELS",
    "DEFAULT_SCHEME_KEY",
    "CHANNEL_NAMES",
    "SLOTS",
    "SLOT_NAMES",
    "EligibilityFacts",
    "Line",
    "PriceBreakdown",
    "PriceRequest",
    "Scheme",
    "SubsidyShare",
    "Usage",
    "UsageRecord",
    "builtin_scheme",
    "builtin_scheme_data",
    "describe",
    "full_price",
    "full_years",
    "load_scheme",
    "load_scheme_json",
    "parse_json",
    "price",
    "scheme_in_force",
    "usage_from",
    "yuan",
]
