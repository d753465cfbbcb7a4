"""The case-work tabs of the resident's file, registered by importing this
module once before a file opens (the shell does): each module adds its own
tab with ``ui.residents.file.register_tab`` when imported. The care plan's
tab goes after the needs assessment's, so that one is imported first."""

import ui.care.assessment  # noqa: F401  ("Needs assessment", after "Protection")
import ui.care.case  # noqa: F401  ("Case", after "Identity")
import ui.care.plan  # noqa: F401  ("Care plan", after "Needs assessment")
import ui.reintegration.file_tab  # noqa: F401  ("Reintegration", after "Sessions")
import ui.sessions.file_tab  # noqa: F401  ("Sessions", after "Care plan")
