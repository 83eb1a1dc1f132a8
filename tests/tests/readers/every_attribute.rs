//! Models that use every `#[model(...)]` attribute at least once. Compiled into the `readers`
//! test (so the derive registers them) and read from this file's text by the source reader:
//! the two readers must agree on them, spec for spec.

// The structs exist for their attributes; nothing reads their fields.
#![allow(dead_code)]

use migrate_core::Model;

#[derive(Model)]
#[model(
    table = "every_rooms",
    primary_key(tenant_id, id, name = "every_rooms_pk"),
    comment = "Rooms to book",
    engine = "InnoDB",
    charset = "utf8mb4",
    collation = "utf8mb4_bin"
)]
pub struct EveryRoom {
    /// Whose room it is.
    ///
    ///   Indented, as written.
    pub tenant_id: i64,
    /** A block doc comment. */
    #[model(identity = "always")]
    pub id: i64,
    #[model(
        max_length = 80,
        collation = "C",
        charset = "utf8mb4",
        comment = "Shown to guests"
    )]
    /// What rustdoc shows; `comment = "..."` is what the database keeps.
    pub label: String,
}

#[derive(Model)]
#[model(
    table = "every_bookings",
    index(
        name = "ix_every_bookings_lower_label",
        on = "lower(label) text_pattern_ops, starts_at DESC NULLS LAST, label(10)",
        method = "btree",
        where = "cancelled = false",
        include(room_id),
        with = "fillfactor=70",
        comment = "Finds a booking by its label"
    ),
    index(room_id, starts_at, unique, nulls_not_distinct),
    unique(
        name = "uq_every_slot",
        columns(room_id, starts_at),
        deferrable = "deferred",
        nulls_not_distinct
    ),
    unique(room_id, label),
    foreign_key(
        name = "fk_every_room",
        columns(tenant_id, room_id),
        references = "every_rooms(tenant_id, id)",
        on_delete = "cascade",
        on_update = "restrict",
        deferrable = "immediate",
        match_full,
        not_valid
    ),
    check(
        name = "ck_every_positive",
        expr = "room_id > 0",
        not_valid,
        no_inherit
    ),
    exclude(
        name = "ex_every_overlap",
        using = "gist",
        elements = "room_id WITH =, during WITH &&",
        where = "cancelled = false",
        deferrable = "deferred"
    ),
    exclude(
        name = "ex_every_raw",
        definition = "USING gist (during WITH &&) INCLUDE (room_id)"
    ),
    partition_by = "RANGE (starts_at)",
    inherits("every_base", "every_audit")
)]
pub struct EveryBooking {
    #[model(serial = "every_bookings_seq")]
    pub id: i32,
    pub tenant_id: i64,
    pub room_id: i64,
    #[model(
        unique(name = "uq_every_label", deferrable = "immediate"),
        index(name = "ix_every_label", method = "hash", unique)
    )]
    pub label: String,
    #[model(default_sql = "CURRENT_TIMESTAMP", on_update_sql = "CURRENT_TIMESTAMP")]
    pub starts_at: chrono::NaiveDateTime,
    #[model(sql_type = "custom(tstzrange)")]
    pub during: String,
    #[model(default = false)]
    pub cancelled: bool,
    #[model(generated(expr = "room_id * 2", stored))]
    pub doubled: i64,
    #[model(generated(expr = "room_id + 1"))]
    pub next_room: i64,
    #[model(
        references = "every_rooms.id",
        fk_name = "every_guide_fk",
        deferrable = "deferred",
        match_full,
        not_valid,
        on_delete = "set null"
    )]
    pub guide_id: Option<i64>,
    #[model(serial)]
    pub position: i32,
}

#[derive(Model)]
#[model(
    table = "every_logs",
    without_rowid,
    strict,
    partition_of(parent = "every_bookings", bound = "DEFAULT")
)]
pub struct EveryLog {
    #[model(autoincrement)]
    pub id: i64,
    #[model(identity = "by_default")]
    pub seq: i64,
    #[model(auto_increment = true)]
    pub counter: i32,
}

#[derive(Model)]
#[model(table = "every_events", no_primary_key)]
pub struct EveryEvent {
    pub id: i64,
    pub payload: String,
}
