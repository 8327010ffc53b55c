//! The auditor's evidence bundle (see [`shipshape_domain::bundle`] for its
//! layout): built here as a ZIP streamed straight into its download, and
//! read back here to be checked by `shipshape ledger verify --export`.
//!
//! Building streams the matching ledger rows a page at a time into the
//! `signoffs.csv` entry while hashing them, then copies each attached file
//! from the blob store, so memory stays constant in the number of rows (only
//! the list of attachments is kept). The ZIP goes to the client as it is
//! written ([`super::bundle_stream`]): the format allows it (each entry's
//! sizes and CRC follow its data in a data descriptor, and the central
//! directory comes last), so no temporary file is written and the disk is
//! never touched. The list of attachments is read, and checked against the
//! store, before the first byte, so a missing file is still a plain error
//! rather than a cut download.
//!
//! At most [`crate::heavy::BUNDLES_AT_ONCE`] bundles are built at once
//! (more are refused with `Busy`); a build stops as soon as its download
//! is dropped.
//!
//! The manifest is signed with the server's ledger key (see
//! [`crate::keys`]); checking a bundle takes the key to trust from the
//! caller, never from the bundle.
//!
//! Every role may download a bundle: it only reads.

use super::bundle_stream::{self, Cancel, ChannelWriter};
use super::export;
use crate::{AppState, ServiceError};
use futures::stream::BoxStream;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use shipshape_domain::attachment::DetailsFiles;
use shipshape_domain::bundle::{
    attachment_path, sha256sums, ArchiveFile, BundleFilters, BundleReport, BundleVerifier,
    ChainHead, FileDigest, Manifest, ManifestFile, Problem, CSV_PATH, FORMAT, MANIFEST_PATH,
    SUMS_PATH,
};
use shipshape_domain::export::{csv_row, ExportFilter, ExportQuery, CSV_HEADER};
use shipshape_domain::ids::{ClusterId, Seq};
use shipshape_domain::signing::PublicKey;
use shipshape_domain::user::User;
use std::collections::BTreeMap;
use std::io::{BufReader, Read, Seek, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// `manifest.json` and `SHA256SUMS` are read whole; past this they are
/// refused rather than read into memory.
const SMALL_FILE_LIMIT: u64 = 256 * 1024 * 1024;

/// A bundle being built as it is downloaded.
pub struct BundleDownload {
    /// A name for the download, e.g. `shipshape-evidence-20261123T101500Z.zip`.
    pub file_name: String,
    /// The ZIP's bytes as the builder writes them. Dropping it stops the
    /// build; an `Err` item means the bundle could not be completed (the
    /// reason is in the server's log) and the download must be cut.
    pub body: BoxStream<'static, Result<Vec<u8>, std::io::Error>>,
}

/// Starts the bundle for `actor` with the CSV export's filters, within
/// the server's limit of bundles at once ([`ServiceError::Busy`] past it).
/// Bad filters are refused (with field messages) before anything is read;
/// a file a row names that is missing from the store is an internal error
/// before a byte is sent. What fails later (a stored file that no longer
/// matches its SHA-256) cuts the download.
pub async fn build(
    state: &AppState,
    actor: &User,
    q: &ExportQuery,
) -> Result<BundleDownload, ServiceError> {
    let filter = export::prepare(state, actor, q).await?;
    let place = state.heavy.bundle().await?;
    // The head first: rows appended while the bundle is written are left out,
    // so the bundle is the ledger as of this head.
    let head = {
        let mut conn = state.db.read().await?;
        conn.ledger().tip().await?
    };
    let at = chrono::Utc::now();
    let manifest = Manifest {
        format: FORMAT.to_string(),
        generated_at: shipshape_domain::time::format_ts(at),
        generated_by: actor.username.clone(),
        filters: BundleFilters::of(q, &filter),
        rows: 0,
        first_seq: None,
        last_seq: None,
        chain_head: head.map(|(seq, hash)| ChainHead { seq, hash }),
        files: Vec::new(),
        public_key: None,
        signature: None,
    };
    let head_seq = manifest.chain_head.as_ref().map_or(Seq::new(0), |h| h.seq);
    let attachments = attachments_of(state, filter.clone(), head_seq).await?;
    let names = export::cluster_names(state).await?;
    let file_name = format!("shipshape-evidence-{}.zip", at.format("%Y%m%dT%H%M%SZ"));
    let mtime = zip_time(at);
    let rt = tokio::runtime::Handle::current();
    // The place is held by the builder and by the body, until both end.
    let place = std::sync::Arc::new(place);
    let (mut out, cancel, body) = bundle_stream::pipe(rt.clone(), place.clone());
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let _place = place;
        let built = write_bundle(
            &rt,
            &state,
            filter,
            manifest,
            attachments,
            &names,
            mtime,
            &mut out,
            &cancel,
        );
        match built {
            Ok(()) => {}
            Err(_) if out.gone() => {
                tracing::info!("an evidence bundle's download was dropped: its build stopped");
            }
            Err(e) => {
                tracing::error!(error = %e, "an evidence bundle was cut short");
                out.fail();
            }
        }
    });
    Ok(BundleDownload { file_name, body })
}

