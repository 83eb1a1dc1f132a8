// table comments
//
// Revision: 20261203012958
// Revises: 20261125134048
// Created: 2026-12-03 01:29:58 UTC

use migrate_core::migration::prelude::*;

pub const REVISION: &str = "20261203012958";
pub const REVISES: &[&str] = &["20261125134048"];
pub const MESSAGE: &str = "table comments";

pub fn up(m: &mut Migration) {
    m.alter_table_options("posts", |o| {
        o.comment("A blog post.");
    });
    m.alter_table_options("users", |o| {
        o.comment("Someone who writes posts.");
    });
}

pub fn down(m: &mut Migration) {
    m.alter_table_options("users", |_| {});
    m.alter_table_options("posts", |_| {});
}
