//! A throwaway OpenLDAP server for the LDAP login tests: Debian's `slapd`
//! on two loopback ports (`ldap://` with StartTLS, and `ldaps://`), with its
//! config, certificates and database in a temp dir. Killed when dropped.
//!
//! The data and config come from `tests/fixtures/ldap/` (`data.ldif`,
//! `slapd.conf.in`), shared with the Playwright tests' slapd
//! (`end2end/fixtures/slapd.sh`).
//!
//! The directory (see `DATA_LDIF`): a search account, four people and four
//! `groupOfNames` groups. People also carry a `memberOf` attribute (the
//! `dynlist` overlay computes it from the groups at search time) unless the
//! server is started with [`Slapd::start_without_member_of`].
//!
//! Use `url` / `ldaps_url` as given: they say `127.0.0.1`, which the
//! certificate names (as does `localhost`).
#![allow(dead_code)]

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const BASE_DN: &str = "dc=example,dc=com";
pub const PEOPLE_DN: &str = "ou=people,dc=example,dc=com";
pub const GROUPS_DN: &str = "ou=groups,dc=example,dc=com";

/// The database's root account (bypasses the access rules).
pub const ROOT_DN: &str = "cn=admin,dc=example,dc=com";
pub const ROOT_PASSWORD: &str = "admin-secret";

/// The search account: may read people and groups, not passwords.
pub const SERVICE_DN: &str = "cn=shipshape,ou=services,dc=example,dc=com";
pub const SERVICE_PASSWORD: &str = "svc-secret";

/// In `trino-admins`.
pub const ALICE: &str = "alice";
pub const ALICE_PASSWORD: &str = "alice-pass-123";
pub const ALICE_DN: &str = "uid=alice,ou=people,dc=example,dc=com";
/// In `trino-managers`.
pub const MONA: &str = "mona";
pub const MONA_PASSWORD: &str = "mona-pass-123";
pub const MONA_DN: &str = "uid=mona,ou=people,dc=example,dc=com";
/// In `trino-sres`.
pub const SAM: &str = "sam";
pub const SAM_PASSWORD: &str = "sam-pass-123";
pub const SAM_DN: &str = "uid=sam,ou=people,dc=example,dc=com";
/// Only in `interns`, which maps to no role.
pub const UMA: &str = "uma";
pub const UMA_PASSWORD: &str = "uma-pass-123";
pub const UMA_DN: &str = "uid=uma,ou=people,dc=example,dc=com";

pub const ADMINS_GROUP: &str = "cn=trino-admins,ou=groups,dc=example,dc=com";
pub const MANAGERS_GROUP: &str = "cn=trino-managers,ou=groups,dc=example,dc=com";
pub const SRES_GROUP: &str = "cn=trino-sres,ou=groups,dc=example,dc=com";
pub const INTERNS_GROUP: &str = "cn=interns,ou=groups,dc=example,dc=com";

/// Loaded with `slapadd` before slapd starts (plain-text passwords are fine
/// for `userPassword`: slapd compares them as given). Shared with the
/// Playwright tests' `end2end/fixtures/slapd.sh`; the constants above name
/// its entries.
pub const DATA_LDIF: &str = include_str!("../fixtures/ldap/data.ldif");

/// `slapd.conf` with placeholders (see the file's header), filled in by
/// [`slapd_conf`]; shared with `end2end/fixtures/slapd.sh`.
const SLAPD_CONF_TEMPLATE: &str = include_str!("../fixtures/ldap/slapd.conf.in");

const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running slapd; killed (and its temp dir removed) when dropped.
pub struct Slapd {
    /// `ldap://127.0.0.1:PORT` (StartTLS available, TLS not required).
    pub url: String,
    /// `ldaps://127.0.0.1:PORT`.
    pub ldaps_url: String,
    /// The CA that signed the server's certificate (PEM).
    pub ca_pem_path: PathBuf,
    child: Child,
    dir: tempfile::TempDir,
}

enum Outcome {
    Ready,
    Exited(ExitStatus),
    Failed(String),
}

impl Slapd {
    /// With `memberOf` on people (computed from the groups).
    pub fn start() -> Slapd {
        Self::launch(true)
    }

    /// Without `memberOf`: only a group search finds someone's groups.
    pub fn start_without_member_of() -> Slapd {
        Self::launch(false)
    }

    /// Whether slapd is installed where this harness looks for it; for tests
    /// that would rather skip than fail on a machine without it.
    pub fn available() -> bool {
        find_tool("slapd").is_some() && find_tool("slapadd").is_some()
    }

