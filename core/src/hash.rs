//! A small stable hash for checksums and versions: FNV-1a, 64 bits. Stable across
//! versions and platforms (unlike `std`'s hasher), enough to tell that content changed;
//! not for security.

#[derive(Debug, Clone)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv {
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Hashes a field and a separator, so that ("ab", "c") and ("a", "bc") differ.
    pub fn field(&mut self, text: &str) {
        self.bytes(text.as_bytes());
        self.bytes(&[0x1f]);
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// The hash of `bytes` as 16 hexadecimal digits.
pub fn hex(bytes: &[u8]) -> String {
    let mut h = Fnv::new();
    h.bytes(bytes);
    format!("{:016x}", h.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_and_field_separation() {
        // FNV-1a 64 reference values.
        assert_eq!(hex(b""), "cbf29ce484222325");
        assert_eq!(hex(b"a"), "af63dc4c8601ec8c");
        let (mut a, mut b) = (Fnv::new(), Fnv::new());
        a.field("ab");
        a.field("c");
        b.field("a");
        b.field("bc");
        assert_ne!(a.finish(), b.finish());
    }
}
