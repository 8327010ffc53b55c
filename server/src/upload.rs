//! Reading a multipart completion form: text fields into memory (small and
//! capped), files streamed chunk by chunk into the blob store's temporary
//! files. Every refusal says which file and why; files received before a
//! refusal are dropped, and their temporary copies with them.

use axum::extract::Multipart;
use shipshape_backend::files::BlobStore;
use shipshape_backend::service::day2::{upload_refusal, CompletionInput, IncomingFile};
use shipshape_backend::ServiceError;
use shipshape_domain::attachment::{content_type_or_default, sanitize_file_name};
use shipshape_domain::fields::FieldErrors;

/// Text fields larger than this are refused.
const TEXT_MAX: usize = 64 * 1024;

fn bad(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::Invalid(FieldErrors::single(field, message))
}

pub async fn read_completion(
    mut form: Multipart,
    store: &BlobStore,
    max_bytes: u64,
    max_files: usize,
) -> Result<CompletionInput, ServiceError> {
    let mut input = CompletionInput {
        note: String::new(),
        done_on: String::new(),
        outcome: String::new(),
        evidence_as_of: String::new(),
        files: Vec::new(),
    };
    let broken = |e: axum::extract::multipart::MultipartError| {
        bad(
            "files",
            format!("the upload was cut off or malformed ({})", e.body_text()),
        )
    };
    while let Some(mut field) = form.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "note" | "outcome" | "evidence_as_of" | "done_on" => {
                let text = field.text().await.map_err(broken)?;
                if text.len() > TEXT_MAX {
                    return Err(bad(&name, "This field is too long."));
                }
                match name.as_str() {
                    "note" => input.note = text,
                    "outcome" => input.outcome = text,
                    "done_on" => input.done_on = text,
                    _ => input.evidence_as_of = text,
                }
            }
            "files" | "file" => {
                let raw_name = field.file_name().unwrap_or("").to_string();
                let declared = field.content_type().map(str::to_string);
                let mut upload = store
                    .begin(max_bytes)
                    .await
                    .map_err(|e| upload_refusal(&raw_name, e))?;
                let mut got = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(broken)? {
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
                if input.files.len() >= max_files {
                    return Err(bad("files", format!("Attach at most {max_files} files.")));
                }
                let display = sanitize_file_name(&raw_name);
                let pending = upload
                    .finish()
                    .await
                    .map_err(|e| upload_refusal(&display, e))?;
                input.files.push(IncomingFile {
                    pending,
                    name: display,
                    content_type: content_type_or_default(declared.as_deref()),
                });
            }
            other => return Err(bad("form", format!("unexpected field '{other}'"))),
        }
    }
    Ok(input)
}
