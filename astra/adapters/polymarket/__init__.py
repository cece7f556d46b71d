"""Polymarket venue adapters: Gamma discovery, CLOB REST, market WebSocket."""
