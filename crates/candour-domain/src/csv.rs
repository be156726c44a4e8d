//! CSV for spreadsheets (RFC 4180): every field quoted when it needs to be,
//! and a field that a spreadsheet would run as a formula (starting `=`, `+`,
//! `-`, `@`, tab or carriage return) is prefixed with `'` so it is shown as
//! text, never run.

/// One field, quoted if needed.
pub fn field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One line, ending CRLF.
pub fn row<S: AsRef<str>>(values: &[S]) -> String {
    let mut line = values
        .iter()
        .map(|v| field(v.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reader for one line, enough to check the writer.
    fn read(line: &str) -> Vec<String> {
        let body = line.strip_suffix("\r\n").unwrap_or(line);
        let (mut out, mut cur, mut quoted, mut chars) =
            (Vec::new(), String::new(), false, body.chars().peekable());
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => out.push(std::mem::take(&mut cur)),
                (c, _) => cur.push(c),
            }
        }
        out.push(cur);
        out
    }

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let cases = [
            ("plain", "plain"),
            ("a, b", "\"a, b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+44 1234", "'+44 1234"),
            ("-3", "'-3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("", ""),
        ];
        for (value, want) in cases {
            assert_eq!(field(value), want, "{value}");
        }
        assert_eq!(
            row(&["INC-000001", "Fall, no injury"]),
            "INC-000001,\"Fall, no injury\"\r\n"
        );
    }

    proptest! {
        #[test]
        fn every_row_reads_back(values in proptest::collection::vec(".{0,20}", 1..6)) {
            let back = read(&row(&values));
            prop_assert_eq!(back.len(), values.len());
            for (b, v) in back.iter().zip(&values) {
                let expected = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{v}") } else { v.clone() };
                prop_assert_eq!(b, &expected);
            }
        }
    }
}
