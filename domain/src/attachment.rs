//! Evidence attachments: what is recorded about an uploaded file, and the
//! rules for its name, type and identity (content-addressed by SHA-256).

use serde::{Deserialize, Serialize};

pub const DEFAULT_MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;
pub const DEFAULT_MAX_FILES: usize = 10;

/// What an upload may hold, as the server is configured: shown on every
/// upload form and checked in the browser before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadLimits {
    pub max_file_bytes: u64,
    pub max_files: usize,
}

impl UploadLimits {
    /// "Up to 10 files, 25 MiB each."
    pub fn describe(&self) -> String {
        format!(
            "Up to {} file{}, {} each.",
            self.max_files,
            if self.max_files == 1 { "" } else { "s" },
            size_label(self.max_file_bytes)
        )
    }

    /// Why these files may not be sent, or `None` when they may. `files`
    /// are each picked file's name and size.
    pub fn refusal(&self, files: &[(String, u64)]) -> Option<String> {
        if files.len() > self.max_files {
            return Some(format!(
                "{} files are picked: at most {} may be sent at once.",
                files.len(),
                self.max_files
            ));
        }
        files
            .iter()
            .find(|(_, size)| *size > self.max_file_bytes)
            .map(|(name, size)| {
                format!(
                    "{name} is {}: each file may be at most {}.",
                    size_label(*size),
                    size_label(self.max_file_bytes)
                )
            })
    }
}

/// Bytes for people: "25 MiB", "300 KiB", "512 bytes".
pub fn size_label(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB {
        let tenths = bytes * 10 / MIB;
        if tenths.is_multiple_of(10) {
            format!("{} MiB", tenths / 10)
        } else {
            format!("{}.{} MiB", tenths / 10, tenths % 10)
        }
    } else if bytes >= KIB {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}
const NAME_MAX_CHARS: usize = 200;

/// One file attached to a ledger row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// The date the evidence shows, when the uploader gave one.
    pub evidence_as_of: Option<String>,
}

/// A file as the ledger row names it (the hash covers these facts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedFile {
    pub sha256: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    #[serde(default)]
    pub evidence_as_of: Option<String>,
}

/// The files a ledger row's `details` name (sign-offs and completions alike).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsFiles {
    #[serde(default)]
    pub attachments: Vec<AttachedFile>,
}

impl DetailsFiles {
    /// The files named in a row's `details` (none for empty or other details).
    pub fn of(details: &str) -> Vec<AttachedFile> {
        serde_json::from_str::<DetailsFiles>(details)
            .map(|d| d.attachments)
            .unwrap_or_default()
    }
}

/// A file name safe to store and to send back in `Content-Disposition`:
/// the last path component only, no control characters, quotes or
/// separators, at most 200 characters; `file` when nothing is left.
pub fn sanitize_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\' | '/'))
        .take(NAME_MAX_CHARS)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.to_string()
    }
}

/// The declared type if it looks like `type/subtype`, else
/// `application/octet-stream`. The download sends it with `nosniff` and as
/// an attachment, so a declared `text/html` cannot run in the dashboard.
pub fn content_type_or_default(declared: Option<&str>) -> String {
    let ok = |s: &str| {
        let mut parts = s.split('/');
        let (Some(t), Some(st), None) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let token = |p: &str| {
            !p.is_empty()
                && p.len() <= 64
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
        };
        token(t) && token(st)
    };
    match declared.map(|d| {
        d.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }) {
        Some(d) if ok(&d) => d,
        _ => "application/octet-stream".into(),
    }
}

/// 64 lower-case hex digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_limits_say_which_file_is_too_big() {
        let limits = UploadLimits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_files: 2,
        };
        assert_eq!(limits.describe(), "Up to 2 files, 25 MiB each.");
        assert_eq!(limits.refusal(&[("a.log".into(), 25 * 1024 * 1024)]), None);
        assert_eq!(
            limits.refusal(&[("big.tar".into(), 30_000_000)]).as_deref(),
            Some("big.tar is 28.6 MiB: each file may be at most 25 MiB.")
        );
        let three = vec![("x".to_string(), 1u64); 3];
        assert!(limits
            .refusal(&three)
            .is_some_and(|m| m.starts_with("3 files")));
        assert_eq!(size_label(300 * 1024), "300 KiB");
    }

    #[test]
    fn names_lose_paths_and_dangerous_characters() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\me\\shot.png"), "shot.png");
        assert_eq!(sanitize_file_name("a\"b;c\r\n.txt"), "abc.txt");
        assert_eq!(sanitize_file_name(".."), "file");
        assert_eq!(sanitize_file_name(".hidden"), "hidden");
        assert_eq!(sanitize_file_name(""), "file");
        assert_eq!(sanitize_file_name(&"x".repeat(500)).len(), 200);
        assert_eq!(
            sanitize_file_name("grafana 2026-11.png"),
            "grafana 2026-11.png"
        );
    }

    #[test]
    fn types_are_checked_and_hashes_are_hex() {
        assert_eq!(content_type_or_default(Some("image/PNG")), "image/png");
        assert_eq!(
            content_type_or_default(Some("text/html; charset=utf-8")),
            "text/html"
        );
        assert_eq!(
            content_type_or_default(Some("nonsense")),
            "application/octet-stream"
        );
        assert_eq!(
            content_type_or_default(Some("a/b/c")),
            "application/octet-stream"
        );
        assert_eq!(content_type_or_default(None), "application/octet-stream");
        assert!(is_sha256_hex(&"ab".repeat(32)));
        assert!(!is_sha256_hex(&"AB".repeat(32)));
        assert!(!is_sha256_hex("../../etc/passwd"));
    }
}
