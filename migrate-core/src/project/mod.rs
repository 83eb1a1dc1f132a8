//! What migrate-cli's commands do to a project, as library calls: the migration files and the
//! revision graph they make, the calendar of revision ids, and (in the modules below) each
//! command's operation. The CLI parses arguments, calls one of these and prints what it
//! returns; nothing here prints.

pub mod clock;
pub mod files;
