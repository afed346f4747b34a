"""Every user-facing sentence the Python code produces, in Chinese, in one place.

Templates hold their own wording; this module holds what services and handlers say. Each area keeps its own
section below, headed by a comment.
"""

from __future__ import annotations

# ---------------------------------------------------------------- general / foundation
SLOT_NAMES = {"breakfast": "早餐", "lunch": "午餐", "dinner": "晚餐"}
FULFILMENT_NAMES = {"dine_in": "堂食", "pickup": "自取", "delivery": "送餐上门"}
ROLE_NAMES = {
    "senior": "长者",
    "helper": "家属 / 志愿者",
    "counter": "窗口工作人员",
    "kitchen": "厨房",
    "dispatcher": "调度员",
    "driver": "送餐员",
    "operator": "运营管理员",
}
ORDER_STATUS_NAMES = {
    "placed": "已订",
    "cancelled": "已取消",
    "served": "已就餐",
    "delivered": "已送达",
    "no_answer": "无人应答",
    "refunded": "已退款",
}
VEHICLE_KIND_NAMES = {"ebike": "电动车", "car": "汽车", "foot": "步行"}

NOT_FOUND = "没有找到这个页面或记录。"
SERVER_ERROR = "系统出了点问题，您填写的内容没有丢失，请稍后再试，或拨打求助电话。"
BAD_REQUEST = "提交的内容有误，请检查后再试。"
BODY_TOO_LARGE = "上传的内容太大了，请不要超过 {limit_mb} MB。"
MALFORMED_JSON = "请求内容不是有效的 JSON。"
VALIDATION_FAILED = "提交的内容有误：{detail}"
CSRF_FAILED = "页面已过期，请刷新后重新提交。"
METHOD_NOT_ALLOWED = "不支持这种操作。"

# ---------------------------------------------------------------- accounts and roles
LOGIN_REQUIRED = "请先登录。"
FORBIDDEN = "您没有权限查看这个页面。"
FORBIDDEN_OBJECT = "您没有权限查看或操作这条记录。"
LOGIN_FAILED = "手机号或密码不对，请再试一次。"
SENIOR_LOGIN_FAILED = "卡号或密码不对，请再试一次，也可以请工作人员或家属帮您点餐。"
LOGIN_SLOWED = "尝试次数较多，为了安全，请 {seconds} 秒后再试。"
ACCOUNT_DISABLED = "这个账号已停用，请联系运营管理员。"
PHONE_REQUIRED = "请填写手机号。"
PHONE_INVALID = "手机号应为 11 位数字，以 1 开头。"
PASSWORD_REQUIRED = "请填写密码。"
PASSWORD_TOO_SHORT = "密码至少 8 位。"
CARD_REQUIRED = "请填写助餐卡号。"
PIN_REQUIRED = "请填写卡密码（4 到 6 位数字）。"
SIGNED_OUT_EVERYWHERE = "已在所有设备上退出登录。"
