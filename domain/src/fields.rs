//! Field-level validation messages, keyed by form field name.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Messages for the fields of one form or JSON body that failed validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a message for `field`; the first message for a field wins.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Refuses free text holding a NUL character: no form or person types
    /// one, and PostgreSQL cannot store it (SQLite would, so an install
    /// could not move between them).
    pub fn refuse_nul(&mut self, field: &str, value: &str) {
        if value.contains('\0') {
            self.add(field, "Remove the NUL character (\\0) from this text.");
        }
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `Ok(value)` when no field failed, otherwise the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_refused_and_other_text_is_not() {
        let mut e = FieldErrors::new();
        e.refuse_nul("note", "tabs\tand\nnewlines and ünïcode are fine");
        assert!(e.is_empty());
        e.refuse_nul("note", "a\0b");
        assert!(e.get("note").is_some_and(|m| m.contains("NUL")));
    }

    #[test]
    fn first_message_per_field_wins() {
        let mut e = FieldErrors::new();
        e.add("name", "required");
        e.add("name", "too long");
        assert_eq!(e.get("name"), Some("required"));
        assert_eq!(e.to_string(), "name: required");
        assert!(e.into_result(()).is_err());
    }

    #[test]
    fn serializes_as_plain_object() {
        let e = FieldErrors::single("coordinator_url", "must start with http:// or https://");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"coordinator_url":"must start with http:// or https://"}"#
        );
    }
}
