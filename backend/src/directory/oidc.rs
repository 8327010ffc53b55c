//! OpenID Connect logins (the `openidconnect` crate): the authorization
//! code flow with PKCE, a fresh state and nonce per attempt; the ID token's
//! issuer, audience, expiry, nonce and signature (from the provider's JWKS)
//! are checked before any claim is read, and a claim such as `groups` maps
//! to a role at every login.

use crate::redacted::Redacted;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use shipshape_domain::directory::RoleMap;
use shipshape_domain::role::Role;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::ldap::{role_entries, Groups};

/// `[oidc]` in the config file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL; its discovery document is read from
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer_url: String,
    pub client_id: String,
    /// Or `SHIPSHAPE_OIDC__CLIENT_SECRET`.
    pub client_secret: Redacted,
    /// This server's address as the browser sees it, e.g.
    /// `https://shipshape.example.com`; the provider sends people back to
    /// `<public_url>/auth/oidc/callback` (register that address there).
    pub public_url: String,
    /// The button reads "Log in with <display_name>".
    #[serde(default = "default_display_name")]
    pub display_name: String,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim that becomes the Shipshape user name.
    #[serde(default = "default_username_claim")]
    pub username_claim: String,
    /// The claim that lists the person's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Role → group name(s) as the claim lists them.
    #[serde(default)]
    pub roles: BTreeMap<String, Groups>,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// An OpenID account's sessions and API tokens work for this many hours
    /// after its last login through the provider; then the person logs in
    /// again, and the provider says afresh whether they are still there
    /// and in which groups (a leader's access ends within this).
    #[serde(default = "default_account_max_hours")]
    pub account_max_hours: i64,
}

fn default_account_max_hours() -> i64 {
    24
}

fn default_display_name() -> String {
    "single sign-on".into()
}
fn default_scopes() -> Vec<String> {
    vec!["profile".into(), "email".into(), "groups".into()]
}
fn default_username_claim() -> String {
    "preferred_username".into()
}
fn default_groups_claim() -> String {
    "groups".into()
}
fn default_timeout() -> u64 {
    10
}

/// A client made from a discovery document: its authorization endpoint is
/// set, its token and user-info endpoints as the document says.
type ProviderClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// Where the provider sends people back.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
/// How long a started login may take at the provider.
pub const PENDING_FOR: Duration = Duration::from_secs(10 * 60);
/// How long the provider's discovery document (and so its keys) is kept.
const METADATA_FOR: Duration = Duration::from_secs(10 * 60);

impl OidcConfig {
    pub fn check(&self) -> Result<(), String> {
        IssuerUrl::new(self.issuer_url.clone()).map_err(|e| format!("oidc.issuer_url: {e}"))?;
        self.redirect_url()?;
        for (key, value) in [
            ("issuer_url", &self.issuer_url),
            ("public_url", &self.public_url),
        ] {
            let url = url::Url::parse(value).map_err(|e| format!("oidc.{key}: {e}"))?;
            if shipshape_domain::reach::plain_http_off_loopback(&url) {
                return Err(format!(
                    "oidc.{key} is plain http off this machine: use https (codes and tokens would cross the network in the clear)"
                ));
            }
        }
        if self.client_id.trim().is_empty() {
            return Err("oidc.client_id is empty".into());
        }
        if self.timeout_secs == 0 || self.timeout_secs > 120 {
            return Err("oidc.timeout_secs must be from 1 to 120".into());
        }
        role_entries("oidc", &self.roles).map(|_| ())
    }

    fn redirect_url(&self) -> Result<RedirectUrl, String> {
        let base = self.public_url.trim_end_matches('/');
        let url = url::Url::parse(base).map_err(|e| format!("oidc.public_url: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("oidc.public_url must be an http(s) address".into());
        }
        RedirectUrl::new(format!("{base}{CALLBACK_PATH}"))
            .map_err(|e| format!("oidc.public_url: {e}"))
    }
}

/// What a started login keeps in the person's session until the provider
/// sends them back: compared, then dropped, on the way back.
#[derive(Clone, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    nonce: String,
    pkce_verifier: String,
    /// Unix seconds.
    pub started_at: i64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending([redacted])")
    }
}

