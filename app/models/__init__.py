"""All tables, imported here so Alembic and the app see one metadata."""

from app.models.accounts import ROLES, HelperLink, Invitation, LoginAttempt, User, UserRole, UserSession
from app.models.addresses import Building
from app.models.audit import AuditEvent
from app.models.base import AwareDateTime, now
from app.models.delivery import (
    Alert,
    DeliveryPlan,
    DeliveryRoute,
    DeliveryStop,
    Driver,
    DriverShift,
    StopEvent,
    UnassignedStop,
    Vehicle,
    WellnessCheck,
)
from app.models.jobs import FILE_JOB_STATES, FileJob
from app.models.menus import (
    DISH_CATEGORIES,
    CatalogueRevision,
    Dish,
    Menu,
    MenuItem,
    MenuTemplate,
    SetMeal,
    SetMealDish,
)
from app.models.orders import Order, OrderEvent, OrderLine, OrderNumberCounter, OrderSubsidy, VoucherPayment
from app.models.people import (
    FULFILMENTS,
    SLOTS,
    TEXTURES,
    Canteen,
    CanteenSlot,
    EmergencyContact,
    Senior,
    split_tags,
)
from app.models.planning import CandidateSite, CareVisit, OutreachCase
from app.models.subsidy import SubsidySchemeVersion

__all__ = [
    "CatalogueRevision",
    "DISH_CATEGORIES", "FULFILMENTS", "ROLES", "SLOTS", "TEXTURES",
    "Alert", "AuditEvent", "AwareDateTime", "Canteen", "CanteenSlot", "DeliveryPlan", "DeliveryRoute",
    "DeliveryStop", "Dish", "Driver", "DriverShift", "EmergencyContact", "HelperLink", "Invitation",
    "LoginAttempt", "Menu", "MenuItem", "MenuTemplate", "Order", "OrderEvent", "OrderLine", "OrderNumberCounter", "OrderSubsidy",
    "Senior", "SetMeal", "SetMealDish", "StopEvent", "SubsidySchemeVersion", "UnassignedStop", "User",
    "UserRole", "UserSession", "Vehicle", "VoucherPayment", "WellnessCheck", "now", "split_tags",
    "CandidateSite", "CareVisit", "OutreachCase",
    "Building",
    "FILE_JOB_STATES", "FileJob",
]
