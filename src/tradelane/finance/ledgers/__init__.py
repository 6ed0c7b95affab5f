"""Account ledgers of the provider's partners: one account per customer, agent or upstream line
and currency, append-only entries (charges, receipts, credit notes, adjustments, write-offs),
the balance kept on the account in the same transaction as each entry (``services``)."""
