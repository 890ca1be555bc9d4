"""Providers, clinic sites and the care teams that are matched."""
