//! Quick sign-in PINs for shared devices. A PIN works only on a device a
//! manager has trusted for the service, and only until it is guessed wrong
//! [`MAX_PIN_FAILURES`] times in a row: then it is turned off and the person
//! signs in with their password and sets a new one. Five guesses at a
//! six-digit PIN succeed about once in 200,000 tries, so a PIN on a trusted
//! device is as hard to break as a password behind its lockout.

/// Digits in a PIN.
pub const PIN_LENGTH: usize = 6;
/// Wrong PINs in a row before the PIN is turned off.
pub const MAX_PIN_FAILURES: i64 = 5;

/// Why a new PIN is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinProblem {
    /// Not six digits.
    #[error("Enter 6 digits, like 482915")]
    Shape,
    /// Every digit the same, or a run such as 123456.
    #[error("Choose a PIN that is harder to guess: not one digit repeated or a run like 123456")]
    Guessable,
    /// A date-like or commonly chosen PIN.
    #[error("That PIN is one of the most common: choose another")]
    Common,
}

/// PINs people choose most often (beyond repeats and runs, refused anyway).
const COMMON: [&str; 12] = [
    "121212", "112233", "123123", "101010", "696969", "159753", "131313", "777777", "102030",
    "147258", "123321", "100000",
];

/// Checks a new PIN: six digits, not a repeat, a run or a common choice.
pub fn check_new_pin(pin: &str) -> Result<(), PinProblem> {
    let digits: Vec<u8> = pin.bytes().collect();
    if digits.len() != PIN_LENGTH || !digits.iter().all(u8::is_ascii_digit) {
        return Err(PinProblem::Shape);
    }
    let steps: Vec<i16> = digits
        .windows(2)
        .map(|w| i16::from(w[1]) - i16::from(w[0]))
        .collect();
    let run = |d: i16| steps.iter().all(|s| *s == d);
    if run(0) || run(1) || run(-1) {
        return Err(PinProblem::Guessable);
    }
    if COMMON.contains(&pin) {
        return Err(PinProblem::Common);
    }
    Ok(())
}

/// Whether typed text could be a PIN at all (checked before any hashing).
pub fn looks_like_pin(pin: &str) -> bool {
    pin.len() == PIN_LENGTH && pin.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn weak_and_malformed_pins_are_refused_with_a_reason() {
        for (pin, want) in [
            ("12345", PinProblem::Shape),
            ("1234567", PinProblem::Shape),
            ("12a456", PinProblem::Shape),
            ("１２３４５６", PinProblem::Shape),
            ("000000", PinProblem::Guessable),
            ("123456", PinProblem::Guessable),
            ("987654", PinProblem::Guessable),
            ("121212", PinProblem::Common),
        ] {
            assert_eq!(check_new_pin(pin), Err(want), "{pin}");
        }
        assert_eq!(check_new_pin("482915"), Ok(()));
    }

    proptest! {
        #[test]
        fn an_accepted_pin_always_looks_like_one(pin in "[0-9]{6}") {
            if check_new_pin(&pin).is_ok() {
                prop_assert!(looks_like_pin(&pin));
            }
        }

        #[test]
        fn checking_never_panics(pin in ".{0,12}") {
            let _ = check_new_pin(&pin);
        }
    }
}
