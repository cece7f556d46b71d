"""Seeded market simulator: synthetic markets, spot paths and venue-shaped event streams.

Pure generation logic (no I/O, no clock, randomness only from a seeded numpy Generator);
the encoding to venue JSON text and the recording file live in `astra.adapters.sim`.
"""
