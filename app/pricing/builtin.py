"""The schemes shipped as JSON in `app/pricing/schemes/`: the 普陀 default and two further examples."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from app.pricing.loading import load_scheme
from app.pricing.scheme import Scheme

BUILTIN_SCHEME_KEYS = ("shanghai-putuo", "guangzhou-city", "guangzhou-zengcheng-2020")
DEFAULT_SCHEME_KEY = "shanghai-putuo"


def builtin_scheme_data(key: str) -> dict[str, Any]:
    """The raw JSON of a shipped scheme (what a database seed stores). Raises KeyError for an unknown key."""
    if key not in BUILTIN_SCHEME_KEYS:
        raise KeyError(key)
    text = resources.files("app.pricing").joinpath("schemes", f"{key}.json").read_text(encoding="utf-8")
    return json.loads(text)


def builtin_scheme(key: str) -> Scheme:
    return load_scheme(builtin_scheme_data(key))
