"""Services of 转账汇款, one module per kind of transfer; common.py holds what they share."""
