"""Roles and what each may do. Deny by default: a permission not listed for a
role is refused. Every service function checks before it reads or writes."""

from __future__ import annotations

from enum import StrEnum

from shelter.domain.vocabulary import ROLE
from shelter.errors import PermissionDenied
from shelter.i18n import _


class Role(StrEnum):
    """The roles, as codes of ``vocabulary.ROLE`` (which gives their labels)."""

    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"
    SOCIAL_WORKER = "social_worker"
    COUNSELLOR = "counsellor"
    REPORTING = "reporting"

    @property
    def label(self) -> str:
        return ROLE.label(self.value)



class Permission(StrEnum):
    # Administration
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_SHELTERS = "manage_shelters"
    MANAGE_SETTINGS = "manage_settings"
    VIEW_AUDIT_LOG = "view_audit_log"
    VERIFY_STORE = "verify_store"
    ROTATE_KEY = "rotate_key"
    PRINT_RECOVERY_SHEET = "print_recovery_sheet"
    BACK_UP = "back_up"
    EXPORT_DATA = "export_data"
    VERIFY_DOCUMENT = "verify_document"
    # Beds and residents
    VIEW_BED_BOARD = "view_bed_board"
    ADMIT = "admit"
    RESERVE_BED = "reserve_bed"
    TRANSFER = "transfer"
    DISCHARGE = "discharge"
    VIEW_RESIDENT = "view_resident"
    EDIT_RESIDENT = "edit_resident"
    PRINT_HANDOVER = "print_handover"
    # Care
    VIEW_CARE_PLAN = "view_care_plan"
    WRITE_CARE_PLAN = "write_care_plan"  # assessments, plans, reviews, agreeing a version
    APPROVE_CARE_PLAN = "approve_care_plan"
    CLOSE_CASE = "close_case"  # close and reopen a case
    LOG_SESSION = "log_session"  # plan, move and hold sessions, write notes
    VIEW_SESSIONS = "view_sessions"  # that a session took place: when, how long, with whom
    READ_CONFIDENTIAL_NOTES = "read_confidential_notes"
    BREAK_THE_GLASS = "break_the_glass"
    # Reintegration
    VIEW_REINTEGRATION = "view_reintegration"  # plans, milestones, referrals, follow-ups, scores
    WRITE_REINTEGRATION = "write_reintegration"
    MANAGE_PARTNERS = "manage_partners"  # the partner directory
    MANAGE_PATHWAYS = "manage_pathways"  # milestone templates and the sustainability weights
    # Figures
    VIEW_REPORTS = "view_reports"  # the figures, small counts hidden as on paper
    VIEW_TRUE_COUNTS = "view_true_counts"  # on screen, inside the shelter: the small counts too
    EXPORT_ANONYMISED = "export_anonymised"  # the k-anonymous case-level export
    RECORD_UNMET_REQUEST = "record_unmet_request"  # a referral that could not be taken in


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # IT and accounts; no access to residents' files (least privilege: in a
    # small shelter the same person also holds the coordinator role).
    Role.ADMINISTRATOR: frozenset({
        P.MANAGE_ACCOUNTS, P.MANAGE_SHELTERS, P.MANAGE_SETTINGS, P.VIEW_AUDIT_LOG, P.VERIFY_STORE,
        P.ROTATE_KEY, P.PRINT_RECOVERY_SHEET, P.BACK_UP, P.VIEW_REPORTS, P.VERIFY_DOCUMENT,
        P.MANAGE_PARTNERS, P.MANAGE_PATHWAYS,
    }),
    Role.COORDINATOR: frozenset({
        P.VIEW_BED_BOARD, P.ADMIT, P.RESERVE_BED, P.TRANSFER, P.DISCHARGE, P.VIEW_RESIDENT, P.EDIT_RESIDENT,
        P.PRINT_HANDOVER, P.VIEW_CARE_PLAN, P.BREAK_THE_GLASS, P.VIEW_REPORTS, P.BACK_UP, P.EXPORT_DATA,
        P.MANAGE_SHELTERS, P.VERIFY_DOCUMENT, P.APPROVE_CARE_PLAN, P.CLOSE_CASE, P.VIEW_SESSIONS,
        P.VIEW_REINTEGRATION, P.WRITE_REINTEGRATION, P.MANAGE_PARTNERS, P.VIEW_TRUE_COUNTS, P.EXPORT_ANONYMISED,
        P.RECORD_UNMET_REQUEST,
    }),
    Role.SOCIAL_WORKER: frozenset({
        P.VIEW_BED_BOARD, P.VIEW_RESIDENT, P.EDIT_RESIDENT, P.PRINT_HANDOVER, P.VIEW_CARE_PLAN,
        P.WRITE_CARE_PLAN, P.CLOSE_CASE, P.VIEW_SESSIONS, P.VIEW_REINTEGRATION, P.WRITE_REINTEGRATION,
        P.MANAGE_PARTNERS,
    }),
    Role.COUNSELLOR: frozenset({
        P.VIEW_BED_BOARD, P.VIEW_RESIDENT, P.VIEW_CARE_PLAN, P.LOG_SESSION, P.READ_CONFIDENTIAL_NOTES,
        P.VIEW_SESSIONS, P.VIEW_REINTEGRATION,
    }),
    Role.REPORTING: frozenset({P.VIEW_REPORTS, P.EXPORT_ANONYMISED}),
}


def permissions_of(roles: frozenset[Role] | set[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)


def allows(roles: frozenset[Role] | set[Role], permission: Permission) -> bool:
    return permission in permissions_of(roles)


def require(roles: frozenset[Role] | set[Role], permission: Permission) -> None:
    if not allows(roles, permission):
        raise PermissionDenied(_("Your role does not allow this. Ask your coordinator or administrator."))
