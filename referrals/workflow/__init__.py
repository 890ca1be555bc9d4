"""Referrals to care teams, their allowed transitions and the history of each request."""
