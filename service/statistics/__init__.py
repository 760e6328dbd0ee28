"""Statistics of the center's cases and the CSV exports of cases and statistics."""