/// Every file the rows up to `head_seq` name (ZIP path → SHA-256), each
/// once, each checked to be in the store: a missing one fails the request
/// before its download starts. (This reads the rows a first time; the
/// builder reads them again as it writes the CSV, since the list must be
/// known, and checked, before the first byte is sent.)
async fn attachments_of(
    state: &AppState,
    filter: ExportFilter,
    head_seq: Seq,
) -> Result<BTreeMap<String, String>, ServiceError> {
    let mut attachments: BTreeMap<String, String> = BTreeMap::new();
    let mut rows = export::rows(state.clone(), filter);
    while let Some(row) = rows.next().await {
        let e = row?;
        if e.content().seq > head_seq {
            break;
        }
        for f in DetailsFiles::of(&e.content().details) {
            let path = attachment_path(&f.sha256, &f.name).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "ledger row {} names a file with a malformed SHA-256",
                    e.content().seq
                ))
            })?;
            attachments.entry(path).or_insert(f.sha256);
        }
    }
    for sha in attachments.values() {
        let blob = state
            .files
            .path_of(sha)
            .ok_or_else(|| ServiceError::Internal(format!("bad attachment digest {sha}")))?;
        let meta = tokio::fs::metadata(&blob).await.map_err(|e| {
            ServiceError::Internal(format!(
                "attachment {sha} cannot be read from the store ({}): {e}",
                blob.display()
            ))
        })?;
        if !meta.is_file() {
            return Err(ServiceError::Internal(format!(
                "attachment {sha} in the store ({}) is not a file",
                blob.display()
            )));
        }
    }
    Ok(attachments)
}

fn zip_time(at: chrono::DateTime<chrono::Utc>) -> zip::DateTime {
    use chrono::{Datelike, Timelike};
    let part = |v: u32| u8::try_from(v).unwrap_or(0);
    zip::DateTime::from_date_and_time(
        u16::try_from(at.year()).unwrap_or(1980),
        part(at.month()),
        part(at.day()),
        part(at.hour()),
        part(at.minute()),
        part(at.second()),
    )
    .unwrap_or_default()
}

fn io_err(context: &'static str) -> impl Fn(std::io::Error) -> ServiceError {
    move |e| ServiceError::internal(context, e)
}

fn zip_err(e: zip::result::ZipError) -> ServiceError {
    ServiceError::internal("bundle zip", e)
}

/// Counts and hashes what passes through to the inner writer.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    fn digest(self) -> FileDigest {
        FileDigest {
            sha256: hex::encode(self.hasher.finalize()),
            bytes: self.bytes,
        }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn stopped() -> ServiceError {
    ServiceError::Internal("the bundle's download is gone".into())
}

