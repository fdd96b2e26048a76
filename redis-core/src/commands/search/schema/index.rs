//! `FT.CREATE`'s index options: what the index covers, prefixes, filter,
//! language, score, stopwords, temporary indexes, the initial scan.

use std::time::Duration;

use super::super::support::{counted, number};
use crate::{Cmd, ToArgs};

/// What an index covers: hashes or JSON documents (`ON HASH | JSON`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexOn {
    /// `ON HASH` (the default): fields are hash fields.
    #[default]
    #[doc(alias = "ON")]
    Hash,
    /// `ON JSON`: fields are JSON paths (RedisJSON).
    #[doc(alias = "ON")]
    Json,
}

impl IndexOn {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            IndexOn::Hash => "HASH",
            IndexOn::Json => "JSON",
        }
    }
}

/// Writes [`Language`] and its names once.
macro_rules! languages {
    ($($variant:ident $name:literal)*) => {
        /// The language of stemming and stop words (`LANGUAGE`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Language {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant,
            )*
        }

        impl Language {
            /// The name the server knows the language by (`english`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Language::$variant => $name,)*
                }
            }
        }
    };
}

languages! {
    Arabic "arabic"
    Armenian "armenian"
    Basque "basque"
    Catalan "catalan"
    Chinese "chinese"
    Danish "danish"
    Dutch "dutch"
    English "english"
    Finnish "finnish"
    French "french"
    German "german"
    Greek "greek"
    Hindi "hindi"
    Hungarian "hungarian"
    Indonesian "indonesian"
    Irish "irish"
    Italian "italian"
    Lithuanian "lithuanian"
    Nepali "nepali"
    Norwegian "norwegian"
    Portuguese "portuguese"
    Romanian "romanian"
    Russian "russian"
    Serbian "serbian"
    Spanish "spanish"
    Swedish "swedish"
    Tamil "tamil"
    Turkish "turkish"
    Yiddish "yiddish"
}

/// `FT.CREATE`'s options before the schema: what the index covers and how
/// it stores what it indexes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateIndexOptions {
    on: Option<IndexOn>,
    prefixes: Vec<String>,
    filter: Option<String>,
    language: Option<Language>,
    language_field: Option<String>,
    score: Option<f64>,
    score_field: Option<String>,
    payload_field: Option<String>,
    max_text_fields: bool,
    temporary: Option<Duration>,
    no_offsets: bool,
    no_highlight: bool,
    no_fields: bool,
    no_freqs: bool,
    stopwords: Option<Vec<String>>,
    skip_initial_scan: bool,
}

impl CreateIndexOptions {
    /// No options: an index of every hash in the database.
    pub fn new() -> Self {
        CreateIndexOptions::default()
    }

    /// `ON HASH | JSON`.
    pub fn on(mut self, on: IndexOn) -> Self {
        self.on = Some(on);
        self
    }

