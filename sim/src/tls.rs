//! HTTPS for the simulator: a throwaway CA and a server certificate signed
//! by it, made at start-up from the scenario's `[tls]` table. The CA's PEM is
//! handed to whoever needs to trust the simulator (tests, `--ca-out`).

use crate::scenario::TlsSpec;
use axum_server::tls_rustls::RustlsConfig;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The CA to trust and the server's TLS configuration.
pub struct TlsMaterial {
    pub ca_pem: String,
    pub config: RustlsConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot make certificates: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("cannot configure TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

pub fn make(spec: &TlsSpec) -> Result<TlsMaterial, TlsError> {
    let now = OffsetDateTime::now_utc();

    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "trino-sim test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = now - Duration::days(400);
    ca_params.not_after = now + Duration::days(3650);
    let ca_key = KeyPair::generate()?;
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let mut params = CertificateParams::new(spec.hosts.clone())?;
    params
        .distinguished_name
        .push(DnType::CommonName, "trino-sim coordinator");
    params.not_after = now + Duration::days(spec.expires_in_days);
    params.not_before = params.not_after - Duration::days(spec.lifetime_days.max(1));
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca_cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )?;
    Ok(TlsMaterial {
        ca_pem: ca_cert.pem(),
        config: RustlsConfig::from_config(Arc::new(config)),
    })
}
