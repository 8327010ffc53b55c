//! The auditor's evidence bundle: one ZIP with the sign-off history as CSV,
//! every file its rows name, a manifest and a `SHA256SUMS` file, so that the
//! evidence can be checked offline with nothing but `sha256sum`, or fully with
//! `shipshape ledger verify --export FILE`.
//!
//! Layout of a bundle:
//!
//! - `signoffs.csv`: the same bytes as the CSV export with the same filters;
//! - `attachments/<sha256>/<file name>`: each file a selected row names, once
//!   per (SHA-256, name);
//! - `manifest.json`: a [`Manifest`]: format, when and by whom, the filters,
//!   row count, first and last seq, the ledger's chain head at export time and
//!   the path, SHA-256 and size of every other file (not itself, not
//!   `SHA256SUMS`), and the server's Ed25519 `public_key` and `signature` over
//!   all of that ([`crate::signing::manifest_message`]);
//! - `SHA256SUMS`: `sha256sum -c` lines for every file but itself.
//!
//! Hashes alone prove nothing against someone who rebuilds the bundle whole;
//! the signature does, checked against a key the verifier trusts (given to
//! it, never the one the manifest names). Checkpoint rows among the CSV rows
//! are checked against the same key.
//!
//! This module holds the types and the verification rules only. Reading the
//! ZIP and hashing its entries is the caller's job: it feeds the
//! [`BundleVerifier`] the CSV records one at a time (constant memory in the
//! number of rows) and, at the end, the digests of the archive's entries.

use crate::attachment::{is_sha256_hex, sanitize_file_name, DetailsFiles};
use crate::checkpoint::{is_checkpoint, verify_checkpoint};
use crate::csv::unprotect;
use crate::export::{ExportFilter, ExportQuery, CSV_HEADER};
use crate::ids::{ClusterId, Seq};
use crate::ledger::{EntryContent, LedgerEntry, GENESIS_HASH};
use crate::signing::{fingerprint, manifest_message, PublicKey, SecretKey};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The format id a bundle's manifest carries.
pub const FORMAT: &str = "shipshape-evidence-bundle/1";
pub const CSV_PATH: &str = "signoffs.csv";
pub const MANIFEST_PATH: &str = "manifest.json";
pub const SUMS_PATH: &str = "SHA256SUMS";
pub const ATTACHMENTS_DIR: &str = "attachments";

/// Problems kept for the report; past this only their number is kept, so a
/// thoroughly broken bundle of a million rows cannot fill the memory.
const MAX_PROBLEMS: usize = 200;

/// The filters a bundle was made with, as the manifest records them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BundleFilters {
    pub cluster: Option<ClusterId>,
    /// First day, inclusive (`YYYY-MM-DD`, UTC).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    pub user: Option<String>,
    pub item: Option<String>,
}

impl BundleFilters {
    /// From a query that [`crate::export::validate_export`] accepted as
    /// `filter`: trimmed, empty ones left out.
    pub fn of(q: &ExportQuery, filter: &ExportFilter) -> Self {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        BundleFilters {
            cluster: filter.cluster_id().map(ClusterId::from),
            from: given(&q.from),
            to: given(&q.to),
            user: filter.actor().map(str::to_string),
            item: filter.item_id().map(str::to_string),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl fmt::Display for BundleFilters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none (the whole ledger)");
        }
        let cluster = self.cluster.map(|c| c.to_string());
        let parts: Vec<String> = [
            ("cluster", cluster.as_deref()),
            ("from", self.from.as_deref()),
            ("to", self.to.as_deref()),
            ("user", self.user.as_deref()),
            ("item", self.item.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect();
        f.write_str(&parts.join(" "))
    }
}

/// The newest ledger row when the bundle was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: Seq,
    pub hash: String,
}

/// One file of the bundle as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// As [`crate::time::format_ts`] writes it.
    pub generated_at: String,
    /// The user who downloaded the bundle.
    #[serde(default)]
    pub generated_by: String,
    #[serde(default)]
    pub filters: BundleFilters,
    /// Rows in `signoffs.csv`.
    pub rows: u64,
    pub first_seq: Option<Seq>,
    pub last_seq: Option<Seq>,
    /// `None` only for an empty ledger.
    pub chain_head: Option<ChainHead>,
    /// Every file in the bundle but `manifest.json` and `SHA256SUMS`.
    pub files: Vec<ManifestFile>,
    /// Hex Ed25519 public key of the server that signed the manifest (a
    /// claim only: verification uses a key it trusts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// Hex Ed25519 signature over [`manifest_message`] of this manifest
    /// (everything but this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Manifest {
    /// Names `key`'s public half and signs everything else with it.
    pub fn sign(&mut self, key: &SecretKey) -> Result<(), serde_json::Error> {
        self.public_key = Some(key.public_key().to_hex());
        self.signature = None;
        let unsigned = serde_json::to_value(&*self)?;
        self.signature = Some(key.sign(manifest_message(&unsigned).as_bytes()));
        Ok(())
    }
}

/// The outcome of checking a manifest's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SignatureCheck {
    /// Fingerprint of the key the manifest names (its text if malformed).
    signed_by: Option<String>,
    /// Fingerprint of the key it was checked against.
    trusted: Option<String>,
    problem: Option<String>,
}

impl SignatureCheck {
    /// `raw` is the manifest as read, unknown fields and all: the signature
    /// covers every byte of meaning in it.
    fn of(raw: &serde_json::Value, trusted: Option<&PublicKey>) -> Self {
        let text = |name: &str| raw.get(name).and_then(|v| v.as_str());
        let named = text("public_key");
        let signed_by = named.map(|k| fingerprint(k).unwrap_or_else(|| k.to_string()));
        let trusted_fp = trusted.map(PublicKey::fingerprint);
        let problem = match (text("signature"), trusted) {
            (None, _) => Some(
                "is not signed (no `signature`): anyone could have made it; download the bundle again from the server"
                    .to_string(),
            ),
            (Some(_), None) => Some(format!(
                "its signature cannot be checked: no trusted public key was given (the key the manifest names, {}, proves nothing by itself)",
                signed_by.as_deref().unwrap_or("none")
            )),
            (Some(signature), Some(key)) => {
                if named.is_some_and(|n| !n.eq_ignore_ascii_case(&key.to_hex())) {
                    Some(format!(
                        "signed by key {}, not by the trusted key {}",
                        signed_by.as_deref().unwrap_or("none"),
                        key.fingerprint()
                    ))
                } else if !key.verifies(manifest_message(raw).as_bytes(), signature) {
                    Some(format!(
                        "its signature does not verify with the trusted key {}: the manifest was changed after it was signed",
                        key.fingerprint()
                    ))
                } else {
                    None
                }
            }
        };
        SignatureCheck {
            signed_by,
            trusted: trusted_fp,
            problem,
        }
    }
}

