"""TRF-BATCH: 批量行内转账, 批量跨行转账 and 批量转账查询 (docs/batch-transfers.md)."""
