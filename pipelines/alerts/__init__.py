"""Keyword, stance-change and spike alerts: rules, matcher, delivery (see README.md here)."""
