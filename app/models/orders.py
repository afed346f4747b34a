"""Orders with their immutable price snapshot: the ledger that monthly settlement (补贴核销) sums."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.base import ts_field

ORDER_STATUSES = ("placed", "cancelled", "served", "delivered", "no_answer", "refunded")
PLACED_VIA = ("self", "helper", "counter", "api")
# Orders that hold their meal and their subsidy: cancelled and refunded ones release both.
STANDING_STATUSES = ("placed", "served", "delivered", "no_answer")
_STANDING = "status IN (" + ", ".join(repr(s) for s in STANDING_STATUSES) + ")"
_CLAIMS_DAY = _STANDING + " AND subsidy_day IS NOT NULL"


class Order(SQLModel, table=True):
    """One senior's meal at one canteen, date and slot.

    The (menu_id, canteen_id, service_date, slot) foreign key makes an order for a date or slot the menu does not
    serve impossible at the database level, not only in the service. Two partial unique indexes (SQLite and
    PostgreSQL both have them) hold whatever races the service loses: one standing order per senior, date and
    slot, and one standing subsidised order per senior, scheme and `subsidy_day` (set when the scheme grants
    one subsidised meal a day).
    """

    __tablename__ = "meal_order"
    __table_args__ = (
        ForeignKeyConstraint(
            ["menu_id", "canteen_id", "service_date", "slot"],
            ["menu.id", "menu.canteen_id", "menu.service_date", "menu.slot"],
            name="fk_meal_order_menu_identity",
        ),
        UniqueConstraint("id", "menu_id", name="uq_meal_order_identity"),
        UniqueConstraint("placed_by_id", "idempotency_key", name="uq_meal_order_idempotency"),
        # The number read out over the phone: short, counted per service date and canteen, never twice.
        UniqueConstraint("service_date", "canteen_id", "short_no", name="uq_meal_order_short_no"),
        CheckConstraint("short_no IS NULL OR (short_no >= 1 AND short_no <= 999999)", name="short_no_range"),
        CheckConstraint("status IN (" + ", ".join(repr(s) for s in ORDER_STATUSES) + ")", name="status"),
        CheckConstraint("placed_via IN (" + ", ".join(repr(s) for s in PLACED_VIA) + ")", name="placed_via"),
        CheckConstraint("fulfilment IN ('dine_in', 'pickup', 'delivery')", name="fulfilment"),
        CheckConstraint(
            "list_fen >= 0 AND discount_fen >= 0 AND subsidy_fen >= 0 AND payable_fen >= 0"
            " AND delivery_fee_fen >= 0 AND subsidised_meals >= 0",
            name="money_nonneg",
        ),
        CheckConstraint("list_fen = discount_fen + subsidy_fen + payable_fen", name="price_balances"),
        Index("uq_meal_order_standing_slot", "senior_id", "service_date", "slot", unique=True,
              sqlite_where=text(_STANDING), postgresql_where=text(_STANDING)),
        Index("uq_meal_order_subsidy_day", "senior_id", "scheme_key", "subsidy_day", unique=True,
              sqlite_where=text(_CLAIMS_DAY), postgresql_where=text(_CLAIMS_DAY)),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_no: str = Field(max_length=20, unique=True)
    # 1.. per (service_date, canteen), taken from OrderNumberCounter; shown as 4-6 digits (0012).
    short_no: int | None = None
    senior_id: int = Field(foreign_key="senior.id", index=True)
    canteen_id: int = Field(foreign_key="canteen.id", index=True)
    menu_id: int = Field(index=True)
    service_date: date = Field(index=True)
    slot: str = Field(max_length=12)
    fulfilment: str = Field(max_length=12)
    status: str = Field(default="placed", max_length=12, index=True)
    placed_by_id: int = Field(foreign_key="app_user.id")
    placed_via: str = Field(max_length=8)
    idempotency_key: str = Field(max_length=64)
    created_at: datetime = ts_field(default_now=True)
    changeable_until: datetime = ts_field()
    cancelled_at: datetime | None = ts_field(nullable=True)
    # Delivery address as it was when ordered: a later move must not reroute a posted order.
    address_snapshot: str = Field(default="", max_length=300)
    lat: float | None = None
    lng: float | None = None
    # The price snapshot (all integer fen). delivery_fee_fen is part of list_fen when charged.
    list_fen: int
    discount_fen: int = 0
    subsidy_fen: int = 0
    payable_fen: int
    delivery_fee_fen: int = 0
    subsidised_meals: int = 0
    # The service date when this order takes the senior's one subsidised meal of the day, else NULL.
    subsidy_day: date | None = None
    scheme_key: str = Field(default="", max_length=60)
    scheme_version: int = 0
    category_key: str = Field(default="", max_length=40)
    category_name: str = Field(default="", max_length=80)
    explanation: str = Field(default="", max_length=300)
    price_detail: str = Field(default="{}")
    note: str = Field(default="", max_length=200)


class OrderNumberCounter(SQLModel, table=True):
    """The last short order number given out for one service date at one canteen.

    One conditional UPDATE ... RETURNING per order takes the next number under the row lock, so two orders
    placed at the same moment never get the same number (the unique constraint on the order is the backstop).
    """

    __tablename__ = "order_number_counter"
    __table_args__ = (CheckConstraint("last_no >= 0 AND last_no <= 999999", name="last_no_range"),)

    service_date: date = Field(primary_key=True)
    canteen_id: int = Field(foreign_key="canteen.id", primary_key=True)
    last_no: int = 0


class OrderLine(SQLModel, table=True):
    """A menu item on an order; its item must belong to the order's own menu (composite foreign keys)."""

    __tablename__ = "order_line"
    __table_args__ = (
        ForeignKeyConstraint(["order_id", "menu_id"], ["meal_order.id", "meal_order.menu_id"],
                             name="fk_order_line_order_identity", ondelete="CASCADE"),
        ForeignKeyConstraint(["menu_item_id", "menu_id"], ["menu_item.id", "menu_item.menu_id"],
                             name="fk_order_line_item_identity"),
        CheckConstraint("quantity BETWEEN 1 AND 20", name="quantity"),
        CheckConstraint("unit_price_fen >= 0", name="price_nonneg"),
        CheckConstraint("texture IN ('普通', '软食', '碎食', '糊状')", name="texture"),
        CheckConstraint("portion IN ('标准', '小份')", name="portion"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(index=True)
    menu_id: int
    menu_item_id: int = Field(index=True)
    name: str = Field(max_length=60)
    quantity: int = 1
    texture: str = Field(default="普通", max_length=4)
    portion: str = Field(default="标准", max_length=4)
    unit_price_fen: int


class OrderEvent(SQLModel, table=True):
    """Status history: who moved the order to which state, and when."""

    __tablename__ = "order_event"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="meal_order.id", index=True, ondelete="CASCADE")
    at: datetime = ts_field(default_now=True)
    status: str = Field(max_length=12)
    by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    note: str = Field(default="", max_length=200)


class OrderSubsidy(SQLModel, table=True):
    """One funder's share of an order's subsidy (city / district / town); sums to the order's subsidy_fen."""

    __tablename__ = "order_subsidy"
    __table_args__ = (
        UniqueConstraint("order_id", "funder_key", name="uq_order_subsidy_order_funder"),
        CheckConstraint("amount_fen >= 0", name="amount_nonneg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="meal_order.id", index=True, ondelete="CASCADE")
    funder_key: str = Field(max_length=40)
    funder_name: str = Field(max_length=60)
    category_key: str = Field(max_length=40)
    amount_fen: int


class VoucherPayment(SQLModel, table=True):
    """养老服务消费补贴 voucher redeemed against an order's payable: a payment, not a price tier. The rows are a
    ledger: a refund or correction is a new negative row pointing at the payment it reverses, never an edit."""

    __tablename__ = "voucher_payment"
    __table_args__ = (
        CheckConstraint("amount_fen <> 0", name="amount_nonzero"),
        CheckConstraint("(reverses_id IS NULL AND amount_fen > 0) OR (reverses_id IS NOT NULL AND amount_fen < 0)",
                        name="reversal_negative"),
        UniqueConstraint("reverses_id", name="uq_voucher_payment_reverses_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="meal_order.id", index=True)
    voucher_no: str = Field(max_length=40)
    amount_fen: int
    at: datetime = ts_field(default_now=True)
    recorded_by_id: int = Field(foreign_key="app_user.id")
    # The payment this row takes back (refund, cancellation, correction); at most one reversal per payment.
    reverses_id: int | None = Field(default=None, foreign_key="voucher_payment.id")
    reason: str = Field(default="", max_length=200)
