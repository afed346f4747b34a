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
# accounts: invitations, roles, helper links, senior PINs, audit log (issue 3)
NAME_REQUIRED = "请填写姓名。"
NAME_TOO_LONG = "姓名最多 40 个字。"
PHONE_TAKEN = "这个手机号已经有账号了，请在账号列表里找到它修改。"
ROLES_REQUIRED = "请至少选择一个角色。"
ROLE_UNKNOWN = "没有这个角色。"
ROLE_NEEDS_CANTEEN = "{role}需要选择所属食堂。"
ROLE_NO_SENIOR = "长者账号在窗口设置卡密码时自动开通，不能在这里邀请。"
CANTEEN_UNKNOWN = "没有找到这个食堂。"
USER_NOT_FOUND = "没有找到这个账号。"
CANNOT_CHANGE_SELF = "不能停用自己的账号，也不能去掉自己的运营管理员角色。"
INVITED = "已创建 {name} 的账号。请把下面的链接发给本人，7 天内有效，只显示这一次。"
REINVITED = "已为 {name} 生成新的设置密码链接，旧链接和所有已登录设备都已失效。"
ROLES_SAVED = "{name} 的角色已保存。"
USER_DEACTIVATED = "{name} 的账号已停用，所有设备都已退出登录。"
USER_ACTIVATED = "{name} 的账号已重新启用。"
USER_SIGNED_OUT = "{name} 已在所有设备上退出登录。"
INVITATION_INVALID = "这个链接无效或已经用过了，请联系运营管理员重新发送。"
INVITATION_EXPIRED = "这个链接已过期，请联系运营管理员重新发送。"
PASSWORD_MISMATCH = "两次填写的密码不一样，请重新填写。"
PASSWORD_TOO_LONG = "密码最多 128 位。"
PASSWORD_IS_PHONE = "密码不能和手机号相同。"
PASSWORD_TOO_SIMPLE = "这个密码太容易被猜到（如 12345678、重复的字、带手机号），请换一个。"
PASSWORD_SET = "密码已设置，欢迎使用。"
PIN_INVALID = "卡密码应为 4 到 6 位数字。"
PIN_MISMATCH = "两次填写的卡密码不一样。"
PIN_TOO_SIMPLE = "卡密码太简单了（如 1111、1234），请换一个。"
PIN_SET = "{name} 的卡密码已设置，以前登录的设备都已退出。"
SENIOR_NO_CARD = "这位长者还没有助餐卡号，请先在长者资料里登记卡号。"
SENIOR_OTHER_CANTEEN = "这位长者不是本食堂登记的，请由所属食堂或运营管理员设置卡密码。"
HELPER_PHONE_UNKNOWN = "没有找到这个手机号的家属 / 志愿者账号，请先邀请。"
HELPER_NOT_HELPER = "这个账号不是家属 / 志愿者，请先给它加上“家属 / 志愿者”角色。"
SENIOR_CARD_UNKNOWN = "没有找到这个助餐卡号。"
RELATION_REQUIRED = "请填写关系，如 女儿、邻居、志愿者。"
CONSENT_BY_REQUIRED = "请填写是谁同意的（长者本人或其监护人的姓名）。"
CONSENT_METHOD_INVALID = "请选择同意方式：书面、当面、电话或视频。"
CONSENT_DATE_INVALID = "同意日期格式应为 年-月-日，如 2026-11-22。"
CONSENT_DATE_FUTURE = "同意日期不能晚于今天。"
LINK_EXISTS = "这位家属 / 志愿者已经关联了这位长者。"
LINK_NOT_FOUND = "没有找到这条关联。"
LINK_ALREADY_REVOKED = "这条关联已经解除了。"
LINK_SAVED = "已关联：{helper} 可以为 {senior} 代订餐。"
LINK_REVOKED = "已解除 {helper} 与 {senior} 的关联。"
AUDIT_DATE_INVALID = "日期格式应为 年-月-日，如 2026-11-22。"
AUDIT_RANGE_INVALID = "结束日期不能早于开始日期。"
PIN_SAVED = "卡密码已保存。"
AUDIT_ACTION_NAMES = {
    "user.invite": "邀请账号",
    "user.reinvite": "重发设置密码链接",
    "user.password_set": "设置密码",
    "user.roles": "修改角色",
    "user.deactivate": "停用账号",
    "user.activate": "启用账号",
    "user.sign_out_everywhere": "所有设备退出登录",
    "senior.pin_set": "设置长者卡密码",
    "senior.view": "查看长者完整资料",
    "helper_link.create": "关联家属 / 志愿者",
    "helper_link.revoke": "解除关联",
    "export.personal": "导出含个人信息的数据",
    "export": "导出数据",
    "kitchen_pdf_export": "导出厨房单据 PDF",
    "settlement.exported": "导出补贴结算",
    "scheme.version_added": "新增补贴方案版本",
    "voucher.redeemed": "使用消费券",
    "senior.import": "导入长者资料",
    "senior.eligibility": "修改长者资格认定",
    "senior.update": "修改长者资料",
    "senior.pause": "暂停送餐",
    "senior.resume": "恢复送餐",
    "senior.deceased": "标记长者已故",
    "senior.moved": "标记长者迁出",
    "report.export": "导出统计报表",
    "canteen.save": "修改食堂",
    "canteen.slot": "修改餐次设置",
    "dish.save": "保存菜品",
    "set_meal.save": "保存套餐",
    "menu.add_item": "菜单加菜",
    "menu.update_item": "修改菜单项",
    "menu.remove_item": "菜单删菜",
    "menu.move_item": "调整菜单顺序",
    "menu.copy_week": "复制一周菜单",
    "menu.save_template": "保存轮换菜单",
    "menu.apply_template": "套用轮换菜单",
    "menu.publish_week": "发布一周菜单",
    "driver.save": "保存送餐员",
    "vehicle.save": "保存车辆",
    "shift.save": "排班",
    "shift.delete": "删除排班",
    "senior.counter_search": "窗口查找长者",
    "order.placed_by_helper": "家属 / 志愿者代订餐",
    "order.placed_by_counter": "窗口代订餐",
    "order.checked_in": "就餐核销",
    "care_visit.record": "记录探访",
    "outreach.update": "更新走访名单",
    "plan_publish_past_safety_limit": "超出送餐安全时限仍发布路线",
    "planning.export": "导出规划数据",
    "senior.card_reissue": "补办助餐卡",
    "senior.import_upload": "上传长者名册",
    "senior.import_preview": "预览长者名册导入",
    "senior.point": "设置送餐位置",
}
LINK_DONE = "关联已保存：这位家属 / 志愿者现在可以为这位长者代订餐、查看送餐情况。"
LINK_UNDONE = "关联已解除：对方不能再为这位长者代订餐或查看送餐情况。"
SENIOR_ACCOUNT_NO_ROLES = "长者的助餐卡账号只用卡密码登录，不能再加其他角色；请用手机号另外邀请一个账号。"
CONTROL_CHARACTERS = "提交的内容里有不可见的控制字符，请删掉后再试。"
ROLE_OUT_OF_SCOPE = "您只能在自己负责的食堂分配角色；运营管理员角色只能由负责全部食堂的运营管理员分配。"
USER_OUT_OF_SCOPE = "这个账号不在您负责的食堂范围内。"
SENIOR_OUT_OF_SCOPE = "这位长者不在您负责的食堂范围内。"
AUDIT_ALL_CANTEENS_ONLY = "审计日志只有负责全部食堂的运营管理员可以查看。"
AUDIT_OBJECT_NAMES = {
    "user": "账号", "senior": "长者", "helper_link": "家属关联", "meal_order": "订单", "menu": "菜单",
    "menu_item": "菜单项", "dish": "菜品", "set_meal": "套餐", "canteen": "食堂", "subsidy_scheme_version": "补贴方案",
    "settlement": "结算", "report": "报表", "driver": "送餐员", "vehicle": "车辆", "driver_shift": "排班",
}
CONSENT_METHODS = ("书面", "当面", "电话", "视频")

