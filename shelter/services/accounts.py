"""Staff accounts: create, change roles, deactivate, reset and change passwords.

Each account has a key slot in the keyring; the database row and the slot
change together: under the keyring lock, the keyring is read afresh, the
row changes inside the transaction and the keyring is written before the
commit, so a failure leaves at worst an unused slot (which opens nothing the
account table does not vouch for) or a removed one, and a change made by
another session meanwhile is never undone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelter.domain.naming import check_username
from shelter.errors import ValidationError
from shelter.i18n import LANGUAGES, _
from shelter.security import passwords as password_rules
from shelter.security.keyring import new_private_key
from shelter.security.permissions import Permission, Role
from shelter.storage.models import StaffAccount, StaffRole
from shelter.store import SignedIn


@dataclass(frozen=True)
class AccountView:
    id: int
    username: str
    display_name: str
    roles: frozenset[Role]
    active: bool
    must_change_password: bool
    language: str | None
    created_at: datetime
    last_sign_in_at: datetime | None


def _view(a: StaffAccount) -> AccountView:
    return AccountView(a.id, a.username, a.display_name, frozenset(Role(r.role) for r in a.roles), a.active,
                       a.must_change_password, a.language, a.created_at, a.last_sign_in_at)


def _roles(roles: Iterable[Role | str]) -> list[Role]:
    try:
        chosen = sorted({Role(r) for r in roles})
    except ValueError:
        raise ValidationError(_("Unknown role."), field="roles") from None
    if not chosen:
        raise ValidationError(_("Choose at least one role."), field="roles")
    return chosen


def _display_name(name: str) -> str:
    value = " ".join(name.split())
    if not value:
        raise ValidationError(_("Enter the person's name."), field="display_name")
    if len(value) > 120:
        raise ValidationError(_("The name is too long (120 characters at most)."), field="display_name")
    return value


def _account(s: Session, account_id: int) -> StaffAccount:
    account = s.get(StaffAccount, account_id)
    if account is None:
        raise ValidationError(_("This account no longer exists."), field="account")
    return account


def _active_admins(s: Session) -> int:
    return len(s.execute(
        select(StaffAccount.id).join(StaffRole).where(
            StaffAccount.active.is_(True), StaffRole.role == Role.ADMINISTRATOR.value
        )
    ).all())


def list_accounts(who: SignedIn) -> list[AccountView]:
    who.require(Permission.MANAGE_ACCOUNTS)
    with who.store.read() as s:
        return [_view(a) for a in s.execute(select(StaffAccount).order_by(StaffAccount.username)).scalars()]


def create_account(
    who: SignedIn,
    username: str,
    display_name: str,
    roles: Iterable[Role | str],
    password: str,
    language: str | None = None,
    must_change_password: bool = True,
) -> AccountView:
    """A new staff account with ``password`` (by default temporary: it must be
    changed at first sign-in)."""
    who.require(Permission.MANAGE_ACCOUNTS)
    name = check_username(username)
    display = _display_name(display_name)
    chosen = _roles(roles)
    password_rules.check(password, name, display_name=display)
    if language is not None and language not in LANGUAGES:
        raise ValidationError(_("Unknown language."), field="language")
    store = who.store
    with store.keyring_change() as ring, store.write() as s:
        if s.execute(select(StaffAccount.id).where(StaffAccount.username == name)).first():
            raise ValidationError(_("This username is already taken."), field="username")
        slot_params = ring.slots[ring.user_slot(who.actor.username)].kdf
        slot = ring.add_slot(ring.user_slot(name), password, store.key, slot_params)
        account = StaffAccount(username=name, display_name=display, language=language,
                               must_change_password=must_change_password, slot_public_key=slot.public_key)
        account.roles = [StaffRole(role=r.value) for r in chosen]
        s.add(account)
        s.flush()
        who.audit(s, "account.create", "staff_account", account.id,
                    detail={"roles": ",".join(r.value for r in chosen)})
        store.save_keyring(ring)
        return _view(account)


def update_account(who: SignedIn, account_id: int, display_name: str, language: str | None) -> AccountView:
    who.require(Permission.MANAGE_ACCOUNTS)
    display = _display_name(display_name)
    if language is not None and language not in LANGUAGES:
        raise ValidationError(_("Unknown language."), field="language")
    with who.store.write() as s:
        account = _account(s, account_id)
        account.display_name = display
        account.language = language
        who.audit(s, "account.update", "staff_account", account.id)
        return _view(account)


def set_roles(who: SignedIn, account_id: int, roles: Iterable[Role | str]) -> AccountView:
    who.require(Permission.MANAGE_ACCOUNTS)
    chosen = _roles(roles)
    with who.store.write() as s:
        account = _account(s, account_id)
        was_admin = any(r.role == Role.ADMINISTRATOR.value for r in account.roles)
        if was_admin and Role.ADMINISTRATOR not in chosen and account.active and _active_admins(s) <= 1:
            raise ValidationError(
                _("The store needs at least one active administrator."), field="roles"
            )
        account.roles = [StaffRole(role=r.value) for r in chosen]
        who.audit(s, "account.roles", "staff_account", account.id,
                        detail={"roles": ",".join(r.value for r in chosen)})
        s.flush()
        return _view(account)


def deactivate(who: SignedIn, account_id: int) -> AccountView:
    """Deactivate an account and remove its key slot: its password no longer
    opens the store. The account stays, for the audit log's sake. Rotate the
    database key afterwards if the person may have kept a copy of the files."""
    who.require(Permission.MANAGE_ACCOUNTS)
    store = who.store
    with store.keyring_change() as ring, store.write() as s:
        account = _account(s, account_id)
        if account.id == who.actor.account_id:
            raise ValidationError(_("You cannot deactivate your own account."), field="account")
        is_admin = any(r.role == Role.ADMINISTRATOR.value for r in account.roles)
        if is_admin and account.active and _active_admins(s) <= 1:
            raise ValidationError(_("The store needs at least one active administrator."), field="account")
        account.active = False
        account.slot_public_key = None
        ring.remove_slot(ring.user_slot(account.username))
        who.audit(s, "account.deactivate", "staff_account", account.id)
        store.save_keyring(ring)
        return _view(account)


def reset_password(who: SignedIn, account_id: int, temporary_password: str) -> AccountView:
    """Give an account a temporary password (and reactivate it); it must be
    changed at the next sign-in. The old password stops working."""
    who.require(Permission.MANAGE_ACCOUNTS)
    store = who.store
    with store.keyring_change() as ring, store.write() as s:
        account = _account(s, account_id)
        password_rules.check(temporary_password, account.username, field="temporary_password",
                             display_name=account.display_name)
        params = ring.slots[ring.user_slot(who.actor.username)].kdf
        slot = ring.add_slot(ring.user_slot(account.username), temporary_password, store.key, params)
        reactivated = not account.active
        account.slot_public_key = slot.public_key
        account.active = True
        account.must_change_password = True
        who.audit(s, "account.reactivate" if reactivated else "account.reset_password",
                    "staff_account", account.id)
        store.save_keyring(ring)
        return _view(account)


def change_password(who: SignedIn, current_password: str, new_password: str) -> None:
    """The signed-in person changes their own password: one slot is rewrapped,
    nothing is re-encrypted."""
    store = who.store
    slot_id = store.keyring.user_slot(who.actor.username)
    if current_password == new_password:
        raise ValidationError(_("The new password must differ from the current one."), field="new_password")
    password_rules.check(new_password, who.actor.username, field="new_password",
                         display_name=who.actor.display_name)
    from shelter.errors import WrongPassword

    try:
        store.current_keyring().unlock(slot_id, current_password)
    except WrongPassword:
        raise ValidationError(_("The current password is not right."), field="current_password") from None
    with store.keyring_change() as ring, store.write() as s:
        account = _account(s, who.actor.account_id)
        params = ring.slots[slot_id].kdf
        private = new_private_key()
        slot = ring.add_slot(slot_id, new_password, store.key, params, private_raw=private)
        # What was sealed to the old key pair (the counselling notes' key) is
        # sealed to the new one in this transaction.
        from shelter.services.notes import reseal_to_new_key

        reseal_to_new_key(s, who, slot.public_key)
        account.slot_public_key = slot.public_key
        account.must_change_password = False
        who.audit(s, "account.password", "staff_account", account.id)
        store.save_keyring(ring)
    # This session signed in with the old slot: it now acts with the new one.
    store.bind(who.actor.account_id, slot.public_key)
    store.hold_slot_private(private)
    from dataclasses import replace

    who.actor = replace(who.actor, must_change_password=False)
