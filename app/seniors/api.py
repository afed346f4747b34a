"""A senior's residence and eligibility facts as JSON under /api/v1 (operators only), the facts subsidy schemes
read (app.pricing.facts): 户籍 and 居住地 kept apart, the ID number masked. Changes go through the record
form's own rules and are audited the same way."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.core.deps import SessionDep, allow
from app.core.principal import Principal
from app.core.privacy import mask_id_number
from app.models import Senior
from app.seniors import service as seniors_admin

router = APIRouter(prefix="/api/v1/seniors", tags=["长者"])
OPERATOR = allow("operator")


class SeniorFactsOut(BaseModel):
    id: int
    name: str
    id_number_masked: str = Field(description="身份证号（打码）")
    birth_date: date
    hukou_city: str = Field(description="户籍城市，如 上海")
    hukou_district: str = Field(description="户籍区，如 静安；不知道时为空")
    residence_city: str = Field(description="居住城市")
    residence_district: str = Field(description="居住区")
    residence_street: str = Field(description="居住街道（镇）")
    economic_status: str = Field(description="低保 / 低收入 / 特困 / 空")
    economic_valid_from: date | None
    economic_valid_to: date | None
    care_level: int | None = Field(description="照护等级 0–6；未评估为空")
    disability_level: str
    lives_alone: bool
    all_elderly_household: bool
    special_groups: list[str]
    allergies: list[str] = Field(description="过敏原（按区里的过敏原清单）")


class ResidenceIn(BaseModel):
    hukou_city: str = Field(max_length=20, description="户籍城市")
    hukou_district: str = Field(default="", max_length=20, description="户籍区")
    residence_city: str = Field(max_length=20, description="居住城市")
    residence_district: str = Field(max_length=20, description="居住区")
    residence_street: str = Field(default="", max_length=40, description="居住街道（镇）")


def _out(s: Senior) -> SeniorFactsOut:
    return SeniorFactsOut(
        id=s.id or 0, name=s.name, id_number_masked=mask_id_number(s.id_number), birth_date=s.birth_date,
        hukou_city=s.hukou_city, hukou_district=s.hukou_district, residence_city=s.residence_city,
        residence_district=s.residence_district, residence_street=s.residence_street,
        economic_status=s.economic_status, economic_valid_from=s.economic_valid_from,
        economic_valid_to=s.economic_valid_to, care_level=s.care_level, disability_level=s.disability_level,
        lives_alone=s.lives_alone, all_elderly_household=s.all_elderly_household,
        special_groups=s.special_groups.split(",") if s.special_groups else [], allergies=s.allergy_list)


@router.get("/{senior_id}", name="api_seniors:facts", response_model=SeniorFactsOut)
def senior_facts(session: SessionDep, senior_id: int, principal: Principal = OPERATOR) -> SeniorFactsOut:
    seniors_admin.check_scope(session, principal, senior_id)
    return _out(seniors_admin.open_record(session, senior_id, user_id=principal.user_id))


@router.put("/{senior_id}/residence", name="api_seniors:residence", response_model=SeniorFactsOut)
def senior_residence(session: SessionDep, senior_id: int, body: ResidenceIn,
                     principal: Principal = OPERATOR) -> SeniorFactsOut:
    senior = seniors_admin.check_scope(session, principal, senior_id)
    form = seniors_admin.form_of(senior) | body.model_dump()
    return _out(seniors_admin.update_senior(session, senior_id, form, user_id=principal.user_id))
