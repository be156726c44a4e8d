//! Field-level validation errors shared by every form and API payload.

use serde::Serialize;

/// One problem with one named field, in words a care worker understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as it appears in the form and in JSON (`snake_case`).
    pub field: String,
    /// A sentence saying what is wrong and how to put it right.
    pub message: String,
    /// Where the field sits in a JSON body when not at the top level, such
    /// as `/details/head_struck` (RFC 6901); `None` means `/<field>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

/// An ordered list of field errors; empty means the input was valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// An empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
            pointer: None,
        });
    }

    /// Places every error under `prefix` in a JSON body (`/details`).
    pub fn nested_in(mut self, prefix: &str) -> Self {
        for e in &mut self.0 {
            e.pointer = Some(format!("{prefix}/{}", e.field));
        }
        self
    }

    /// Calls `from` by the name `to` (a form field and the API field that
    /// carries the same value under another name).
    pub fn renamed(mut self, from: &str, to: &str) -> Self {
        for e in &mut self.0 {
            if e.field == from {
                e.field = to.to_owned();
            }
        }
        self
    }

    /// The JSON Pointer of an error: where it sits, or `/<field>`.
    pub fn pointer(e: &FieldError) -> String {
        e.pointer.clone().unwrap_or_else(|| format!("/{}", e.field))
    }

    /// True when no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message recorded for `field`, if any.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `Ok(value)` when empty, otherwise `Err(self)`.
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
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// Trims `v` and checks it: `required` is the message when it is blank
/// (`None`: may be blank); longer than `max` characters is refused.
pub fn checked_text(
    e: &mut FieldErrors,
    field: &str,
    v: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let t = v.trim();
    if let (true, Some(m)) = (t.is_empty(), required) {
        e.add(field, m);
    } else if t.chars().count() > max {
        e.add(field, format!("Keep it to {max} characters or fewer"));
    }
    t.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renaming_moves_only_that_fields_errors() {
        let mut e = FieldErrors::new();
        e.add("owner", "Choose who owns it");
        e.add("title", "Say what will be done");
        let e = e.renamed("owner", "owner_id");
        assert_eq!(e.for_field("owner_id"), Some("Choose who owns it"));
        assert_eq!(e.for_field("owner"), None);
        assert_eq!(e.for_field("title"), Some("Say what will be done"));
        assert_eq!(FieldErrors::pointer(&e.0[0]), "/owner_id");
    }
}
