"""The schema, as typed SQLAlchemy 2 models.

Every change to these classes goes with an Alembic migration in
``shelter/storage/migrations/versions`` (a test compares the two). Checks in
the schema back the checks in the services: invalid data never reaches disk.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shelter.domain.vocabulary import (
    AGE_BAND,
    ASSESSMENT_DOMAIN,
    ASSESSMENT_KIND,
    CANCELLED_BY,
    CLOSURE_REASON,
    DESTINATION,
    EXPLOITATION_SCOPE,
    FOLLOW_UP_METHOD,
    GOAL_STATUS,
    HANDOVER_REASON,
    IDENTIFICATION,
    MILESTONE,
    MILESTONE_STATUS,
    NOTE_FORMAT,
    PARTNER_KIND,
    PATHWAY,
    PLAN_EVENT,
    PRIORITY,
    REFERRAL_SOURCE,
    REFERRAL_STATUS,
    RISK_ACTION,
    RISK_LEVEL,
    RISK_OUTCOME,
    ROLE,
    SCORE_OCCASION,
    SESSION_KIND,
    SESSION_MODE,
    SESSION_STATUS,
    SEX,
    UNMET_REASON,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

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
    # While out of service (active false): why, and when it should be back.
    out_of_service_reason: Mapped[str | None] = mapped_column(String(200))
    out_of_service_until: Mapped[date | None] = mapped_column(Date)

    room: Mapped[Room] = relationship(back_populates="beds")


class BedServiceChange(Base):
    """The day a bed began or stopped counting among the beds in service: a
    bed counts while it, its room and its shelter are in use. Written by
    every change that moves one of those three, so that a past month's
    occupancy is measured against the beds of that month, not today's."""

    __tablename__ = "bed_service_change"
    __table_args__ = (Index("ix_bed_service_change_bed", "bed_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bed_id: Mapped[int] = mapped_column(ForeignKey("bed.id"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    in_service: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


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
            ROLE.sql_in("role"),
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


# -- residents, stays and beds (revision 0002) ---------------------------------

def _partial(condition: str) -> dict[str, object]:
    """The WHERE of a partial index, for every dialect that has them. SQLAlchemy
    takes the condition per dialect and silently drops it on a dialect it was
    not given for: without ``postgresql_where`` PostgreSQL would get a plain
    unique index (one stay per resident, ever). tests/test_schema_postgresql.py
    checks both are present and equal."""
    return {"sqlite_where": text(condition), "postgresql_where": text(condition)}


class Resident(Base):
    """A person the shelter protects. One record per person across stays: a
    readmission opens a new stay on the same resident. Accompanying children
    are residents of their own, linked to the parent."""

    __tablename__ = "resident"
    __table_args__ = (
        CheckConstraint(SEX.sql_in("sex"), name="known_sex"),
        CheckConstraint(RISK_LEVEL.sql_in("risk_level"), name="known_risk"),
        CheckConstraint("length(trim(name_arabic)) > 0 OR length(trim(name_latin)) > 0", name="named"),
        CheckConstraint("exploitation_scope IS NULL OR " + EXPLOITATION_SCOPE.sql_in("exploitation_scope"),
                        name="known_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    name_arabic: Mapped[str] = mapped_column(String(200), default="")
    name_latin: Mapped[str] = mapped_column(String(200), default="")
    preferred_name: Mapped[str] = mapped_column(String(120), default="")
    sex: Mapped[str] = mapped_column(String(8))
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_year_estimated: Mapped[int | None] = mapped_column(Integer)
    nationality: Mapped[str] = mapped_column(String(2), default="")  # ISO 3166-1 alpha-2
    languages: Mapped[str] = mapped_column(String(120), default="")  # ISO 639 codes, comma-separated
    interpreter_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    exploitation: Mapped[str] = mapped_column(String(200), default="")  # vocabulary.EXPLOITATION_FORM codes, comma-separated
    exploitation_country: Mapped[str] = mapped_column(String(2), default="")
    exploitation_scope: Mapped[str | None] = mapped_column(String(16))
    flag_trafficker_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_no_visits: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_no_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_media_exposure: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_level: Mapped[str] = mapped_column(String(8), default="medium")
    consent_processing: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_processing_on: Mapped[date | None] = mapped_column(Date)
    # When the person withdrew that consent (revision 0005); cleared when it is given again.
    consent_processing_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    consent_sharing: Mapped[str] = mapped_column(Text, default="")  # named partners, one per line
    consent_sharing_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Consent to be counted, without name, in the anonymised case-level
    # export (revision 0009); the figures of the reports count everyone.
    consent_reporting: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    consent_reporting_on: Mapped[date | None] = mapped_column(Date)

    stays: Mapped[list[Stay]] = relationship(back_populates="resident", order_by="Stay.admitted_at")


class ResidentNameKey(Base):
    """Folded and phonetic keys of a resident's names (shelter.names), so a
    search is an indexed prefix lookup inside the encrypted database."""

    __tablename__ = "resident_name_key"

    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)

    __table_args__ = (Index("ix_resident_name_key_key", "key"),)


class Referral(Base):
    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(REFERRAL_SOURCE.sql_in("source"), name="known_source"),
        CheckConstraint(IDENTIFICATION.sql_in("identification"), name="known_identification"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"), unique=True)
    referred_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str] = mapped_column(String(200), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    identification: Mapped[str] = mapped_column(String(16), default="presumed")
    identified_by: Mapped[str] = mapped_column(String(200), default="")
    identified_on: Mapped[date | None] = mapped_column(Date)


class Stay(Base):
    """One stay of a resident in a shelter, from admission to discharge.
    The database refuses a second open stay for the same person."""

    __tablename__ = "stay"
    __table_args__ = (
        CheckConstraint("discharged_at IS NULL OR discharged_at >= admitted_at", name="ordered"),
        CheckConstraint("destination IS NULL OR " + DESTINATION.sql_in("destination"), name="known_destination"),
        CheckConstraint("(discharged_at IS NULL) = (destination IS NULL)", name="discharge_complete"),
        Index("uq_stay_one_open_per_resident", "resident_id", unique=True,
              **_partial("discharged_at IS NULL")),
        # The reports take the stays admitted or discharged in a period (revision 0009).
        Index("ix_stay_admitted_at", "admitted_at"),
        Index("ix_stay_discharged_at", "discharged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelter.id"), index=True)
    admitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    discharged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    destination: Mapped[str | None] = mapped_column(String(32))
    discharge_note: Mapped[str] = mapped_column(Text, default="")

    resident: Mapped[Resident] = relationship(back_populates="stays")
    assignments: Mapped[list[BedAssignment]] = relationship(back_populates="stay",
                                                            order_by="BedAssignment.started_at")


class BedAssignment(Base):
    """Who was in which bed, from when to when. The database refuses two open
    assignments on one bed and two open assignments for one stay."""

    __tablename__ = "bed_assignment"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ordered"),
        Index("uq_bed_assignment_one_per_bed", "bed_id", unique=True, **_partial("ended_at IS NULL")),
        Index("uq_bed_assignment_one_per_stay", "stay_id", unique=True, **_partial("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"), index=True)
    bed_id: Mapped[int] = mapped_column(ForeignKey("bed.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    stay: Mapped[Stay] = relationship(back_populates="assignments")


class Reservation(Base):
    """A bed held for an expected arrival until ``expires_at``. Closed when
    the person is admitted to it (``admitted_stay_id``) or it is cancelled;
    an expired one simply stops holding the bed."""

    __tablename__ = "reservation"
    __table_args__ = (
        CheckConstraint("expires_at > reserved_at", name="ordered"),
        Index("uq_reservation_one_open_per_bed", "bed_id", unique=True,
              **_partial("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bed_id: Mapped[int] = mapped_column(ForeignKey("bed.id"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")  # e.g. "police referral, Rabat"; no identity
    reserved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    admitted_stay_id: Mapped[int | None] = mapped_column(ForeignKey("stay.id"))


class SharingConsent(Base):
    """The resident's consent to share sections of their file with one named
    receiver (an organisation), given on a date, until withdrawn. Names
    listed in ``Resident.consent_sharing`` at admission count as consent to
    every section for that receiver."""

    __tablename__ = "sharing_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    receiver: Mapped[str] = mapped_column(String(200))
    sections: Mapped[str] = mapped_column(String(120))  # vocabulary.HANDOVER_SECTION codes, comma-separated
    given_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    withdrawn_on: Mapped[date | None] = mapped_column(Date)


class IssuedDocument(Base):
    """A handover document as printed: what it said (``content``, canonical
    JSON) and its verification code, so that a paper can later be checked
    against what the shelter really issued."""

    __tablename__ = "issued_document"
    __table_args__ = (CheckConstraint(HANDOVER_REASON.sql_in("reason"), name="known_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(48), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    receiver: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


# -- counters (revision 0004) ---------------------------------------------------

class CaseNumberCounter(Base):
    """The last case number given in a shelter in a year (``RBT1-2026-0042``
    is 42 in RBT1's row for 2026). Taken by ``shelter.storage.counters`` in the
    admission's own transaction: an UPDATE … RETURNING on this row, which
    SQLite's write lock and PostgreSQL's row lock both serialise, where a
    max + 1 over the residents was safe only under SQLite's BEGIN IMMEDIATE."""

    __tablename__ = "case_number_counter"
    __table_args__ = (CheckConstraint("last_value >= 1", name="positive"),)

    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelter.id"), primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer)


# -- corrections (revision 0005) ------------------------------------------------

class RecordChange(Base):
    """One field of a record as it was before a correction, and as it became:
    who changed it, when and why. Written by the correction services for each
    field that changed, never updated: the earlier values of a resident's file
    are kept and shown on request. Values are JSON text (``null``, ``true``,
    ``"2026-03-14"``, ``["sexual", "labour"]``) inside the encrypted store;
    the audit log names the record only."""

    __tablename__ = "record_change"
    __table_args__ = (
        CheckConstraint("length(field) > 0", name="field_present"),
        CheckConstraint("old_value IS NULL OR new_value IS NULL OR old_value <> new_value", name="changed"),
        Index("ix_record_change_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    record_type: Mapped[str] = mapped_column(String(32))  # "resident", "referral", ...
    record_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


# -- case work after admission (revision 0006) --------------------------------------

class CaseAssignment(Base):
    """Which social worker holds a stay's case, from when to when. The
    database refuses two open assignments for one stay; a change of worker
    ends one row and opens another, so the history is kept."""

    __tablename__ = "case_assignment"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ordered"),
        Index("uq_case_assignment_one_open_per_stay", "stay_id", unique=True, **_partial("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class CaseClosure(Base):
    """A case closed, with its reason; reopening fills ``reopened_*`` and
    keeps the row. The database refuses two closures in force for a person."""

    __tablename__ = "case_closure"
    __table_args__ = (
        CheckConstraint(CLOSURE_REASON.sql_in("reason"), name="known_reason"),
        CheckConstraint("reason <> 'other' OR length(trim(reason_text)) > 0", name="other_explained"),
        CheckConstraint("(reopened_at IS NULL) = (reopened_by IS NULL)", name="reopen_complete"),
        Index("uq_case_closure_one_in_force", "resident_id", unique=True, **_partial("reopened_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    closed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(24))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    reopened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reopened_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")


class Assessment(Base):
    """A needs assessment of a resident during a stay: one score per domain
    (``AssessmentScore``), by whom and on which day. Kept as written: a later
    assessment is a new row, and each domain's history is the list of them."""

    __tablename__ = "assessment"
    __table_args__ = (
        CheckConstraint(ASSESSMENT_KIND.sql_in("kind"), name="known_kind"),
        Index("ix_assessment_stay_day", "stay_id", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"))
    kind: Mapped[str] = mapped_column(String(16))
    assessed_on: Mapped[date] = mapped_column(Date)
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AssessmentScore(Base):
    __tablename__ = "assessment_score"
    __table_args__ = (
        CheckConstraint(ASSESSMENT_DOMAIN.sql_in("domain"), name="known_domain"),
        CheckConstraint("score BETWEEN 1 AND 4", name="score_range"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(24), primary_key=True)
    score: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class CarePlan(Base):
    """The care plan of a stay. Its goals and actions are the working copy
    (the draft of the next version); ``PlanVersion`` keeps each version as
    agreed with the resident, frozen."""

    __tablename__ = "care_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    next_review_on: Mapped[date | None] = mapped_column(Date, index=True)


class PlanGoal(Base):
    __tablename__ = "plan_goal"
    __table_args__ = (
        CheckConstraint(ASSESSMENT_DOMAIN.sql_in("domain"), name="known_domain"),
        CheckConstraint(PRIORITY.sql_in("priority"), name="known_priority"),
        CheckConstraint(GOAL_STATUS.sql_in("status"), name="known_status"),
        CheckConstraint("length(trim(goal)) > 0", name="written"),
        CheckConstraint("status NOT IN ('dropped', 'not_achieved') OR length(trim(status_reason)) > 0",
                        name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    domain: Mapped[str] = mapped_column(String(24))
    goal: Mapped[str] = mapped_column(Text)  # as the social worker writes it
    resident_words: Mapped[str] = mapped_column(Text, default="")  # as the resident says it
    priority: Mapped[str] = mapped_column(String(8), default="medium")
    target_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class PlanAction(Base):
    __tablename__ = "plan_action"
    __table_args__ = (
        CheckConstraint("length(trim(what)) > 0", name="written"),
        CheckConstraint("owner_staff_id IS NOT NULL OR length(trim(owner_partner)) > 0", name="has_owner"),
        CheckConstraint("(done_on IS NULL) = (done_by IS NULL)", name="done_complete"),
        Index("ix_plan_action_open_due", "due_on", **_partial("done_on IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id"), index=True)
    what: Mapped[str] = mapped_column(Text)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"), index=True)
    owner_partner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlanActionNote(Base):
    """A progress note on an action, dated and signed; never edited."""

    __tablename__ = "plan_action_note"
    __table_args__ = (CheckConstraint("length(trim(text)) > 0", name="written"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_action.id"), index=True)
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    text: Mapped[str] = mapped_column(Text)


class PlanDomainReason(Base):
    """Why the plan has no goal in a domain that was scored below 4."""

    __tablename__ = "plan_domain_reason"
    __table_args__ = (
        CheckConstraint(ASSESSMENT_DOMAIN.sql_in("domain"), name="known_domain"),
        CheckConstraint("length(trim(reason)) > 0", name="written"),
    )

    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(24), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    written_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class PlanReview(Base):
    """A review of the plan: progress per goal (``PlanReviewGoal``), what was
    changed, and when the next review is due."""

    __tablename__ = "plan_review"
    __table_args__ = (CheckConstraint("next_review_on > reviewed_on", name="next_later"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    changes: Mapped[str] = mapped_column(Text, default="")
    next_review_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PlanReviewGoal(Base):
    __tablename__ = "plan_review_goal"
    __table_args__ = (CheckConstraint(GOAL_STATUS.sql_in("status"), name="known_status"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("plan_review.id"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[str] = mapped_column(Text, default="")


class PlanVersion(Base):
    """A version of the plan as agreed with the resident: what was printed
    (``content``, canonical JSON) and its verification code, frozen. The
    paper's reference and code, typed back, tell whether it is genuine."""

    __tablename__ = "plan_version"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint("number >= 1", name="positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(48), unique=True)
    lang: Mapped[str] = mapped_column(String(8))
    interpreter: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(16))
    agreed_on: Mapped[date] = mapped_column(Date)
    agreed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    agreed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class PlanEvent(Base):
    """The approval history of a plan: sent for approval, approved, returned
    with a comment, agreed. ``content_hash`` names the draft as it was then,
    so an approval stops counting once the draft changes."""

    __tablename__ = "plan_event"
    __table_args__ = (CheckConstraint(PLAN_EVENT.sql_in("kind"), name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("care_plan.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    version_number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


# -- counselling (revision 0007) ----------------------------------------------------

class MeetingRoom(Base):
    """A room where sessions are held (not a bedroom of the bed board)."""

    __tablename__ = "meeting_room"
    __table_args__ = (UniqueConstraint("shelter_id", "name"),
                      CheckConstraint("length(trim(name)) > 0", name="named"))

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelter.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SessionSeries(Base):
    """A weekly session: its occurrences are sessions of their own, each at
    ``local_start`` on the shelter's wall clock (Africa/Casablanca)."""

    __tablename__ = "session_series"
    __table_args__ = (CheckConstraint("until_on >= first_on", name="ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), index=True)
    local_start: Mapped[str] = mapped_column(String(5))  # "10:00"
    minutes: Mapped[int] = mapped_column(Integer)
    first_on: Mapped[date] = mapped_column(Date)
    until_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class CounsellingSession(Base):
    """A session, planned or past: who, when (UTC, unambiguous), where, how.
    What was said is in ``SessionNote``, encrypted."""

    __tablename__ = "counselling_session"
    __table_args__ = (
        CheckConstraint(SESSION_KIND.sql_in("kind"), name="known_kind"),
        CheckConstraint(SESSION_MODE.sql_in("mode"), name="known_mode"),
        CheckConstraint(SESSION_STATUS.sql_in("status"), name="known_status"),
        CheckConstraint("ends_at > starts_at", name="ordered"),
        CheckConstraint("status <> 'cancelled' OR (cancelled_by IS NOT NULL AND length(trim(cancel_reason)) > 0)",
                        name="cancel_explained"),
        CheckConstraint("cancelled_by IS NULL OR " + CANCELLED_BY.sql_in("cancelled_by"), name="known_canceller"),
        Index("ix_counselling_session_counsellor_start", "counsellor_id", "starts_at"),
        Index("ix_counselling_session_room_start", "room_id", "starts_at"),
        Index("ix_counselling_session_start", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelter.id"), index=True)
    counsellor_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"))
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16), default="in_person")
    room_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_room.id"))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    cancelled_by: Mapped[str | None] = mapped_column(String(16))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    interpreter_language: Mapped[str] = mapped_column(String(16), default="")
    interpreter_name: Mapped[str] = mapped_column(String(200), default="")
    series_id: Mapped[int | None] = mapped_column(ForeignKey("session_series.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class SessionAttendee(Base):
    __tablename__ = "session_attendee"
    __table_args__ = (Index("ix_session_attendee_resident", "resident_id", "session_id"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("counselling_session.id"), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), primary_key=True)


class SessionRelative(Base):
    """A relative at a family session who is not a resident: a name and a relation only."""

    __tablename__ = "session_relative"
    __table_args__ = (CheckConstraint("length(trim(name)) > 0", name="named"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counselling_session.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    relation: Mapped[str] = mapped_column(String(60), default="")


class SessionNote(Base):
    """A counsellor's note on a held session: its parts (by ``format``) as
    JSON, encrypted under the counselling compartment key. Unsigned, it is
    the draft the editor saves as it goes; signed, it is frozen (later
    words are ``NoteAddendum``)."""

    __tablename__ = "session_note"
    __table_args__ = (
        UniqueConstraint("session_id", "author_id"),
        CheckConstraint(NOTE_FORMAT.sql_in("format"), name="known_format"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counselling_session.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), index=True)
    format: Mapped[str] = mapped_column(String(8))
    topics: Mapped[str] = mapped_column(String(240), default="")  # ASSESSMENT_DOMAIN codes, comma-separated
    generation: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class NoteAddendum(Base):
    """Words added to a signed note, dated, by its author; encrypted."""

    __tablename__ = "note_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_note.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)
    generation: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class RiskScreen(Base):
    """A self-harm and suicide risk screen at a session. The outcome and the
    action's code are plain (a high outcome raises the resident's risk level
    and tells the coordinators); the answers and the counsellor's words are
    encrypted."""

    __tablename__ = "risk_screen"
    __table_args__ = (
        CheckConstraint(RISK_OUTCOME.sql_in("outcome"), name="known_outcome"),
        CheckConstraint(RISK_ACTION.sql_in("action"), name="known_action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counselling_session.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"))
    outcome: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(16))
    screened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    generation: Mapped[int] = mapped_column(Integer)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)


class RiskAlert(Base):
    """A high risk found at a session, for the coordinators: who and when,
    never what was said. Open until a coordinator acknowledges it."""

    __tablename__ = "risk_alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    screen_id: Mapped[int] = mapped_column(ForeignKey("risk_screen.id"))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class SessionFollowUp(Base):
    """A follow-up a counsellor proposes for the care plan: written to be
    shared with the social worker (plain), who may make it an action."""

    __tablename__ = "session_follow_up"
    __table_args__ = (CheckConstraint("length(trim(text)) > 0", name="written"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("counselling_session.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    domain: Mapped[str | None] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    plan_action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_action.id"))
    # Or the social worker decided it needs no action of the plan.
    set_aside_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    set_aside_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class CompartmentSeal(Base):
    """A compartment key sealed to one holder ("account:<id>" or
    "recovery"), to the public key named (so a seal to an old key pair is
    known to be stale). See ``shelter.security.compartment``."""

    __tablename__ = "compartment_seal"
    __table_args__ = (UniqueConstraint("compartment", "generation", "holder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    compartment: Mapped[str] = mapped_column(String(24))
    generation: Mapped[int] = mapped_column(Integer)
    holder: Mapped[str] = mapped_column(String(40))
    holder_public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    ephemeral_public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GlassAccess(Base):
    """An emergency reading of a resident's counselling notes by someone who
    is not a counsellor: why, from when until when (at most an hour)."""

    __tablename__ = "glass_access"
    __table_args__ = (CheckConstraint("ends_at > started_at", name="ordered"),
                      CheckConstraint("length(trim(reason)) >= 20", name="reasoned"))

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class GlassNotice(Base):
    """That an emergency reading happened, for one counsellor (the author of
    the notes read, and every other counsellor), until they have seen it."""

    __tablename__ = "glass_notice"

    glass_id: Mapped[int] = mapped_column(ForeignKey("glass_access.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), primary_key=True)
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


# -- reintegration (revision 0008) --------------------------------------------------

class Partner(Base):
    """An organisation the shelter refers residents to: its kind, city and
    how to reach it. Retired (``active`` false), never deleted: referrals
    name it."""

    __tablename__ = "partner"
    __table_args__ = (
        CheckConstraint(PARTNER_KIND.sql_in("kind"), name="known_kind"),
        CheckConstraint("length(trim(name)) > 0", name="named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(120), default="")
    contact: Mapped[str] = mapped_column(Text, default="")  # person, phone, e-mail: as the partner gave them
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class MilestoneTemplate(Base):
    """A milestone a pathway starts with, due ``offset_days`` after the plan
    opens. ``code`` (a ``vocabulary.MILESTONE``) keeps the title translated
    until an administrator writes one of their own in ``title``."""

    __tablename__ = "milestone_template"
    __table_args__ = (
        CheckConstraint(PATHWAY.sql_in("pathway"), name="known_pathway"),
        CheckConstraint("code IS NULL OR " + MILESTONE.sql_in("code"), name="known_code"),
        CheckConstraint("code IS NOT NULL OR length(trim(title)) > 0", name="named"),
        CheckConstraint("offset_days BETWEEN 0 AND 730", name="offset_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway: Mapped[str] = mapped_column(String(24), index=True)
    code: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200), default="")
    offset_days: Mapped[int] = mapped_column(Integer, default=30)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ReintegrationPlan(Base):
    """The reintegration plan of a stay: the pathway, the resident's own
    choice in her or his words, and the day she or he gave informed consent
    to it (None: not yet)."""

    __tablename__ = "reintegration_plan"
    __table_args__ = (
        CheckConstraint(PATHWAY.sql_in("pathway"), name="known_pathway"),
        CheckConstraint("pathway <> 'other' OR length(trim(pathway_detail)) > 0", name="other_explained"),
        CheckConstraint("consent_on IS NULL OR consent_on >= opened_on", name="consent_after_opening"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    pathway: Mapped[str] = mapped_column(String(24))
    pathway_detail: Mapped[str] = mapped_column(String(200), default="")  # country, city, or what "other" is
    resident_choice: Mapped[str] = mapped_column(Text, default="")
    opened_on: Mapped[date] = mapped_column(Date)
    consent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class PathwayChange(Base):
    """A change of pathway, with its reason: the earlier choice is kept."""

    __tablename__ = "pathway_change"
    __table_args__ = (
        CheckConstraint(PATHWAY.sql_in("old_pathway"), name="known_old"),
        CheckConstraint(PATHWAY.sql_in("new_pathway"), name="known_new"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reintegration_plan.id"), index=True)
    old_pathway: Mapped[str] = mapped_column(String(24))
    new_pathway: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class Milestone(Base):
    """A step of a reintegration plan, from a template or the case's own:
    when it is due, who is responsible (a staff member or a partner), its
    status. Each change of status is kept in ``MilestoneEvent``."""

    __tablename__ = "milestone"
    __table_args__ = (
        CheckConstraint(MILESTONE_STATUS.sql_in("status"), name="known_status"),
        CheckConstraint("code IS NULL OR " + MILESTONE.sql_in("code"), name="known_code"),
        CheckConstraint("code IS NOT NULL OR length(trim(title)) > 0", name="named"),
        CheckConstraint("status NOT IN ('blocked', 'not_applicable') OR length(trim(status_reason)) > 0",
                        name="reason_given"),
        CheckConstraint("(status = 'done') = (done_on IS NOT NULL)", name="done_dated"),
        Index("ix_milestone_open_due", "due_on", **_partial("status IN ('planned', 'in_progress', 'blocked')")),
        Index("ix_milestone_done_on", "done_on", **_partial("status = 'done'")),  # the reports (revision 0009)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reintegration_plan.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("milestone_template.id"))
    code: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    owner_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"), index=True)
    owner_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    status_reason: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class MilestoneEvent(Base):
    """A milestone's status as it was set, when and by whom: its history."""

    __tablename__ = "milestone_event"
    __table_args__ = (CheckConstraint(MILESTONE_STATUS.sql_in("status"), name="known_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class PartnerReferral(Base):
    """A resident referred to a partner for a service: the partner's answer
    (accepted, refused, completed, each dated) and when to follow it up.
    ``consent_override`` holds the written reason when the resident had not
    consented to share with this partner."""

    __tablename__ = "partner_referral"
    __table_args__ = (
        CheckConstraint(REFERRAL_STATUS.sql_in("status"), name="known_status"),
        CheckConstraint("length(trim(service)) > 0", name="service_named"),
        CheckConstraint("status <> 'accepted' OR accepted_on IS NOT NULL", name="accepted_dated"),
        CheckConstraint("status <> 'refused' OR refused_on IS NOT NULL", name="refused_dated"),
        CheckConstraint("status <> 'completed' OR completed_on IS NOT NULL", name="completed_dated"),
        Index("ix_partner_referral_open_follow_up", "follow_up_on", **_partial("status IN ('sent', 'accepted')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partner.id"), index=True)
    service: Mapped[str] = mapped_column(Text)
    referred_on: Mapped[date] = mapped_column(Date)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    accepted_on: Mapped[date | None] = mapped_column(Date)
    refused_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    answer_note: Mapped[str] = mapped_column(Text, default="")
    consent_override: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class FollowUpContact(Base):
    """An attempt to reach the person after discharge, for one follow-up
    round (``round_months`` after the discharge; 0 for an extra contact),
    recorded whether or not she or he was reached."""

    __tablename__ = "follow_up_contact"
    __table_args__ = (
        CheckConstraint(FOLLOW_UP_METHOD.sql_in("method"), name="known_method"),
        CheckConstraint("round_months BETWEEN 0 AND 60", name="round_range"),
        CheckConstraint("method <> 'partner' OR partner_id IS NOT NULL", name="partner_named"),
        Index("ix_follow_up_contact_stay_day", "stay_id", "contacted_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    round_months: Mapped[int] = mapped_column(Integer)
    contacted_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    reached: Mapped[bool] = mapped_column(Boolean)
    situation: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class SustainabilityScore(Base):
    """The reintegration sustainability scores (0 to 1) of one survey, as
    computed when it was recorded, with the weights used (``weights``,
    canonical JSON), so that a later change of weights never rewrites it."""

    __tablename__ = "sustainability_score"
    __table_args__ = (
        CheckConstraint(SCORE_OCCASION.sql_in("occasion"), name="known_occasion"),
        CheckConstraint("overall IS NULL OR overall BETWEEN 0 AND 1", name="overall_range"),
        CheckConstraint("economic IS NULL OR economic BETWEEN 0 AND 1", name="economic_range"),
        CheckConstraint("social IS NULL OR social BETWEEN 0 AND 1", name="social_range"),
        CheckConstraint("psychosocial IS NULL OR psychosocial BETWEEN 0 AND 1", name="psychosocial_range"),
        Index("ix_sustainability_score_stay_day", "stay_id", "scored_on"),
        Index("ix_sustainability_score_occasion_day", "occasion", "scored_on"),  # the reports (revision 0009)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stay.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    occasion: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up_contact.id"))
    scored_on: Mapped[date] = mapped_column(Date)
    economic: Mapped[float | None] = mapped_column(Float)
    social: Mapped[float | None] = mapped_column(Float)
    psychosocial: Mapped[float | None] = mapped_column(Float)
    overall: Mapped[float | None] = mapped_column(Float)
    answered: Mapped[int] = mapped_column(Integer)
    weights: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class SustainabilityAnswer(Base):
    __tablename__ = "sustainability_answer"

    score_id: Mapped[int] = mapped_column(ForeignKey("sustainability_score.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    answer: Mapped[str] = mapped_column(String(24))


class SustainabilityWeight(Base):
    """An administrator's weight for one indicator, in its dimension and in
    the overall score; an indicator without a row has its documented weight."""

    __tablename__ = "sustainability_weight"
    __table_args__ = (
        CheckConstraint("dimension_weight >= 0 AND composite_weight >= 0", name="not_negative"),
    )

    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    dimension_weight: Mapped[float] = mapped_column(Float)
    composite_weight: Mapped[float] = mapped_column(Float)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


class ReintegrationDocument(Base):
    """A reintegration plan as printed, for the resident or for a receiving
    partner: what it said (``content``, canonical JSON) and its verification
    code."""

    __tablename__ = "reintegration_document"
    __table_args__ = (CheckConstraint("audience IN ('resident', 'partner')", name="known_audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(48), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("reintegration_plan.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    audience: Mapped[str] = mapped_column(String(16))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"))
    lang: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))


# -- reports (revision 0009) -----------------------------------------------------------

class UnmetRequest(Base):
    """A referral the shelter could not take in: when, from whom, why. No
    name, no date of birth, no nationality: only what the reports count
    (the sex and age band the bed would have had to fit, accompanying
    children). Each request counts, even for the same person twice."""

    __tablename__ = "unmet_request"
    __table_args__ = (
        CheckConstraint(REFERRAL_SOURCE.sql_in("source"), name="known_source"),
        CheckConstraint(UNMET_REASON.sql_in("reason"), name="known_reason"),
        CheckConstraint("sex IS NULL OR " + SEX.sql_in("sex"), name="known_sex"),
        CheckConstraint("age_band IS NULL OR " + AGE_BAND.sql_in("age_band"), name="known_age_band"),
        CheckConstraint("children BETWEEN 0 AND 20", name="children_range"),
        CheckConstraint("reason <> 'other' OR length(trim(reason_text)) > 0", name="other_explained"),
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by IS NULL)", name="withdrawal_complete"),
        Index("ix_unmet_request_day", "requested_on", "shelter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(ForeignKey("shelter.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str] = mapped_column(String(200), default="")  # the referring organisation, not a person
    reason: Mapped[str] = mapped_column(String(16))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    sex: Mapped[str | None] = mapped_column(String(8))
    age_band: Mapped[str | None] = mapped_column(String(8))
    children: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    # Recorded by mistake (a duplicate, the wrong shelter): kept, not counted.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