/// Where in the bundle an attached file goes: `attachments/<sha256>/<name>`,
/// the name sanitized; `None` when `sha256` is not a SHA-256 hex digest (so
/// nothing a row says can make a path outside `attachments/<digest>/`).
pub fn attachment_path(sha256: &str, name: &str) -> Option<String> {
    is_sha256_hex(sha256)
        .then(|| format!("{ATTACHMENTS_DIR}/{sha256}/{}", sanitize_file_name(name)))
}

/// `SHA256SUMS` text from (SHA-256, path) pairs, one `sha256sum` line each.
pub fn sha256sums<'a>(lines: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    lines
        .into_iter()
        .map(|(sha, path)| format!("{sha}  {path}\n"))
        .collect()
}

/// Reads `sha256sum` output back as (SHA-256 in lower case, path) pairs.
/// Both the text (`<sha>  <path>`) and binary (`<sha> *<path>`) markers are
/// accepted; blank lines are skipped.
pub fn parse_sha256sums(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let bad = || format!("line {} is not `<sha256>  <path>`", n + 1);
        let (Some(sha), Some(rest)) = (line.get(..64), line.get(64..)) else {
            return Err(bad());
        };
        let sha = sha.to_ascii_lowercase();
        let path = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))
            .filter(|p| !p.is_empty())
            .ok_or_else(bad)?;
        if !is_sha256_hex(&sha) {
            return Err(bad());
        }
        out.push((sha, path.to_string()));
    }
    Ok(out)
}

/// A CSV record of the export back as a ledger row: each cell
/// [`unprotect`]ed first (the export put a `'` before formula-like cells).
pub fn entry_from_record<S: AsRef<str>>(fields: &[S]) -> Result<LedgerEntry, String> {
    // The cluster's name (the eleventh cell, when there is one) is not
    // part of the row.
    let fields = match fields {
        [row @ .., _name] if fields.len() == CSV_HEADER.len() => row,
        all => all,
    };
    let [seq, at, actor, cluster_id, item_id, action, note, details, prev_hash, hash] = fields
    else {
        return Err(format!(
            "{} fields where {} were expected",
            fields.len(),
            CSV_HEADER.len()
        ));
    };
    // Every cell as it was before the export protected it from spreadsheets.
    let s = |f: &S| unprotect(f.as_ref()).to_string();
    let seq = s(seq)
        .parse::<Seq>()
        .map_err(|_| format!("seq {:?} is not a number", seq.as_ref()))?;
    let cluster_id = s(cluster_id)
        .parse::<ClusterId>()
        .map_err(|_| format!("cluster_id {:?} is not a number", cluster_id.as_ref()))?;
    let at = Timestamp::parse(&s(at)).map_err(|e| e.to_string())?;
    Ok(LedgerEntry::from_stored(
        EntryContent {
            seq,
            at,
            actor: s(actor),
            cluster_id,
            item_id: s(item_id).into(),
            action: s(action),
            note: s(note),
            details: s(details),
            prev_hash: s(prev_hash),
        },
        s(hash),
    ))
}

/// What a problem is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    /// The bundle as a whole (its manifest's counts, its head).
    Bundle,
    /// A file in the bundle, by its path.
    File(String),
    /// A row of `signoffs.csv`, by its seq.
    Row(Seq),
}

/// One thing that does not check out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub subject: Subject,
    pub reason: String,
}

impl Problem {
    pub fn file(path: &str, reason: impl Into<String>) -> Self {
        Problem {
            subject: Subject::File(path.to_string()),
            reason: reason.into(),
        }
    }
    pub fn row(seq: Seq, reason: impl Into<String>) -> Self {
        Problem {
            subject: Subject::Row(seq),
            reason: reason.into(),
        }
    }
    pub fn bundle(reason: impl Into<String>) -> Self {
        Problem {
            subject: Subject::Bundle,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.subject {
            Subject::Bundle => write!(f, "bundle: {}", self.reason),
            Subject::File(path) => write!(f, "file {path}: {}", self.reason),
            Subject::Row(seq) => write!(f, "row seq {seq}: {}", self.reason),
        }
    }
}

/// A file's SHA-256 and size, as read from the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub sha256: String,
    pub bytes: u64,
}

/// One entry of the archive (directories left out), hashed by the caller;
/// `Err` when it could not be read (e.g. a bad checksum in the ZIP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    pub path: String,
    pub content: Result<FileDigest, String>,
}

#[derive(Debug, Default)]
struct Problems {
    list: Vec<Problem>,
    more: u64,
}

impl Problems {
    fn push(&mut self, p: Problem) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        } else {
            self.more += 1;
        }
    }
}

/// What a row says about one attached file.
#[derive(Debug)]
struct Reference {
    sha256: String,
    size: u64,
    /// The first row that names it.
    seq: i64,
}

/// Checks a bundle: rows one at a time, then the archive's files.
#[derive(Debug)]
pub struct BundleVerifier {
    manifest: Manifest,
    header_seen: bool,
    rows: u64,
    first_seq: Option<Seq>,
    last_seq: Option<Seq>,
    max_seq: Option<Seq>,
    prev: Option<(Seq, String)>,
    head_in_bundle: bool,
    referenced: BTreeMap<String, Reference>,
    problems: Problems,
    /// What the manifest's signature and the checkpoint rows are checked
    /// against.
    trusted: Option<PublicKey>,
    signature: SignatureCheck,
    checkpoints: u64,
}

impl BundleVerifier {
    /// From the text of `manifest.json` and the key to trust (given by the
    /// caller, never taken from the bundle); `Err` when the text is no
    /// manifest at all.
    pub fn from_manifest_json(text: &str, trusted: Option<PublicKey>) -> Result<Self, Problem> {
        let bad = |e: serde_json::Error| {
            Problem::file(MANIFEST_PATH, format!("is not a bundle manifest: {e}"))
        };
        let raw: serde_json::Value = serde_json::from_str(text).map_err(bad)?;
        let manifest: Manifest = serde_json::from_value(raw.clone()).map_err(bad)?;
        let signature = SignatureCheck::of(&raw, trusted.as_ref());
        Ok(BundleVerifier {
            manifest,
            header_seen: false,
            rows: 0,
            first_seq: None,
            last_seq: None,
            max_seq: None,
            prev: None,
            head_in_bundle: false,
            referenced: BTreeMap::new(),
            problems: Problems::default(),
            trusted,
            signature,
            checkpoints: 0,
        })
    }

