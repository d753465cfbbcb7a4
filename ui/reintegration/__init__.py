"""The Reintegration section and the reintegration tab of the resident's file."""
