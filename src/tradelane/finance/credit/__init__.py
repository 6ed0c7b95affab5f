"""Balances, credit and holds (余额、信用额度与欠费扣件): prepaid top-ups, the charge of a
parcel at inbound within the customer's balance and credit limit, arrears holds released on
payment or by hand, and the receivables' ageing."""
