"""Onboarding a store connection: the test call, webhook subscriptions, health, and the
store's locations and catalog (SKU mapping proposals)."""
