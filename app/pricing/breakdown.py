"""The priced order: 原价 − 折扣 − 补贴 = 自付, frozen and always balanced: it is stored as the ledger."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class SubsidyShare:
    funder_key: str
    funder_name: str
    amount_fen: int

    def __post_init__(self) -> None:
        if self.amount_fen <= 0:
            raise ValueError(f"share of {self.funder_key} must be > 0 fen, got {self.amount_fen}")


@dataclass(frozen=True)
class PriceBreakdown:
    """All amounts in fen. `list_fen` includes `delivery_fee_fen`; `subsidy_fen` is the sum of `shares`;
    list = discount + subsidy + payable, checked on construction. `category_key` is empty when no subsidy
    was granted; `subsidised_meals` (0 or 1) is what the order takes from the caps."""

    scheme_key: str
    scheme_version: int
    list_fen: int
    delivery_fee_fen: int
    discount_fen: int
    discount_key: str
    discount_name: str
    discount_funder_key: str
    discount_funder_name: str
    shares: tuple[SubsidyShare, ...]
    subsidy_fen: int
    payable_fen: int
    subsidised_meals: int
    category_key: str
    category_name: str
    explanation: str

    def __post_init__(self) -> None:
        amounts = (
            self.list_fen,
            self.delivery_fee_fen,
            self.discount_fen,
            self.subsidy_fen,
            self.payable_fen,
        )
        if min(amounts) < 0:
            raise ValueError(f"amounts must be >= 0 fen: {amounts}")
        if self.subsidy_fen != sum(share.amount_fen for share in self.shares):
            raise ValueError(f"subsidy {self.subsidy_fen} differs from the sum of its funders' shares")
        if self.list_fen != self.discount_fen + self.subsidy_fen + self.payable_fen:
            raise ValueError(
                f"breakdown does not balance: list {self.list_fen} != discount {self.discount_fen}"
                f" + subsidy {self.subsidy_fen} + payable {self.payable_fen}"
            )
        if self.subsidised_meals != int(self.subsidy_fen > 0):
            raise ValueError("subsidised_meals must be 1 exactly when a subsidy is granted")

    @property
    def food_fen(self) -> int:
        return self.list_fen - self.delivery_fee_fen

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot (the order's immutable ledger entry)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PriceBreakdown:
        shares = tuple(SubsidyShare(**share) for share in data["shares"])
        return cls(**{**data, "shares": shares})
