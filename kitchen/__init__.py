"""Pure kitchen library: prep totals, special diets, packing lists and label data from order lines.

Standard library only. Input is `KitchenLine`s built by the caller (names already masked); a published
delivery plan arrives as a plain mapping order_key -> (route_key, stop_no). Malformed input raises ValueError.
"""

from kitchen.bags import (
    TEXTURE_FLAGS,
    Bag,
    BagItem,
    StopOrder,
    bags_from_lines,
    check_stop_order,
    natural_key,
)
from kitchen.diets import (
    Destination,
    SpecialDietEntry,
    SpecialDietItem,
    SpecialDietList,
    build_special_diet_list,
    is_special,
)
from kitchen.labels import EAT_WITHIN, HOT_HELD_EAT_WITHIN, Label, build_labels, eat_by
from kitchen.line import (
    CANCELLED,
    DELIVERY,
    DINE_IN,
    FULFILMENTS,
    PICKUP,
    PORTIONS,
    REGULAR_TEXTURE,
    TEXTURES,
    KitchenLine,
)
from kitchen.packing import (
    AREA,
    KINDS,
    ROUTE,
    UNROUTED,
    LoadLine,
    PackingList,
    PackingPlan,
    RouteInfo,
    build_packing,
)
from kitchen.prep import (
    SAMPLE_KEEP,
    SAMPLE_MIN_G,
    DishTotal,
    PrepRow,
    PrepSheet,
    SampleRow,
    build_prep_sheet,
    sample_checklist,
)

__all__ = [
    "AREA",
    "CANCELLED",
    "DELIVERY",
    "DINE_IN",
    "EAT_WITHIN",
    "FULFILMENTS",
    "HOT_HELD_EAT_WITHIN",
    "KINDS",
    "PICKUP",
    "PORTIONS",
    "REGULAR_TEXTURE",
    "ROUTE",
    "SAMPLE_KEEP",
    "SAMPLE_MIN_G",
    "TEXTURES",
    "TEXTURE_FLAGS",
    "UNROUTED",
    "Bag",
    "BagItem",
    "Destination",
    "DishTotal",
    "KitchenLine",
    "Label",
    "LoadLine",
    "PackingList",
    "PackingPlan",
    "PrepRow",
    "PrepSheet",
    "RouteInfo",
    "SampleRow",
    "SpecialDietEntry",
    "SpecialDietItem",
    "SpecialDietList",
    "StopOrder",
    "bags_from_lines",
    "build_labels",
    "build_packing",
    "build_prep_sheet",
    "build_special_diet_list",
    "check_stop_order",
    "eat_by",
    "is_special",
    "natural_key",
    "sample_checklist",
]