/// Why an OpenID login failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The way back does not match the way out (state, age, replay).
    #[error("{0}")]
    Mismatch(&'static str),
    /// The provider refused, or its answer did not verify.
    #[error("{0}")]
    Rejected(String),
    /// The provider could not be asked.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
}

/// What a person is told when the provider sends them back with an
/// `error` (RFC 6749 §4.1.2.1) instead of a code: `access_denied` means the
/// person or the provider said no; anything else is the provider's failure.
/// The provider's own text is logged, never shown.
pub fn provider_error_message(error: &str) -> &'static str {
    if error == "access_denied" {
        "The provider did not log you in. Start again from the login page."
    } else {
        "The provider could not log you in. Start again from the login page."
    }
}

/// A person the provider vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub username: Option<String>,
    /// The provider's `iss` and the person's `sub`: together they, never
    /// the user name, say which account a login is.
    pub issuer: String,
    pub subject: String,
    /// The user-name claim is `email` and the provider has not verified
    /// the address (`email_verified` is not true): it is not used.
    pub email_unverified: bool,
    pub groups: Vec<String>,
    pub role: Option<Role>,
}

/// A configured provider.
pub struct Oidc {
    config: OidcConfig,
    roles: RoleMap,
    http: reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(CoreProviderMetadata, Instant)>>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer_url)
            .finish()
    }
}

impl Oidc {
    pub fn new(config: &OidcConfig) -> Result<Oidc, String> {
        config.check()?;
        let roles = RoleMap::of_names(role_entries("oidc", &config.roles)?);
        // No redirects: a provider's endpoint that redirects elsewhere is
        // not followed (no request forgery through discovery).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(config.timeout_secs))
            .build()
            .map_err(|e| format!("oidc HTTP client: {e}"))?;
        Ok(Oidc {
            config: config.clone(),
            roles,
            http,
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    pub fn display_name(&self) -> &str {
        &self.config.display_name
    }

    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        let mut cached = self.metadata.lock().await;
        if let Some((m, at)) = cached.as_ref() {
            if at.elapsed() < METADATA_FOR {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer_url.clone())
            .map_err(|e| OidcError::Unavailable(format!("issuer URL: {e}")))?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unavailable(format!("discovery: {}", chain(&e))))?;
        *cached = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    /// The client for this provider, from its (cached) discovery document.
    async fn client(&self) -> Result<ProviderClient, OidcError> {
        let metadata = self.metadata().await?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(
                self.config.client_secret.expose().to_string(),
            )),
        )
        .set_redirect_uri(self.config.redirect_url().map_err(OidcError::Unavailable)?))
    }

    /// Starts a login: where to send the browser, and what to keep.
    pub async fn start(&self, now_secs: i64) -> Result<(String, Pending), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                started_at: now_secs,
            },
        ))
    }

    /// Finishes a login the provider sent back with `code` and `state`.
    pub async fn finish(
        &self,
        pending: Pending,
        code: &str,
        state: &str,
        now_secs: i64,
    ) -> Result<Person, OidcError> {
        use shipshape_domain::secret_eq::secret_eq as eq;
        if !eq(state.as_bytes(), pending.state.as_bytes()) {
            return Err(OidcError::Mismatch(
                "The answer from the provider does not belong to this login.",
            ));
        }
        if now_secs.saturating_sub(pending.started_at) > PENDING_FOR.as_secs() as i64 {
            return Err(OidcError::Mismatch(
                "This login took too long at the provider.",
            ));
        }
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Unavailable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Rejected(format!("code exchange: {}", chain(&e))))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| OidcError::Rejected("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce);
        let claims = id_token
            .claims(&client.id_token_verifier(), &nonce)
            .map_err(|e| OidcError::Rejected(format!("ID token: {e}")))?;
        let subject = claims.subject().as_str().to_string();
        // The signature covers the payload: with it verified, the other
        // claims (named in the config) are read from the same bytes.
        let payload = payload_claims(&id_token.to_string())?;
        let issuer = claims.issuer().as_str().to_string();
        let mut username = payload
            .get(&self.config.username_claim)
            .and_then(|v| v.as_str())
            .map(str::to_string);
        // An address is a name only once the provider has checked that the
        // person receives mail there.
        let email_unverified = self.config.username_claim == "email"
            && payload.get("email_verified").and_then(|v| v.as_bool()) != Some(true);
        if email_unverified {
            username = None;
        }
        let groups = strings(payload.get(&self.config.groups_claim));
        let role = self.roles.role_for(&groups);
        Ok(Person {
            username,
            issuer,
            subject,
            email_unverified,
            groups,
            role,
        })
    }

    pub fn username_claim(&self) -> &str {
        &self.config.username_claim
    }

    /// See [`OidcConfig::account_max_hours`].
    pub fn account_max_hours(&self) -> i64 {
        self.config.account_max_hours
    }
}

