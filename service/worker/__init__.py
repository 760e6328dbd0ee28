"""The background worker (SPEC §6): jobs done once each, however many workers run."""
