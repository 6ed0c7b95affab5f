"""Connecting a store: discover its locations and import its catalog to propose SKU mappings."""
