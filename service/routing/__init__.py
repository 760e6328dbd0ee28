"""Routing cases to people (and, through referrals, to agencies): helper profiles, ranked
suggestions, offers and their expiry, and the log of every routing decision."""
