"""The dashboard: today's figures, occupancy over the year and the shelters."""
