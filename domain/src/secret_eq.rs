//! Comparing a secret someone presented with the one expected, in time that
//! does not depend on where they first differ.

/// True when `a` and `b` are the same bytes; every byte is looked at.
pub fn secret_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::secret_eq;

    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(secret_eq(b"same", b"same"));
        assert!(!secret_eq(b"same", b"sam"));
        assert!(!secret_eq(b"same", b"samE"));
        assert!(secret_eq(b"", b""));
    }
}