# ---------------------------------------------------------------- subsidy pricing and settlement (issue 4)
NO_SCHEME_IN_FORCE = "该日期没有生效的补贴方案，按原价计费"
SENIOR_NOT_FOUND = "没有找到这位长者。"
CANTEEN_NOT_FOUND = "没有找到这个食堂。"
ORDER_NOT_FOUND = "没有找到这笔订单。"
SCHEME_NOT_FOUND = "没有找到这个补贴方案。"
SCHEME_BODY_REQUIRED = "请填写方案内容（JSON）。"
SCHEME_BODY_NOT_OBJECT = "方案内容应为一个 JSON 对象：以 { 开头，以 } 结尾。"
SCHEME_KEY_FIXED = "这里只能添加方案“{key}”的新版本，方案内容里的 key 不能改成“{given}”。"
SCHEME_DATE_REQUIRED = "请填写生效日期，格式如 2027-01-01。"
SCHEME_DATE_INVALID = "生效日期格式不对，应为 年-月-日，如 2027-01-01。"
SCHEME_DATE_TOO_EARLY = "新版本最早从明天（{day}）起生效：已下的订单按下单时的方案计价，不会改变。"
SCHEME_DATE_BEFORE_LATEST = "生效日期不能早于现有最新版本 v{version} 的生效日期 {day}。"
SCHEME_VERSION_ADDED = "方案“{name}”第 {version} 版已保存，自 {day} 起生效。"
SCHEME_VERSION_TAKEN = "刚刚有其他人保存了这个方案的新版本，请打开方案历史查看后再添加。"
VOUCHER_NO_REQUIRED = "请填写消费券编号。"
VOUCHER_AMOUNT_INVALID = "金额应为大于 0 的数字，最多两位小数，如 5 或 5.50。"
VOUCHER_OVER_PAYABLE = "这笔订单自付 {payable} 元，已用消费券 {used} 元，本次最多还能抵扣 {left} 元。"
VOUCHER_ORDER_CANCELLED = "已取消或已退款的订单不能使用消费券。"
VOUCHER_NOT_ELIGIBLE = "养老服务消费补贴仅限中度及以上失能老人使用。"
SETTLEMENT_MONTH_INVALID = "月份格式应为 年-月，如 2026-11。"
SETTLEMENT_RANGE_INVALID = "请填写起止日期，结束日期不能早于开始日期。"
SETTLEMENT_DATE_INVALID = "日期格式应为 年-月-日，如 2026-10-01。"
SETTLEMENT_EXCEPTION_NAMES = {
    "cancelled_after_service": "服务后取消",
    "refunded": "退款",
    "no_answer": "送餐无人应答",
    "category_changed": "期间补贴类别变化",
    "eligibility_changed": "期间经济状况认定变化",
    "shares_mismatch": "出资分摊与订单补贴不符",
    "delivery_unsigned": "送餐无签收记录",
}
SIGNOFF_STATUS_NAMES = {
    "delivered": "已送达",
    "no_answer": "无人应答",
    "problem": "有问题",
    "pending": "未登记",
    "unplanned": "未排入路线",
}

# ---------------------------------------------------------------- kitchen sheets (issue 6)
KITCHEN_OTHER_CANTEEN = "这是其他食堂的厨房单据，您只能查看和打印本食堂（及其供餐的助餐点）的单据。"
KITCHEN_NO_SLOT = "{canteen}没有设置{slot}。"
KITCHEN_NO_CANTEEN = "您的账号还没有关联食堂厨房，请联系运营管理员。"
KITCHEN_BAD_DATE = "日期格式应为 年-月-日，如 2026-11-23。"
KITCHEN_ROUTE_NAME = "{prefix} {number}号线"
KITCHEN_SHEET_NAMES = {"prep": "生产单", "diets": "特殊膳食单", "packing": "装箱单", "labels": "餐盒标签"}

