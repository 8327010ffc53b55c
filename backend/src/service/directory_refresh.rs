//! The scheduled refresh of LDAP accounts, so leavers lose access without
//! waiting for a login they will never make: every `[ldap] refresh_secs`
//! the leader asks the directory, as the service account, about each
//! enabled LDAP account. Someone gone from the directory, or from every
//! mapped group, is disabled (sessions end, tokens stop); a changed role is
//! applied (tokens revoked). Each change is an account ledger row whose
//! actor is `ldap`. A directory that cannot be asked changes nothing.
//! (OpenID providers cannot be asked about a person who is not logging in;
//! their accounts expire instead: see `auth::still_vouched`.)

use super::{now, users};
use crate::directory::ldap::LdapError;
use crate::{AppState, ServiceError};
use shipshape_domain::account::{row, AccountChange, Target};
use shipshape_domain::directory::Source;
use shipshape_domain::user::User;
use std::time::Duration;

/// What one refresh round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Refreshed {
    pub checked: usize,
    pub disabled: usize,
    pub role_changed: usize,
    pub unavailable: usize,
}

pub async fn run_forever(state: AppState) {
    let Some(ldap) = state.directories.ldap.clone() else {
        return;
    };
    if !ldap.can_look_up() {
        return;
    }
    use crate::jobs::{leader_ticks, Start};
    let every = Duration::from_secs(ldap.refresh_secs());
    // Stopped where it waits (its writes are transactions).
    let mut ticks = leader_ticks(&state, every, Start::AfterOneInterval).await;
    while let Some(_due) = ticks.next().await {
        let Some(refreshed) = state.lifecycle.unless_stopped(refresh_ldap(&state)).await else {
            break;
        };
        match refreshed {
            Ok(r) if r.disabled + r.role_changed > 0 => {
                tracing::info!(
                    checked = r.checked,
                    disabled = r.disabled,
                    role_changed = r.role_changed,
                    "LDAP accounts refreshed"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "LDAP account refresh failed"),
        }
    }
}

/// One round over every enabled LDAP account.
pub async fn refresh_ldap(state: &AppState) -> Result<Refreshed, ServiceError> {
    let Some(ldap) = state.directories.ldap.clone() else {
        return Ok(Refreshed::default());
    };
    let accounts: Vec<User> = state
        .db
        .read()
        .await?
        .users()
        .list()
        .await?
        .into_iter()
        .filter(|u| u.source == Source::Ldap && !u.disabled)
        .collect();
    let mut done = Refreshed::default();
    for account in accounts {
        done.checked += 1;
        let change = match ldap.lookup(&account.username).await {
            Ok(Some(person)) => match person.role {
                Some(role) if role == account.role => None,
                Some(role) => Some(AccountChange::Role(role)),
                None => Some(AccountChange::Disable),
            },
            Ok(None) => Some(AccountChange::Disable),
            Err(LdapError::Unavailable(detail)) => {
                tracing::warn!(user = %account.username, %detail, "LDAP refresh: the directory could not be asked");
                done.unavailable += 1;
                continue;
            }
            Err(LdapError::BadCredentials) => continue,
        };
        apply(state, &account, change.as_ref()).await?;
        match change {
            Some(AccountChange::Disable) => done.disabled += 1,
            Some(_) => done.role_changed += 1,
            None => {}
        }
    }
    Ok(done)
}

/// Records that the directory vouched for the account, and applies its
/// change (if any) with its ledger row, in one transaction.
async fn apply(
    state: &AppState,
    account: &User,
    change: Option<&AccountChange>,
) -> Result<(), ServiceError> {
    let at = now();
    let mut tx = state.db.write().await?;
    // Read again under the write lock: an admin may have acted meanwhile.
    let Some(current) = tx.users().account(account.id).await? else {
        return Ok(());
    };
    if current.disabled || current.source != Source::Ldap {
        return Ok(());
    }
    tx.users().set_directory_checked(account.id, at).await?;
    if let Some(change) = change {
        let target = Target::from(&current);
        match change {
            AccountChange::Role(r) => tx.users().set_role(account.id, *r).await?,
            AccountChange::Disable => {
                tx.users().set_disabled(account.id, Some(at)).await?;
                tx.users()
                    .end_sessions(account.id, super::now_millis())
                    .await?;
            }
            _ => {}
        }
        tx.tokens().revoke_all(account.id, at).await?;
        let (note, details) = row(&target, change);
        users::append_account_row(
            &mut tx,
            Source::Ldap.actor(),
            change.action(),
            note,
            &details,
        )
        .await?;
        tracing::info!(user = %current.username, action = change.action(), "LDAP refresh changed an account");
    }
    tx.commit().await?;
    Ok(())
}
