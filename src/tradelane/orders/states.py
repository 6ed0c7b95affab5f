"""Order statuses and the transitions allowed between them (see DOMAIN.md, order flow)."""

from __future__ import annotations

from django.db import models


class OrderStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "pending review"
    PENDING_CONTACT = "pending_contact", "pending contact"
    APPROVED = "approved", "approved"
    INVALID = "invalid", "invalid"
    PENDING_PURCHASE = "pending_purchase", "pending purchase"
    PENDING_SHIPMENT = "pending_shipment", "pending shipment"
    SHIPPED = "shipped", "shipped"
    DELIVERED = "delivered", "delivered"
    CANCELLED = "cancelled", "cancelled"


S = OrderStatus

TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_REVIEW: {S.APPROVED, S.PENDING_CONTACT, S.INVALID, S.CANCELLED},
    S.PENDING_CONTACT: {S.APPROVED, S.INVALID, S.CANCELLED, S.PENDING_REVIEW},
    S.APPROVED: {S.PENDING_SHIPMENT, S.PENDING_PURCHASE, S.PENDING_CONTACT, S.INVALID,
                 S.CANCELLED, S.PENDING_REVIEW},
    S.PENDING_PURCHASE: {S.PENDING_SHIPMENT, S.APPROVED, S.INVALID, S.CANCELLED},
    S.PENDING_SHIPMENT: {S.SHIPPED, S.APPROVED, S.CANCELLED, S.INVALID},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: set(),
    S.INVALID: {S.PENDING_REVIEW},
    S.CANCELLED: set(),
}  # fmt: skip

# An order the sales platform ships itself (Amazon FBA) is recorded as shipped straight from
# review: it never takes stock from our warehouses, so it skips allocation. Only
# ``services.record_platform_fulfilled`` uses this table.
PLATFORM_FULFILLED_TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_REVIEW: {S.SHIPPED},
    S.PENDING_CONTACT: {S.SHIPPED},
    S.APPROVED: {S.SHIPPED},
    S.INVALID: {S.SHIPPED},
}

# Orders in these states still hold or may take stock; merge and duplicate checks look at them.
OPEN_STATES = (
    S.PENDING_REVIEW,
    S.PENDING_CONTACT,
    S.APPROVED,
    S.PENDING_PURCHASE,
    S.PENDING_SHIPMENT,
)
# Review may be (re-)run on orders in these states.
REVIEWABLE_STATES = (S.PENDING_REVIEW, S.PENDING_CONTACT, S.APPROVED)
# States in which an order holds a stock reservation.
RESERVED_STATES = (S.PENDING_SHIPMENT,)


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "pending"
    AUTHORIZED = "authorized", "authorized"
    PAID = "paid", "paid"
    PARTIALLY_REFUNDED = "partially_refunded", "partially refunded"
    REFUNDED = "refunded", "refunded"
    VOIDED = "voided", "voided"


CAPTURED_PAYMENTS = (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED)


class Verdict(models.TextChoices):
    PASS = "pass", "pass"
    CONTACT = "contact", "pending contact"
    INVALID = "invalid", "invalid"