# ---------------------------------------------------------------- dispatch, drivers, alerts, family view (issue 8)
JOB_STAGE_NAMES = {
    "queued": "排队等待规划",
    "started": "开始规划",
    "screened": "已检查每个站点能否送达",
    "improving": "正在寻找更短的路线",
    "saving": "正在保存路线",
    "done": "规划完成",
    "failed": "规划失败",
}
JOB_FAILED = "规划没有完成：{detail}。请稍后再点“规划路线”，或拨打求助电话。"
JOB_INTERNAL_ERROR = "规划程序内部出错（{kind}），已记入日志"
JOB_ALREADY_RUNNING = "路线正在规划中，请稍候，不必重复点击。"
JOB_QUEUED = "已开始在后台规划路线，页面会显示进度。"
DISPATCH_NO_CANTEEN = "您的账号还没有关联食堂，请联系运营管理员。"
DISPATCH_OTHER_CANTEEN = "这是其他食堂的送餐计划，您只能调度本食堂的送餐。"
DISPATCH_NO_SLOT = "{canteen}没有设置{slot}送餐。"
DISPATCH_NO_SHIFTS = "这一餐还没有排班的送餐员，请先安排送餐员和车辆。"
DISPATCH_NO_ORDERS = "这一餐没有送餐上门的订单。"
DISPATCH_NO_COORDS = "缺少地址坐标，无法规划"
DISPATCH_PLAN_PUBLISHED = "路线已发布（第 {version} 版）：厨房装箱按站点顺序，送餐员手机上已显示各自的路线。"
DISPATCH_PUBLISH_EMPTY = "还没有可发布的路线，请先规划路线。"
DISPATCH_PUBLISH_BUSY = "路线正在规划中，完成后才能发布。"
DISPATCH_MOVED = "已把 {name} 移到 {route} 第 {position} 站。"
DISPATCH_MOVE_WARN = "调整后有问题：{problems}"
DISPATCH_MOVE_BAD_POSITION = "站序应为 1 到 {last} 之间的数字。"
DISPATCH_LOCKED_STOP = "这一站已锁定，先解锁才能移动。"
DISPATCH_ROUTE_LOCKED = "这条路线已锁定，先解锁才能调整。"
DISPATCH_EDIT_STARTED = "送餐已经开始的路线不能再调整。"
DISPATCH_LOCK_SAVED = "锁定状态已保存。"
DISPATCH_CONTINUITY_SAVED = "已保存：每位老人换了送餐员，相当于多走 {seconds} 秒的路。"
DISPATCH_CONTINUITY_INVALID = "请填写 0 到 3600 之间的整数秒数。"
DISPATCH_LOCK_CONFLICT = "锁定的路线或站点无法在时间窗、容量和班次内全部保住，请解除部分锁定后重新规划。"
DISPATCH_LATE_QUEUED = "正在把 {count} 份新订单插入已发布的路线，其他站点尽量不变。"
DISPATCH_NO_LATE = "没有需要插入的新订单。"
DISPATCH_ROUTE_NAME = "{number}号线 · {driver}"
DISPATCH_PLAN_NOT_FOUND = "没有找到这个送餐计划。"
DISPATCH_STOP_NOT_FOUND = "没有找到这个站点。"
DISPATCH_DATE_INVALID = "日期格式应为 年-月-日，如 2026-11-23。"
REASON_NAMES = {
    "window_unreachable": "太远：送餐时间窗内从厨房赶不到",
    "ride_limit": "太远：路上时间会超过餐食安全时限",
    "beyond_shifts": "超出所有送餐员的班次时间",
    "too_many_meals": "份数太多，任何车辆的保温箱都装不下",
    "no_capacity_left": "车辆容量已用完（保温箱和趟数都满了）",
    "no_time_left": "时间窗不可能：其他站点已排满送餐员的时间",
    "lock_conflict": "与锁定的路线冲突",
    "no_location": "缺少地址坐标，无法规划",
}

DRIVER_NOT_A_DRIVER = "您的账号还没有登记为送餐员，请联系调度员。"
DRIVER_NOT_YOUR_STOP = "这一站不在您今天的路线上。"
DRIVER_NOT_TODAY = "只能登记今天的送餐。"
DRIVER_BAD_REPORT = "登记内容不完整，请重新点一次按钮。"
DRIVER_WELLNESS_REQUIRED = "这位老人独居，送达时请先选择探访结果。"
DRIVER_REPORT_SAVED = {
    "delivered": "已登记：已送达。",
    "no_answer": "已登记：无人应答，办公室已收到提醒。餐食请带回，不要放在门口。",
    "problem": "已登记：其他问题，办公室已收到提醒。",
    "step": "已记录这一步。",
}
STEP_NAMES = {
    "knock_again": "再次敲门",
    "call_senior": "给老人打电话",
    "call_contact": "给紧急联系人打电话",
    "tell_office": "告知办公室",
}
WELLNESS_NAMES = {"well": "见到本人，状态良好", "unwell": "看起来不太好", "needs_help": "需要帮助"}
STOP_STATUS_NAMES = {"pending": "待送", "delivered": "已送达", "no_answer": "无人应答", "problem": "有问题"}
ALERT_KIND_NAMES = {"no_answer": "无人应答", "wellness": "探访关注", "problem": "送餐问题", "silence": "长时间无消息"}
ALERT_STATUS_NAMES = {"open": "待处理", "acknowledged": "处理中", "resolved": "已解决"}
ALERT_NO_ANSWER = "{name}（{address}）送餐无人应答，餐食已带回。请联系紧急联系人：{contacts}"
ALERT_WELLNESS = "{name}（{address}）探访结果：{result}。{note}请联系紧急联系人：{contacts}"
ALERT_PROBLEM = "{name}（{address}）送餐遇到问题：{note}"
ALERT_NO_CONTACTS = "无登记的紧急联系人"
ALERT_NOT_FOUND = "没有找到这条提醒。"
ALERT_UPDATED = "提醒状态已更新。"

FAMILY_NOT_LINKED = "您没有关照这位老人的授权，无法查看。"
FAMILY_STAGE_NAMES = {"ordered": "已订餐", "cooking": "制作中", "on_the_way": "送餐途中", "delivered": "已送达",
                      "no_answer": "无人应答", "served": "已就餐", "cancelled": "已取消"}

# ---------------------------------------------------------------- ordering (issue 5)
ORDER_SLOT_CLOSED = "{day}{slot}已截止，可以订{next}的。"
ORDER_SLOT_CLOSED_NO_NEXT = "{day}{slot}已截止。"
ORDER_DELIVERY_CLOSED = "{day}{slot}的送餐上门已于{cutoff}截止，可以选到店堂食或自取，或订{next}的。"
ORDER_NO_DELIVERY = "{slot}不提供送餐上门，可以选到店堂食或自取。"
ORDER_OUT_OF_RANGE = "{canteen}只送 {radius} 公里以内，{name}家约 {distance} 公里，送不到。可以选到店堂食或自取。"
ORDER_NO_ADDRESS = "还没有登记送餐地址的位置，暂时不能送餐上门。请电话求助，或选到店堂食、自取。"
ORDER_SOLD_OUT = "“{item}”已经订完了。可以改订：{alternative}。"
ORDER_SOLD_OUT_NO_ALT = "“{item}”已经订完了，请选别的菜。"
ORDER_NOT_ENOUGH_LEFT = "“{item}”只剩 {left} 份了。"
ORDER_ALLERGY = "“{item}”含有{allergens}，{name}对{allergens}过敏，不能订。可以改订：{alternative}。"
ORDER_ALLERGY_NO_ALT = "“{item}”含有{allergens}，{name}对{allergens}过敏，不能订。"
ORDER_TEXTURE_UNSAFE = "{name}需要{need}，这道菜没有合适的做法（可做：{offered}）。"
ORDER_TEXTURE_NOT_OFFERED = "这道菜不能做成{texture}（可做：{offered}）。"
ORDER_PORTION_NOT_OFFERED = "这道菜没有小份。"
ORDER_ITEM_NOT_ON_MENU = "菜单上没有这道菜，请重新选择。"
ORDER_NO_ITEMS = "请先选一份餐。"
ORDER_QUANTITY_INVALID = "份数应为 1 到 {limit} 份。"
ORDER_MENU_NOT_FOUND = "这一餐的菜单还没有公布。"
ORDER_FULFILMENT_INVALID = "请选择堂食、自取或送餐上门。"
ORDER_ALREADY_PLACED = "{day}{slot}已经订好了（订单号 {public_no}）。如要改，请先取消原来的订单。"
ORDER_SENIOR_PAUSED = "{name}的助餐服务暂停中，暂时不能订餐。请联系食堂。"
ORDER_SENIOR_INACTIVE = "{name}的助餐服务已停止，不能订餐。"
ORDER_NOT_LINKED = "您没有为这位老人代订的授权。"
ORDER_COUNTER_OTHER_CANTEEN = "您只能在本食堂窗口点餐。"
ORDER_NO_CANTEEN = "还没有登记常去的食堂，请电话求助。"
ORDER_NOT_CANCELLABLE = "这笔订单已过可取消时间（{until}），如需帮助请电话求助。"
ORDER_ALREADY_CANCELLED = "这笔订单已经取消了。"
ORDER_NOT_PLACED = "这笔订单已{status}，不能取消。"
ORDER_CANCELLED = "已取消{day}{slot}的订单，补贴名额已退回。"
ORDER_REPEAT_NOT_ON_MENU = "{day}{slot}的菜单里没有“{item}”，请从菜单里选。"
ORDER_NO_LAST = "还没有订过餐。"
ORDER_IDEMPOTENCY_REQUIRED = "缺少防重复提交编号，请刷新页面后再试。"
ORDER_IDEMPOTENCY_REUSED = "这个防重复提交编号已用于另一位老人的订单，请刷新页面后再试。"
ORDER_SEARCH_TOO_SHORT = "请至少输入 1 个字的姓名，或手机号、卡号的后 4 位。"
ORDER_SEARCH_NONE = "没有找到“{q}”，请核对姓名、手机号或卡号。"
ORDER_SENIOR_REQUIRED = "请先从列表里选一位老人。"
ORDER_NOT_SENIOR = "这个账号没有关联长者，请从列表里选择要点餐的老人。"

