//! The auditor's evidence bundle (see [`shipshape_domain::bundle`] for its
//! layout): built here into a temporary ZIP, and read back here to be checked
//! by `shipshape ledger verify --export`.
//!
//! Building streams the matching ledger rows a page at a time into the
//! `signoffs.csv` entry while hashing them, then copies each attached file
//! from the blob store, so memory stays constant in the number of rows (only
//! the list of attachments is kept). The ZIP is written under the blob
//! store's temporary area (`<data_dir>/attachments/tmp`, emptied at every
//! start) and removed when the returned [`BundleFile`] is dropped, i.e. once
//! the download is over or abandoned.
//!
//! The manifest is signed with the server's ledger key (see
//! [`crate::keys`]); checking a bundle takes the key to trust from the
//! caller, never from the bundle.
//!
//! Every role may download a bundle: it only reads.

use super::export;
use crate::{AppState, ServiceError};
use futures::StreamExt;
use sha2::{Digest, Sha256};
use shipshape_domain::attachment::DetailsFiles;
use shipshape_domain::bundle::{
    attachment_path, sha256sums, ArchiveFile, BundleFilters, BundleReport, BundleVerifier,
    ChainHead, FileDigest, Manifest, ManifestFile, Problem, CSV_PATH, FORMAT, MANIFEST_PATH,
    SUMS_PATH,
};
use shipshape_domain::export::{csv_row, ExportFilter, ExportQuery, CSV_HEADER};
use shipshape_domain::signing::PublicKey;
use shipshape_domain::user::User;
use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// `manifest.json` and `SHA256SUMS` are read whole; past this they are
/// refused rather than read into memory.
const SMALL_FILE_LIMIT: u64 = 256 * 1024 * 1024;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A finished bundle on disk; the file is removed when this is dropped.
#[derive(Debug)]
pub struct BundleFile {
    path: PathBuf,
    /// Size of the ZIP.
    pub bytes: u64,
    /// A name for the download, e.g. `shipshape-evidence-20261123T101500Z.zip`.
    pub file_name: String,
    pub manifest: Manifest,
}

impl BundleFile {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for BundleFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Removes a half-written bundle if building fails.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Builds the bundle for `actor` with the CSV export's filters. Bad filters
/// are refused (with field messages) before anything is written; a file a
/// row names that is missing from the store, or no longer matches its
/// SHA-256, is an internal error.
pub async fn build(
    state: &AppState,
    actor: &User,
    q: &ExportQuery,
) -> Result<BundleFile, ServiceError> {
    let filter = export::prepare(actor, q)?;
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
    let dir = state.config.attachments_dir().join("tmp");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| ServiceError::internal("bundle temporary directory", e))?;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = at.timestamp_nanos_opt().unwrap_or_default();
    let path = dir.join(format!("{}-{nanos}-{n}.bundle.zip", std::process::id()));
    let guard = TempGuard(Some(path.clone()));
    let file_name = format!("shipshape-evidence-{}.zip", at.format("%Y%m%dT%H%M%SZ"));
    let mtime = zip_time(at);
    let (state, rt) = (state.clone(), tokio::runtime::Handle::current());
    let (manifest, bytes) = tokio::task::spawn_blocking(move || {
        write_bundle(&rt, state, filter, manifest, &path, mtime)
    })
    .await
    .map_err(|e| ServiceError::internal("bundle task", e))??;
    let mut guard = guard;
    let path = guard.0.take().unwrap_or_default();
    Ok(BundleFile {
        path,
        bytes,
        file_name,
        manifest,
    })
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

/// Writes the whole ZIP (on a blocking thread; database pages are fetched
/// through `rt`). Returns the completed manifest and the ZIP's size.
fn write_bundle(
    rt: &tokio::runtime::Handle,
    state: AppState,
    filter: ExportFilter,
    mut manifest: Manifest,
    path: &Path,
    mtime: zip::DateTime,
) -> Result<(Manifest, u64), ServiceError> {
    let file = std::fs::File::create(path).map_err(io_err("bundle file"))?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
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
    let head_seq = manifest.chain_head.as_ref().map_or(0, |h| h.seq);
    // (path → sha256) of every file the rows name, each once.
    let mut attachments: BTreeMap<String, String> = BTreeMap::new();
    let mut rows = export::rows(state.clone(), filter);
    while let Some(row) = rt.block_on(rows.next()) {
        let e = row?;
        if e.content.seq > head_seq {
            break;
        }
        manifest.rows += 1;
        manifest.first_seq.get_or_insert(e.content.seq);
        manifest.last_seq = Some(e.content.seq);
        csv.write_all(csv_row(&e).as_bytes())
            .map_err(io_err("bundle csv"))?;
        for f in DetailsFiles::of(&e.content.details) {
            let path = attachment_path(&f.sha256, &f.name).ok_or_else(|| {
                ServiceError::Internal(format!(
                    "ledger row {} names a file with a malformed SHA-256",
                    e.content.seq
                ))
            })?;
            attachments.entry(path).or_insert(f.sha256);
        }
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
        let mut out = Hashing::new(&mut zip);
        std::io::copy(&mut BufReader::new(source), &mut out)
            .map_err(io_err("bundle attachment"))?;
        let d = out.digest();
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

    let file = zip
        .finish()
        .map_err(zip_err)?
        .into_inner()
        .map_err(|e| ServiceError::internal("bundle file", e.into_error()))?;
    file.sync_all().map_err(io_err("bundle file"))?;
    let bytes = file.metadata().map_err(io_err("bundle file"))?.len();
    Ok((manifest, bytes))
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
