//! Every way user data meets RediSearch's query syntax, one function per
//! syntax context, and nothing else: the query builders call these and
//! never write user data into a query any other way.
//!
//! Values never go into the query text at all: they travel as `PARAMS`
//! (`@brand:{$p0}`), which the server binds after parsing, so no value can
//! change the query's structure. What is left is what the server still
//! reads inside a bound value, and the field names the handles give:
//!
//! - [`field_name`]: `@name` in the query text (a handle's name, which a
//!   `rename` or serde may have given any characters).
//! - [`param`]: a string bound as a parameter. The server still reads a
//!   backslash in it as escaping the next character (binding `a\\b`
//!   finds `a\b`, binding `a\b` finds `a\b` too, binding `a\\\\b` finds
//!   `a\\b`), measured on Redis 8.2 with RediSearch 2.10 for TAG values,
//!   terms, prefixes and fuzzy terms alike.
//! - [`terms`]: the words of user text as the server cuts a TEXT field
//!   into terms, so that each can be bound as one term: a parameter holding
//!   `foo-bar` is the single term `foo-bar`, which no document indexed
//!   from `foo-bar` holds (it holds `foo` and `bar`).

use std::borrow::Cow;

/// `@name`'s name, with every character other than an ASCII letter, digit
/// or `_` escaped by a backslash, as the query parser reads field names.
pub(crate) fn field_name(name: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if name.chars().all(plain) {
        return Cow::Borrowed(name);
    }
    let mut escaped = String::with_capacity(name.len() * 2);
    for c in name.chars() {
        if !plain(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    Cow::Owned(escaped)
}

/// A string as a parameter's value: every backslash doubled, so that what
/// the server reads is the string itself (it drops a backslash and keeps
/// the character after it). Nothing else in a parameter is syntax.
pub(crate) fn param(value: &str) -> Cow<'_, str> {
    if value.contains('\\') {
        Cow::Owned(value.replace('\\', "\\\\"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The characters at which the server cuts a TEXT field into terms (with
/// its default settings; measured on RediSearch 2.10 by indexing
/// `left{c}right` for each ASCII punctuation character and control
/// character). Not a separator: `_`, `\` (it escapes the next character),
/// line breaks, and anything beyond ASCII.
const SEPARATORS: &[char] = &[
    ' ', '\t', '\0', '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    ':', ';', '<', '=', '>', '?', '@', '[', ']', '^', '`', '{', '|', '}', '~',
];

/// The server's default stop words: not indexed, and a query term that is
/// one matches nothing, which would make a whole `AND` of terms match
/// nothing; they are left out of the terms.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// The terms of `text` as the server indexes a TEXT field holding it: cut
/// at the separators, a backslash keeping the next character in the term
/// (as in indexed text), stop words left out. Each term is ready to be
/// bound as a parameter ([`param`] is applied). Case and stemming are left
/// to the server, which applies them to bound terms as to indexed ones.
pub(crate) fn terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut term = String::new();
    let mut chars = text.chars();
    let end = |term: &mut String, terms: &mut Vec<String>| {
        if !term.is_empty() && !is_stop_word(term) {
            terms.push(param(term).into_owned());
        }
        term.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => term.push(next),
                None => term.push('\\'),
            },
            c if SEPARATORS.contains(&c) => end(&mut term, &mut terms),
            c => term.push(c),
        }
    }
    end(&mut term, &mut terms);
    terms
}

fn is_stop_word(term: &str) -> bool {
    STOP_WORDS
        .iter()
        .any(|stop| stop.eq_ignore_ascii_case(term))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character the issue lists as special, and the space.
    const SPECIAL: &str = ",.<>{}[]\"':;!@#$%^&*()-+=~|/\\ ";

    #[test]
    fn field_names_escape_every_special_character() {
        for c in SPECIAL.chars() {
            let name = format!("a{c}b");
            assert_eq!(field_name(&name), format!("a\\{c}b"), "{c:?}");
        }
        assert_eq!(field_name("plain_name9"), "plain_name9");
        assert_eq!(field_name("città"), "citt\\à");
    }

    #[test]
    fn params_double_backslashes_and_keep_everything_else() {
        for c in SPECIAL.chars().filter(|&c| c != '\\') {
            let value = format!("a{c}b");
            assert_eq!(param(&value), value, "{c:?}");
        }
        assert_eq!(param("\\"), "\\\\");
        assert_eq!(param("a\\\\b\\"), "a\\\\\\\\b\\\\");
        assert_eq!(param("ünï cödé"), "ünï cödé");
    }

    #[test]
    fn terms_are_cut_at_every_separator_but_the_backslash() {
        for c in SPECIAL.chars().filter(|&c| c != '\\') {
            assert_eq!(terms(&format!("left{c}right")), ["left", "right"], "{c:?}");
        }
        assert_eq!(terms("left\tright"), ["left", "right"]);
        assert_eq!(terms("snake_case"), ["snake_case"]);
        assert_eq!(terms("line\nbreak"), ["line\nbreak"]);
    }

    #[test]
    fn a_backslash_keeps_the_next_character_in_the_term() {
        assert_eq!(terms(r"foo\-bar"), ["foo-bar"]);
        assert_eq!(terms(r"a\ b"), ["a b"]);
        // A backslash the term keeps is bound doubled.
        assert_eq!(terms(r"x\\y"), [r"x\\y"]);
        assert_eq!(terms("end\\"), ["end\\\\"]);
    }

    #[test]
    fn stop_words_and_empty_terms_are_left_out() {
        assert_eq!(terms("The quick AND the dead"), ["quick", "dead"]);
        assert!(terms("").is_empty());
        assert!(terms(SPECIAL.trim_end_matches(['\\', ' '])).is_empty());
        assert_eq!(terms("  über  Straße "), ["über", "Straße"]);
    }
}