# ---------------------------------------------------------------- operators: menus, seniors, fleet, dashboard (issue 9)
IMPORT_FILE_UNREADABLE = "这个文件打不开，请确认是 Excel（.xlsx）或 CSV 文件，并且没有加密。"
IMPORT_FILE_KIND = "只能导入 Excel（.xlsx）或 CSV 文件；旧版 .xls 请在 Excel 里另存为 .xlsx。"
IMPORT_FILE_REQUIRED = "请选择要导入的名册文件。"
IMPORT_FILE_GONE = "上传的文件已过期，请重新上传。"
IMPORT_NO_HEADER = "文件前 10 行里没有找到表头（如“姓名”“身份证号”），请检查是不是选错了工作表。"
IMPORT_UNKNOWN_FIELD = "没有“{field}”这一项。"
IMPORT_NO_SUCH_COLUMN = "文件里没有“{column}”这一列。"
IMPORT_COLUMN_REQUIRED = "请指定“{label}”在哪一列。"
IMPORT_COLUMN_TWICE = "“{a}”和“{b}”不能用同一列。"
IMPORT_REFUSED = "有 {count} 行不符合要求，全部没有导入。请修改后重新上传，或明确选择只导入有效的行。"
IMPORT_DUPLICATE_ID = "身份证号与第 {row} 行重复"
IMPORT_ID_AS_NUMBER = "身份证号被 Excel 存成了数字，后几位已经丢失：请把这一列设为“文本”后重新填写"
IMPORT_REQUIRED = "缺少{label}"
IMPORT_NAME_INVALID = "姓名应为 2 到 20 个汉字或字母"
IMPORT_GENDER_MISMATCH = "性别填的是“{given}”，但身份证号显示为“{expected}”"
IMPORT_BIRTH_MISMATCH = "出生日期填的是 {given}，与身份证号中的 {expected} 不一致"
IMPORT_PHONE_INVALID = "联系电话“{value}”不对：手机应为 11 位，座机如 021-56600000"
IMPORT_ADDRESS_INVALID = "居住地址太短，请写到门牌和室号"
IMPORT_DISTRICT_MISSING = "居住地址里看不出所在区，请写成“上海市××区…”或在导入时选择食堂"
IMPORT_VALUE_INVALID = "{label}“{value}”不认识，应为{allowed}"
IMPORT_VALIDITY_ORDER = "认定有效期止早于有效期起"
IMPORT_CONTACT_INVALID = "紧急联系人要有姓名和正确的电话，现在是“{name}”“{phone}”"
IMPORT_DATE_INVALID = "{label}“{value}”不是日期，请写成 1950-01-02"
IMPORT_DONE = "导入完成：新增 {created} 位，更新 {updated} 位，无变化 {unchanged} 位，跳过无效 {skipped} 行。"
MENU_PRICE_REQUIRED = "请填写价格（元），如 12 或 12.50。"
MENU_PRICE_INVALID = "价格格式不对，应为元，最多两位小数，如 12 或 12.50。"
MENU_NAME_REQUIRED = "请填写名称（最多 40 个字）。"
MENU_NAME_TAKEN = "本食堂已有“{name}”，请换个名称或直接修改原来的。"
MENU_CATEGORY_INVALID = "请选择菜品类别。"
MENU_TEXTURES_REQUIRED = "请至少勾选一种可做的质地（普通、软食、碎食、糊状）。"
MENU_SET_DISHES_REQUIRED = "请至少勾选一道本食堂的菜品组成套餐。"
MENU_SLOT_NOT_SERVED = "本食堂没有开设{slot}。"
MENU_ITEM_TWICE = "“{name}”已经在这一餐的菜单上了。"
MENU_LIMIT_INVALID = "限量应为不小于 0 的整数；不限量请留空。"
MENU_PICK_ITEM = "请选择一个套餐或菜品。"
MENU_LIMIT_BELOW_SOLD = "已经订出 {sold} 份，限量不能少于 {sold}。"
MENU_PRICE_LOCKED = "“{name}”已有 {count} 笔订单，已发布的价格不能再改；如确需调整，请先通知下面这些长者。"
MENU_ITEM_ORDERED = "“{name}”已有 {count} 笔订单，不能从已发布的菜单上撤下；如确需停供，请先通知下面这些长者。"
MENU_NOTHING_TO_COPY = "{day}起的那一周没有菜单可以复制。"
MENU_TEMPLATE_NAME = "请填写轮换模板名称（最多 40 个字）。"
MENU_TEMPLATE_WEEK = "周次应为 1 到 {weeks}。"
MENU_PICK_TEMPLATE = "请选择一个轮换模板。"
MENU_TEMPLATE_EMPTY_WEEK = "模板“{name}”的第 {week} 周还没有内容。"
MENU_WEEK_STARTED = "{day}起的这一周已经开始，菜单要在一周开始前发布。"
MENU_NOTHING_TO_PUBLISH = "这一周没有待发布的草稿菜单。"
MENU_EMPTY_DRAFT = "这些餐次还没有菜品，不能发布：{cells}。请添加菜品或删除后再发布。"
SENIOR_PHONE_INVALID = "联系电话不对：手机应为 11 位，座机如 021-56600000。"
SENIOR_ADDRESS_INVALID = "请填写完整的居住地址，写到门牌和室号。"
SENIOR_HUKOU_REQUIRED = "请填写户籍所在城市，如 上海。"
SENIOR_FLOOR_INVALID = "楼层应为 -3 到 60 的整数。"
SENIOR_CARE_INVALID = "照护等级应为 0 到 6；没有评估请留空。"
SENIOR_CHOICE_INVALID = "请从列表中选择。"
SENIOR_DATE_INVALID = "日期格式应为 年-月-日，如 2026-12-31。"
SENIOR_VALIDITY_REQUIRED = "有经济状况认定时，请填写认定有效期止（到期后按无认定计价）。"
SENIOR_RESUME_INVALID = "请填写恢复送餐的日期（年-月-日），最早明天。"
SENIOR_SAVED = "已保存{name}的资料。"
SENIOR_PAUSED = "已暂停{name}的送餐，{day}恢复；取消了 {cancelled} 笔订单。"
SENIOR_GONE = "已将{name}标记为{status}；取消了 {cancelled} 笔今后的订单。"
SENIOR_KEPT = "另有 {count} 笔订单已过取消时限，没有取消，请通知厨房和送餐员。"
SENIOR_RESUMED = "已恢复{name}的送餐。"
REPORT_DATE_INVALID = "日期格式应为 年-月-日，如 2026-10-01。"
REPORT_RANGE_ORDER = "结束日期不能早于开始日期。"
REPORT_RANGE_TOO_LONG = "一次最多统计 {days} 天，请缩短日期范围。"
FORM_REQUIRED = "请填写{label}。"
FORM_TOO_LONG = "{label}最多 {max} 个字。"
FORM_INT = "{label}应为 {low} 到 {high} 的整数。"
FORM_NUMBER = "{label}应为 {low} 到 {high} 之间的数字。"
FORM_TIME = "{label}格式应为 时:分，如 09:30。"
FORM_DATE = "{label}格式应为 年-月-日，如 2026-11-23。"
FORM_CHOICE = "请从列表中选择{label}。"
FORM_INVALID = "{label}填写有误，请检查后再填。"
FORM_SAVED = "已保存。"
CANTEEN_OPEN_DAYS = "请至少勾选一天营业。"
CANTEEN_OUT_OF_SCOPE = "您只能管理自己负责的食堂。"
SLOT_TWICE = "这个食堂已经设置了这个餐次，请直接修改它。"
SLOT_END_AFTER_START = "结束时间要晚于开始时间。"
SLOT_COOK_BEFORE_SERVE = "出餐时间不能晚于开始供餐时间。"
SLOT_CUTOFF_BEFORE_SERVE = "堂食/自取截止不能晚于开始供餐时间。"
FLEET_PICK_DRIVER = "请选择一位在岗的送餐员。"
FLEET_PICK_VEHICLE = "请选择一辆在用的车辆。"
FLEET_OTHER_CANTEEN = "送餐员和车辆要属于同一个食堂。"
FLEET_DRIVER_BUSY = "这位送餐员这一餐已经排了班。"
FLEET_VEHICLE_BUSY = "这辆车这一餐已经有人用了。"


