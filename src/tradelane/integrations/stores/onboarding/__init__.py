"""Onboarding a store connection: the test call, webhook subscriptions and health."""
