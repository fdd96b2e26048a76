//! Suggestions (`FT.SUG*`), spell checking (`FT.SPELLCHECK`) and their options.

use super::support::{elements, entries, present, reply, text};
use crate::{Cmd, Error, FromValue, Result, ToArgs, Value};

/// `FT.SUGADD`'s options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SugAddOptions {
    incr: bool,
    payload: Option<Vec<u8>>,
}

impl SugAddOptions {
    /// No options: the score replaces any earlier one.
    pub fn new() -> Self {
        SugAddOptions::default()
    }

    /// `INCR`: add the score to the suggestion's current one.
    pub fn incr(mut self) -> Self {
        self.incr = true;
        self
    }

    /// `PAYLOAD`: data returned with the suggestion.
    pub fn payload(mut self, payload: impl AsRef<[u8]>) -> Self {
        self.payload = Some(payload.as_ref().to_vec());
        self
    }
}

impl ToArgs for SugAddOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.incr {
            cmd.push_arg("INCR");
        }
        if let Some(payload) = &self.payload {
            cmd.push_arg("PAYLOAD").push_bytes(payload);
        }
    }
}

/// `FT.SUGGET`'s options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SugGetOptions {
    fuzzy: bool,
    max: Option<u32>,
}

impl SugGetOptions {
    /// No options: up to 5 suggestions starting with the prefix.
    pub fn new() -> Self {
        SugGetOptions::default()
    }

    /// `FUZZY`: also suggestions one edit away from the prefix.
    pub fn fuzzy(mut self) -> Self {
        self.fuzzy = true;
        self
    }

    /// `MAX`: at most this many suggestions.
    pub fn max(mut self, max: u32) -> Self {
        self.max = Some(max);
        self
    }
}

impl ToArgs for SugGetOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.fuzzy {
            cmd.push_arg("FUZZY");
        }
        if let Some(max) = self.max {
            cmd.push_arg("MAX").push_arg(max);
        }
    }
}

/// One suggestion of `FT.SUGGET`, with its score and payload (`P`).
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion<P = String> {
    /// The suggested string.
    pub text: String,
    /// Its score, weighed by how well it matches the prefix.
    pub score: f64,
    /// Its payload, if it was added with one.
    pub payload: Option<P>,
}

impl<P: FromValue> FromValue for Suggestion<P> {
    fn from_value(value: Value) -> Result<Self> {
        let [text, score, payload] = <[Value; 3]>::try_from(elements(value, "suggestion")?)
            .map_err(|items| {
                Error::protocol(format!("a suggestion of {} values, not 3", items.len()))
            })?;
        Ok(Suggestion {
            text: String::from_value(text)?,
            score: f64::from_value(score)?,
            payload: present(payload).map(P::from_value).transpose()?,
        })
    }

    /// `FT.SUGGET ... WITHSCORES WITHPAYLOADS` replies one flat array of
    /// `text, score, payload` triples.
    fn from_elements(items: Vec<Value>) -> Result<Vec<Self>> {
        if items.len() % 3 != 0 {
            return Err(Error::protocol(format!(
                "FT.SUGGET replied {} values, not text/score/payload triples",
                items.len()
            )));
        }
        let mut suggestions = Vec::with_capacity(items.len() / 3);
        let mut items = items.into_iter();
        while let (Some(text), Some(score), Some(payload)) =
            (items.next(), items.next(), items.next())
        {
            suggestions.push(Suggestion {
                text: String::from_value(text)?,
                score: f64::from_value(score)?,
                payload: present(payload).map(P::from_value).transpose()?,
            });
        }
        Ok(suggestions)
    }
}

/// `FT.SPELLCHECK`'s options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpellcheckOptions {
    distance: Option<u8>,
    terms: Vec<(&'static str, String)>,
    dialect: Option<u32>,
}

impl SpellcheckOptions {
    /// No options: suggestions one edit away, from the index's terms.
    pub fn new() -> Self {
        SpellcheckOptions::default()
    }

    /// `DISTANCE`: how many edits away suggestions may be (1 to 4).
    pub fn distance(mut self, distance: u8) -> Self {
        self.distance = Some(distance);
        self
    }

    /// `TERMS INCLUDE`: also suggest the terms of this dictionary
    /// (`FT.DICTADD`).
    #[doc(alias = "TERMS")]
    pub fn include(mut self, dictionary: impl Into<String>) -> Self {
        self.terms.push(("INCLUDE", dictionary.into()));
        self
    }

    /// `TERMS EXCLUDE`: never suggest, nor report as misspelled, the terms
    /// of this dictionary.
    #[doc(alias = "TERMS")]
    pub fn exclude(mut self, dictionary: impl Into<String>) -> Self {
        self.terms.push(("EXCLUDE", dictionary.into()));
        self
    }

    /// `DIALECT`: the query syntax version.
    pub fn dialect(mut self, dialect: u32) -> Self {
        self.dialect = Some(dialect);
        self
    }
}

impl ToArgs for SpellcheckOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(distance) = self.distance {
            cmd.push_arg("DISTANCE").push_arg(u16::from(distance));
        }
        for (mode, dictionary) in &self.terms {
            cmd.push_arg("TERMS").push_arg(*mode).push_arg(dictionary);
        }
        if let Some(dialect) = self.dialect {
            cmd.push_arg("DIALECT").push_arg(dialect);
        }
    }
}

/// `FT.SPELLCHECK`'s reply: each query term the index does not know, in
/// query order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpellcheckResult {
    /// The misspelled terms.
    pub terms: Vec<MisspelledTerm>,
}

/// A query term the index does not know, and what it may have meant.
#[derive(Debug, Clone, PartialEq)]
pub struct MisspelledTerm {
    /// The term as written in the query.
    pub term: String,
    /// Suggestions and their scores, best first (empty when none is close).
    pub suggestions: Vec<(String, f64)>,
}

/// From RESP3's `{results: {term: [{suggestion: score}, ...]}}` and RESP2's
/// `[["TERM", term, [[score, suggestion], ...]], ...]`.
impl FromValue for SpellcheckResult {
    fn from_value(value: Value) -> Result<Self> {
        let mut terms = Vec::new();
        match reply(value)? {
            Value::Map(map) => {
                for (key, value) in map {
                    if text(&key) != Some("results") {
                        continue;
                    }
                    for (term, suggestions) in entries(value, "FT.SPELLCHECK results")? {
                        let mut list = Vec::new();
                        for suggestion in elements(suggestions, "FT.SPELLCHECK suggestions")? {
                            for (text, score) in entries(suggestion, "FT.SPELLCHECK suggestion")? {
                                list.push((text, f64::from_value(score)?));
                            }
                        }
                        terms.push(MisspelledTerm {
                            term,
                            suggestions: list,
                        });
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    let [_, term, suggestions] =
                        <[Value; 3]>::try_from(elements(item, "FT.SPELLCHECK term")?).map_err(
                            |items| {
                                Error::protocol(format!(
                                    "FT.SPELLCHECK term of {} values, not 3",
                                    items.len()
                                ))
                            },
                        )?;
                    let suggestions = Vec::<(f64, String)>::from_value(suggestions)?
                        .into_iter()
                        .map(|(score, text)| (text, score))
                        .collect();
                    terms.push(MisspelledTerm {
                        term: String::from_value(term)?,
                        suggestions,
                    });
                }
            }
            other => {
                return Err(Error::type_mismatch(
                    "FT.SPELLCHECK reply",
                    other.type_name(),
                ));
            }
        }
        Ok(SpellcheckResult { terms })
    }
}
