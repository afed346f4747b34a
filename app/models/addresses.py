"""A district's register of residential compounds (小区) and their buildings, with coordinates, so seniors'
addresses find their map point offline (issue 14)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel


class Building(SQLModel, table=True):
    """One building of a compound. `road_key` is the normalised street address ("江宁路1000弄5号", see
    app.seniors.address), `compound_key` the compound's normalised names; both are what matching compares."""

    __tablename__ = "building"
    __table_args__ = (
        UniqueConstraint("district", "compound", "number", name="uq_building_district_compound_number"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lng BETWEEN -180 AND 180", name="coords"),
        CheckConstraint("floors IS NULL OR floors BETWEEN 1 AND 60", name="floors"),
    )

    id: int | None = Field(default=None, primary_key=True)
    district: str = Field(default="", max_length=20)
    compound: str = Field(max_length=60)
    aliases: str = Field(default="", max_length=200)  # 小区 aliases, comma-separated
    road: str = Field(default="", max_length=60)  # "江宁路1000弄"
    number: str = Field(max_length=10)  # the building's 号 ("5")
    road_key: str = Field(default="", max_length=120, index=True)
    lat: float  # WGS-84
    lng: float
    floors: int | None = None
    has_lift: bool | None = None
