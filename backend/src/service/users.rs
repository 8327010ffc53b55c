//! User management: admins add users in the UI, operators with the CLI.

use super::{now, require};
use crate::{password, AppState, ServiceError};
use secrecy::{ExposeSecret, SecretString};
use shipshape_domain::directory::Source;
use shipshape_domain::fields::FieldErrors;
use shipshape_domain::ids::UserId;
use shipshape_domain::role::{Permission, Role};
use shipshape_domain::user::{validate_new_user, User};

/// The actor on rows the operator's CLI writes (it has the database file,
/// and so full trust already).
pub const CLI_ACTOR: &str = "cli";

/// Adds a user on behalf of a logged-in admin.
pub async fn add_user(
    state: &AppState,
    actor: &User,
    username: &str,
    role: Role,
    password: SecretString,
) -> Result<User, ServiceError> {
    require(actor, Permission::ManageUsers)?;
    insert_local(state, &actor.username, username, role, password).await
}

/// Adds a user with no acting user: for the operator's CLI.
pub async fn create_user(
    state: &AppState,
    username: &str,
    role: Role,
    password: SecretString,
) -> Result<User, ServiceError> {
    insert_local(state, CLI_ACTOR, username, role, password).await
}

/// A local account and the ledger row that grants its role, together.
async fn insert_local(
    state: &AppState,
    actor: &str,
    username: &str,
    role: Role,
    password: SecretString,
) -> Result<User, ServiceError> {
    let username = validate_new_user(username, password.expose_secret())?;
    let hash = password::hash(password).await?;
    let mut tx = state.db.write().await?;
    let user = tx
        .users()
        .insert(&username, &hash, role, now(), Source::Local)
        .await?
        .ok_or_else(|| {
            ServiceError::Invalid(FieldErrors::single("username", "That user name is taken."))
        })?;
    record_created(&mut tx, actor, &user).await?;
    tx.commit().await?;
    Ok(user)
}

/// The install-level ledger row that records a new account and its role.
pub(super) async fn record_created(
    tx: &mut crate::store::Conn,
    actor: &str,
    user: &User,
) -> Result<(), ServiceError> {
    let (note, details) =
        shipshape_domain::account::created_row(&user.username, user.role, user.source);
    append_account_row(
        tx,
        actor,
        shipshape_domain::account::CREATED_ACTION,
        note,
        &details,
    )
    .await
}

/// Appends one install-level account row (cluster 0, item `_account`).
pub(super) async fn append_account_row(
    tx: &mut crate::store::Conn,
    actor: &str,
    action: &str,
    note: String,
    details: &shipshape_domain::account::AccountDetails,
) -> Result<(), ServiceError> {
    use shipshape_domain::account::{ACCOUNT_ITEM, INSTALL_CLUSTER};
    let details =
        serde_json::to_string(details).map_err(|e| ServiceError::internal("account details", e))?;
    crate::ledger::append(
        tx,
        crate::ledger::NewRow {
            at: now(),
            actor,
            cluster_id: INSTALL_CLUSTER.into(),
            item_id: ACCOUNT_ITEM,
            action,
            note,
            details,
        },
    )
    .await?;
    Ok(())
}

pub async fn list_users(state: &AppState, actor: &User) -> Result<Vec<User>, ServiceError> {
    require(actor, Permission::ManageUsers)?;
    Ok(state.db.read().await?.users().list().await?)
}

/// An admin changes another account: role, disabled or enabled, or a new
/// password. One ledger row (install-level) records who did what to whom,
/// in the same transaction. Disabling or resetting ends the account's
/// sessions; disabling, resetting or changing the role revokes every API
/// token of the account.
pub async fn change_account(
    state: &AppState,
    actor: &User,
    user_id: UserId,
    change: shipshape_domain::account::AccountChange,
    new_password: Option<SecretString>,
) -> Result<User, ServiceError> {
    use shipshape_domain::account::{refusal, row, AccountChange, Target};
    require(actor, Permission::ManageUsers)?;
    let hash = match (&change, new_password) {
        (AccountChange::ResetPassword, Some(p)) => {
            if let Some(problem) = shipshape_domain::user::password_problem(p.expose_secret()) {
                return Err(ServiceError::Invalid(FieldErrors::single(
                    "password", problem,
                )));
            }
            Some(password::hash(p).await?)
        }
        (AccountChange::ResetPassword, None) => {
            return Err(ServiceError::Invalid(FieldErrors::single(
                "password",
                "Give the new password.",
            )))
        }
        _ => None,
    };
    let mut tx = state.db.write().await?;
    let user = tx
        .users()
        .account(user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    let target = Target::from(&user);
    let admins = tx.users().enabled_admins().await?;
    if let Some(why) = refusal(actor.id, &target, &change, admins) {
        return Err(ServiceError::Invalid(FieldErrors::single("user", why)));
    }
    let at = now();
    match &change {
        AccountChange::Role(r) => tx.users().set_role(user_id, *r).await?,
        AccountChange::Disable => tx.users().set_disabled(user_id, Some(at)).await?,
        AccountChange::Enable => tx.users().set_disabled(user_id, None).await?,
        AccountChange::ResetPassword => {
            if let Some(h) = &hash {
                tx.users().set_password(user_id, h).await?;
            }
        }
    }
    if matches!(
        change,
        AccountChange::Disable | AccountChange::ResetPassword
    ) {
        tx.users()
            .end_sessions(user_id, super::now_millis())
            .await?;
    }
    // An admin's reset, disable or role change is often a response to a
    // leak or a leaver: none of the account's API tokens outlives it (the
    // owner makes new ones, with the rights they have now).
    if matches!(
        change,
        AccountChange::Disable | AccountChange::ResetPassword | AccountChange::Role(_)
    ) {
        let revoked = tx.tokens().revoke_all(user_id, at).await?;
        if revoked > 0 {
            tracing::info!(
                user = user_id.get(),
                revoked,
                "API tokens revoked with the account change"
            );
        }
    }
    let (note, details) = row(&target, &change);
    append_account_row(&mut tx, &actor.username, change.action(), note, &details).await?;
    let changed = tx
        .users()
        .account(user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    tx.commit().await?;
    tracing::info!(by = %actor.username, user = %changed.username, action = change.action(), "account changed");
    Ok(changed)
}
