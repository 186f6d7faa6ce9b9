"""柜面业务 (procedures §6–§19): what a teller does for a customer at the counter.

services — one durable service per counter action (register, query, cancel, suspend, resume,
           tool issue/replace/cancel/unlock, password reset, login unlock); each writes the
           change, an audit row and a 业务受理单 (CounterReceipt) in one transaction
numbers  — receipt numbers ("SL" + yyyymmdd + 6-digit sequence of the business day)
forms    — the admin forms of each action (security/staff/admin_counter.py shows them)
pdf      — the 业务受理单 as a PDF: 第一联 银行留存联 and 第二联 客户联 on one A4 page
"""
