"""The words of the inbox, visit and case pages, in Chinese (the default) and English.

Codes (risk grades, situations, steps, checklist items) are the registry's; a code
without a label here is shown as it is, so a new one never breaks a page."""

from __future__ import annotations

from typing import Any

ZH: dict[str, Any] = {
    "map": "地图", "visits": "待走访", "inbox": "收件箱", "other_lang": "English",
    "inbox_title": "收件箱", "inbox_empty": "暂无通知。", "urgent": "紧急",
    "acked": "已确认", "acked_by_other": "已由他人确认", "ack": "确认收到",
    "open_record": "查看记录",
    "visits_title": "待走访儿童", "within": "天内到期", "overdue": "已逾期",
    "due": "应访", "none_due": "这段时间没有到期的走访。",
    "page_of": "第 {page}/{pages} 页，共 {total} 个", "prev_page": "上一页",
    "next_page": "下一页",
    "visit_title": "记录家访", "village": "村", "grade": "风险等级", "age": "年龄",
    "last_visit": "上次走访", "next_due": "下次应访", "living_alone": "独居",
    "visited_at": "走访时间", "next_steps": "下一步措施", "save_visit": "保存走访",
    "recorded": "走访已记录。下次走访应于 {date} 前。", "open_case": "为该儿童开个案",
    "back": "返回待走访列表",
    "case_form_title": "开个案", "choose": "请选择…", "situation": "情形", "severity": "紧急程度",
    "by_situation": "按情形（强制报告情形为紧急）", "note": "情况说明", "open": "开个案",
    "case_title": "个案", "step": "当前步骤", "opened_at": "开案时间",
    "mandatory": "强制报告", "yes": "是", "no": "否", "checklist": "应急处置事项",
    "opened": "个案已开。", "already_open": "该儿童已有同类未结个案，就是这一个。",
    "invalid": "请检查标出的内容。", "not_found": "未找到（或不在您负责的村）。",
    "refused": "未能执行。", "signed_out": "登录已过期，请重新登录。",
    "sign_in": "登录", "forbidden": "您的角色不能执行此操作。",
    "unavailable": "服务暂时不可用（{service}），请稍后重试。",
    "areas": {"guardianship": "监护情况", "living_conditions": "生活状况",
              "home_safety": "居家安全", "mental_state": "心理状况"},
    "grades": {"high": "高风险", "medium": "中风险", "low": "低风险"},
    "severities": {"urgent": "紧急", "normal": "一般"},
    "situations": {"living_alone": "儿童独居", "guardian_incapable": "监护人无力监护",
                   "parents_unreachable": "父母联系不上", "missing": "儿童走失",
                   "domestic_violence": "家庭暴力", "other_harm": "其他侵害",
                   "none": "一般个案"},
    "steps": {"monitoring": "监测预防", "report": "发现报告", "emergency": "应急处置",
              "assessment": "评估", "assistance": "帮扶", "guardianship_intervention":
              "监护干预", "closed": "已结案"},
    "tasks": {"order_parents_back_or_name_caregiver": "责令父母返回或委托照护人",
              "admonish_parents": "训诫父母", "inform_township": "报告乡镇",
              "contact_parents_or_relatives": "联系父母或亲属",
              "escort_to_relatives_committee_or_rescue_institution":
              "护送至亲属、村委会或救助机构",
              "start_fast_missing_child_search": "启动走失儿童快速查找",
              "stop_violence": "制止暴力", "place_in_shelter": "安置到庇护场所",
              "protect_child": "保护儿童", "gather_evidence": "固定证据",
              "arrange_medical_care": "安排就医"},
}

EN: dict[str, Any] = {
    "map": "Map", "visits": "Visits", "inbox": "Inbox", "other_lang": "中文",
    "inbox_title": "Inbox", "inbox_empty": "No notifications.", "urgent": "Urgent",
    "acked": "Acknowledged", "acked_by_other": "Acknowledged by someone else",
    "ack": "Acknowledge", "open_record": "Open the record",
    "visits_title": "Children due a visit", "within": "days", "overdue": "Overdue",
    "due": "due", "none_due": "No visits fall due in this period.",
    "page_of": "page {page} of {pages}, {total} children", "prev_page": "Previous",
    "next_page": "Next",
    "visit_title": "Record a home visit", "village": "Village", "grade": "Risk",
    "age": "Age", "last_visit": "Last visit", "next_due": "Next visit due",
    "living_alone": "Living alone", "visited_at": "Visited at", "next_steps": "Next steps",
    "save_visit": "Save the visit", "recorded": "Visit recorded. Next visit due by {date}.",
    "open_case": "Open a case for this child", "back": "Back to the visit list",
    "case_form_title": "Open a case", "choose": "Choose…", "situation": "Situation",
    "severity": "Severity",
    "by_situation": "By situation (mandatory reports are urgent)", "note": "Note",
    "open": "Open the case",
    "case_title": "Case", "step": "Step", "opened_at": "Opened",
    "mandatory": "Mandatory report", "yes": "yes", "no": "no",
    "checklist": "Emergency handling", "opened": "Case opened.",
    "already_open": "This child already has an open case of this kind: this one.",
    "invalid": "Please check the marked fields.",
    "not_found": "Not found (or not in your villages).", "refused": "Not done.",
    "signed_out": "Your sign-in has expired; please sign in again.",
    "sign_in": "Sign in", "forbidden": "Your role may not do this.",
    "unavailable": "The {service} service is unavailable; please retry in a moment.",
    "areas": {"guardianship": "Guardianship", "living_conditions": "Living conditions",
              "home_safety": "Home safety", "mental_state": "Mental state"},
    "grades": {"high": "high", "medium": "medium", "low": "low"},
    "severities": {"urgent": "urgent", "normal": "normal"},
    "situations": {"living_alone": "child living alone",
                   "guardian_incapable": "guardian incapable",
                   "parents_unreachable": "parents unreachable", "missing": "missing child",
                   "domestic_violence": "domestic violence", "other_harm": "other harm",
                   "none": "no emergency"},
    "steps": {"monitoring": "monitoring", "report": "report", "emergency": "emergency",
              "assessment": "assessment", "assistance": "assistance",
              "guardianship_intervention": "guardianship intervention", "closed": "closed"},
    "tasks": {},  # the codes read as English once their underscores are spaces
}

LABELS = {"zh": ZH, "en": EN}
