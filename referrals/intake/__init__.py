"""Referral requests from patients: the public intake, screening flags and the page."""
