//! HTTP clients for checks, built once per distinct TLS setting and shared:
//! building one loads the root store, which is too slow to repeat for every
//! cluster on every round. Every client resolves names through the cache's
//! [`HostGuard`] (the `cluster_hosts` rule), so sharing them never lets a
//! connection skip it.

use super::{build_client, client_builder, HostGuard, TrinoError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Past this many distinct settings the cache starts afresh.
const MAX_CLIENTS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientKey {
    /// The CA file's content (read at each run, so a rotated file counts).
    pub ca_pem: Option<Vec<u8>>,
    pub insecure_tls: bool,
    pub connect_timeout_secs: u32,
}

#[derive(Clone, Default)]
pub struct ClientCache {
    clients: Arc<Mutex<HashMap<ClientKey, reqwest::Client>>>,
    hosts: HostGuard,
}

impl ClientCache {
    /// A cache whose clients connect only where `hosts` admits.
    pub fn new(hosts: HostGuard) -> ClientCache {
        ClientCache {
            clients: Default::default(),
            hosts,
        }
    }

    /// The `cluster_hosts` rule: ask it before sending to a host.
    pub fn hosts(&self) -> &HostGuard {
        &self.hosts
    }

    pub fn get(&self, key: &ClientKey) -> Result<reqwest::Client, TrinoError> {
        if let Some(c) = self.clients.lock().ok().and_then(|m| m.get(key).cloned()) {
            return Ok(c);
        }
        let client = build_client(self.hosts.apply(client_builder(
            Duration::from_secs(u64::from(key.connect_timeout_secs.max(1))),
            key.ca_pem.as_deref(),
            key.insecure_tls,
        )?))?;
        if let Ok(mut m) = self.clients.lock() {
            if m.len() >= MAX_CLIENTS {
                m.clear();
            }
            m.insert(key.clone(), client.clone());
        }
        Ok(client)
    }

    /// A client that accepts any certificate, used only to read what a
    /// coordinator presents when verification refused it. It never carries
    /// credentials.
    pub fn inspector(&self, connect_timeout_secs: u32) -> Result<reqwest::Client, TrinoError> {
        self.get(&ClientKey {
            ca_pem: None,
            insecure_tls: true,
            connect_timeout_secs,
        })
    }

    pub fn len(&self) -> usize {
        self.clients.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
