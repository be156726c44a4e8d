//! Attachments: photos and documents added to a report. The type is judged
//! by the content, never by the name; the name's extension must agree; a
//! name with a path in it is refused.

use crate::organisation::code_enum;

code_enum! {
    /// The kinds of file Candour accepts.
    MediaType {
        /// JPEG photo.
        Jpeg = ("image/jpeg", "JPEG photo"),
        /// PNG image.
        Png = ("image/png", "PNG image"),
        /// WebP image.
        Webp = ("image/webp", "WebP image"),
        /// PDF document.
        Pdf = ("application/pdf", "PDF document"),
    }
}

impl MediaType {
    /// The file name extensions that fit this type.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            MediaType::Jpeg => &["jpg", "jpeg"],
            MediaType::Png => &["png"],
            MediaType::Webp => &["webp"],
            MediaType::Pdf => &["pdf"],
        }
    }
}

/// What the content is, from its first bytes.
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(MediaType::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(MediaType::Webp)
    } else if bytes.starts_with(b"%PDF-") {
        Some(MediaType::Pdf)
    } else {
        None
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// No file, or an empty one.
    #[error("Choose a file to add")]
    Empty,
    /// Over the size limit.
    #[error("The file is larger than {0} MB: send a smaller photo or document")]
    TooLarge(u64),
    /// Not a type Candour accepts.
    #[error("Only photos (JPEG, PNG, WebP) and PDF documents can be added")]
    WrongType,
    /// The name's extension says one thing and the content another.
    #[error(
        "The file's name does not match what it contains (it is a {0}): rename it or choose another file"
    )]
    LyingExtension(&'static str),
    /// A path, control characters or an over-long name.
    #[error("The file name must be a plain name of up to 200 characters, with no folders in it")]
    BadName,
}

/// Checks an uploaded file; returns its type and a clean name.
pub fn check(
    name: &str,
    bytes: &[u8],
    max_bytes: u64,
) -> Result<(MediaType, String), AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(AttachmentError::TooLarge(max_bytes / (1024 * 1024)));
    }
    let name = name.trim();
    let bad = name.is_empty()
        || name.chars().count() > 200
        || name.contains(['/', '\\'])
        || name.contains("..")
        || name.chars().any(char::is_control)
        || name.starts_with('.');
    if bad {
        return Err(AttachmentError::BadName);
    }
    let media = sniff(bytes).ok_or(AttachmentError::WrongType)?;
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !media.extensions().contains(&ext.as_str()) {
        return Err(AttachmentError::LyingExtension(media.label()));
    }
    Ok((media, name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];

    #[test]
    fn files_are_judged_by_content_name_and_size() {
        assert_eq!(
            check("heel.png", PNG, 1024),
            Ok((MediaType::Png, "heel.png".to_owned()))
        );
        assert_eq!(
            check("HEEL.JPG", &[0xFF, 0xD8, 0xFF, 0xE0], 1024).map(|(m, _)| m),
            Ok(MediaType::Jpeg)
        );
        assert_eq!(
            check("form.pdf", b"%PDF-1.7 ...", 1024).map(|(m, _)| m),
            Ok(MediaType::Pdf)
        );
        assert_eq!(
            check("x.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", 1024).map(|(m, _)| m),
            Ok(MediaType::Webp)
        );
        let cases: [(&str, &[u8], AttachmentError); 8] = [
            ("a.png", &[], AttachmentError::Empty),
            ("a.png", &[0x89; 2048], AttachmentError::TooLarge(0)),
            (
                "report.pdf",
                PNG,
                AttachmentError::LyingExtension("PNG image"),
            ),
            (
                "photo.png",
                b"MZ\x90\x00 this is a program",
                AttachmentError::WrongType,
            ),
            ("../../etc/passwd.png", PNG, AttachmentError::BadName),
            ("C:\\photos\\a.png", PNG, AttachmentError::BadName),
            (".hidden.png", PNG, AttachmentError::BadName),
            ("bad\nname.png", PNG, AttachmentError::BadName),
        ];
        for (name, bytes, want) in cases {
            assert_eq!(
                check(name, bytes, 1024).map(|(m, _)| m),
                Err(want),
                "{name:?}"
            );
        }
    }
}
