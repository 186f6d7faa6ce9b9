"""``{% load steps %}``: the shared step bar (``templates/_steps.html``).

``{% confirm_steps 2 %}`` is the bar of every confirmation flow — 填写信息 → 确认信息 → 完成 —
on the form (1), the confirmation page (2) and the result page (3). ``{% steps_bar "甲|乙|丙" 2 %}``
draws any other sequence.
"""

from django import template

register = template.Library()

CONFIRM_STEPS = ("填写信息", "确认信息", "完成")


@register.inclusion_tag("_steps.html")
def steps_bar(titles: str, current: int, label: str = "办理步骤") -> dict:
    return {"step_titles": [t for t in titles.split("|") if t], "step": int(current),
            "steps_label": label}


@register.inclusion_tag("_steps.html")
def confirm_steps(current: int) -> dict:
    return {"step_titles": CONFIRM_STEPS, "step": int(current), "steps_label": "交易步骤"}
