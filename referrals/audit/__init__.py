"""The append-only access log of referral requests."""