/// Writes the whole ZIP into `out` as a stream (on a blocking thread;
/// database pages are fetched through `rt`), checking `cancel` before each
/// row and each entry. The entries' sizes and CRCs follow their data
/// (data descriptors), so nothing is written twice and no temporary file
/// is needed.
#[allow(clippy::too_many_arguments)]
fn write_bundle(
    rt: &tokio::runtime::Handle,
    state: &AppState,
    filter: ExportFilter,
    mut manifest: Manifest,
    attachments: BTreeMap<String, String>,
    names: &std::collections::HashMap<ClusterId, String>,
    mtime: zip::DateTime,
    out: &mut ChannelWriter,
    cancel: &Cancel,
) -> Result<(), ServiceError> {
    let mut zip = ZipWriter::new_stream(&mut *out);
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(mtime)
        .unix_permissions(0o644);

    // signoffs.csv: the CSV export's bytes, row by row.
    zip.start_file(CSV_PATH, options.large_file(true))
        .map_err(zip_err)?;
    let mut csv = Hashing::new(&mut zip);
    csv.write_all(shipshape_domain::csv::row(&CSV_HEADER).as_bytes())
        .map_err(io_err("bundle csv"))?;
    let head_seq = manifest.chain_head.as_ref().map_or(Seq::new(0), |h| h.seq);
    let mut rows = export::rows(state.clone(), filter);
    while let Some(row) = rt.block_on(rows.next()) {
        if cancel.is_set() {
            return Err(stopped());
        }
        let e = row?;
        if e.content().seq > head_seq {
            break;
        }
        manifest.rows += 1;
        manifest.first_seq.get_or_insert(e.content().seq);
        manifest.last_seq = Some(e.content().seq);
        let name = names
            .get(&e.content().cluster_id)
            .map_or("", String::as_str);
        csv.write_all(csv_row(&e, name).as_bytes())
            .map_err(io_err("bundle csv"))?;
    }
    drop(rows);
    let d = csv.digest();
    manifest.files.push(ManifestFile {
        path: CSV_PATH.to_string(),
        sha256: d.sha256,
        bytes: d.bytes,
    });

    // attachments/<sha256>/<name>, copied from the store and checked.
    for (path, sha) in attachments {
        if cancel.is_set() {
            return Err(stopped());
        }
        let blob = state
            .files
            .path_of(&sha)
            .ok_or_else(|| ServiceError::Internal(format!("bad attachment digest {sha}")))?;
        let source = std::fs::File::open(&blob).map_err(|e| {
            ServiceError::Internal(format!(
                "attachment {sha} cannot be read from the store ({}): {e}",
                blob.display()
            ))
        })?;
        zip.start_file(path.as_str(), options).map_err(zip_err)?;
        let mut hashed = Hashing::new(&mut zip);
        std::io::copy(&mut BufReader::new(source), &mut hashed)
            .map_err(io_err("bundle attachment"))?;
        let d = hashed.digest();
        if d.sha256 != sha {
            return Err(ServiceError::Internal(format!(
                "stored attachment {sha} no longer matches its SHA-256 (it is {})",
                d.sha256
            )));
        }
        manifest.files.push(ManifestFile {
            path,
            sha256: d.sha256,
            bytes: d.bytes,
        });
    }
    if cancel.is_set() {
        return Err(stopped());
    }

    // manifest.json, signed, then SHA256SUMS over everything else.
    manifest
        .sign(state.ledger_key.secret())
        .map_err(|e| ServiceError::internal("bundle manifest signature", e))?;
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| ServiceError::internal("bundle manifest", e))?;
    zip.start_file(MANIFEST_PATH, options).map_err(zip_err)?;
    zip.write_all(&json).map_err(io_err("bundle manifest"))?;
    let manifest_sha = hex::encode(Sha256::digest(&json));
    let sums = sha256sums(
        manifest
            .files
            .iter()
            .map(|f| (f.sha256.as_str(), f.path.as_str()))
            .chain([(manifest_sha.as_str(), MANIFEST_PATH)]),
    );
    zip.start_file(SUMS_PATH, options).map_err(zip_err)?;
    zip.write_all(sums.as_bytes())
        .map_err(io_err("bundle SHA256SUMS"))?;

    zip.finish()
        .map_err(zip_err)?
        .into_inner()
        .flush()
        .map_err(io_err("bundle download"))
}

