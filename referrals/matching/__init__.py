"""Ranked, explained care teams for a patient's location and preferences."""