    /// The next CSV record, `line` being where it starts in the file (for
    /// messages): the header first, then rows.
    pub fn record<S: AsRef<str>>(&mut self, line: u64, fields: &[S]) {
        if !self.header_seen {
            self.header_seen = true;
            let header: Vec<&str> = fields.iter().map(AsRef::as_ref).collect();
            if header == CSV_HEADER || header == crate::export::CSV_HEADER_WITHOUT_NAME {
                return;
            }
            self.problems.push(Problem::file(
                CSV_PATH,
                format!("line {line}: the header is not `{}`", CSV_HEADER.join(",")),
            ));
            // Not a header: read it as a row, it may well be one.
        }
        match entry_from_record(fields) {
            Ok(e) => self.push(&e),
            Err(reason) => self.unreadable(line, &reason),
        }
    }

    /// A CSV record that could not be read at all.
    pub fn unreadable(&mut self, line: u64, reason: &str) {
        self.header_seen = true;
        self.problems
            .push(Problem::file(CSV_PATH, format!("line {line}: {reason}")));
    }

    /// One ledger row of `signoffs.csv`, in file order.
    pub fn push(&mut self, e: &LedgerEntry) {
        let c = &e.content();
        self.rows += 1;
        self.first_seq.get_or_insert(c.seq);
        self.last_seq = Some(c.seq);
        self.max_seq = Some(self.max_seq.map_or(c.seq, |m| m.max(c.seq)));
        if c.hash() != e.hash() {
            self.problems.push(Problem::row(
                c.seq,
                "content does not match its hash (the row was altered)",
            ));
        }
        match &self.prev {
            Some((p, _)) if c.seq <= (*p) => self.problems.push(Problem::row(
                c.seq,
                format!("seq does not increase (it follows seq {p})"),
            )),
            Some((p, hash)) if c.seq == p.next() && c.prev_hash != *hash => {
                self.problems.push(Problem::row(
                    c.seq,
                    format!("prev_hash does not match the hash of row {p}"),
                ))
            }
            _ => {}
        }
        if is_checkpoint(c) {
            // Its prev_hash (covered by its own hash, and linked to the row
            // before when that row is here) is what it must have signed.
            if let Some(key) = &self.trusted {
                match verify_checkpoint(c, &c.prev_hash, key) {
                    Ok(_) => self.checkpoints += 1,
                    Err(e) => self
                        .problems
                        .push(Problem::row(c.seq, format!("bad checkpoint: {e}"))),
                }
            }
        }
        if c.seq < Seq::new(1) {
            self.problems
                .push(Problem::row(c.seq, "seq is not a positive number"));
        } else if c.seq == Seq::new(1) && c.prev_hash != GENESIS_HASH {
            self.problems.push(Problem::row(
                c.seq,
                "the first row of the ledger does not link to the genesis hash",
            ));
        }
        if let Some(head) = &self.manifest.chain_head {
            if c.seq == head.seq {
                self.head_in_bundle = true;
                if e.hash() != head.hash {
                    self.problems.push(Problem::row(
                        c.seq,
                        "its hash differs from the chain head the manifest records",
                    ));
                }
            }
        }
        for file in DetailsFiles::of(&c.details) {
            match attachment_path(&file.sha256, &file.name) {
                None => self.problems.push(Problem::row(
                    c.seq,
                    format!(
                        "details name an attachment whose SHA-256 is malformed ({:?})",
                        file.sha256
                    ),
                )),
                Some(path) => {
                    self.referenced.entry(path).or_insert(Reference {
                        sha256: file.sha256,
                        size: file.size,
                        seq: c.seq.into(),
                    });
                }
            }
        }
        self.prev = Some((c.seq, e.hash().to_string()));
    }

    /// The archive's files (every entry but directories, hashed) and the text
    /// of `SHA256SUMS` (`Ok(None)` when the bundle has none, `Err` with the
    /// reason when it could not be read): the full report.
    pub fn finish(
        self,
        archive: &[ArchiveFile],
        sums: Result<Option<&str>, String>,
    ) -> BundleReport {
        let mut out = Problems::default();
        self.check_manifest(&mut out);
        let actual = archive_entries(archive, &mut out);
        let listed = check_listed_files(&self.manifest, &actual, &mut out);
        check_nothing_else(&actual, &listed, &mut out);
        check_sums(sums, &actual, &listed, &mut out);
        self.check_rows(&actual, &mut out);
        self.check_attachments(&actual, &listed, &mut out);
        self.report(archive.len(), out)
    }

    /// The manifest itself: its signature and its format.
    fn check_manifest(&self, out: &mut Problems) {
        let m = &self.manifest;
        if let Some(p) = &self.signature.problem {
            out.push(Problem::file(MANIFEST_PATH, p.clone()));
        }
        if m.format != FORMAT {
            out.push(Problem::file(
                MANIFEST_PATH,
                format!("format {:?} is not {FORMAT:?}", m.format),
            ));
        }
    }

    /// The rows agree with the manifest: `signoffs.csv` has a header at
    /// least, as many rows as the manifest says, the same first and last
    /// seq, and none newer than the chain head it records.
    fn check_rows(&self, actual: &Entries<'_>, out: &mut Problems) {
        let m = &self.manifest;
        if actual.contains_key(CSV_PATH) && !self.header_seen {
            out.push(Problem::file(CSV_PATH, "is empty (not even a header)"));
        }
        if self.rows != m.rows {
            out.push(Problem::bundle(format!(
                "{CSV_PATH} has {} rows, the manifest says {}",
                self.rows, m.rows
            )));
        }
        let seq_text = |s: Option<Seq>| s.map_or("none".to_string(), |s| s.to_string());
        if self.first_seq != m.first_seq {
            out.push(Problem::bundle(format!(
                "the first row is seq {}, the manifest says {}",
                seq_text(self.first_seq),
                seq_text(m.first_seq)
            )));
        }
        if self.last_seq != m.last_seq {
            out.push(Problem::bundle(format!(
                "the last row is seq {}, the manifest says {}",
                seq_text(self.last_seq),
                seq_text(m.last_seq)
            )));
        }
        match (&m.chain_head, self.max_seq) {
            (None, Some(_)) => out.push(Problem::bundle(
                "the manifest records no chain head, yet the bundle has rows",
            )),
            (Some(head), Some(max)) if max > head.seq => out.push(Problem::row(
                max,
                format!(
                    "is newer than the chain head (seq {}) the manifest records",
                    head.seq
                ),
            )),
            _ => {}
        }
    }