/// The JSON claims of a compact JWT (already verified by the caller).
fn payload_claims(jwt: &str) -> Result<serde_json::Map<String, serde_json::Value>, OidcError> {
    let part = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| OidcError::Rejected("the ID token is not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|e| OidcError::Rejected(format!("ID token payload: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| OidcError::Rejected(format!("ID token payload: {e}")))
}

/// A claim that is a list of strings, or one string.
fn strings(value: Option<&serde_json::Value>) -> Vec<String> {
    match value {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// An error with its causes, for the log.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> OidcConfig {
        OidcConfig {
            issuer_url: "https://id.example.com".into(),
            client_id: "shipshape".into(),
            client_secret: Redacted::new("s"),
            public_url: "https://shipshape.example.com/".into(),
            display_name: default_display_name(),
            scopes: default_scopes(),
            username_claim: default_username_claim(),
            groups_claim: default_groups_claim(),
            account_max_hours: default_account_max_hours(),
            roles: BTreeMap::from([("sre".to_string(), Groups::Many(vec!["sres".into()]))]),
            timeout_secs: 5,
        }
    }

    #[test]
    fn settings_are_checked() {
        assert!(base().check().is_ok());
        assert_eq!(
            base().redirect_url().unwrap().as_str(),
            "https://shipshape.example.com/auth/oidc/callback"
        );
        assert!(OidcConfig {
            public_url: "ftp://x".into(),
            ..base()
        }
        .check()
        .is_err());
        for (issuer, public) in [
            ("http://id.example.com", "https://shipshape.example.com"),
            ("https://id.example.com", "http://shipshape.example.com"),
        ] {
            let e = OidcConfig {
                issuer_url: issuer.into(),
                public_url: public.into(),
                ..base()
            }
            .check()
            .unwrap_err();
            assert!(e.contains("plain http"), "{e}");
        }
        assert!(OidcConfig {
            issuer_url: "http://127.0.0.1:9000".into(),
            public_url: "http://localhost:3000".into(),
            ..base()
        }
        .check()
        .is_ok());
        assert!(OidcConfig {
            issuer_url: "not a url".into(),
            ..base()
        }
        .check()
        .is_err());
        assert!(OidcConfig {
            roles: BTreeMap::new(),
            ..base()
        }
        .check()
        .is_err());
        assert!(format!("{:?}", base()).contains("[redacted]"));
    }

    #[test]
    fn groups_claims_may_be_a_list_or_one_name() {
        let v: serde_json::Value = serde_json::json!(["a", 3, "b"]);
        assert_eq!(strings(Some(&v)), vec!["a", "b"]);
        assert_eq!(strings(Some(&serde_json::json!("a"))), vec!["a"]);
        assert!(strings(Some(&serde_json::json!({"a": 1}))).is_empty());
        assert!(strings(None).is_empty());
    }

    #[test]
    fn payloads_decode_from_the_middle_part() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"1","groups":["x"]}"#);
        let claims = payload_claims(&format!("h.{payload}.s")).unwrap();
        assert_eq!(claims["sub"], "1");
        assert!(payload_claims("nodots").is_err());
        assert!(payload_claims("h.!!!.s").is_err());
    }

    #[tokio::test]
    async fn the_way_back_must_match_the_way_out() {
        let oidc = Oidc::new(&base()).unwrap();
        let pending = Pending {
            state: "abc".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            started_at: 1000,
        };
        let e = oidc
            .finish(pending.clone(), "code", "abd", 1001)
            .await
            .unwrap_err();
        assert!(matches!(e, OidcError::Mismatch(_)), "{e:?}");
        let late = 1000 + PENDING_FOR.as_secs() as i64 + 1;
        let e = oidc.finish(pending, "code", "abc", late).await.unwrap_err();
        assert!(matches!(e, OidcError::Mismatch(_)), "{e:?}");
    }
}
