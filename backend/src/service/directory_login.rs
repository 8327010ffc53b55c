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
        if person.email_unverified {
            tracing::warn!(subject = %person.subject, "oidc login refused: e-mail address not verified by the provider");
            return Err(ServiceError::Refused(
                "Your provider has not verified your e-mail address, which would be your Shipshape name: verify it there, or ask your admin.".into(),
            ));
        }
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
    let user = provision_oidc(state, &person.issuer, &person.subject, &username, role).await?;
    tracing::info!(user = %user.username, role = %user.role, "logged in through OpenID Connect");
    Ok(user)
}

/// The account behind an OpenID login, found by the provider's issuer and
/// the person's subject, never by a name they may be able to change: made
/// (and bound) at the first login, its role brought in line at later ones.
/// A name that already belongs to another account (local, LDAP, or bound
/// to another subject) is refused, never merged. An OpenID account made
/// before accounts were bound (it has no subject yet) is bound at its next
/// login.
pub async fn provision_oidc(
    state: &AppState,
    issuer: &str,
    subject: &str,
    username: &str,
    role: Role,
) -> Result<User, ServiceError> {
    let mut tx = state.db.write().await?;
    let bound = tx.users().by_oidc_subject(issuer, subject).await?;
    let user = match bound {
        Some(u) => bring_in_line(&mut tx, Source::Oidc, u, role).await?,
        None => {
            if !usable_username(username) {
                tracing::warn!(user = %username, "oidc login refused: unusable user name");
                return Err(unusable_name());
            }
            match tx.users().by_username(username).await? {
                None => {
                    let user = tx
                        .users()
                        .insert(username, "", role, now(), Source::Oidc)
                        .await?
                        .ok_or_else(|| {
                            ServiceError::Conflict("That user name was just taken.".into())
                        })?;
                    tx.users().bind_oidc(user.id, issuer, subject).await?;
                    users::record_created(&mut tx, Source::Oidc.actor(), &user).await?;
                    user
                }
                Some(u)
                    if u.source == Source::Oidc
                        && tx.users().oidc_identity(u.id).await?.is_none() =>
                {
                    tracing::info!(user = %u.username, "oidc: an account from before subjects were kept, bound at this login");
                    tx.users().bind_oidc(u.id, issuer, subject).await?;
                    bring_in_line(&mut tx, Source::Oidc, u, role).await?
                }
                Some(u) => {
                    tracing::warn!(user = %username, existing = u.source.as_str(), "oidc login refused: the name belongs to another account");
                    return Err(ServiceError::Refused(
                        "A Shipshape account already has the user name your provider gives you: ask your admin."
                            .into(),
                    ));
                }
            }
        }
    };
    tx.users().set_directory_checked(user.id, now()).await?;
    tx.commit().await?;
    Ok(user)
}

fn unusable_name() -> ServiceError {
    ServiceError::Refused(
        "Your directory user name cannot be used in Shipshape (letters, digits and . _ - @ only, and not a name Shipshape writes itself): ask your admin."
            .into(),
    )
}

/// An existing directory account at a login: a disabled one stays shut; a
/// role the directory changed is applied, with its ledger row (actor
/// `ldap` / `oidc`), and the account's API tokens are revoked as for an
/// admin's role change.
pub(super) async fn bring_in_line(
    tx: &mut crate::store::Conn,
    source: Source,
    u: User,
    role: Role,
) -> Result<User, ServiceError> {
    if u.disabled {
        tracing::warn!(user = %u.username, "directory login refused: account disabled");
        return Err(ServiceError::Refused(
            "Your Shipshape account is disabled: ask your admin.".into(),
        ));
    }
    if u.role == role {
        return Ok(u);
    }
    let target = Target::from(&u);
    let change = AccountChange::Role(role);
    tx.users().set_role(u.id, role).await?;
    tx.tokens().revoke_all(u.id, now()).await?;
    let (note, details) = row(&target, &change);
    users::append_account_row(tx, source.actor(), change.action(), note, &details).await?;
    Ok(User { role, ..u })
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

/// The account behind an LDAP login: made at the first one (a ledger row
/// grants the role), its role brought in line at later ones (a ledger row
/// records the change). A disabled account stays shut; a name taken by an
/// account of another source is not taken over.
pub async fn provision(
    state: &AppState,
    source: Source,
    username: &str,
    role: Role,
) -> Result<User, ServiceError> {
    if !usable_username(username) {
        tracing::warn!(user = %username, source = source.as_str(), "directory login refused: unusable user name");
        return Err(unusable_name());
    }
    let mut tx = state.db.write().await?;
    let existing = tx.users().by_username(username).await?;
    let user = match existing {
        None => {
            let user = tx
                .users()
                .insert(username, "", role, now(), source)
                .await?
                .ok_or_else(|| ServiceError::Conflict("That user name was just taken.".into()))?;
            users::record_created(&mut tx, source.actor(), &user).await?;
            user
        }
        Some(u) if u.source != source => {
            tracing::warn!(user = %username, existing = u.source.as_str(), source = source.as_str(), "directory login refused: the name belongs to another account");
            return Err(ServiceError::Refused(
                "A Shipshape account of another kind already has your user name: ask your admin."
                    .into(),
            ));
        }
        Some(u) => bring_in_line(&mut tx, source, u, role).await?,
    };
    tx.users().set_directory_checked(user.id, now()).await?;
    tx.commit().await?;
    Ok(user)
}