    /// Every file a row names is there, with the content the row records;
    /// every listed file but `signoffs.csv` is an attachment some row names.
    fn check_attachments(&self, actual: &Entries<'_>, listed: &Listed<'_>, out: &mut Problems) {
        for (path, r) in &self.referenced {
            check_attachment(path, r, actual.get(path.as_str()).copied(), out);
        }
        for path in listed.keys() {
            if *path != CSV_PATH && !self.referenced.contains_key(*path) {
                out.push(Problem::file(
                    path,
                    "no row in signoffs.csv names this file",
                ));
            }
        }
    }

    /// The report: the problems `out` found at the end first, then those
    /// found row by row (one cap over both).
    fn report(self, files: usize, mut out: Problems) -> BundleReport {
        let BundleVerifier {
            manifest: m,
            rows,
            first_seq,
            last_seq,
            head_in_bundle,
            referenced,
            problems,
            signature,
            checkpoints,
            ..
        } = self;
        out.more += problems.more;
        for p in problems.list {
            out.push(p);
        }
        BundleReport {
            format: m.format,
            generated_at: m.generated_at,
            generated_by: m.generated_by,
            filters: m.filters,
            rows,
            first_seq,
            last_seq,
            files,
            attachments: referenced.len(),
            chain_head: m.chain_head,
            head_in_bundle,
            signed_by: signature.signed_by,
            trusted_key: signature.trusted,
            signature_ok: signature.problem.is_none(),
            checkpoints,
            problems: out.list,
            more_problems: out.more,
        }
    }
}

/// The archive's entries by path: as read, or why they could not be.
type Entries<'a> = BTreeMap<&'a str, &'a Result<FileDigest, String>>;

/// The files the manifest lists, by path.
type Listed<'a> = BTreeMap<&'a str, &'a ManifestFile>;

/// What is in the archive, by path; a path that appears twice is a problem
/// (the later entry is the one kept).
fn archive_entries<'a>(archive: &'a [ArchiveFile], out: &mut Problems) -> Entries<'a> {
    let mut actual = Entries::new();
    for f in archive {
        if actual.insert(f.path.as_str(), &f.content).is_some() {
            out.push(Problem::file(
                &f.path,
                "appears more than once in the archive",
            ));
        }
    }
    actual
}

/// Every file the manifest lists is in the archive, with its size and
/// SHA-256; the manifest must not list itself or `SHA256SUMS`, nor a path
/// twice. Returns the files it lists (the first of a path listed twice).
fn check_listed_files<'a>(
    manifest: &'a Manifest,
    actual: &Entries<'_>,
    out: &mut Problems,
) -> Listed<'a> {
    let mut listed = Listed::new();
    for f in &manifest.files {
        if f.path == MANIFEST_PATH || f.path == SUMS_PATH {
            out.push(Problem::file(
                MANIFEST_PATH,
                format!("lists {}, which it cannot cover", f.path),
            ));
            continue;
        }
        if listed.insert(f.path.as_str(), f).is_some() {
            out.push(Problem::file(&f.path, "listed twice in the manifest"));
            continue;
        }
        check_listed_file(f, actual.get(f.path.as_str()).copied(), out);
    }
    listed
}

/// One file the manifest lists against the archive's entry of that path.
fn check_listed_file(
    f: &ManifestFile,
    entry: Option<&Result<FileDigest, String>>,
    out: &mut Problems,
) {
    match entry {
        None => out.push(Problem::file(
            &f.path,
            "listed in the manifest but missing from the bundle",
        )),
        Some(Err(e)) => out.push(Problem::file(&f.path, format!("cannot be read: {e}"))),
        Some(Ok(d)) => {
            if d.bytes != f.bytes {
                out.push(Problem::file(
                    &f.path,
                    format!("is {} bytes, the manifest says {}", d.bytes, f.bytes),
                ));
            }
            if d.sha256 != f.sha256 {
                out.push(Problem::file(
                    &f.path,
                    format!(
                        "SHA-256 is {}, the manifest says {} (the file was changed)",
                        d.sha256, f.sha256
                    ),
                ));
            }
        }
    }
}

/// `signoffs.csv` is in the bundle, and nothing but the listed files, the
/// manifest and `SHA256SUMS` is.
fn check_nothing_else(actual: &Entries<'_>, listed: &Listed<'_>, out: &mut Problems) {
    if !listed.contains_key(CSV_PATH) && !actual.contains_key(CSV_PATH) {
        out.push(Problem::file(CSV_PATH, "missing from the bundle"));
    }
    for path in actual.keys() {
        if !listed.contains_key(path) && *path != MANIFEST_PATH && *path != SUMS_PATH {
            out.push(Problem::file(
                path,
                "in the bundle but not listed in the manifest",
            ));
        }
    }
}

/// `SHA256SUMS` is there, can be read, and agrees with the manifest.
fn check_sums(
    sums: Result<Option<&str>, String>,
    actual: &Entries<'_>,
    listed: &Listed<'_>,
    out: &mut Problems,
) {
    match sums.and_then(|s| s.map(parse_sha256sums).transpose()) {
        Ok(None) => out.push(Problem::file(SUMS_PATH, "missing from the bundle")),
        Err(e) => out.push(Problem::file(SUMS_PATH, e)),
        Ok(Some(lines)) => check_sums_lines(&lines, actual, listed, out),
    }
}

