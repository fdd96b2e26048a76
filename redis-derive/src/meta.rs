//! What every attribute parser shares: values with their spans, the check
//! that a key is given once, and readers of flags, strings and literals.
//!
//! A wrong value is recorded and parsing goes on, so that every mistake in an
//! attribute list is reported at once; only a list that does not parse at
//! all (an unknown key, a missing `=`) stops at its first error.

use proc_macro2::Span;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Expr, Lit, LitStr, Token};

use crate::ctxt::Ctxt;

/// A value given in an attribute, with the span of the value as written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spanned<T> {
    /// The value.
    pub(crate) value: T,
    /// Where it was written.
    pub(crate) span: Span,
}

/// The key of a nested meta item as written (`a::b` without spaces).
pub(crate) fn key_name(meta: &ParseNestedMeta<'_>) -> String {
    // A path such as `a::b` prints with spaces around `::`.
    meta.path.to_token_stream().to_string().replace(' ', "")
}

/// The keys already given, across every attribute of one item, so that
/// `#[redis(pk)] #[redis(pk)]` is caught as well as `#[redis(pk, pk)]`.
pub(crate) struct Seen {
    /// What a key is, for the message: "redis attribute", "index option".
    what: &'static str,
    keys: Vec<String>,
}

impl Default for Seen {
    fn default() -> Seen {
        Seen::of("redis attribute")
    }
}

impl Seen {
    /// No key seen yet; `what` names the keys in messages.
    pub(crate) fn of(what: &'static str) -> Seen {
        Seen {
            what,
            keys: Vec::new(),
        }
    }

    /// Stores `value` in `slot`, unless the key was given before: then the
    /// error points at this, the second, occurrence and the first value
    /// stays.
    pub(crate) fn set<T>(
        &mut self,
        cx: &mut Ctxt,
        meta: &ParseNestedMeta<'_>,
        slot: &mut Option<T>,
        value: Option<T>,
    ) {
        if self.first_time(cx, meta) && value.is_some() {
            *slot = value;
        }
    }

    /// True the first time the key of `meta` is seen; later times are
    /// recorded as errors at the key.
    pub(crate) fn first_time(&mut self, cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> bool {
        let key = key_name(meta);
        if self.keys.contains(&key) {
            cx.error_spanned_by(
                &meta.path,
                format_args!("duplicate {} `{key}`: give it once", self.what),
            );
            return false;
        }
        self.keys.push(key);
        true
    }
}

/// A key without a value (`pk`, `skip`, `sortable`): its span. `written`
/// is how the flag is written alone, for the message.
pub(crate) fn flag(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    written: &str,
) -> syn::Result<Option<Span>> {
    let key = key_name(meta);
    if meta.input.peek(Token![=]) {
        // Consumed so that the keys after it are still read.
        let value: Expr = meta.value()?.parse()?;
        cx.error_spanned_by(
            value,
            format_args!("`{key}` takes no value: write {written}"),
        );
        return Ok(None);
    }
    if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        return Err(meta.error(format_args!("`{key}` takes no value: write {written}")));
    }
    Ok(Some(meta.path.span()))
}

/// The string after `key =`; another kind of value is recorded as an error
/// that shows `example`.
pub(crate) fn string_value(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    example: &str,
) -> syn::Result<Option<LitStr>> {
    let key = key_name(meta);
    let value = required_value(meta, &key, example)?;
    match literal(&value) {
        Some(Lit::Str(lit)) => Ok(Some(lit.clone())),
        _ => {
            cx.error_spanned_by(
                value,
                format_args!("`{key}` takes a string: write {example}"),
            );
            Ok(None)
        }
    }
}

/// The expression after `key =`; a missing `=` stops the list.
pub(crate) fn required_value(
    meta: &ParseNestedMeta<'_>,
    key: &str,
    example: &str,
) -> syn::Result<Expr> {
    if !meta.input.peek(Token![=]) {
        return Err(meta.error(format_args!("`{key}` takes a value: write {example}")));
    }
    meta.value()?.parse()
}

/// The literal an expression is, looking through the invisible groups that
/// `macro_rules!` wraps around a substituted `$value:expr`.
pub(crate) fn literal(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(lit) => Some(&lit.lit),
        Expr::Group(group) => literal(&group.expr),
        _ => None,
    }
}
