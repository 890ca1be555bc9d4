"""referrals: find and track ketamine care teams for referred patients."""

__version__ = "0.1.0"
