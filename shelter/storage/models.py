"""The schema, as typed SQLAlchemy 2 models.

Every change to these classes goes with an Alembic migration in
``shelter/storage/migrations/versions`` (a test compares the two). Checks in
the schema back the checks in the services: invalid data never reaches disk.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLE_CODES = ("administrator", "coordinator", "social_worker", "counsellor", "reporting")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python, naive UTC on disk (SQLite has no zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Setting(Base):
    """Store-wide settings as JSON values (idle lock minutes, document language …)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StoreMeta(Base):
    """Internal facts about the store (never shown or edited in the GUI):
    the audit-chain secret, the recovery slot's public key, the store id."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class Shelter(Base):
    __tablename__ = "shelter"
    __table_args__ = (
        CheckConstraint("length(code) BETWEEN 2 AND 12 AND code = upper(code)", name="code_format"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
        CheckConstraint("receives_women OR receives_men OR receives_minors", name="receives_someone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(120), default="")
    receives_women: Mapped[bool] = mapped_column(Boolean, default=True)
    receives_men: Mapped[bool] = mapped_column(Boolean, default=False)
    receives_minors: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    rooms: Mapped[list[Room]] = relationship(back_populates="shelter", order_by="Room.name")


class Room(Base):
    __tablename__ = "room"
    __table_args__ = (
        UniqueConstraint("shelter_id", "name"),
        CheckConstraint("NOT (women_only AND men_only)", name="one_sex"),
        CheckConstraint("length(trim(name)) > 0", name="name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelter.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    women_only: Mapped[bool] = mapped_column(Boolean, default=False)
    men_only: Mapped[bool] = mapped_column(Boolean, default=False)
    minors: Mapped[bool] = mapped_column(Boolean, default=False)
    accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    shelter: Mapped[Shelter] = relationship(back_populates="rooms")
    beds: Mapped[list[Bed]] = relationship(back_populates="room", order_by="Bed.label")


class Bed(Base):
    __tablename__ = "bed"
    __table_args__ = (
        UniqueConstraint("room_id", "label"),
        CheckConstraint("length(trim(label)) > 0", name="label_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("room.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    room: Mapped[Room] = relationship(back_populates="beds")


class StaffAccount(Base):
    __tablename__ = "staff_account"
    __table_args__ = (
        CheckConstraint(
            "length(username) BETWEEN 2 AND 32 AND username = lower(username)", name="username_format"
        ),
        CheckConstraint("length(trim(display_name)) > 0", name="display_name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(8))
    # The public half of this account's key slot. Kept inside the encrypted
    # database so a slot added to the keyring file behind our back is not
    # given the new key at rotation.
    slot_public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    roles: Mapped[list[StaffRole]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="StaffRole.role"
    )


class StaffRole(Base):
    __tablename__ = "staff_role"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{r}'" for r in ROLE_CODES) + ")",
            name="known_role",
        ),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)

    account: Mapped[StaffAccount] = relationship(back_populates="roles")


class AuditEntry(Base):
    """One line of the audit trail. Append-only: triggers refuse UPDATE and
    DELETE; each entry's MAC covers the previous one's, so a removed,
    edited or reordered entry breaks the chain. Records are named by type and
    id, never by content."""

    __tablename__ = "audit_entry"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(48), index=True)
    record_type: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
