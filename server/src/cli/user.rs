//! `shipshape user add` and `shipshape user list`.

use super::{config, open, CliError, Global};
use secrecy::{ExposeSecret, SecretString};
use shipshape_backend::service::users;
use shipshape_domain::role::Role;

pub(super) async fn add(global: &Global, name: String, role: Role) -> Result<(), CliError> {
    let state = open(config(global, None)?).await?;
    let password = password_from_env_or_prompt()?;
    let user = users::create_user(&state, &name, role, password).await?;
    println!("added user {} with role {}", user.username, user.role);
    Ok(())
}

pub(super) async fn list(global: &Global) -> Result<(), CliError> {
    let state = open(config(global, None)?).await?;
    for u in state.db.read().await?.users().list().await? {
        println!("{}\t{}\t{}", u.username, u.role, u.created_at);
    }
    Ok(())
}

fn password_from_env_or_prompt() -> Result<SecretString, CliError> {
    if let Ok(p) = std::env::var("SHIPSHAPE_PASSWORD") {
        return Ok(SecretString::from(p));
    }
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Message(
            "no terminal to ask for a password: set SHIPSHAPE_PASSWORD".into(),
        ));
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| {
        CliError::Message(format!(
            "cannot read a password ({e}); set SHIPSHAPE_PASSWORD instead"
        ))
    })?;
    let second = rpassword::prompt_password("Repeat password: ").map_err(|e| {
        CliError::Message(format!(
            "cannot read a password ({e}); set SHIPSHAPE_PASSWORD instead"
        ))
    })?;
    if first != second {
        return Err(CliError::Message("the two passwords differ".into()));
    }
    let secret = SecretString::from(first);
    if secret.expose_secret().is_empty() {
        return Err(CliError::Message("empty password".into()));
    }
    Ok(secret)
}
