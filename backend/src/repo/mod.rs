//! Repositories: the only code that writes SQL. One module per table; rows
//! are read with runtime `query_as` into `FromRow` structs and returned as
//! domain types.

pub mod attachments;
pub mod calendar_links;
pub mod checks;
pub mod clusters;
pub mod item_state;
pub mod ledger;
pub mod notifications;
pub mod reminders;
pub mod tokens;
pub mod users;
pub mod verdicts;
