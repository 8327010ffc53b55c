//! Logging in through an LDAP directory or an OpenID provider. The person's
//! role is read from their groups at every login; their Shipshape account is
//! made at the first one. A new account, and each role the directory
//! changes, is a ledger row, as an admin's changes are.

use super::{now, users};
use crate::directory::{ldap::LdapError, oidc, oidc::OidcError};
use crate::{AppState, ServiceError};
use secrecy::SecretString;
use shipshape_domain::account::{row, AccountChange, Target};
use shipshape_domain::directory::{usable_username, Source};
use shipshape_domain::role::Role;
use shipshape_domain::user::User;

/// What a person in no mapped group is told.
pub const NO_ROLE: &str = "You are known to the directory, but none of your groups gives a Shipshape role. Ask your Shipshape admin which group to join.";

/// Checks a name and password against the directory.
pub async fn ldap_login(
    state: &AppState,
    username: &str,
    password: SecretString,
) -> Result<User, ServiceError> {
    let Some(ldap) = state.directories.ldap.as_ref() else {
        return Err(ServiceError::BadCredentials);
    };
    let person = ldap.authenticate(username, &password).await.map_err(|e| match e {
        LdapError::BadCredentials => ServiceError::BadCredentials,
        LdapError::Unavailable(detail) => {
            tracing::error!(%detail, "ldap login: the directory could not be asked");
            ServiceError::Unavailable(
                "The directory (LDAP) cannot be reached just now; try again later. Local accounts still log in.".into(),
            )
        }
    })?;
    let Some(role) = person.role else {
        tracing::warn!(user = %person.username, dn = %person.dn, groups = ?person.groups, "ldap login refused: in no mapped group");
        return Err(ServiceError::Refused(NO_ROLE.into()));
    };
    let user = provision(state, Source::Ldap, &person.username, role).await?;
    tracing::info!(user = %user.username, role = %user.role, "logged in through LDAP");
    Ok(user)
}

/// Starts an OpenID login: the provider's address to send the browser to,
/// and what the session keeps until it comes back.
pub async fn oidc_start(state: &AppState) -> Result<(String, oidc::Pending), ServiceError> {
    let provider = state
        .directories
        .oidc
        .as_ref()
        .ok_or(ServiceError::NotFound("single sign-on"))?;
    provider
        .start(chrono::Utc::now().timestamp())
        .await
        .map_err(oidc_error)
}

/// Finishes an OpenID login the provider sent back.
pub async fn oidc_finish(
    state: &AppState,
    pending: Option<oidc::Pending>,
    code: &str,
    returned_state: &str,
) -> Result<User, ServiceError> {
    let provider = state
        .directories
        .oidc
        .as_ref()
        .ok_or(ServiceError::NotFound("single sign-on"))?;
    let pending = pending.ok_or_else(|| {
        ServiceError::Refused(
            "This login was already used or has expired: start again from the login page.".into(),
        )
    })?;
    let person = provider
        .finish(
            pending,
            code,
            returned_state,
            chrono::Utc::now().timestamp(),
        )
        .await
        .map_err(oidc_error)?;
    let Some(username) = person.username.clone() else {
        tracing::warn!(subject = %person.subject, claim = provider.username_claim(), "oidc login refused: no user name claim");
        return Err(ServiceError::Refused(format!(
            "The provider did not say who you are (no {} claim): ask your admin.",
            provider.username_claim()
        )));
    };
    let Some(role) = person.role else {
        tracing::warn!(user = %username, groups = ?person.groups, "oidc login refused: in no mapped group");
        return Err(ServiceError::Refused(NO_ROLE.into()));
    };
    let user = provision(state, Source::Oidc, &username, role).await?;
    tracing::info!(user = %user.username, role = %user.role, "logged in through OpenID Connect");
    Ok(user)
}

fn oidc_error(e: OidcError) -> ServiceError {
    match e {
        OidcError::Mismatch(message) => {
            tracing::warn!(%message, "oidc login refused");
            ServiceError::Refused(format!("{message} Start again from the login page."))
        }
        OidcError::Rejected(detail) => {
            tracing::warn!(%detail, "oidc login refused: the provider's answer did not verify");
            ServiceError::Refused(
                "The provider's answer could not be verified: start again from the login page."
                    .into(),
            )
        }
        OidcError::Unavailable(detail) => {
            tracing::error!(%detail, "oidc login: the provider could not be asked");
            ServiceError::Unavailable(
                "The single sign-on provider cannot be reached just now; try again later.".into(),
            )
        }
    }
}

/// The account behind a directory login: made at the first one (a ledger
/// row grants the role), its role brought in line at later ones (a ledger
/// row records the change). A disabled account stays shut; a name taken by
/// an account of another source is not taken over.
pub async fn provision(
    state: &AppState,
    source: Source,
    username: &str,
    role: Role,
) -> Result<User, ServiceError> {
    if !usable_username(username) {
        tracing::warn!(user = %username, source = source.as_str(), "directory login refused: unusable user name");
        return Err(ServiceError::Refused(
            "Your directory user name cannot be used in Shipshape (letters, digits and . _ - @ only): ask your admin."
                .into(),
        ));
    }
    let mut tx = state.db.write().await?;
    let existing = tx.users().by_username(username).await?;
    let user = match existing {
        None => {
            let user = tx
                .users()
                .insert(username, "", role, &now(), source)
                .await?
                .ok_or_else(|| ServiceError::Conflict("That user name was just taken.".into()))?;
            users::record_created(tx.repos(), source.actor(), &user).await?;
            user
        }
        Some(u) if u.source != source => {
            tracing::warn!(user = %username, existing = u.source.as_str(), source = source.as_str(), "directory login refused: the name belongs to another account");
            return Err(ServiceError::Refused(
                "A Shipshape account of another kind already has your user name: ask your admin."
                    .into(),
            ));
        }
        Some(u) if u.disabled => {
            tracing::warn!(user = %username, "directory login refused: account disabled");
            return Err(ServiceError::Refused(
                "Your Shipshape account is disabled: ask your admin.".into(),
            ));
        }
        Some(u) if u.role != role => {
            let target = Target {
                id: u.id,
                username: u.username.clone(),
                role: u.role,
                disabled: u.disabled,
                source: u.source,
            };
            let change = AccountChange::Role(role);
            tx.users().set_role(u.id, role).await?;
            let (note, details) = row(&target, &change);
            users::append_account_row(tx.repos(), source.actor(), change.action(), note, &details)
                .await?;
            User { role, ..u }
        }
        Some(u) => u,
    };
    tx.commit().await?;
    Ok(user)
}
