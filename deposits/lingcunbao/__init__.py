"""零存宝 (DEP-LCB): services, X-CONFIRM kinds, pages and the head-office setting."""