# ---------------------------------------------------------------- security (issue 13): add below this line
COUNTER_SEARCH_FEW_DIGITS = "按手机号或卡号查找，请至少输入后{n}位数字。"
PIN_IS_BIRTHDAY = "卡密码不能用生日（如月日、年份），别人容易猜到；建议用 6 位数字。"
LOGIN_CEILING_REACHED = "这个账号一小时内密码错误次数太多，已暂停登录一小时。如是本人，请到食堂窗口请工作人员重设卡密码。"
ORDER_RACE_LOST = "同一时间有别的订单正在为这位老人下，请稍等片刻再试一次。"



# ---------------------------------------------------------------- onboarding: buildings, cards, import (issue 14)
IMPORT_FILE_TOO_LARGE = "这个文件太大：最多 {cells} 个单元格。请只保留名册这一张表，删掉多余的行和列后再上传。"
IMPORT_TOO_LONG = "{label}太长（{length} 个字），最多 {limit} 个字"
IMPORT_HUKOU_CITY = "户籍“{value}”看不出是哪个城市，请写成“上海”或“上海市××区”"
IMPORT_UNDER_60 = "只有 {age} 岁，不满 60 岁：请确认是服务对象"
IMPORT_DECEASED = "备注写着已故：不导入"
POINT_UNREADABLE = "看不懂这个位置：请粘贴“31.2397, 121.4990”这样的坐标，或高德、百度地图的分享链接。"
POINT_SHORT_LINK = "高德短链接要联网才能打开：请在高德地图里点“分享 → 复制链接”后粘贴完整链接，或直接粘贴坐标。"
POINT_OUTSIDE = "这个位置不在中国境内，请检查坐标是否抄错。"
POINT_SET = "已设置{name}的送餐位置。"
CARD_NONE_TO_REISSUE = "这位长者还没有助餐卡，请先发卡。"
CARDS_NONE_NEEDED = "名册上的长者都已有助餐卡。"
IMPORT_CONFIRM_WARNINGS = "有 {count} 行需要确认（如不满 60 岁），请勾选“我已核对”后再导入。"
# issue 14: the building register and matching addresses to it
BUILDING_NO_HEADER = "文件前 10 行里没有找到楼栋表头（如“小区”“楼号”“纬度”“经度”），请检查是不是选错了工作表。"
BUILDING_COLUMN_REQUIRED = "楼栋登记表缺少“{label}”这一列。"
BUILDING_FILE_REFUSED = "楼栋登记表有 {count} 处不符合要求，一栋都没有导入。请按下面的原因改好后重新上传。"
BUILDING_ROW_COMPOUND = "第 {row} 行：没有写小区名称"
BUILDING_ROW_NUMBER = "第 {row} 行：楼号“{value}”看不懂，请写成“5”或“5号”"
BUILDING_ROW_COORD = "第 {row} 行：坐标“{lat}, {lng}”不是数字，请写成“31.2397”“121.4990”这样的经纬度"
BUILDING_ROW_SWAPPED = "第 {row} 行：纬度“{lat}”和经度“{lng}”写反了"
BUILDING_ROW_OUTSIDE = "第 {row} 行：坐标“{lat}, {lng}”不在中国境内，请检查是否抄错"
BUILDING_ROW_FLOORS = "第 {row} 行：楼层数“{value}”应是 1 到 60 的整数"
BUILDING_ROW_LIFT = "第 {row} 行：电梯“{value}”请写“有”或“无”"
BUILDING_ROW_TWICE = "第 {row} 行：{compound} {number} 号与第 {first} 行重复"
BUILDING_DATUM_INVALID = "请选择坐标来源。"
BUILDING_DISTRICT_INVALID = "请写上这些楼栋所在的区，如“静安”。"
BUILDING_COMPOUND_REQUIRED = "请填写小区名称。"
BUILDING_NUMBER_INVALID = "楼号请写成“5”或“5号”。"
BUILDING_FLOORS_INVALID = "楼层数应是 1 到 60 的整数；不知道请留空。"
BUILDING_SAVED = "已保存楼栋：{name}。"
BUILDING_IMPORTED = "已导入楼栋登记：新增 {created} 栋，更新 {updated} 栋。"
LOCATE_DONE = "已按地址匹配：{matched} 位长者设置了送餐位置，{unmatched} 位没有匹配上（见下表，请逐一处理）。"
MATCH_NO_NUMBER = "地址里没有楼号（如“5号”）"
MATCH_NO_BUILDING = "找到小区“{compound}”，但楼栋登记里没有 {number} 号"
MATCH_NOTHING = "楼栋登记里没有这条路或这个小区"
MATCH_NOT_RUN = "楼栋登记里能找到：点“按地址匹配位置”即可设置"
CARD_MISTYPED = "卡号好像输错了一位：请对照卡片上的号码再输一次。"
CARD_EXISTING_INVALID = "请输入敬老卡或社保卡上的卡号：6 到 20 位数字或字母。"
CARD_EXISTING_TAKEN = "这个卡号已经登记给另一位长者了，请核对。"
SENIOR_RESIDENCE_REQUIRED = "请填写居住的城市，如 上海。"
IMPORT_FIX_INVALID = "预览里改的{label}“{value}”不对：{why}"
IMPORT_FIXED = "预览里手工改为 {label}：{value}"
IMPORT_ELSEWHERE = "身份证号与已登记的{name}（{place}）相同：可能在另一份名册里，请确认是同一位长者"
IMPORT_ELSEWHERE_CANTEEN = "身份证号与已登记在另一个食堂的{name}相同：可能在另一份名册里，请确认是同一位长者"
SENIOR_RESIDENCE_DISTRICT_REQUIRED = "请填写居住的区，如 静安（补贴方案按居住区计算折扣）。"
# issue 14: re-importing a register as a diff; the record's fields an import writes, by name
IMPORT_FIELD_LABELS = {"name": "姓名", "phone": "联系电话", "hukou_city": "户籍城市", "hukou_district": "户籍区",
                       "residence_district": "居住区", "residence_street": "街道（镇）", "address": "居住地址",
                       "economic_status": "经济状况", "economic_source": "认定来源",
                       "economic_valid_from": "认定有效期起", "economic_valid_to": "认定有效期止",
                       "care_level": "照护等级", "disability_level": "失能等级", "lives_alone": "是否独居",
                       "residence_city": "居住城市", "room": "室号", "floor": "楼层", "has_lift": "电梯",
                       "allergies": "过敏原", "texture": "饮食形态", "special_groups": "特殊群体", "status": "状态"}