/// Each line of `SHA256SUMS` (no path twice) gives the SHA-256 the manifest
/// lists, or for the manifest itself its SHA-256 in the archive; and every
/// listed file and the manifest have a line.
fn check_sums_lines(
    lines: &[(String, String)],
    actual: &Entries<'_>,
    listed: &Listed<'_>,
    out: &mut Problems,
) {
    let manifest_sha = match actual.get(MANIFEST_PATH) {
        Some(Ok(d)) => Some(d.sha256.as_str()),
        _ => None,
    };
    let mut seen = BTreeSet::new();
    for (sha, path) in lines {
        if !seen.insert(path.as_str()) {
            out.push(Problem::file(SUMS_PATH, format!("lists {path} twice")));
            continue;
        }
        let expected = if path == MANIFEST_PATH {
            manifest_sha
        } else {
            listed.get(path.as_str()).map(|f| f.sha256.as_str())
        };
        match expected {
            None => out.push(Problem::file(
                SUMS_PATH,
                format!("lists {path}, which the manifest does not"),
            )),
            Some(e) if e != sha => out.push(Problem::file(
                path,
                if path == MANIFEST_PATH {
                    format!("SHA256SUMS says {sha}, the file's SHA-256 is {e}")
                } else {
                    format!("SHA256SUMS says {sha}, the manifest says {e}")
                },
            )),
            Some(_) => {}
        }
    }
    for path in listed.keys().copied().chain([MANIFEST_PATH]) {
        if !seen.contains(path) {
            out.push(Problem::file(SUMS_PATH, format!("does not list {path}")));
        }
    }
}

/// One file a row names against the archive's entry of its path: there,
/// with the SHA-256 and then the size the row records (a file that could
/// not be read is reported with the file).
fn check_attachment(
    path: &str,
    r: &Reference,
    entry: Option<&Result<FileDigest, String>>,
    out: &mut Problems,
) {
    match entry {
        None => out.push(Problem::row(
            r.seq.into(),
            format!("its attachment {path} is not in the bundle"),
        )),
        Some(Ok(d)) => {
            if d.sha256 != r.sha256 {
                out.push(Problem::row(
                    r.seq.into(),
                    format!("its attachment {path} does not match the SHA-256 the row records"),
                ));
            } else if d.bytes != r.size {
                out.push(Problem::row(
                    r.seq.into(),
                    format!(
                        "its attachment {path} is {} bytes, the row records {}",
                        d.bytes, r.size
                    ),
                ));
            }
        }
        Some(Err(_)) => {} // reported with the file
    }
}

/// The outcome of checking a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleReport {
    pub format: String,
    pub generated_at: String,
    pub generated_by: String,
    pub filters: BundleFilters,
    pub rows: u64,
    pub first_seq: Option<Seq>,
    pub last_seq: Option<Seq>,
    /// Files in the archive, the manifest and `SHA256SUMS` included.
    pub files: usize,
    /// Distinct attached files the rows name.
    pub attachments: usize,
    pub chain_head: Option<ChainHead>,
    /// Whether the chain head's row is among the bundle's rows.
    pub head_in_bundle: bool,
    /// Fingerprint of the key the manifest names as its signer.
    #[serde(default)]
    pub signed_by: Option<String>,
    /// Fingerprint of the trusted key the signature was checked against.
    #[serde(default)]
    pub trusted_key: Option<String>,
    /// The manifest's signature verified with the trusted key.
    #[serde(default)]
    pub signature_ok: bool,
    /// Checkpoint rows in `signoffs.csv` whose signature checked out.
    #[serde(default)]
    pub checkpoints: u64,
    /// The first problems found (at most 200).
    pub problems: Vec<Problem>,
    /// Problems found past those.
    pub more_problems: u64,
}

impl BundleReport {
    /// A bundle that cannot be checked at all (e.g. no readable manifest).
    pub fn unusable(problem: Problem) -> Self {
        BundleReport {
            format: String::new(),
            generated_at: String::new(),
            generated_by: String::new(),
            filters: BundleFilters::default(),
            rows: 0,
            first_seq: None,
            last_seq: None,
            files: 0,
            attachments: 0,
            chain_head: None,
            head_in_bundle: false,
            signed_by: None,
            trusted_key: None,
            signature_ok: false,
            checkpoints: 0,
            problems: vec![problem],
            more_problems: 0,
        }
    }

    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.more_problems == 0
    }

    pub fn problem_count(&self) -> u64 {
        self.problems.len() as u64 + self.more_problems
    }
}

