"""Every role against every permission: the whole policy, stated once more
independently so a change to it is a deliberate change to this table."""

from __future__ import annotations

import pytest

from shelter.errors import PermissionDenied
from shelter.security.permissions import ROLE_PERMISSIONS, Permission, Role, allows, require

A, C, S, N, R = Role.ADMINISTRATOR, Role.COORDINATOR, Role.SOCIAL_WORKER, Role.COUNSELLOR, Role.REPORTING
EXPECTED: dict[Permission, set[Role]] = {
    Permission.MANAGE_ACCOUNTS: {A},
    Permission.MANAGE_SHELTERS: {A, C},
    Permission.MANAGE_SETTINGS: {A},
    Permission.VIEW_AUDIT_LOG: {A},
    Permission.VERIFY_STORE: {A},
    Permission.ROTATE_KEY: {A},
    Permission.PRINT_RECOVERY_SHEET: {A},
    Permission.BACK_UP: {A, C},
    Permission.EXPORT_DATA: {C},
    Permission.VERIFY_DOCUMENT: {A, C},
    Permission.VIEW_BED_BOARD: {C, S, N},
    Permission.ADMIT: {C},
    Permission.RESERVE_BED: {C},
    Permission.TRANSFER: {C},
    Permission.DISCHARGE: {C},
    Permission.VIEW_RESIDENT: {C, S, N},
    Permission.EDIT_RESIDENT: {C, S},
    Permission.PRINT_HANDOVER: {C, S},
    Permission.VIEW_CARE_PLAN: {C, S, N},
    Permission.WRITE_CARE_PLAN: {S},
    Permission.APPROVE_CARE_PLAN: {C},
    Permission.CLOSE_CASE: {C, S},
    Permission.LOG_SESSION: {N},
    Permission.VIEW_SESSIONS: {C, S, N},
    Permission.READ_CONFIDENTIAL_NOTES: {N},
    Permission.BREAK_THE_GLASS: {C},
    Permission.VIEW_REINTEGRATION: {C, S, N},
    Permission.WRITE_REINTEGRATION: {C, S},
    Permission.MANAGE_PARTNERS: {A, C, S},
    Permission.MANAGE_PATHWAYS: {A},
    Permission.VIEW_REPORTS: {A, C, R},
    Permission.VIEW_TRUE_COUNTS: {C},
    Permission.EXPORT_ANONYMISED: {C, R},
    Permission.RECORD_UNMET_REQUEST: {C},
}


def test_table_covers_every_permission():
    assert set(EXPECTED) == set(Permission)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_role_permission_matrix(role, permission):
    expected = role in EXPECTED[permission]
    assert allows({role}, permission) is expected
    if expected:
        require(frozenset({role}), permission)
    else:
        with pytest.raises(PermissionDenied):
            require(frozenset({role}), permission)


def test_deny_by_default():
    assert not allows(set(), Permission.VIEW_REPORTS)
    assert all(isinstance(p, Permission) for perms in ROLE_PERMISSIONS.values() for p in perms)


def test_roles_combine():
    assert allows({R, N}, Permission.VIEW_REPORTS) and allows({R, N}, Permission.LOG_SESSION)
