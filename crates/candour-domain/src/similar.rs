//! Finding reports whose words are like a report's: the words worth
//! searching for, taken from its text. The database's full-text search does
//! the matching and ranking; this decides what to ask it, and only ever
//! hands it plain lower-case words (so nothing a reporter typed becomes
//! search syntax).

/// At most this many words are searched for.
pub const MAX_TERMS: usize = 12;

/// Words too common in care reports, or in English, to say two reports are alike.
const COMMON: &[&str] = &[
    "about",
    "after",
    "again",
    "also",
    "been",
    "before",
    "being",
    "came",
    "could",
    "from",
    "have",
    "having",
    "here",
    "into",
    "just",
    "made",
    "more",
    "only",
    "other",
    "over",
    "said",
    "same",
    "some",
    "than",
    "that",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "time",
    "very",
    "want",
    "wanted",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "will",
    "with",
    "would",
    "your",
    "resident",
    "residents",
    "staff",
    "carer",
    "carers",
    "service",
    "user",
    "told",
    "went",
    "back",
];

/// A word in lower case, letters and digits only: lowering a capital can
/// add a combining mark ("İ" becomes "i" and a dot above), which is dropped.
fn plain_lowercase(word: &str) -> String {
    word.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The words of `text` worth searching for: lower case, letters and digits
/// only, four or more characters, not common, each once, in the order they
/// first appear, at most [`MAX_TERMS`].
pub fn terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let w = plain_lowercase(word);
        if w.chars().count() >= 4 && !COMMON.contains(&w.as_str()) && !out.contains(&w) {
            out.push(w);
            if out.len() == MAX_TERMS {
                break;
            }
        }
    }
    out
}

/// The most words a search looks for.
pub const MAX_SEARCH_WORDS: usize = 8;

/// The words someone searched for: lower case, letters and digits only, two
/// or more characters, each once, in order, at most [`MAX_SEARCH_WORDS`].
/// A report matches when it has every one.
pub fn search_words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let w = plain_lowercase(word);
        if w.chars().count() >= 2 && !out.contains(&w) {
            out.push(w);
            if out.len() == MAX_SEARCH_WORDS {
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn search_words_keep_short_words_and_drop_punctuation() {
        for (typed, words) in [
            ("sensor mat", vec!["sensor", "mat"]),
            ("  Bed-rails; BED rails ", vec!["bed", "rails"]),
            ("\"hip\" OR x AND (NEAR", vec!["hip", "or", "and", "near"]),
            ("a b c", vec![]),
            ("İSTANBUL İ", vec!["istanbul"]),
            (
                "one two three four five six seven eight nine",
                vec![
                    "one", "two", "three", "four", "five", "six", "seven", "eight",
                ],
            ),
        ] {
            assert_eq!(search_words(typed), words, "{typed}");
        }
    }

    #[test]
    fn the_telling_words_are_kept() {
        assert_eq!(
            terms(
                "Found on the floor by the bed; the sensor mat did not alarm. Found again at 04:00!"
            ),
            ["found", "floor", "sensor", "alarm"],
            "each once; common and short words left out"
        );
        assert!(terms("He said that they were there").is_empty());
        assert_eq!(
            terms("Crème brûlée \"OR\" NEAR(x) *wild*"),
            ["crème", "brûlée", "near", "wild"]
        );
    }

    proptest! {
        #[test]
        fn search_words_are_plain_words(text in ".{0,400}") {
            let words = search_words(&text);
            prop_assert!(words.len() <= MAX_SEARCH_WORDS);
            for w in &words {
                prop_assert!(w.chars().count() >= 2);
                prop_assert!(w.chars().all(char::is_alphanumeric));
            }
        }

        #[test]
        fn terms_are_plain_words(text in ".{0,400}") {
            let t = terms(&text);
            prop_assert!(t.len() <= MAX_TERMS);
            for w in &t {
                prop_assert!(w.chars().all(char::is_alphanumeric));
                prop_assert!(w.chars().count() >= 4);
                prop_assert_eq!(t.iter().filter(|x| *x == w).count(), 1);
            }
        }
    }
}
