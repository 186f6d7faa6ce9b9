"""复核 (maker-checker) of staff requests; see docs/staff-operations.md.

registry — ``approval_kind``: each kind of request names its executor and who may approve it
services — request, approve (executes once), reject, withdraw, expire
admin    — 复核申请: the 待复核 queue, the detail an approver reads, approve / reject
"""