/// The human report `shipshape ledger verify --export` prints.
impl fmt::Display for BundleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.format.is_empty() {
            writeln!(
                f,
                "evidence bundle {}, generated {} by {}",
                self.format,
                self.generated_at,
                if self.generated_by.is_empty() {
                    "(unknown)"
                } else {
                    &self.generated_by
                }
            )?;
            writeln!(f, "  filters:     {}", self.filters)?;
            match (self.first_seq, self.last_seq) {
                (Some(a), Some(b)) => writeln!(f, "  rows:        {} (seq {a} to {b})", self.rows)?,
                _ => writeln!(f, "  rows:        {}", self.rows)?,
            }
            writeln!(
                f,
                "  files:       {} in the archive, {} attachment(s) named by the rows",
                self.files, self.attachments
            )?;
            match &self.chain_head {
                Some(h) => writeln!(
                    f,
                    "  chain head:  seq {} {} at export time ({}); compare with `shipshape ledger verify` on the server",
                    h.seq,
                    h.hash,
                    if self.head_in_bundle {
                        "its row is in the bundle"
                    } else {
                        "its row is not in the bundle"
                    }
                )?,
                None => writeln!(f, "  chain head:  none (the ledger was empty)")?,
            }
            let key = |k: &Option<String>| k.clone().unwrap_or_else(|| "none".to_string());
            writeln!(
                f,
                "  signature:   {} (signed by key {}, trusted key {})",
                if self.signature_ok {
                    "valid"
                } else {
                    "NOT VALID"
                },
                key(&self.signed_by),
                key(&self.trusted_key)
            )?;
            if self.checkpoints > 0 {
                writeln!(
                    f,
                    "  checkpoints: {} signed checkpoint row(s) verified",
                    self.checkpoints
                )?;
            }
        }
        if self.ok() {
            writeln!(
                f,
                "OK: the manifest's signature verifies with the trusted key, every file matches the manifest and SHA256SUMS, every row's hash recomputes, consecutive rows link, every attachment is present"
            )
        } else {
            writeln!(f, "FAILED: {} problem(s)", self.problem_count())?;
            for p in &self.problems {
                writeln!(f, "  - {p}")?;
            }
            if self.more_problems > 0 {
                writeln!(f, "  … and {} more", self.more_problems)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attachment::AttachedFile;
    use crate::export::csv_row;
    use sha2::{Digest, Sha256};

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// A ledger of `n` rows; rows 2 and 4 carry a file each (row 4 two).
    fn ledger(n: i64) -> (Vec<LedgerEntry>, Vec<(String, Vec<u8>)>) {
        let files: Vec<(String, Vec<u8>)> = vec![
            ("grafana.png".into(), b"png bytes".to_vec()),
            ("trino-cluster.yaml".into(), b"spec: {}\n".to_vec()),
        ];
        let mut out: Vec<LedgerEntry> = Vec::new();
        for seq in 1..=n {
            let attached: Vec<&(String, Vec<u8>)> = match seq {
                2 => vec![&files[0]],
                4 => vec![&files[0], &files[1]],
                _ => vec![],
            };
            let details = if attached.is_empty() {
                String::new()
            } else {
                serde_json::to_string(&DetailsFiles {
                    attachments: attached
                        .iter()
                        .map(|(name, bytes)| AttachedFile {
                            sha256: sha(bytes),
                            name: name.clone(),
                            content_type: "application/octet-stream".into(),
                            size: bytes.len() as u64,
                            evidence_as_of: None,
                        })
                        .collect(),
                })
                .unwrap()
            };
            let prev = out
                .last()
                .map(|e| e.hash().to_string())
                .unwrap_or_else(|| GENESIS_HASH.to_string());
            out.push(
                EntryContent {
                    seq: seq.into(),
                    at: crate::time::Timestamp::parse(&format!(
                        "2026-11-23T10:00:{:02}.000000Z",
                        seq
                    ))
                    .unwrap(),
                    actor: "ada".into(),
                    cluster_id: ClusterId::new(1),
                    item_id: "spill".into(),
                    action: "done".into(),
                    note: format!("note {seq}, \"quoted\""),
                    details,
                    prev_hash: prev.to_string(),
                }
                .seal(),
            );
        }
        (out, files)
    }

    /// What a reader of a good bundle of `rows` (out of `head` in the
    /// ledger) would hand the verifier.
    struct Fixture {
        manifest: Manifest,
        rows: Vec<LedgerEntry>,
        archive: Vec<ArchiveFile>,
        sums: String,
    }

    fn digest(bytes: &[u8]) -> FileDigest {
        FileDigest {
            sha256: sha(bytes),
            bytes: bytes.len() as u64,
        }
    }

    fn fixture(rows: Vec<LedgerEntry>, head: &LedgerEntry, files: &[(String, Vec<u8>)]) -> Fixture {
        let mut csv = crate::csv::row(&CSV_HEADER);
        for e in &rows {
            csv.push_str(&csv_row(e, "c"));
        }
        let mut listed = vec![ManifestFile {
            path: CSV_PATH.into(),
            sha256: sha(csv.as_bytes()),
            bytes: csv.len() as u64,
        }];
        let mut archive = vec![ArchiveFile {
            path: CSV_PATH.into(),
            content: Ok(digest(csv.as_bytes())),
        }];
        let named: BTreeSet<String> = rows
            .iter()
            .flat_map(|e| DetailsFiles::of(&e.content().details))
            .map(|f| f.sha256)
            .collect();
        for (name, bytes) in files.iter().filter(|(_, b)| named.contains(&sha(b))) {
            let path = attachment_path(&sha(bytes), name).unwrap();
            listed.push(ManifestFile {
                path: path.clone(),
                sha256: sha(bytes),
                bytes: bytes.len() as u64,
            });
            archive.push(ArchiveFile {
                path,
                content: Ok(digest(bytes)),
            });
        }
        let manifest = Manifest {
            format: FORMAT.into(),
            generated_at: "2026-11-23T11:00:00.000000Z".into(),
            generated_by: "aud".into(),
            filters: BundleFilters::default(),
            rows: rows.len() as u64,
            first_seq: rows.first().map(|e| e.content().seq),
            last_seq: rows.last().map(|e| e.content().seq),
            chain_head: Some(ChainHead {
                seq: head.content().seq,
                hash: head.hash().to_string(),
            }),
            files: listed,
            public_key: None,
            signature: None,
        };
        let mut manifest = manifest;
        manifest.sign(&server_key()).unwrap();
        let manifest_json = serde_json::to_vec_pretty(&manifest).unwrap();
        archive.push(ArchiveFile {
            path: MANIFEST_PATH.into(),
            content: Ok(digest(&manifest_json)),
        });
        let manifest_sha = sha(&manifest_json);
        let sums = sha256sums(
            manifest
                .files
                .iter()
                .map(|f| (f.sha256.as_str(), f.path.as_str()))
                .chain([(manifest_sha.as_str(), MANIFEST_PATH)]),
        );
        archive.push(ArchiveFile {
            path: SUMS_PATH.into(),
            content: Ok(digest(sums.as_bytes())),
        });
        Fixture {
            manifest,
            rows,
            archive,
            sums,
        }
    }

    /// The key the fixture's server signs with.
    fn server_key() -> SecretKey {
        SecretKey::from_bytes(&[5; 32])
    }

    fn check(f: &Fixture) -> BundleReport {
        check_json(
            f,
            &serde_json::to_string_pretty(&f.manifest).unwrap(),
            Some(server_key().public_key()),
        )
    }

    /// Checks `f` with `manifest` as the text of manifest.json.
    fn check_json(f: &Fixture, manifest: &str, trusted: Option<PublicKey>) -> BundleReport {
        let mut v = BundleVerifier::from_manifest_json(manifest, trusted).unwrap();
        v.record(1, &CSV_HEADER);
        for e in &f.rows {
            v.push(e);
        }
        v.finish(&f.archive, Ok(Some(&f.sums)))
    }

    fn good() -> Fixture {
        let (rows, files) = ledger(5);
        let head = rows[4].clone();
        fixture(rows, &head, &files)
    }

    #[test]
    fn a_good_bundle_verifies() {
        let f = good();
        let r = check(&f);
        assert!(r.ok(), "{r}");
        assert_eq!(r.rows, 5);
        assert_eq!(r.attachments, 2);
        assert!(r.head_in_bundle);
        assert!(r.to_string().contains("OK"), "{r}");
        assert_eq!(f.manifest.files.len(), 3);
    }

    #[test]
    fn a_filtered_bundle_with_gaps_verifies() {
        let (rows, files) = ledger(6);
        let head = rows[5].clone();
        let picked: Vec<LedgerEntry> = rows
            .into_iter()
            .filter(|e| [2, 3, 5].contains(&e.content().seq.get()))
            .collect();
        let f = fixture(picked, &head, &files);
        let r = check(&f);
        assert!(r.ok(), "{r}");
        assert!(!r.head_in_bundle);
        assert_eq!(r.attachments, 1);
    }

    #[test]
    fn a_tampered_row_is_named_by_its_seq() {
        let mut f = good();
        f.rows[2] = f.rows[2].tampered(|c| c.note = "nothing to see".into());
        let r = check(&f);
        assert!(!r.ok());
        assert_eq!(r.problems.len(), 1, "{r}");
        assert_eq!(r.problems[0].subject, Subject::Row(Seq::new(3)));
        assert!(r.problems[0].reason.contains("altered"));
        assert!(r.to_string().contains("row seq 3"), "{r}");
    }

    #[test]
    fn a_rehashed_row_breaks_the_next_link() {
        let mut f = good();
        f.rows[1] = f.rows[1].tampered(|c| c.actor = "mallory".into());
        f.rows[1] = f.rows[1].content().clone().seal();
        let r = check(&f);
        assert!(!r.ok());
        assert!(
            r.problems
                .iter()
                .any(|p| p.subject == Subject::Row(Seq::new(3)) && p.reason.contains("prev_hash")),
            "{r}"
        );
    }

    #[test]
    fn a_missing_file_is_named() {
        let mut f = good();
        let gone = f.manifest.files[1].path.clone();
        f.archive.retain(|a| a.path != gone);
        let r = check(&f);
        assert!(!r.ok());
        assert!(r
            .problems
            .iter()
            .any(|p| p.subject == Subject::File(gone.clone()) && p.reason.contains("missing")));
        assert!(r.problems.iter().any(
            |p| matches!(p.subject, Subject::Row(_)) && p.reason.contains("not in the bundle")
        ));
    }

    #[test]
    fn a_changed_file_is_named_by_its_path() {
        let mut f = good();
        let path = f.manifest.files[2].path.clone();
        for a in f.archive.iter_mut().filter(|a| a.path == path) {
            a.content = Ok(digest(b"spec: {} \n"));
        }
        let r = check(&f);
        assert!(!r.ok());
        assert!(r
            .problems
            .iter()
            .any(|p| p.subject == Subject::File(path.clone()) && p.reason.contains("SHA-256")));
        assert!(r.to_string().contains(&path));
    }

    #[test]
    fn bad_sha256sums_and_unlisted_files_are_found() {
        let mut f = good();
        let csv_sha = f.manifest.files[0].sha256.clone();
        f.sums = f.sums.replace(&csv_sha, &"0".repeat(64));
        f.archive.push(ArchiveFile {
            path: "extra.txt".into(),
            content: Ok(digest(b"extra")),
        });
        let r = check(&f);
        assert!(r
            .problems
            .iter()
            .any(|p| p.subject == Subject::File(CSV_PATH.into())
                && p.reason.contains("SHA256SUMS says")));
        assert!(r
            .problems
            .iter()
            .any(|p| p.subject == Subject::File("extra.txt".into())));

        let mut f = good();
        f.sums = "not a sums file\n".into();
        assert!(check(&f).problems[0].reason.contains("line 1"));
        let mut f = good();
        f.sums = f.sums.lines().take(1).map(|l| format!("{l}\n")).collect();
        let r = check(&f);
        assert!(r
            .problems
            .iter()
            .any(|p| p.reason.contains("does not list manifest.json")));
    }

    #[test]
    fn counts_and_head_must_match_the_manifest() {
        let mut f = good();
        f.rows.pop();
        let r = check(&f);
        assert!(r.problems.iter().any(|p| p.subject == Subject::Bundle
            && p.reason.contains("has 4 rows, the manifest says 5")));
        assert!(r
            .problems
            .iter()
            .any(|p| p.reason.contains("last row is seq 4")));

        let mut f = good();
        if let Some(h) = f.manifest.chain_head.as_mut() {
            h.hash = "1".repeat(64);
        }
        let r = check(&f);
        assert!(r
            .problems
            .iter()
            .any(|p| p.subject == Subject::Row(Seq::new(5)) && p.reason.contains("chain head")));
    }

    #[test]
    fn records_header_and_sums_parse() {
        let (rows, _) = ledger(1);
        let e = &rows[0];
        let c = &e.content();
        let fields = [
            c.seq.to_string(),
            c.at.to_string(),
            c.actor.clone(),
            c.cluster_id.to_string(),
            c.item_id.clone().into(),
            c.action.clone(),
            c.note.clone(),
            c.details.clone(),
            c.prev_hash.clone(),
            e.hash().to_string(),
        ];
        assert_eq!(&entry_from_record(&fields).unwrap(), e);
        assert!(entry_from_record(&fields[..9]).is_err());
        let mut bad = fields.clone();
        bad[0] = "x".into();
        assert!(entry_from_record(&bad).unwrap_err().contains("seq"));

        let manifest = serde_json::to_string(&good().manifest).unwrap();
        let mut v =
            BundleVerifier::from_manifest_json(&manifest, Some(server_key().public_key())).unwrap();
        v.record(1, &["a", "b"]);
        let r = v.finish(&[], Ok(None));
        assert!(r.problems.iter().any(|p| p.reason.contains("header")));

        let a = "ab".repeat(32);
        let text = format!(
            "{a}  signoffs.csv\r\n\n{} *attachments/x/a b.png\n",
            a.to_uppercase()
        );
        assert_eq!(
            parse_sha256sums(&text).unwrap(),
            vec![
                (a.clone(), "signoffs.csv".to_string()),
                (a.clone(), "attachments/x/a b.png".to_string())
            ]
        );
        assert!(parse_sha256sums(&format!("{a} signoffs.csv")).is_err());
        assert!(parse_sha256sums(&format!("{}  x", "g".repeat(64))).is_err());
        assert_eq!(sha256sums([(a.as_str(), "x")]), format!("{a}  x\n"));
        assert_eq!(
            attachment_path(&a, "../../etc/passwd").unwrap(),
            format!("attachments/{a}/passwd")
        );
        assert_eq!(attachment_path("../x", "a"), None);
    }

    #[test]
    fn filters_are_recorded_as_given() {
        let q = ExportQuery {
            cluster: Some("2".into()),
            from: Some(" 2026-11-01 ".into()),
            to: Some("".into()),
            user: Some("ada".into()),
            item: None,
        };
        let filter = crate::export::validate_export(&q).unwrap();
        let b = BundleFilters::of(&q, &filter);
        assert_eq!(b.cluster, Some(ClusterId::new(2)));
        assert_eq!(b.from.as_deref(), Some("2026-11-01"));
        assert_eq!(b.to, None);
        assert_eq!(b.to_string(), "cluster=2 from=2026-11-01 user=ada");
        assert!(BundleFilters::default().to_string().contains("none"));
    }

    #[test]
    fn the_manifest_signature_is_checked_against_the_trusted_key_only() {
        let f = good();
        let text = serde_json::to_string_pretty(&f.manifest).unwrap();
        let fp = server_key().public_key().fingerprint();
        let r = check_json(&f, &text, Some(server_key().public_key()));
        assert!(r.ok() && r.signature_ok, "{r}");
        assert_eq!(r.signed_by.as_deref(), Some(fp.as_str()));
        assert!(
            r.to_string()
                .contains(&format!("signed by key {fp}, trusted key {fp}")),
            "{r}"
        );

        // Reformatted and reordered: the same content, still valid.
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
        let compact = crate::signing::canonical_json(&raw);
        assert!(check_json(&f, &compact, Some(server_key().public_key())).ok());

        let bad = |r: &BundleReport, words: &str| {
            assert!(!r.ok() && !r.signature_ok, "{r}");
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.subject == Subject::File(MANIFEST_PATH.into())
                        && p.reason.contains(words)),
                "{words}: {r}"
            );
        };
        // No trusted key: not trusted, whatever the bundle says of itself.
        let r = check_json(&f, &text, None);
        bad(&r, "no trusted public key");
        assert!(r.to_string().contains(&fp), "{r}");

        // Unsigned.
        let mut m = f.manifest.clone();
        m.signature = None;
        bad(
            &check_json(
                &f,
                &serde_json::to_string(&m).unwrap(),
                Some(server_key().public_key()),
            ),
            "not signed",
        );

        // One byte of the signature changed.
        let mut m = f.manifest.clone();
        let mut sig = hex::decode(m.signature.clone().unwrap()).unwrap();
        sig[0] ^= 1;
        m.signature = Some(hex::encode(sig));
        bad(
            &check_json(
                &f,
                &serde_json::to_string(&m).unwrap(),
                Some(server_key().public_key()),
            ),
            "does not verify",
        );

        // Edited (a field, or an unknown one added) under the old signature.
        let mut m = f.manifest.clone();
        m.generated_by = "mallory".into();
        bad(
            &check_json(
                &f,
                &serde_json::to_string(&m).unwrap(),
                Some(server_key().public_key()),
            ),
            "changed after it was signed",
        );
        let mut raw = raw.clone();
        raw["note"] = "added later".into();
        bad(
            &check_json(&f, &raw.to_string(), Some(server_key().public_key())),
            "changed after it was signed",
        );

        // Edited and re-signed with another key: both fingerprints named.
        let other = SecretKey::from_bytes(&[6; 32]);
        let mut m = f.manifest.clone();
        m.generated_by = "mallory".into();
        m.sign(&other).unwrap();
        let r = check_json(
            &f,
            &serde_json::to_string(&m).unwrap(),
            Some(server_key().public_key()),
        );
        bad(&r, "not by the trusted key");
        let text = r.to_string();
        assert!(
            text.contains(&other.public_key().fingerprint()) && text.contains(&fp),
            "{text}"
        );
        // ...which passes only for whoever trusts that other key.
        assert!(check_json(
            &f,
            &serde_json::to_string(&m).unwrap(),
            Some(other.public_key())
        )
        .ok());

        assert!(BundleVerifier::from_manifest_json("[]", None).is_err());
    }

    #[test]
    fn checkpoint_rows_in_a_bundle_are_checked() {
        let (mut rows, files) = ledger(3);
        let cp = |key: &SecretKey, signed: &LedgerEntry| {
            crate::checkpoint::checkpoint_row(
                key,
                signed,
                Timestamp::parse("2026-11-23T10:30:00.000000Z").unwrap(),
            )
            .unwrap()
        };
        let mut forged = rows.clone();
        rows.push(cp(&server_key(), &rows[2]));
        let head = rows[3].clone();
        let r = check(&fixture(rows, &head, &files));
        assert!(r.ok(), "{r}");
        assert_eq!(r.checkpoints, 1);
        assert!(
            r.to_string()
                .contains("1 signed checkpoint row(s) verified"),
            "{r}"
        );

        forged.push(cp(&SecretKey::from_bytes(&[6; 32]), &forged[2]));
        let head = forged[3].clone();
        let r = check(&fixture(forged, &head, &files));
        assert!(
            r.problems
                .iter()
                .any(|p| p.subject == Subject::Row(Seq::new(4))
                    && p.reason.contains("another key")),
            "{r}"
        );
    }

    #[test]
    fn protected_csv_cells_are_restored_before_hashing() {
        let (mut rows, files) = ledger(2);
        rows[1] = rows[1].tampered(|c| c.note = "=HYPERLINK(\"http://x\")".into());
        rows[1] = rows[1].tampered(|c| c.actor = "'quoted".into());
        rows[1] = rows[1].content().clone().seal();
        let head = rows[1].clone();
        let f = fixture(rows.clone(), &head, &files);
        let text = serde_json::to_string(&f.manifest).unwrap();
        let mut v =
            BundleVerifier::from_manifest_json(&text, Some(server_key().public_key())).unwrap();
        v.record(1, &CSV_HEADER);
        for (n, e) in rows.iter().enumerate() {
            let c = &e.content();
            let cells: Vec<String> = [
                c.seq.to_string(),
                c.at.to_string(),
                c.actor.clone(),
                c.cluster_id.to_string(),
                c.item_id.clone().into(),
                c.action.clone(),
                c.note.clone(),
                c.details.clone(),
                c.prev_hash.clone(),
                e.hash().to_string(),
            ]
            .iter()
            .map(|c| crate::csv::protect(c).into_owned())
            .collect();
            if n == 1 {
                assert_eq!(cells[6], "'=HYPERLINK(\"http://x\")");
                assert_eq!(cells[2], "''quoted");
            }
            v.record(n as u64 + 2, &cells);
        }
        let r = v.finish(&f.archive, Ok(Some(&f.sums)));
        assert!(r.ok(), "{r}");
    }
}
