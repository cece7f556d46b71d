"""Astra: an actor-model paper trader for Polymarket prediction markets."""

__version__ = "0.1.0"
