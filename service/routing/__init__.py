"""Routing cases to people (and, through referrals, to agencies): helper profiles, ranked
suggestions, offers and their expiry, and the log of every routing decision."""

# Kept at every commit that changes them: the helpers' stored load (recounted) and the agency
# directory's stamp (renewed, so that each process knows when to read again the directory it
# keeps for suggestions).
from service.routing import agency_directory as agency_directory
from service.routing import load as load
