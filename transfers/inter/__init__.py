"""跨行转账, 联行号查询 and 预约交易管理 pages (TRF-INTER, TRF-BANKCODE, TRF-RESERVED): forms,
views and their URL patterns (included by ``transfers/urls.py``). The writes are in
``transfers/services/inter.py``. See docs/transfers-inter.md.
"""
