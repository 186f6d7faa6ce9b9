"""转账中转页, 关联账户互转, 行内转账, 收款人管理, 定时转账维护 and 网银转账查询 pages: forms, views
and their URL patterns (included by ``transfers/urls.py``). The writes are in
``transfers/services/own_intra.py`` and ``transfers/services/payees.py``. See docs/transfers.md.
"""
