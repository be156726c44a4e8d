//! NHS numbers: ten digits whose last is a modulus-11 check digit.
//!
//! The check (NHS Data Dictionary): multiply the first nine digits by the
//! weights 10 down to 2, sum, take the remainder on division by 11 and
//! subtract it from 11. A result of 11 means a check digit of 0; a result of
//! 10 means the number is invalid.

use serde::Serialize;

/// A valid NHS number, stored as ten digits without spaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct NhsNumber(String);

/// Why a typed NHS number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    /// Not ten digits once spaces and hyphens are removed.
    #[error("Enter an NHS number of 10 digits, like 943 476 5919")]
    WrongLength,
    /// Ten digits, but the check digit does not match.
    #[error("This is not a valid NHS number: check the digits and try again")]
    BadCheckDigit,
}

impl NhsNumber {
    /// Parses a number typed with or without spaces or hyphens.
    pub fn parse(input: &str) -> Result<NhsNumber, NhsNumberError> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NhsNumberError::WrongLength);
        }
        let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        match check_digit(&values[..9]) {
            Some(check) if check == values[9] => Ok(NhsNumber(digits)),
            _ => Err(NhsNumberError::BadCheckDigit),
        }
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number grouped 3-3-4, as printed on NHS letters.
    pub fn formatted(&self) -> String {
        format!("{} {} {}", &self.0[..3], &self.0[3..6], &self.0[6..])
    }
}

/// The modulus-11 check digit for nine digits, or `None` when no digit fits.
pub fn check_digit(first_nine: &[u32]) -> Option<u32> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(d, w)| d * w)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        n => Some(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_numbers_are_judged_correctly() {
        let cases = [
            ("9434765919", Ok("943 476 5919")),
            ("943 476 5919", Ok("943 476 5919")),
            ("943-476-5919", Ok("943 476 5919")),
            ("4010232137", Ok("401 023 2137")),
            ("4857773456", Err(NhsNumberError::BadCheckDigit)),
            ("9434765918", Err(NhsNumberError::BadCheckDigit)),
            ("485777345", Err(NhsNumberError::WrongLength)),
            ("48577734567", Err(NhsNumberError::WrongLength)),
            ("48577A3456", Err(NhsNumberError::WrongLength)),
            ("", Err(NhsNumberError::WrongLength)),
        ];
        for (input, expected) in cases {
            let got = NhsNumber::parse(input).map(|n| n.formatted());
            assert_eq!(got, expected.map(str::to_owned), "input {input:?}");
        }
    }

    #[test]
    fn a_remainder_giving_ten_has_no_valid_check_digit() {
        // 1,0,0,0,0,0,0,0,1: sum = 10 + 2 = 12, 12 % 11 = 1, 11 - 1 = 10.
        assert_eq!(check_digit(&[1, 0, 0, 0, 0, 0, 0, 0, 1]), None);
    }

    proptest! {
        #[test]
        fn appending_the_computed_check_digit_always_gives_a_valid_number(
            nine in proptest::collection::vec(0u32..10, 9)
        ) {
            if let Some(check) = check_digit(&nine) {
                let s: String = nine.iter().chain(std::iter::once(&check))
                    .map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect();
                prop_assert!(NhsNumber::parse(&s).is_ok());
                // Any other last digit is refused.
                let wrong = (check + 1) % 10;
                let s2: String = nine.iter().chain(std::iter::once(&wrong))
                    .map(|d| char::from_digit(*d, 10).unwrap_or('0')).collect();
                prop_assert_eq!(NhsNumber::parse(&s2), Err(NhsNumberError::BadCheckDigit));
            }
        }
    }
}