POINT_SOURCE_NAMES = {"manual": "手动设置", "building": "楼栋登记（门牌精确匹配）",
                      "compound": "楼栋登记（小区和楼号匹配）", "geocoder": "在线地址解析（请核对）"}



# ---------------------------------------------------------------- subsidy schemes, check-in, vouchers (issue 15)
SCHEME_DISTRICT_ONLY = "补贴方案由区级运营人员维护：您只负责部分食堂，不能添加或修改方案版本。"
SETTLEMENT_CANTEEN_INVALID = "请从列表中选择食堂。"
SETTLEMENT_CANTEEN_OUT_OF_SCOPE = "您只能查看自己负责的食堂的补贴核销。"
VOUCHER_OVER_ALLOWANCE = "本月消费券额度 {allowance} 元，已用 {used} 元，本次最多还能抵扣 {left} 元。"
CHECKIN_NO_CANTEEN = "您的账号没有绑定食堂，不能核销就餐。"
CHECKIN_CARD_UNKNOWN = "没有这张助餐卡，请核对卡号或改用姓名查找。"
CHECKIN_NO_ORDER = "{name}今天这一餐没有在本食堂订餐（或已取消），请先为其点餐。"
CHECKIN_DELIVERY = "{name}这一餐是送餐上门，由送餐员签收，不在窗口核销。"
CHECKIN_ALREADY = "{name}这一餐已经核销过了，不能重复核销。"
CHECKIN_EVENT_NOTE = "窗口核销"
CHECKIN_DONE = "已核销：{name}，订单 {order_no}，{what}。"
CHECKIN_WHAT = {"dine_in": "已就餐", "pickup": "已取餐"}
SETTLEMENT_EXCEPTION_NAMES |= {
    "no_show": "订餐未核销（未到）",
    "late_checkin": "就餐时段后核销",
}



# ---------------------------------------------------------------- background jobs and periodic checks (issue 16)
CHECK_SILENT_SENIOR = "已连续 {days} 天没有订餐，请打电话或上门问候。"
CHECK_OVERDUE_STOP = "预计 {eta} 送达，已超过 30 分钟仍未回报送达情况，请联系送餐员。"



# ---------------------------------------------------------------- age-friendly senior pages (issue 17)
# The family view's steps by how the meal is taken: dine-in and pickup have no 送餐途中.
FAMILY_DINE_IN_STEP_NAMES = {"ordered": "已订", "served": "已就餐"}
FAMILY_PICKUP_STEP_NAMES = {"ordered": "已订", "cooking": "制作中", "served": "已取餐"}
FAMILY_MISSED = "未到"
FAMILY_MISSED_DINE_IN = "用餐时间已过，没有到食堂就餐的记录。"
FAMILY_MISSED_PICKUP = "取餐时间已过，没有取餐的记录。"



# ---------------------------------------------------------------- kitchen, dispatch, drivers, maps (issue 18)
DISPATCH_RIDE_BREACH = "{name}离开厨房{minutes}分钟才送达，超过{limit}分钟的餐食安全时限"
DISPATCH_EAT_BY_BREACH = "{name}预计{eta}送达，晚于食用时限{eat_by}"
DISPATCH_SAFETY_REASON_NEEDED = "有站点超过餐食安全时限，请先调整路线，或写明为什么仍要发布（至少5个字）。"
DISPATCH_SAFETY_REASON_TITLE = "仍要发布的理由"
DISPATCH_PLAN_PUBLISHED_WITH_REASON = "路线已发布（第{version}版），超时的理由已记录，送餐员和厨房都能看到。"



# ---------------------------------------------------------------- district planning (issue 20)
PLANNING_NO_SENIOR = "没有找到这位长者，请从名单中选择"
PLANNING_NOT_ON_VISIT_LIST = "这位长者不在您的探访名单上"
PLANNING_SITE_NAME_TAKEN = "已有同名的候选点位，请换一个名称"
PLANNING_PICKS = "候选点位数量请填 1 到 20 之间的整数"
PLANNING_RADIUS = "覆盖半径请选择 500 米或 1000 米"
PLANNING_VISIT_SAVED = "已记录探访：{name}"



