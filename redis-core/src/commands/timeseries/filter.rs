//! Selecting series by their labels: [`LabelMatcher`] and [`TsFilter`].

use crate::Cmd;
use crate::convert::ToArgs;

/// One condition on a series' labels.
///
/// The module's filter syntax has no escaping: it splits an expression at
/// `=` and `!`, a list at `(`, `,` and `)`. A label or value holding a
/// character that would be read as syntax cannot be expressed, so such a
/// matcher makes the command fail before anything is sent (kind
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)) instead of
/// matching something else. Spaces, quotes and other characters are sent
/// as they are and match exactly themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelMatcher {
    label: String,
    negated: bool,
    values: Vec<String>,
    list: bool,
}

impl LabelMatcher {
    /// `label=value`: the label has this value.
    pub fn eq(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(label, false, vec![value.into()], false)
    }

    /// `label!=value`: the label is missing or has another value.
    pub fn ne(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self::new(label, true, vec![value.into()], false)
    }

    /// `label=(a,b,...)`: the label has one of these values.
    pub fn any_of<V: Into<String>>(
        label: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::new(
            label,
            false,
            values.into_iter().map(Into::into).collect(),
            true,
        )
    }

    /// `label!=(a,b,...)`: the label is missing or has none of these values.
    pub fn none_of<V: Into<String>>(
        label: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::new(
            label,
            true,
            values.into_iter().map(Into::into).collect(),
            true,
        )
    }

    /// `label!=`: the series has the label.
    pub fn present(label: impl Into<String>) -> Self {
        Self::new(label, true, Vec::new(), false)
    }

    /// `label=`: the series lacks the label.
    pub fn absent(label: impl Into<String>) -> Self {
        Self::new(label, false, Vec::new(), false)
    }

    fn new(label: impl Into<String>, negated: bool, values: Vec<String>, list: bool) -> Self {
        LabelMatcher {
            label: label.into(),
            negated,
            values,
            list,
        }
    }

    /// The expression the module parses: the one place a matcher becomes
    /// text, refusing what the module would split differently.
    fn expression(&self) -> std::result::Result<String, String> {
        const SYNTAX: &[char] = &['=', '!', '(', ')', ','];
        if self.label.is_empty() || self.label.contains(SYNTAX) {
            return Err(format!(
                "the label {:?} is empty or holds one of = ! ( ) , which TS filters cannot express",
                self.label
            ));
        }
        if let Some(value) = self
            .values
            .iter()
            .find(|v| v.is_empty() || v.contains(SYNTAX))
        {
            return Err(format!(
                "the value {value:?} of label {:?} is empty or holds one of = ! ( ) , which TS filters cannot express",
                self.label
            ));
        }
        let op = if self.negated { "!=" } else { "=" };
        Ok(if self.list {
            format!("{}{op}({})", self.label, self.values.join(","))
        } else {
            format!("{}{op}{}", self.label, self.values.concat())
        })
    }
}

/// The FILTER of MGET, MRANGE and QUERYINDEX: every matcher must hold, and
/// the module wants at least one `eq` or `any_of`. From one
/// [`LabelMatcher`], an array or a `Vec` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TsFilter {
    matchers: Vec<LabelMatcher>,
}

impl From<LabelMatcher> for TsFilter {
    fn from(matcher: LabelMatcher) -> Self {
        TsFilter {
            matchers: vec![matcher],
        }
    }
}

impl<const N: usize> From<[LabelMatcher; N]> for TsFilter {
    fn from(matchers: [LabelMatcher; N]) -> Self {
        TsFilter {
            matchers: matchers.into(),
        }
    }
}

impl From<Vec<LabelMatcher>> for TsFilter {
    fn from(matchers: Vec<LabelMatcher>) -> Self {
        TsFilter { matchers }
    }
}

impl ToArgs for TsFilter {
    fn write_args(&self, cmd: &mut Cmd) {
        for matcher in &self.matchers {
            match matcher.expression() {
                Ok(expression) => {
                    cmd.push_arg(expression);
                }
                Err(_) => cmd.refuse(crate::cmd::Defect::Inexpressible),
            }
        }
    }
}
