//! `SUMMARIZE` and `HIGHLIGHT`: fragments of text fields around the
//! matches, and tags around the matched terms.

use super::support::counted;
use crate::Cmd;

/// `SUMMARIZE`'s options: which fields, how many fragments of how many
/// words, joined by what.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summarize {
    fields: Vec<String>,
    frags: Option<u32>,
    len: Option<u32>,
    separator: Option<String>,
}

impl Summarize {
    /// Every text field, with the server's defaults (3 fragments of 20 words,
    /// joined by `...`).
    pub fn new() -> Self {
        Summarize::default()
    }

    /// `FIELDS`: summarize only these fields.
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// `FRAGS`: how many fragments.
    pub fn frags(mut self, frags: u32) -> Self {
        self.frags = Some(frags);
        self
    }

    /// `LEN`: how many words per fragment.
    pub fn len(mut self, words: u32) -> Self {
        self.len = Some(words);
        self
    }

    /// `SEPARATOR`: what goes between fragments.
    pub fn separator(mut self, separator: impl Into<String>) -> Self {
        self.separator = Some(separator.into());
        self
    }

    pub(super) fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg("SUMMARIZE");
        if !self.fields.is_empty() {
            cmd.push_arg("FIELDS");
            counted(cmd, &self.fields);
        }
        if let Some(frags) = self.frags {
            cmd.push_arg("FRAGS").push_arg(frags);
        }
        if let Some(len) = self.len {
            cmd.push_arg("LEN").push_arg(len);
        }
        if let Some(separator) = &self.separator {
            cmd.push_arg("SEPARATOR").push_arg(separator);
        }
    }
}

/// `HIGHLIGHT`'s options: which fields, and the tags around matches
/// (`<b>` and `</b>` by default).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Highlight {
    fields: Vec<String>,
    tags: Option<(String, String)>,
}

impl Highlight {
    /// Every text field, in `<b>...</b>`.
    pub fn new() -> Self {
        Highlight::default()
    }

    /// `FIELDS`: highlight only these fields.
    pub fn fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields.extend(fields.into_iter().map(Into::into));
        self
    }

    /// `TAGS`: what goes before and after each match.
    pub fn tags(mut self, open: impl Into<String>, close: impl Into<String>) -> Self {
        self.tags = Some((open.into(), close.into()));
        self
    }

    pub(super) fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg("HIGHLIGHT");
        if !self.fields.is_empty() {
            cmd.push_arg("FIELDS");
            counted(cmd, &self.fields);
        }
        if let Some((open, close)) = &self.tags {
            cmd.push_arg("TAGS").push_arg(open).push_arg(close);
        }
    }
}
