//! Hashes with a stable output across versions and platforms (unlike `std`'s hasher).
//!
//! - [`Fnv`]: FNV-1a, 64 bits, for checksums and versions: enough to tell that content
//!   changed, not for security.
//! - [`sha256_hex`]: what a client checks a downloaded part against (browsers compute it
//!   with Web Crypto).

use std::hash::{BuildHasherDefault, Hasher};

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

/// A map whose keys are hashes already (of [`Fnv`]): hashing them again with `std`'s
/// SipHash would cost more than the lookup, at a million keys.
pub type PrehashedMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Prehashed>>;

/// A set of such hashes.
pub type PrehashedSet<K> = std::collections::HashSet<K, BuildHasherDefault<Prehashed>>;

/// Mixes a 64-bit hash's bits over the whole word (the table takes its top bits as
/// tags and its low ones as slots); anything else is hashed with FNV-1a first.
#[derive(Debug, Default, Clone, Copy)]
pub struct Prehashed(u64);

impl Hasher for Prehashed {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = Fnv(self.0 ^ Fnv::new().0);
        h.bytes(bytes);
        self.0 = h.0;
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        // MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The hash of `bytes` as 16 hexadecimal digits.
pub fn hex(bytes: &[u8]) -> String {
    let mut h = Fnv::new();
    h.bytes(bytes);
    format!("{:016x}", h.finish())
}

/// The SHA-256 of `bytes` as 64 lowercase hexadecimal digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prehashed_keys_fill_slots_and_tags_whatever_bits_differ() {
        let finish = |n: u64| {
            let mut h = Prehashed::default();
            h.write_u64(n);
            h.finish()
        };
        for shift in [0, 20, 44, 52] {
            let keys = (0..4096u64).map(|i| finish(i << shift));
            let (slots, tags): (
                std::collections::HashSet<u64>,
                std::collections::HashSet<u64>,
            ) = keys.map(|h| (h & 0xfff, h >> 57)).unzip();
            // Random slots would fill 1 − 1/e of them: about 2,590.
            assert!(slots.len() > 2_400, "shift {shift}: {} slots", slots.len());
            assert_eq!(tags.len(), 128, "shift {shift}");
        }
        let mut map: PrehashedMap<u64, usize> = PrehashedMap::default();
        assert_eq!(map.insert(7, 1), None);
        assert_eq!(map.insert(7, 2), Some(1));
    }

    #[test]
    fn sha256_reference_values() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

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
