//! Repositories: the storage interface the services use, one trait per
//! table (or group of tables), each implemented once per database in
//! [`crate::store::sqlite`] and [`crate::store::postgres`] (the only code
//! that writes SQL). Rows come back as domain types. Rules that are not SQL
//! (sealing a ledger row, folding the read model) live here as functions
//! over [`Repos`], shared by both databases.
//!
//! A [`Repos`] is one connection; a [`WriteTx`] is a write transaction that
//! holds the database's single-writer lock (SQLite's `BEGIN IMMEDIATE`, a
//! transaction-level advisory lock on PostgreSQL) until it commits or is
//! dropped (which rolls it back).

pub mod attachments;
pub mod calendar_links;
pub mod checks;
pub mod clusters;
pub mod item_state;
pub mod ledger;
pub mod meta;
pub mod notifications;
pub mod reminders;
pub mod tokens;
pub mod users;
pub mod verdicts;

pub use attachments::AttachmentRepo;
pub use calendar_links::CalendarLinkRepo;
pub use checks::CheckResultRepo;
pub use clusters::ClusterRepo;
pub use item_state::ItemStateRepo;
pub use ledger::LedgerRepo;
pub use meta::MetaRepo;
pub use notifications::NotificationRepo;
pub use reminders::ReminderRepo;
pub use tokens::TokenRepo;
pub use users::UserRepo;
pub use verdicts::VerdictRepo;

/// What every repository call returns.
pub type DbResult<T> = Result<T, sqlx::Error>;

/// One database connection, seen through every repository.
pub trait Repos: Send {
    fn attachments(&mut self) -> &mut dyn AttachmentRepo;
    fn calendar_links(&mut self) -> &mut dyn CalendarLinkRepo;
    fn checks(&mut self) -> &mut dyn CheckResultRepo;
    fn clusters(&mut self) -> &mut dyn ClusterRepo;
    fn item_state(&mut self) -> &mut dyn ItemStateRepo;
    fn ledger(&mut self) -> &mut dyn LedgerRepo;
    fn meta(&mut self) -> &mut dyn MetaRepo;
    fn notifications(&mut self) -> &mut dyn NotificationRepo;
    fn reminders(&mut self) -> &mut dyn ReminderRepo;
    fn tokens(&mut self) -> &mut dyn TokenRepo;
    fn users(&mut self) -> &mut dyn UserRepo;
    fn verdicts(&mut self) -> &mut dyn VerdictRepo;
}

/// A write transaction: the single-writer lock is held from `begin` until
/// [`WriteTx::commit`]; dropping it without committing rolls back.
#[async_trait::async_trait]
pub trait WriteTx: Repos {
    async fn commit(self: Box<Self>) -> DbResult<()>;
    /// The same connection as a plain [`Repos`] (for the shared functions).
    fn repos(&mut self) -> &mut dyn Repos;
}

/// Implements [`Repos`] for a type that implements every repository trait.
#[macro_export]
macro_rules! impl_repos {
    ($t:ty) => {
        impl $crate::repo::Repos for $t {
            fn attachments(&mut self) -> &mut dyn $crate::repo::AttachmentRepo {
                self
            }
            fn calendar_links(&mut self) -> &mut dyn $crate::repo::CalendarLinkRepo {
                self
            }
            fn checks(&mut self) -> &mut dyn $crate::repo::CheckResultRepo {
                self
            }
            fn clusters(&mut self) -> &mut dyn $crate::repo::ClusterRepo {
                self
            }
            fn item_state(&mut self) -> &mut dyn $crate::repo::ItemStateRepo {
                self
            }
            fn ledger(&mut self) -> &mut dyn $crate::repo::LedgerRepo {
                self
            }
            fn meta(&mut self) -> &mut dyn $crate::repo::MetaRepo {
                self
            }
            fn notifications(&mut self) -> &mut dyn $crate::repo::NotificationRepo {
                self
            }
            fn reminders(&mut self) -> &mut dyn $crate::repo::ReminderRepo {
                self
            }
            fn tokens(&mut self) -> &mut dyn $crate::repo::TokenRepo {
                self
            }
            fn users(&mut self) -> &mut dyn $crate::repo::UserRepo {
                self
            }
            fn verdicts(&mut self) -> &mut dyn $crate::repo::VerdictRepo {
                self
            }
        }
    };
}