    /// `PREFIX`: index only keys starting with `prefix` (call again for
    /// more prefixes).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefixes.push(prefix.into());
        self
    }

    /// `FILTER`: index only documents for which the aggregation expression
    /// is true (`@age > 18`).
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    /// `LANGUAGE`: the documents' default language.
    pub fn language(mut self, language: Language) -> Self {
        self.language = Some(language);
        self
    }

    /// `LANGUAGE_FIELD`: the document field that names its own language.
    pub fn language_field(mut self, field: impl Into<String>) -> Self {
        self.language_field = Some(field.into());
        self
    }

    /// `SCORE`: the documents' default score, from 0 to 1 (1 by default).
    pub fn score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// `SCORE_FIELD`: the document field that holds its own score.
    pub fn score_field(mut self, field: impl Into<String>) -> Self {
        self.score_field = Some(field.into());
        self
    }

    /// `PAYLOAD_FIELD`: the document field whose value is its payload.
    pub fn payload_field(mut self, field: impl Into<String>) -> Self {
        self.payload_field = Some(field.into());
        self
    }

    /// `MAXTEXTFIELDS`: encode for more than 32 text fields from the start,
    /// so `FT.ALTER` can add them later.
    #[doc(alias = "MAXTEXTFIELDS")]
    pub fn max_text_fields(mut self) -> Self {
        self.max_text_fields = true;
        self
    }

    /// `TEMPORARY`: the index drops itself after `idle` without use
    /// (whole seconds, at least one).
    pub fn temporary(mut self, idle: Duration) -> Self {
        self.temporary = Some(idle);
        self
    }

    /// `NOOFFSETS`: keep no term offsets (no exact phrases, no
    /// highlighting; smaller index).
    #[doc(alias = "NOOFFSETS")]
    pub fn no_offsets(mut self) -> Self {
        self.no_offsets = true;
        self
    }

    /// `NOHL`: keep no byte offsets (no highlighting).
    #[doc(alias = "NOHL")]
    pub fn no_highlight(mut self) -> Self {
        self.no_highlight = true;
        self
    }

    /// `NOFIELDS`: keep no per-field bits (no field-restricted text queries).
    #[doc(alias = "NOFIELDS")]
    pub fn no_fields(mut self) -> Self {
        self.no_fields = true;
        self
    }

    /// `NOFREQS`: keep no term frequencies (no frequency-based scoring).
    #[doc(alias = "NOFREQS")]
    pub fn no_freqs(mut self) -> Self {
        self.no_freqs = true;
        self
    }

    /// `STOPWORDS`: these words instead of the language's stop words; an
    /// empty list means no stop words at all.
    pub fn stopwords<S: Into<String>>(mut self, words: impl IntoIterator<Item = S>) -> Self {
        self.stopwords = Some(words.into_iter().map(Into::into).collect());
        self
    }

    /// `SKIPINITIALSCAN`: do not index the keys that exist already.
    #[doc(alias = "SKIPINITIALSCAN")]
    pub fn skip_initial_scan(mut self) -> Self {
        self.skip_initial_scan = true;
        self
    }
}

impl ToArgs for CreateIndexOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(on) = self.on {
            cmd.push_arg("ON").push_arg(on.as_str());
        }
        if !self.prefixes.is_empty() {
            cmd.push_arg("PREFIX");
            counted(cmd, &self.prefixes);
        }
        if let Some(filter) = &self.filter {
            cmd.push_arg("FILTER").push_arg(filter);
        }
        if let Some(language) = self.language {
            cmd.push_arg("LANGUAGE").push_arg(language.as_str());
        }
        if let Some(field) = &self.language_field {
            cmd.push_arg("LANGUAGE_FIELD").push_arg(field);
        }
        if let Some(score) = self.score {
            cmd.push_arg("SCORE").push_arg(number(score));
        }
        if let Some(field) = &self.score_field {
            cmd.push_arg("SCORE_FIELD").push_arg(field);
        }
        if let Some(field) = &self.payload_field {
            cmd.push_arg("PAYLOAD_FIELD").push_arg(field);
        }
        if self.max_text_fields {
            cmd.push_arg("MAXTEXTFIELDS");
        }
        if let Some(idle) = self.temporary {
            cmd.push_arg("TEMPORARY").push_arg(idle.as_secs().max(1));
        }
        if self.no_offsets {
            cmd.push_arg("NOOFFSETS");
        }
        if self.no_highlight {
            cmd.push_arg("NOHL");
        }
        if self.no_fields {
            cmd.push_arg("NOFIELDS");
        }
        if self.no_freqs {
            cmd.push_arg("NOFREQS");
        }
        if let Some(words) = &self.stopwords {
            cmd.push_arg("STOPWORDS");
            counted(cmd, words);
        }
        if self.skip_initial_scan {
            cmd.push_arg("SKIPINITIALSCAN");
        }
    }
}

/// Whether `FT.ALTER` and `FT.SYNUPDATE` reindex the keys that exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialScan {
    /// Reindex existing keys (the default).
    #[default]
    Scan,
    /// `SKIPINITIALSCAN`: only keys written from now on are (re)indexed.
    #[doc(alias = "SKIPINITIALSCAN")]
    Skip,
}

impl ToArgs for InitialScan {
    fn write_args(&self, cmd: &mut Cmd) {
        if *self == InitialScan::Skip {
            cmd.push_arg("SKIPINITIALSCAN");
        }
    }
}
