//! Logins whose passwords live elsewhere: an LDAP directory ([`ldap`]) and
//! an OpenID Connect provider ([`oidc`]). Each is built once at start-up
//! from the config (bad settings stop start-up) and shared by requests.

pub mod ldap;
pub mod oidc;

use std::sync::Arc;

/// The configured directories; either may be absent.
#[derive(Clone, Default)]
pub struct Directories {
    pub ldap: Option<Arc<ldap::Ldap>>,
    pub oidc: Option<Arc<oidc::Oidc>>,
}

impl Directories {
    /// Builds the configured directories (`[ldap]` and `[oidc]` of the
    /// configuration); a bad setting is the error.
    pub fn new(
        ldap: Option<&ldap::LdapConfig>,
        oidc: Option<&oidc::OidcConfig>,
    ) -> Result<Directories, String> {
        Ok(Directories {
            ldap: match ldap {
                Some(c) => Some(Arc::new(ldap::Ldap::new(c)?)),
                None => None,
            },
            oidc: match oidc {
                Some(c) => Some(Arc::new(oidc::Oidc::new(c)?)),
                None => None,
            },
        })
    }
}