/// The input could not be read as a ZIP at all (missing file, not a ZIP).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

/// Checks a bundle file offline (no database needed): every listed file's
/// size and SHA-256, no unlisted files, `SHA256SUMS` against the manifest,
/// each row's hash and its link to the row before when that row is in the
/// bundle, each attachment against the SHA-256 its row records, the counts
/// and the chain head, and the manifest's signature and every checkpoint
/// row against `trusted` (`None`: no key to trust, which is a problem in the
/// report). Blocking: call it off the async runtime.
///
/// `Err` only when the file is no readable ZIP; anything wrong inside it
/// (a missing manifest included) is a problem in the report.
pub fn verify_file(path: &Path, trusted: Option<PublicKey>) -> Result<BundleReport, Unreadable> {
    let file = std::fs::File::open(path)
        .map_err(|e| Unreadable(format!("cannot open {}: {e}", path.display())))?;
    let mut zip = ZipArchive::new(BufReader::new(file)).map_err(|e| {
        Unreadable(format!(
            "{} is not a readable ZIP archive: {e}",
            path.display()
        ))
    })?;

    let mut verifier = match read_small(&mut zip, MANIFEST_PATH) {
        Ok(Some(text)) => match BundleVerifier::from_manifest_json(&text, trusted) {
            Ok(v) => v,
            Err(problem) => return Ok(BundleReport::unusable(problem)),
        },
        Ok(None) => {
            return Ok(BundleReport::unusable(Problem::file(
                MANIFEST_PATH,
                "missing: this is not a Shipshape evidence bundle",
            )))
        }
        Err(e) => return Ok(BundleReport::unusable(Problem::file(MANIFEST_PATH, e))),
    };

    // The rows, one record at a time.
    if let Ok(entry) = zip.by_name(CSV_PATH) {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(entry);
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    let fields: Vec<&str> = record.iter().collect();
                    verifier.record(line, &fields);
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    let fatal = e.is_io_error();
                    verifier.unreadable(line, &e.to_string());
                    if fatal {
                        break;
                    }
                }
            }
        }
    }

    // Every entry's digest.
    let mut archive = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let name = zip.name_for_index(i).unwrap_or_default().to_string();
        let content = match zip.by_index(i) {
            Ok(entry) if entry.is_dir() => continue,
            Ok(mut entry) => digest_of(&mut entry).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        archive.push(ArchiveFile {
            path: name,
            content,
        });
    }

    let sums = read_small(&mut zip, SUMS_PATH);
    let sums = match &sums {
        Ok(text) => Ok(text.as_deref()),
        Err(e) => Err(e.clone()),
    };
    Ok(verifier.finish(&archive, sums))
}

fn digest_of(r: &mut impl Read) -> std::io::Result<FileDigest> {
    let mut out = Hashing::new(std::io::sink());
    std::io::copy(r, &mut out)?;
    Ok(out.digest())
}

/// A small text entry: `None` when absent, `Err` when unreadable, too large
/// or not UTF-8.
fn read_small<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
) -> Result<Option<String>, String> {
    let entry = match zip.by_name(name) {
        Ok(e) => e,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("cannot be read: {e}")),
    };
    let mut bytes = Vec::new();
    entry
        .take(SMALL_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot be read: {e}"))?;
    if bytes.len() as u64 > SMALL_FILE_LIMIT {
        return Err(format!("is larger than {SMALL_FILE_LIMIT} bytes"));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| "is not UTF-8 text".to_string())
}
