"""Routing cases to people (and, through referrals, to agencies): helper profiles, ranked
suggestions, offers and their expiry, and the log of every routing decision."""

# The helpers' stored load is recounted at every commit that changes it.
from service.routing import load as load
