"""Exchange rates: the ECB's daily reference rates (``ecb``: the eurofxref XML; ``services``:
their import, manual rates), and conversion on a date (``conversion``: the latest fixing on or
before it, cross rates through EUR, the rate, its source and date kept with the result). The
rates themselves are ``core.models.FxRate`` rows (1 base = rate quote)."""
