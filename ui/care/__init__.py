"""The case work in the resident's file: the needs assessment, the case and the care plan."""
