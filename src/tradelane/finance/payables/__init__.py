"""Upstream bills (应付对账): an upstream line's bill imported with its saved column mapping,
matched per waybill against our payable fee lines, audited line by line (accept, dispute,
write off), and the line's payables ledger with its payments.

Sign convention (``finance.ledgers``: an account's balance is its owner's standing with the
provider, positive when the owner is owed): an upstream line's balance is what the provider
owes it. Accepting a bill line posts a ``credit_note`` (+amount: the line's invoice, booked to
its credit); a payment to the line posts an ``adjustment`` of −amount (source
``payables.payment``); a written-off line posts nothing (it is not owed).
"""
