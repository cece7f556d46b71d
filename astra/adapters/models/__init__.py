"""Data sources of the weather and rates models: NWS (api.weather.gov) and FRED."""