# ---------------------------------------------------------------- ordering at city load (issue 21)
DISTRICT_ONLY = "这一页是全区的情况，只有负责全区的运营人员可以看。"
BUSY_TITLE = "现在人多，请稍等"
BUSY = "现在点餐的人很多，请过两秒钟再点一次，已经填好的内容不会丢。"
DB_BUSY = "系统正忙，请过两秒钟再试一次。"



# ---------------------------------------------------------------- issue 18 (continued): alerts closed, overdue, menus
ALERT_OUTCOME_NAMES = {"called_contact": "已联系紧急联系人", "visited": "已上门探望", "hospital": "已送医",
                       "other": "其他"}
ALERT_OUTCOME_REQUIRED = "请选择做了什么，再点“处理完毕”。"
ALERT_NOTE_REQUIRED = "选了“其他”，请写明做了什么（至少2个字）。"
ALERT_NOTE_TOO_LONG = "说明最多300个字。"
ALERT_ALREADY_CLOSED = "这条提醒已经处理完毕，不能再改。"
ALERT_CLOSED = "提醒已处理完毕，做了什么已记入这位长者的提醒记录。"
# A planning job refused for a reason the dispatcher can act on: the reason is one whole sentence already.
JOB_REFUSED = "规划没有完成：{detail}"

# ---------------------------------------------------------------- job engine, cancel, periodic checks (issue 16)
JOB_STAGE_NAMES |= {"cancelled": "规划已取消"}
ALERT_KIND_NAMES |= {"cutoff": "截单提醒", "evidence": "证明到期"}
JOB_CANCELLED = "已取消这次规划，路线没有改动。"
JOB_NOTHING_TO_CANCEL = "没有正在进行的规划可以取消（可能刚刚已经完成）。"
JOB_EXPIRED = "排队时间太久，这次规划已作废，请重新点“规划路线”"
JOB_TOO_MANY_ATTEMPTS = "规划进程中断了 {n} 次，已停止重试，请联系技术支持"
CHECK_CUTOFF = "{day}{slot}送餐已截单，共 {count} 份送餐订单：厨房单据已定稿，请调度员规划送餐路线。"
CHECK_EVIDENCE = "{status}认定证明将于 {day} 到期，请提醒长者或家属及时续办，以免补贴中断。"

# ---------------------------------------------------------------- age-friendly, beyond the checklists (issue 17, part 2)
# Why 补贴 is 0.00, said from the order's price snapshot in plain words.
NO_SUBSIDY_NOT_REGISTERED = "这个食堂还没有登记补贴政策，所以按原价，没有补贴。"
NO_SUBSIDY_CAP_REACHED = "您的补贴次数或额度这段时间已经用完了（{note}），这一餐没有补贴。"
NO_SUBSIDY_RULE = "{note}，这一餐没有补贴。"
NO_SUBSIDY_NOT_ELIGIBLE = "按登记的年龄、户籍等情况，您现在不在补贴范围内，这一餐没有补贴。登记的不对请电话求助。"

# ---------------------------------------------------------------- security review, second part (issue 13)
PASSWORD_MIN_12 = "密码至少 12 位；可以用一句好记的话，如“我家小猫叫咪咪2018”。"
PASSWORD_HAS_MOBILE = "密码里不能有手机号，别人最先试的就是它。"
PASSWORD_ONLY_DIGITS = "密码不能只有数字，请加上字母或汉字。"
PASSWORD_TOO_SIMPLE_12 = "这个密码太容易被猜到（如常见密码、123456 或 qwerty 这样的连续键、重复的字、生日），请换一个。"
PASSWORD_CHANGE_CARD = "长者的助餐卡账号用卡密码登录，请到食堂窗口请工作人员重设卡密码。"
PASSWORD_OLD_WRONG = "原密码不对，请再试一次。"
PASSWORD_SAME_AS_OLD = "新密码不能和原密码相同。"
PASSWORD_CHANGED = "密码已修改。其他设备上的登录已全部退出。"
CARD_UNLOCKED = "已解除锁定：{name}现在可以用卡密码登录了。"
CARD_LOCKED = "这张卡最近一小时输错密码 {count} 次，登录已被放慢或暂停。请先核对长者身份（看身份证或熟人确认），再解除锁定。"
AUDIT_ACTION_NAMES.update({
    "auth.login": "登录",
    "auth.login_failed": "登录失败",
    "auth.login_throttled": "登录被限制",
    "auth.login_disabled": "已停用账号尝试登录",
    "user.password_changed": "修改自己的密码",
    "user.password_change_failed": "修改密码时原密码不对",
    "senior.card_unlocked": "解除助餐卡锁定",
    "access.forbidden": "无权访问被拒绝",
    "senior.counter_view": "窗口查看长者订单",
    "route.driver_view": "送餐员查看路线",
})
AUDIT_OBJECT_NAMES.update({"route": "页面", "route_plan": "送餐路线"})

# ---------------------------------------------------------------- audit names for actions added by issues 14 and 15
AUDIT_ACTION_NAMES.update({
    "building.import": "导入楼栋登记",
    "building.save": "修改楼栋",
    "senior.card_existing": "登记已有的敬老卡 / 社保卡",
    "senior.cards_pdf": "下载助餐卡 PDF",
    "senior.import_update": "导入时更新长者资料",
    "senior.locate": "按地址定位长者",
    "scheme.version_backdated": "补录生效日期已过的补贴方案版本",
    "scheme.version_withdrawn": "撤回未生效的补贴方案版本",
    "voucher.reversed": "冲销消费券",
})
# ---------------------------------------------------------------- subsidy set up by the district itself (issue 15, part 2)
VOUCHER_SCHEME_NONE = "本食堂所属的补贴方案没有设置养老服务消费券，不能用消费券支付。"
VOUCHER_PAYMENT_NOT_FOUND = "没有找到这笔消费券支付。"
VOUCHER_REASON_REQUIRED = "请写明冲回原因，例如：老人退餐、金额录错。"
VOUCHER_ALREADY_REVERSED = "这笔消费券支付已经冲回过了。"
VOUCHER_CANCEL_REASON = "订单取消，消费券退回"
SCHEME_DATE_NEEDS_REASON = ("新版本最早从明天（{day}）起生效；补登今天或以前生效的版本，须在“修改说明”里写明原因"
                            "（记入操作日志）。已下的订单按下单时的方案计价，不会改变。")
