"""Masking of account and ID numbers for display outside the owner's detail pages."""


def mask_account_number(number: str) -> str:
    """``6223 **** **** 1234``: first four and last four digits, the rest hidden."""
    digits = "".join(ch for ch in number if ch.isalnum())
    if len(digits) <= 8:
        return digits[:2] + "*" * max(len(digits) - 4, 0) + digits[-2:]
    return f"{digits[:4]} **** **** {digits[-4:]}"


def mask_id_number(number: str) -> str:
    """``340***********1234``: first three and last four characters kept."""
    if len(number) <= 7:
        return number[:1] + "*" * max(len(number) - 2, 0) + number[-1:]
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    """``138****5678``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def mask_name(name: str) -> str:
    """``李*``, ``张**``: only the first character kept."""
    return name[:1] + "*" * (len(name) - 1) if name else ""