    /// slapd's log so far (`-d stats`: connections, binds, searches).
    /// Makes `members` the only members of `group`, as the directory's
    /// root (someone left the team).
    pub async fn set_members(&self, group: &str, members: &[&str]) {
        let (conn, mut ldap) = ldap3::LdapConnAsync::new(&self.url)
            .await
            .expect("connect to slapd");
        ldap3::drive!(conn);
        ldap.simple_bind(ROOT_DN, ROOT_PASSWORD)
            .await
            .and_then(|r| r.success())
            .expect("bind as the directory's root");
        let values: std::collections::HashSet<&str> = members.iter().copied().collect();
        ldap.modify(group, vec![ldap3::Mod::Replace("member", values)])
            .await
            .and_then(|r| r.success())
            .expect("change the group's members");
        let _ = ldap.unbind().await;
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("slapd.log")).unwrap_or_default()
    }

    fn launch(member_of: bool) -> Slapd {
        let slapd = find_tool("slapd").unwrap_or_else(|| {
            panic!("slapd not found (/usr/sbin/slapd); install Debian's `slapd` package to run the LDAP tests")
        });
        let slapadd =
            find_tool("slapadd").unwrap_or_else(|| panic!("slapadd not found next to slapd"));
        let dir = tempfile::Builder::new()
            .prefix("shipshape-slapd-")
            .tempdir()
            .expect("temp dir for slapd");
        let root = dir.path();
        let ca_pem_path = write_tls(root);
        fs::create_dir(root.join("db")).expect("slapd db dir");
        let conf = root.join("slapd.conf");
        fs::write(&conf, slapd_conf(root, member_of)).expect("write slapd.conf");
        let ldif = root.join("data.ldif");
        fs::write(&ldif, DATA_LDIF).expect("write data.ldif");

        let added = Command::new(&slapadd)
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&ldif)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", slapadd.display()));
        assert!(
            added.status.success(),
            "slapadd failed ({}):\n{}{}",
            added.status,
            String::from_utf8_lossy(&added.stdout),
            String::from_utf8_lossy(&added.stderr)
        );

        let log_path = root.join("slapd.log");
        // Free ports are found by binding and letting go, so another process
        // can take one in between: then slapd exits and we try again.
        for attempt in 1..=3 {
            let (port, ldaps_port) = free_ports();
            let log_start = fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0);
            let log = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log_path)
                .expect("slapd log file");
            let mut child = Command::new(&slapd)
                .arg("-h")
                .arg(format!(
                    "ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{ldaps_port}/"
                ))
                .arg("-f")
                .arg(&conf)
                // Stays in the foreground with `-d`; `stats` logs connections
                // and operations (and, unlike `-d 0`, start-up errors).
                .args(["-d", "stats"])
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("slapd log file"))
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", slapd.display()));

            match wait_ready(&mut child, port) {
                Outcome::Ready => {
                    return Slapd {
                        url: format!("ldap://127.0.0.1:{port}"),
                        ldaps_url: format!("ldaps://127.0.0.1:{ldaps_port}"),
                        ca_pem_path,
                        child,
                        dir,
                    };
                }
                Outcome::Exited(status) => {
                    let log = read_from(&log_path, log_start);
                    if attempt < 3 && log.contains("Address already in use") {
                        continue;
                    }
                    panic!(
                        "slapd exited during start-up ({status}); its log ends:\n{}",
                        tail(&log)
                    );
                }
                Outcome::Failed(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let log = read_from(&log_path, log_start);
                    panic!(
                        "slapd did not come up: {why}; its log ends:\n{}",
                        tail(&log)
                    );
                }
            }
        }
        unreachable!("the last attempt panics or returns")
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Ready means the search account can bind: the listener is up and the
/// database and its access rules are loaded. (slapd only starts listening
/// once the database is open, so this normally succeeds at the first try.)
fn wait_ready(child: &mut Child, port: u16) -> Outcome {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Outcome::Exited(status),
            Ok(None) => {}
            Err(e) => return Outcome::Failed(format!("cannot watch slapd: {e}")),
        }
        match bind_probe(port, SERVICE_DN, SERVICE_PASSWORD) {
            Ok(0) => return Outcome::Ready,
            Ok(code) => {
                return Outcome::Failed(format!("the search account's bind got result code {code}"))
            }
            Err(e) if Instant::now() >= deadline => {
                return Outcome::Failed(format!(
                    "no successful bind on 127.0.0.1:{port} within {}s (last try: {e})",
                    START_TIMEOUT.as_secs()
                ))
            }
            Err(_) => {}
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The CA and the server's certificate (for `localhost` and `127.0.0.1`),
/// as PEM files in `dir`; returns the CA's path.
fn write_tls(dir: &Path) -> PathBuf {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose, SanType,
    };

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "shipshape test LDAP CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().expect("CA key");
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);

    let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().expect("server key");
    let cert = params.signed_by(&key, &issuer).expect("server certificate");

    let ca_pem_path = dir.join("ca.pem");
    fs::write(&ca_pem_path, ca_cert.pem()).expect("write ca.pem");
    fs::write(dir.join("server.pem"), cert.pem()).expect("write server.pem");
    let mut key_file = OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(dir.join("server.key"))
        .expect("create server.key");
    key_file
        .write_all(key.serialize_pem().as_bytes())
        .expect("write server.key");
    ca_pem_path
}

