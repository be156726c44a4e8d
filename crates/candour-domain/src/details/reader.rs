//! Reading a category's raw answers: text, required and optional codes,
//! body-map regions. Each problem is recorded against its field.

use super::RawDetails;
use crate::validation::FieldErrors;

/// Reads raw answers, collecting an error per field that is wrong.
pub(super) struct Reader<'a> {
    pub(super) raw: &'a RawDetails,
    pub(super) errors: FieldErrors,
}

impl<'a> Reader<'a> {
    pub(super) fn text(&self, field: &str) -> Option<String> {
        self.raw
            .get(field)
            .and_then(|v| v.first())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }

    pub(super) fn optional_text(&mut self, field: &str, max: usize) -> Option<String> {
        let t = self.text(field)?;
        if t.chars().count() > max {
            self.errors
                .add(field, format!("Keep this to {max} characters or fewer"));
            return None;
        }
        Some(t)
    }

    pub(super) fn required<T>(
        &mut self,
        field: &str,
        parse: fn(&str) -> Option<T>,
        message: &str,
    ) -> Option<T> {
        match self.text(field).as_deref().and_then(parse) {
            Some(v) => Some(v),
            None => {
                self.errors.add(field, message);
                None
            }
        }
    }

    /// Body-map regions ticked, without repeats; an unknown code is an error.
    pub(super) fn body_sites(&mut self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for code in self.raw.get("body_sites").cloned().unwrap_or_default() {
            if super::body::label(&code).is_none() {
                self.errors
                    .add("body_sites", "Choose places on the body from the list");
            } else if !out.contains(&code) {
                out.push(code);
            }
        }
        out
    }

    pub(super) fn optional<T>(
        &mut self,
        field: &str,
        parse: fn(&str) -> Option<T>,
        message: &str,
    ) -> Option<T> {
        let t = self.text(field)?;
        let v = parse(&t);
        if v.is_none() {
            self.errors.add(field, message);
        }
        v
    }
}

impl Reader<'_> {
    /// An optional yes / no / not known answer; absent is "not known".
    pub(super) fn yes_no(&mut self, field: &str) -> super::YesNo {
        self.optional(field, super::YesNo::parse, "Choose yes, no or not known")
            .unwrap_or(super::YesNo::NotKnown)
    }
}
