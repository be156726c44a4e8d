//! Password rules after the NCSC's guidance: a minimum length, a block list
//! of common passwords, no forced composition rules and no expiry.

/// Fewest characters a password may have. The NCSC asks for at least 8; we
/// ask for 10 and suggest three random words.
pub const MIN_LENGTH: usize = 10;
/// Most characters accepted (hashing cost stays bounded).
pub const MAX_LENGTH: usize = 256;

/// Passwords that appear again and again in breach lists, plus ones a care
/// service would guess first. Compared case-insensitively.
const BLOCKED: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "1111111111",
    "0000000000",
    "qwertyuiop",
    "qwerty1234",
    "qwerty12345",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "password!1",
    "iloveyou123",
    "abcdefghij",
    "abc1234567",
    "letmein123",
    "welcome123",
    "welcome1234",
    "football123",
    "sunshine123",
    "princess123",
    "monkey12345",
    "dragon12345",
    "baseball123",
    "superman123",
    "trustno1234",
    "starwars123",
    "changeme123",
    "changeme1234",
    "administrator",
    "admin12345",
    "adminadmin",
    "carehome123",
    "carehome2026",
    "nursing123",
    "careworker1",
    "careworker123",
    "candour123",
    "candour2026",
    "candourdemo",
    "manchester1",
    "liverpool1",
    "liverpool123",
    "chelsea1234",
    "arsenal1234",
    "qwertyqwerty",
    "asdfghjkl1",
    "zxcvbnm123",
    "1234qwer!@#$",
    "summer2026",
    "winter2026",
    "autumn2026",
    "spring2026",
    "january2026",
    "november2026",
    "december2026",
    "password2026",
    "password2025",
    "password2024",
    "welcome2026",
    "letmein2026",
    "qwerty2026",
];

/// Why a new password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than [`MIN_LENGTH`].
    #[error("Password must be at least {MIN_LENGTH} characters: three random words work well")]
    TooShort,
    /// Longer than [`MAX_LENGTH`].
    #[error("Password must be {MAX_LENGTH} characters or fewer")]
    TooLong,
    /// On the block list of common passwords.
    #[error("This password is too common: choose one that is harder to guess")]
    Common,
    /// Contains the person's email address or name.
    #[error("Password must not contain your email address or name")]
    ContainsIdentity,
}

/// Checks a proposed password for a user with `email` and `name`.
pub fn check_new_password(password: &str, email: &str, name: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    if BLOCKED.iter().any(|b| *b == lower) || all_one_character(&lower) {
        return Err(PasswordError::Common);
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    let name_l = name.to_lowercase().replace(' ', "");
    if (local.len() >= 4 && lower.contains(&local))
        || (name_l.len() >= 4 && lower.contains(&name_l))
    {
        return Err(PasswordError::ContainsIdentity);
    }
    Ok(())
}

fn all_one_character(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => chars.all(|c| c == first),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_judged_by_length_commonness_and_identity() {
        let cases = [
            ("short", Err(PasswordError::TooShort)),
            ("Password123", Err(PasswordError::Common)),
            ("zzzzzzzzzzzz", Err(PasswordError::Common)),
            ("jane.smith-rocks", Err(PasswordError::ContainsIdentity)),
            ("JaneSmith1999", Err(PasswordError::ContainsIdentity)),
            ("kettle-orbit-meadow", Ok(())),
            ("correct horse battery", Ok(())),
        ];
        for (pw, expected) in cases {
            assert_eq!(
                check_new_password(pw, "jane.smith@example.org", "Jane Smith"),
                expected,
                "{pw}"
            );
        }
        assert_eq!(
            check_new_password(&"a b".repeat(100), "x@y.z", "X"),
            Err(PasswordError::TooLong)
        );
    }
}
