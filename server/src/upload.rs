//! Reading a multipart completion form: text fields into memory (small and
//! capped), files streamed chunk by chunk into the blob store's temporary
//! files. Every refusal says which file and why; files received before a
//! refusal are dropped, and their temporary copies with them. A body that
//! would not fit on the disk is refused (507) before it is read, and one
//! that meets a full disk while it is written leaves nothing behind.

use axum::extract::Multipart;
use shipshape_backend::files::BlobStore;
use shipshape_backend::service::day2::CompletionInput;
use shipshape_backend::service::evidence::{storage_failure, upload_refusal, IncomingFile};
use shipshape_backend::ServiceError;
use shipshape_domain::attachment::{content_type_or_default, sanitize_file_name};
use shipshape_domain::fields::FieldErrors;

/// Text fields larger than this are refused.
const TEXT_MAX: usize = 64 * 1024;

/// What an upload may be: per-file size, file count, and how long the body
/// may go without sending anything before it is cut off.
pub struct Limits {
    pub max_bytes: u64,
    pub max_files: usize,
    pub idle: std::time::Duration,
    /// The request's `Content-Length`, when it says one: the room the
    /// upload needs on the disk.
    pub body_bytes: Option<u64>,
}

impl Limits {
    pub fn of(cfg: &shipshape_backend::config::Config) -> Self {
        Limits {
            max_bytes: cfg.max_upload_bytes,
            max_files: cfg.max_upload_files,
            idle: std::time::Duration::from_secs(cfg.upload_idle_secs.max(1)),
            body_bytes: None,
        }
    }

    /// With the room the request's body says it needs.
    pub fn for_body(mut self, headers: &axum::http::HeaderMap) -> Self {
        self.body_bytes = headers
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        self
    }
}

/// `f` unless the client sends nothing for `idle`.
async fn within<T>(
    idle: std::time::Duration,
    f: impl std::future::Future<Output = T>,
) -> Result<T, ServiceError> {
    tokio::time::timeout(idle, f).await.map_err(|_| {
        bad(
            "files",
            format!(
                "the upload stalled (nothing arrived for {} s) and was cut off",
                idle.as_secs()
            ),
        )
    })
}

fn bad(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single(field, message))
}

/// A multipart form: its text fields (only `text_fields` are accepted) and
/// its files (fields `files` or `file`).
pub struct UploadForm {
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<IncomingFile>,
}

impl UploadForm {
    pub fn take(&mut self, name: &str) -> String {
        self.fields.remove(name).unwrap_or_default()
    }
}

pub async fn read_completion(
    form: Multipart,
    store: &BlobStore,
    limits: &Limits,
) -> Result<CompletionInput, ServiceError> {
    let mut f = read_form(
        form,
        store,
        limits,
        &[
            "note",
            "outcome",
            "evidence_as_of",
            "done_on",
            "capture_query",
        ],
    )
    .await?;
    Ok(CompletionInput {
        note: f.take("note"),
        done_on: f.take("done_on"),
        outcome: f.take("outcome"),
        evidence_as_of: f.take("evidence_as_of"),
        capture_query: matches!(f.take("capture_query").as_str(), "on" | "true" | "1"),
        files: f.files,
    })
}

pub async fn read_form(
    mut form: Multipart,
    store: &BlobStore,
    limits: &Limits,
    text_fields: &[&str],
) -> Result<UploadForm, ServiceError> {
    let read = read_fields(&mut form, store, limits, text_fields).await;
    if read.is_err() {
        drain(&mut form, limits).await;
    }
    read
}

/// After a refusal, reads and discards what the client is still sending (up
/// to a bound, while it keeps sending), so it can read the answer: a
/// browser whose upload is cut off mid-body shows "connection reset" and
/// loses the form instead of the refusal.
async fn drain(form: &mut Multipart, limits: &Limits) {
    let cap = limits
        .max_bytes
        .saturating_mul(limits.max_files as u64)
        .saturating_mul(2)
        .max(1024 * 1024);
    // A client that stops sending is not waited for long.
    let idle = limits.idle.min(std::time::Duration::from_secs(2));
    let mut drained = 0u64;
    while let Ok(Ok(Some(mut field))) = tokio::time::timeout(idle, form.next_field()).await {
        while let Ok(Ok(Some(chunk))) = tokio::time::timeout(idle, field.chunk()).await {
            drained += chunk.len() as u64;
            if drained > cap {
                return;
            }
        }
    }
}

async fn read_fields(
    form: &mut Multipart,
    store: &BlobStore,
    limits: &Limits,
    text_fields: &[&str],
) -> Result<UploadForm, ServiceError> {
    let (max_bytes, max_files, idle) = (limits.max_bytes, limits.max_files, limits.idle);
    // Before a byte is read: a body that would not fit is refused.
    store
        .ensure_room(limits.body_bytes.unwrap_or(0))
        .map_err(|e| storage_failure("receiving an upload", e))?;
    let mut out = UploadForm {
        fields: std::collections::HashMap::new(),
        files: Vec::new(),
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        bad(
            "files",
            format!("the upload was cut off or malformed ({})", e.body_text()),
        )
    };
    while let Some(mut field) = within(idle, form.next_field()).await?.map_err(broken)? {
        let name = field.name().unwrap_or("").to_string();
        if text_fields.contains(&name.as_str()) {
            // Read chunk by chunk and refused as soon as it passes the
            // limit: a huge text part is never held whole.
            let mut bytes = Vec::new();
            while let Some(chunk) = within(idle, field.chunk()).await?.map_err(broken)? {
                if bytes.len() + chunk.len() > TEXT_MAX {
                    return Err(bad(&name, "This field is too long."));
                }
                bytes.extend_from_slice(&chunk);
            }
            let text = String::from_utf8(bytes)
                .map_err(|_| bad(&name, "This field is not valid UTF-8 text."))?;
            out.fields.insert(name, text);
            continue;
        }
        if name != "files" && name != "file" {
            return Err(bad("form", format!("unexpected field '{name}'")));
        }
        let raw_name = field.file_name().unwrap_or("").to_string();
        let declared = field.content_type().map(str::to_string);
        let mut upload = store
            .begin(max_bytes)
            .await
            .map_err(|e| upload_refusal(&raw_name, e))?;
        let mut got = 0u64;
        while let Some(chunk) = within(idle, field.chunk()).await?.map_err(broken)? {
            got += chunk.len() as u64;
            upload
                .write(&chunk)
                .await
                .map_err(|e| upload_refusal(&sanitize_file_name(&raw_name), e))?;
        }
        // A browser sends an empty, nameless part when no file was chosen.
        if raw_name.is_empty() && got == 0 {
            continue;
        }
        if out.files.len() >= max_files {
            return Err(bad("files", format!("Attach at most {max_files} files.")));
        }
        let display = sanitize_file_name(&raw_name);
        let pending = upload
            .finish()
            .await
            .map_err(|e| upload_refusal(&display, e))?;
        out.files.push(IncomingFile {
            pending,
            name: display,
            content_type: content_type_or_default(declared.as_deref()),
        });
    }
    Ok(out)
}
