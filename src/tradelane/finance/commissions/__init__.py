"""Commissions (佣金): agreements of downstream agents and salespeople, the per-waybill lines of
a period, statements (draft -> confirmed -> settled) and the agent's ledger credit."""
