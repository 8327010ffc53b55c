//! One limit for every free text a person writes: sign-off notes, Day-2
//! completion notes, waiver reasons, decision notes and a cluster's notes.
//! Forms show it with a counter (and set `maxlength`), and the API refuses
//! longer text with the same message, so a limit never differs by the way in.

use crate::fields::FieldErrors;

/// The most characters (Unicode scalar values) a note or reason may have.
pub const NOTE_MAX_CHARS: usize = 4000;

/// Whether a trimmed text is too long for [`NOTE_MAX_CHARS`].
pub fn too_long(text: &str) -> bool {
    text.chars().count() > NOTE_MAX_CHARS
}

/// The refusal shown for a text over the limit.
pub fn too_long_message() -> String {
    format!("Keep it to {NOTE_MAX_CHARS} characters.")
}

/// Adds the refusal to `field` when `text` is over the limit.
pub fn check(errors: &mut FieldErrors, field: &str, text: &str) {
    if too_long(text) {
        errors.add(field, too_long_message());
    }
}

/// What a form's counter says: `"12 / 4000"`.
pub fn counter_label(text: &str) -> String {
    format!("{} / {NOTE_MAX_CHARS}", text.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        let at_limit = "é".repeat(NOTE_MAX_CHARS);
        assert!(!too_long(&at_limit));
        assert!(too_long(&format!("{at_limit}x")));
        let mut errors = FieldErrors::new();
        check(&mut errors, "reason", &format!("{at_limit}x"));
        assert!(errors.into_result(()).is_err());
        assert_eq!(counter_label("héllo"), "5 / 4000");
    }
}
