"""The manual's length rule "最多20个汉字或40个字符": a Chinese character counts as two.

Counting by East Asian width (W, F) rather than by a CJK code-point range also makes
full-width punctuation and letters (，。Ａ) count as two, which is what the bank's core systems,
storing GBK bytes, actually limit.
"""

import unicodedata


def text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def width_limit_message(label: str, max_width: int) -> str:
    return f"{label}最多支持{max_width // 2}个汉字或{max_width}个字符"
