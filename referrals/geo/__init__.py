"""Geocoders (offline ZIP gazetteer, opt-in online) and distance helpers."""