/// Old-style `slapd.conf` (read with `-f`; no cn=config): the shared
/// template with `dir`'s paths, and the `@MEMBEROF@` lines kept or dropped.
fn slapd_conf(dir: &Path, member_of: bool) -> String {
    let d = dir.display().to_string();
    let mut conf = String::with_capacity(SLAPD_CONF_TEMPLATE.len());
    for line in SLAPD_CONF_TEMPLATE.lines() {
        let line = match line.strip_prefix("@MEMBEROF@") {
            Some(rest) if member_of => rest,
            Some(_) => continue,
            None => line,
        };
        conf.push_str(line);
        conf.push('\n');
    }
    let conf = conf
        .replace("@TLS_CA@", &format!("{d}/ca.pem"))
        .replace("@TLS_CERT@", &format!("{d}/server.pem"))
        .replace("@TLS_KEY@", &format!("{d}/server.key"))
        .replace("@DIR@", &d);
    // The template's comments name the placeholders: only other lines count.
    let unfilled = conf
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(leftover_placeholder);
    if let Some(left) = unfilled {
        panic!("slapd.conf.in has a placeholder this harness does not fill: {left}");
    }
    conf
}

/// The first `@NAME@` (capitals and `_`) still in `text`.
fn leftover_placeholder(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(off) = text[i..].find('@') {
        let start = i + off;
        let mut end = start + 1;
        while end < bytes.len() && (bytes[end].is_ascii_uppercase() || bytes[end] == b'_') {
            end += 1;
        }
        if end > start + 1 && bytes.get(end) == Some(&b'@') {
            return Some(&text[start..=end]);
        }
        i = start + 1;
    }
    None
}

/// `/usr/sbin` first: it is often not on a test runner's PATH.
fn find_tool(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = ["/usr/sbin", "/usr/local/sbin", "/sbin"]
        .iter()
        .map(PathBuf::from)
        .collect();
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Two distinct free loopback ports (both held until both are chosen).
fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("free port");
    let b = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("free port");
    (
        a.local_addr().expect("port").port(),
        b.local_addr().expect("port").port(),
    )
}

fn read_from(path: &Path, offset: u64) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let mut bytes = Vec::new();
        let _ = f.read_to_end(&mut bytes);
        let start = (offset as usize).min(bytes.len());
        text = String::from_utf8_lossy(&bytes[start..]).into_owned();
    }
    text
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    let from = lines.len().saturating_sub(40);
    if lines.is_empty() {
        "(empty)".into()
    } else {
        lines[from..].join("\n")
    }
}

// A minimal LDAP simple bind, hand-encoded in BER, so the readiness check
// needs neither an LDAP crate nor `ldapsearch`.

/// Binds as `dn` over plain LDAP and returns the result code (0: success,
/// 49: invalid credentials).
fn bind_probe(port: u16, dn: &str, password: &str) -> io::Result<u8> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    stream.write_all(&bind_request(1, dn, password))?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 512];
    while !message_complete(&reply) {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "slapd closed the connection before answering the bind",
            ));
        }
        reply.extend_from_slice(&chunk[..n]);
    }
    // UnbindRequest, message 2; the answer is the server closing.
    let _ = stream.write_all(&[0x30, 0x05, 0x02, 0x01, 0x02, 0x42, 0x00]);
    bind_result(&reply).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not an LDAP bind response: {reply:02x?}"),
        )
    })
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(body);
    out
}

/// LDAPMessage { messageID, BindRequest { version 3, name, simple password } }.
fn bind_request(message_id: u8, dn: &str, password: &str) -> Vec<u8> {
    let mut bind = tlv(0x02, &[3]);
    bind.extend(tlv(0x04, dn.as_bytes()));
    bind.extend(tlv(0x80, password.as_bytes()));
    let mut message = tlv(0x02, &[message_id]);
    message.extend(tlv(0x60, &bind));
    tlv(0x30, &message)
}

/// Reads a tag and a (short- or long-form) length at `*pos`.
fn read_header(buf: &[u8], pos: &mut usize) -> Option<(u8, usize)> {
    let tag = *buf.get(*pos)?;
    let first = *buf.get(*pos + 1)?;
    *pos += 2;
    let len = if first < 0x80 {
        first as usize
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for _ in 0..n {
            len = (len << 8) | *buf.get(*pos)? as usize;
            *pos += 1;
        }
        len
    };
    Some((tag, len))
}

fn message_complete(buf: &[u8]) -> bool {
    let mut pos = 0;
    match read_header(buf, &mut pos) {
        Some((_, len)) => buf.len() >= pos + len,
        None => false,
    }
}

/// The resultCode of a BindResponse ([APPLICATION 1]).
fn bind_result(buf: &[u8]) -> Option<u8> {
    let mut pos = 0;
    let (tag, _) = read_header(buf, &mut pos)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, len) = read_header(buf, &mut pos)?;
    if tag != 0x02 {
        return None;
    }
    pos += len;
    let (tag, _) = read_header(buf, &mut pos)?;
    if tag != 0x61 {
        return None;
    }
    let (tag, len) = read_header(buf, &mut pos)?;
    if tag != 0x0a || len != 1 {
        return None;
    }
    buf.get(pos).copied()
}
