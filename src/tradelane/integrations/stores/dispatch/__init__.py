"""The dispatch center (调度中心): reads (selectors), buttons (services), HTTP API (api)."""
