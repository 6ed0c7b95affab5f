"""Fees per waybill (issue 14, section 2): the fee items the provider bills and pays, and each
waybill's receivable and payable fee lines, append-only, changed only by delta lines."""
