//! Password hashing with argon2id (PHC string format), off the async threads
//! on a small pool of dedicated threads (one per core): concurrent logins
//! queue for them instead of each taking argon2's 19 MiB at once, and the
//! memory each hash needs is reused by the same few threads rather than
//! spread over many (which is what kept a flood of logins at 600 MB).

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use secrecy::{ExposeSecret, SecretString};

use crate::ServiceError;

/// A valid hash of a random password, verified against when the user name is
/// unknown, so that a wrong name takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2hpcHNoYXBlZHVtbXk$5E5kq6Q0wMq2C1d3Jd1pnW8Vt6H1rJq1QeK9vB5qS1A";

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads' queue, started on first use.
fn pool() -> &'static std::sync::Mutex<std::sync::mpsc::Sender<Job>> {
    static POOL: std::sync::OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<Job>>> =
        std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .max(1);
        for n in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        std::sync::Mutex::new(tx)
    })
}

/// Runs `f` on a hashing thread and waits for its result.
async fn on_pool<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    pool()
        .lock()
        .map_err(|_| ServiceError::internal("hashing pool", "poisoned"))?
        .send(job)
        .map_err(|e| ServiceError::internal("hashing pool", e))?;
    rx.await
        .map_err(|e| ServiceError::internal("hashing task", e))?
}

pub async fn hash(password: SecretString) -> Result<String, ServiceError> {
    on_pool(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose_secret().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ServiceError::internal("hashing a password", e))
    })
    .await
}

/// Checks a password against a stored hash; `None` checks against a dummy
/// hash and always fails.
pub async fn verify(password: SecretString, stored: Option<String>) -> Result<bool, ServiceError> {
    on_pool(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| ServiceError::internal("stored password hash", e))?;
        let ok = Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok();
        Ok(ok && known)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let h = hash(SecretString::from("correct horse battery"))
            .await
            .unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify(SecretString::from("correct horse battery"), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify(SecretString::from("wrong"), Some(h)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_users_never_verify() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify(SecretString::from("anything"), None).await.unwrap());
    }
}
