"""Spot prices of the crypto underlyings (the venue's RTDS `crypto_prices` stream)."""