SCHEME_FORM_YUAN = "金额请写元，最多两位小数，如 3 或 2.50。"
SCHEME_FORM_PERCENT = "比例请写 0 到 100 之间的数，如 25 或 87.5。"
SCHEME_FORM_AMOUNT_REQUIRED = "请填写金额或比例。"
SCHEME_FORM_FUNDER_HALF = "出资方的级别和名称都要填写（不用的一行两项都留空）。"
SCHEME_FORM_FUNDER_TWICE = "“{kind}”已经填过一次，每个级别只填一行。"
SCHEME_FORM_FUNDER_NONE = "至少填写一个出资方，例如：区级财政 · 某某区财政局。"
SCHEME_FORM_ONE_REST = "出资方中必须恰好有一个“承担其余部分”，其他出资方写固定金额或比例。"
SCHEME_FORM_TIER_NAME = "请给这一档起个名字，如“80周岁及以上”。"
SCHEME_FORM_TIER_NONE = "至少填写一档补贴。"
SCHEME_FORM_AGES = "最高年龄 {high} 小于最低年龄 {low}。"
SCHEME_FORM_CHANNELS = "至少选择一种就餐方式。"
SCHEME_FORM_SLOTS = "至少选择一个餐次。"
SCHEME_FORM_OPERATING_FUNDER = "请选择上面已填写的一个出资方来承担运营补贴。"
SCHEME_KEY_TAKEN = "方案标识“{key}”已被使用，请换一个（如 tianjin-hexi-2027）。"
SCHEME_PREVIEW_FIRST = "请先查看下面的预览，确认无误后再点“保存”。"
SCHEME_CONFIRM_WARNINGS = "上面有需要留意的地方：确认无误请勾选“我已核对以上提醒”，再点保存。"
SCHEME_WITHDRAW_TOO_LATE = "只能撤回尚未生效的版本：已生效或已撤回的版本不能再撤回。"
SCHEME_WITHDRAW_REASON = "请写明撤回原因。"
SCHEME_WITHDRAWN = "第 {version} 版已撤回，不会用于计价。"
SCHEME_CREATED = "方案“{name}”已创建，第 {version} 版自 {day} 起生效。可在“食堂管理”中把食堂归入这个方案。"
SCHEME_PREVIEW_NONE = "不享受补贴"
SCHEME_WARN_NO_CONDITION = "第{n}档“{name}”没有任何条件：所有老人都会符合。"
SCHEME_WARN_ZERO = "第{n}档“{name}”的补贴或每餐上限为 0 元：这一档实际不补贴。"
SCHEME_WARN_ZERO_CAP = "次数上限填了 0：这个方案实际不会补贴任何一餐。"
SCHEME_WARN_AGE = "第{n}档“{name}”的年龄 {age} 不在 50–120 岁之间，请核对是否录错。"
SCHEME_WARN_OVERLAP = "第{a}档与第{b}档的条件在 {low}–{high} 岁重叠：同时符合的老人只享受补贴较多的一档。"
SCHEME_WARN_AREA = "适用地区“{name}”与老人档案里的写法都不一样（档案里有：{known}），这样没有老人符合。"
SCHEME_WARN_HUKOU = "第{n}档的户籍“{name}”在老人档案里没有出现过（档案里有：{known}）。"
SCHEME_JSON_ONLY = "这个方案的版本有表单放不下的规则（如折扣档次），请用 JSON 编辑。"
SCHEME_FORM_SMALL_NUMBER = "请写 0 到 150 之间的整数；不限留空。"
CANTEEN_SCHEME_UNKNOWN = "请从列表中选择补贴方案。"
CANTEEN_SCHEME_OUTSIDE = "食堂不在方案“{name}”的适用地区（{area}）内：这样每一餐都会按原价计费。请选对方案，或先核对食堂所在的区和街道。"
CLAIM_FUNDER_NOT_FOUND = "这个方案没有这个出资方，请从列表中选择。"
AUDIT_ACTION_NAMES |= {
    "scheme.version_backdated": "补登已生效的补贴方案版本",
    "scheme.version_withdrawn": "撤回待生效的补贴方案版本",
    "voucher.reversed": "冲回消费券",
    "settlement.claim_pack": "导出补贴申领表",
}
VOUCHER_ORDER_UNKNOWN = "没有这个订单号，请从下面的名单里选择。"
VOUCHER_OTHER_CANTEEN = "这笔订单不是本食堂的，不能在这里用消费券支付。"
VOUCHER_PAID = "已用消费券 {voucher_no} 抵扣 {amount} 元（订单 {order_no}）。"
SCHEME_FORM_KEY = "方案标识只能用小写英文字母、数字和 -（不能有空格或汉字），如 tianjin-hexi。"

# ---------------------------------------------------------------- file jobs: slow files in the background (issue 16, item 3)
FILE_JOB_STATE_NAMES = {"queued": "排队等待生成", "running": "正在生成", "done": "已生成，可以下载",
                        "failed": "生成失败", "cancelled": "已取消"}
FILE_JOB_PROGRESS_QUEUED = "已排队，马上开始"
FILE_JOB_PROGRESS_STARTED = "已开始生成"
FILE_JOB_NOT_YOURS = "这个文件是别人申请生成的，只有申请人可以查看和下载。"
FILE_JOB_NOT_READY = "文件还没有生成好，请稍后再下载。"
FILE_JOB_GONE = "这个文件已过期清理，请重新点“生成 PDF”。"
FILE_JOB_UNKNOWN_KIND = "系统不认识这种文件，无法生成，请联系技术支持。"
FILE_JOB_FAILED = "生成文件时出错了，请稍后重试；仍不行请联系技术支持。"
FILE_JOB_EXPIRED = "排队时间太久，这次生成已作废，请重新点“生成 PDF”。"
FILE_JOB_TOO_MANY_ATTEMPTS = "生成进程中断了 {n} 次，已停止重试，请联系技术支持。"
FILE_JOB_NOT_REGISTERED = "这种文件的生成功能还没有接入，暂时不能生成。"
FILE_JOB_LABELS_PROGRESS = "正在排版 {count} 张标签"
FILE_JOB_SHEET_PROGRESS = "正在排版{title}"
FILE_JOB_IMPORT_PROGRESS = "已检查 {done}/{total} 行"
FILE_JOB_CLAIM_PROGRESS = "正在排版{funder}的申领材料"

# ---------------------------------------------------------------- file jobs: imports, claim packs, cancel (issue 16, session 4)
FILE_JOB_CANNOT_CANCEL_RUNNING = "名册已经开始导入，导入要么全部保存、要么都不保存，现在不能取消；请等它完成。"
FILE_JOB_NOT_ACTIVE = "这项工作已经结束，不能再取消。"
FILE_JOB_IMPORT_QUEUED = "名册有 {rows} 行，已交给后台导入，完成后这里会显示结果。"
FILE_JOB_IMPORT_DONE = "新增 {created} 位，更新 {updated} 位，无变化 {unchanged} 位，跳过有错 {invalid} 行，已故未导入 {deceased} 行"
FILE_JOB_KIND_TITLES = {"kitchen_sheet": "生成打印单", "seniors_import": "导入长者名册",
                        "subsidy_claim_pack": "生成补贴申领表"}
FILE_JOB_STATE_NAMES_BY_KIND = {"seniors_import": {"queued": "排队等待导入", "running": "正在导入",
                                                   "done": "导入完成", "failed": "导入失败，什么都没有保存",
                                                   "cancelled": "已取消，什么都没有保存"}}
