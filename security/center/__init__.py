"""客户服务 and 安全中心 (SEC-CENTER, SVC-INFO, SVC-MOBILE, SVC-SMS, SVC-MSG) and 网银日志查询 (ACC-LOG).

services   — every write (typed, keyword-only, audited)
selectors  — every read, scoped to the logged-in customer (another customer's id → 404)
forms      — the pages' forms; validation messages in Chinese
operations — the X-CONFIRM executors of the settings that need a 交易密码 or a security tool
width      — the manual's "N个汉字或2N个字符" length rule
"""
