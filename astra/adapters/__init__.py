"""The outside world: venue REST/WS, spot prices, journal, recordings, metrics, control API."""
