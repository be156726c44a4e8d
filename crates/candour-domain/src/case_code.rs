//! Case codes for anonymous reports: 16 characters from an alphabet without
//! look-alikes (no 0/O, 1/I/L), about 80 bits, shown as four groups of four.
//! The reporter keeps the code; Candour keeps only its hash.

/// The characters a code is made of.
pub const ALPHABET: &[u8; 32] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789=";

/// Characters in a code.
pub const LENGTH: usize = 16;

/// Builds a code from 16 random bytes (each picks one of 31 characters; the
/// filler `=` is never used).
pub fn from_random(bytes: &[u8; LENGTH]) -> String {
    bytes
        .iter()
        .map(|b| ALPHABET[(*b as usize) % 31] as char)
        .collect()
}

/// Reads a code as typed (any case, with spaces or hyphens), or `None` when
/// it cannot be a code (wrong length, or a character not in the alphabet).
pub fn normalise(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = code.len() == LENGTH && code.bytes().all(|b| b != b'=' && ALPHABET.contains(&b));
    valid.then_some(code)
}

/// `ABCD-EFGH-JKMN-PQRS`.
pub fn formatted(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(
            normalise("abcd-efgh-jkmn-pqrs").as_deref(),
            Some("ABCDEFGHJKMNPQRS")
        );
        assert_eq!(
            normalise(" ABCD EFGH JKMN PQRS ").as_deref(),
            Some("ABCDEFGHJKMNPQRS")
        );
        for bad in [
            "",
            "ABCD",
            "ABCD-EFGH-JKMN-PQR0",
            "ABCD-EFGH-JKMN-PQRI",
            "ABCD-EFGH-JKMN-PQRS-A",
            "ABCD-EFGH-JKMN-PQR=",
        ] {
            assert_eq!(normalise(bad), None, "{bad:?}");
        }
        assert_eq!(formatted("ABCDEFGHJKMNPQRS"), "ABCD-EFGH-JKMN-PQRS");
    }

    proptest! {
        #[test]
        fn every_generated_code_reads_back_and_formats_back(bytes in proptest::array::uniform16(any::<u8>())) {
            let code = from_random(&bytes);
            prop_assert_eq!(normalise(&code), Some(code.clone()));
            prop_assert_eq!(normalise(&formatted(&code).to_lowercase()), Some(code));
        }
    }
}
