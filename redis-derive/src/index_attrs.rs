//! `#[redis(index)]` and `#[redis(index(...))]` on a field, parsed into an
//! [`IndexAttrs`] that keeps the span of every option.
//!
//! Only what one option says alone is checked here (a known name, a value
//! of the right form, one kind); whether options fit the kind and the
//! field's type is the model's business (`model/index.rs`).

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Expr, Lit, LitStr, Token, token};

use crate::ctxt::Ctxt;
use crate::meta::{Seen, Spanned, flag, key_name, literal, required_value, string_value};

/// How a field is indexed, as written.
#[derive(Debug, Clone)]
pub(crate) struct IndexAttrs {
    /// The `index` key.
    pub(crate) span: Span,
    /// `text`, `tag`, `numeric`, `geo` or `vector(...)`; `None` to take the
    /// type's default kind.
    pub(crate) kind: Option<Spanned<KindAttr>>,
    /// `sortable`.
    pub(crate) sortable: Option<Span>,
    /// `full_text_search`.
    pub(crate) full_text_search: Option<Span>,
    /// `case_sensitive`.
    pub(crate) case_sensitive: Option<Span>,
    /// `no_stem`.
    pub(crate) no_stem: Option<Span>,
    /// `index_missing`.
    pub(crate) index_missing: Option<Span>,
    /// `index_empty`.
    pub(crate) index_empty: Option<Span>,
    /// `separator = ","`.
    pub(crate) separator: Option<Spanned<char>>,
    /// `weight = 2.0`, positive and finite.
    pub(crate) weight: Option<Spanned<f64>>,
}

/// An explicit index kind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KindAttr {
    /// `text`.
    Text,
    /// `tag`.
    Tag,
    /// `numeric`.
    Numeric,
    /// `geo`.
    Geo,
    /// `vector(...)`.
    Vector(VectorAttrs),
}

impl KindAttr {
    /// The kind as written in `index(...)`.
    pub(crate) fn keyword(self) -> &'static str {
        match self {
            KindAttr::Text => "text",
            KindAttr::Tag => "tag",
            KindAttr::Numeric => "numeric",
            KindAttr::Geo => "geo",
            KindAttr::Vector(_) => "vector",
        }
    }
}

/// `vector(dim = 4, metric = "cosine", algorithm = "hnsw", type = "float32")`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VectorAttrs {
    /// The number of elements, at least 1.
    pub(crate) dim: Spanned<u32>,
    /// `metric`, cosine by default.
    pub(crate) metric: Metric,
    /// `algorithm`, HNSW by default.
    pub(crate) algorithm: Algorithm,
    /// `type`, 32-bit floats by default.
    pub(crate) element: Element,
}

/// How vectors are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Metric {
    Cosine,
    L2,
    Ip,
}

/// How nearest neighbours are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Algorithm {
    Flat,
    Hnsw,
}

/// The type of a vector's elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Element {
    Float32,
    Float64,
}

impl Element {
    /// The Rust type of one element.
    pub(crate) fn rust_type(self) -> &'static str {
        match self {
            Element::Float32 => "f32",
            Element::Float64 => "f64",
        }
    }

    /// The name `type = "..."` takes.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Element::Float32 => "float32",
            Element::Float64 => "float64",
        }
    }
}

const OPTIONS: &str = "`text`, `tag`, `numeric`, `geo`, `vector(dim = N)`, `sortable`, \
                       `full_text_search`, `case_sensitive`, `no_stem`, `index_missing`, \
                       `index_empty`, `separator = \",\"` or `weight = 2.0`";
const VECTOR_OPTIONS: &str = "`dim = 4`, `metric = \"cosine\"`, `algorithm = \"hnsw\"` or \
                              `type = \"float32\"`";

impl IndexAttrs {
    /// `index` or `index(...)`, at `meta`; mistakes go to `cx`, and an
    /// option list that does not parse at all is the `Err`.
    pub(crate) fn parse(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<IndexAttrs> {
        let mut parsed = IndexAttrs {
            span: meta.path.span(),
            kind: None,
            sortable: None,
            full_text_search: None,
            case_sensitive: None,
            no_stem: None,
            index_missing: None,
            index_empty: None,
            separator: None,
            weight: None,
        };
        if !meta.input.peek(token::Paren) {
            flag(
                cx,
                meta,
                "#[redis(index)] or #[redis(index(sortable, ...))]",
            )?;
            return Ok(parsed);
        }
        let mut seen = Seen::of("index option");
        meta.parse_nested_meta(|option| {
            let key = key_name(&option);
            let span = option.path.span();
            let simple = |kind| Some(Spanned { value: kind, span });
            match key.as_str() {
                "text" => parsed.set_kind(cx, &option, simple(KindAttr::Text))?,
                "tag" => parsed.set_kind(cx, &option, simple(KindAttr::Tag))?,
                "numeric" => parsed.set_kind(cx, &option, simple(KindAttr::Numeric))?,
                "geo" => parsed.set_kind(cx, &option, simple(KindAttr::Geo))?,
                "vector" => {
                    let vector = vector(cx, &option)?;
                    let kind = vector.map(|vector| Spanned {
                        value: KindAttr::Vector(vector),
                        span,
                    });
                    parsed.set_kind_parsed(cx, &option, kind);
                }
                "sortable" | "full_text_search" | "case_sensitive" | "no_stem"
                | "index_missing" | "index_empty" => {
                    let value = flag(cx, &option, &format!("index({key})"))?;
                    let slot = match key.as_str() {
                        "sortable" => &mut parsed.sortable,
                        "full_text_search" => &mut parsed.full_text_search,
                        "case_sensitive" => &mut parsed.case_sensitive,
                        "no_stem" => &mut parsed.no_stem,
                        "index_missing" => &mut parsed.index_missing,
                        _ => &mut parsed.index_empty,
                    };
                    seen.set(cx, &option, slot, value);
                }
                "separator" => {
                    let value = string_value(cx, &option, "separator = \",\"")?;
                    let separator = value.and_then(|lit| separator(cx, &lit));
                    seen.set(cx, &option, &mut parsed.separator, separator);
                }
                "weight" => {
                    let weight = weight(cx, &option)?;
                    seen.set(cx, &option, &mut parsed.weight, weight);
                }
                _ => {
                    return Err(option.error(format_args!(
                        "unknown index option `{key}`: expected {OPTIONS}"
                    )));
                }
            }
            Ok(())
        })?;
        Ok(parsed)
    }

    /// A kind without options (`text`): it takes no value.
    fn set_kind(
        &mut self,
        cx: &mut Ctxt,
        meta: &ParseNestedMeta<'_>,
        kind: Option<Spanned<KindAttr>>,
    ) -> syn::Result<()> {
        let key = key_name(meta);
        let kind = flag(cx, meta, &format!("index({key})"))?.and(kind);
        self.set_kind_parsed(cx, meta, kind);
        Ok(())
    }

    /// A field has one kind: a second is reported where it is written.
    fn set_kind_parsed(
        &mut self,
        cx: &mut Ctxt,
        meta: &ParseNestedMeta<'_>,
        kind: Option<Spanned<KindAttr>>,
    ) {
        match &self.kind {
            Some(first) => {
                let first = first.value.keyword();
                let second = key_name(meta);
                cx.error_spanned_by(
                    &meta.path,
                    format_args!(
                        "a field is indexed as one kind, and `{first}` is given already: \
                         remove `{first}` or `{second}`"
                    ),
                );
            }
            None => self.kind = kind,
        }
    }
}

/// `vector(dim = 4, ...)`; `None` when a mistake was recorded.
fn vector(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<VectorAttrs>> {
    if !meta.input.peek(token::Paren) {
        const FIX: &str = "a vector index needs its dimension: write vector(dim = 4), and \
                           optionally metric, algorithm and type";
        if meta.input.peek(Token![=]) {
            // Consumed so that the options after it are still read.
            let value: Expr = meta.value()?.parse()?;
            cx.error_spanned_by(value, FIX);
        } else {
            cx.error_spanned_by(&meta.path, FIX);
        }
        return Ok(None);
    }
    let mut dim = None;
    let mut metric = None;
    let mut algorithm = None;
    let mut element = None;
    let mut mistaken = false;
    let mut seen = Seen::of("vector option");
    meta.parse_nested_meta(|option| {
        let key = key_name(&option);
        match key.as_str() {
            "dim" => {
                let value = dimension(cx, &option)?;
                mistaken |= value.is_none();
                seen.set(cx, &option, &mut dim, value);
            }
            "metric" => {
                let value = choice(
                    cx,
                    &option,
                    "metric = \"cosine\"",
                    &[
                        ("cosine", Metric::Cosine),
                        ("l2", Metric::L2),
                        ("ip", Metric::Ip),
                    ],
                )?;
                mistaken |= value.is_none();
                seen.set(cx, &option, &mut metric, value);
            }
            "algorithm" => {
                let value = choice(
                    cx,
                    &option,
                    "algorithm = \"hnsw\"",
                    &[("flat", Algorithm::Flat), ("hnsw", Algorithm::Hnsw)],
                )?;
                mistaken |= value.is_none();
                seen.set(cx, &option, &mut algorithm, value);
            }
            "type" => {
                let value = choice(
                    cx,
                    &option,
                    "type = \"float32\"",
                    &[("float32", Element::Float32), ("float64", Element::Float64)],
                )?;
                mistaken |= value.is_none();
                seen.set(cx, &option, &mut element, value);
            }
            _ => {
                return Err(option.error(format_args!(
                    "unknown vector option `{key}`: expected {VECTOR_OPTIONS}"
                )));
            }
        }
        Ok(())
    })?;
    let Some(dim) = dim else {
        if !mistaken {
            cx.error_spanned_by(
                &meta.path,
                "a vector index needs its dimension: write vector(dim = 4, ...)",
            );
        }
        return Ok(None);
    };
    Ok((!mistaken).then_some(VectorAttrs {
        dim,
        metric: metric.unwrap_or(Metric::Cosine),
        algorithm: algorithm.unwrap_or(Algorithm::Hnsw),
        element: element.unwrap_or(Element::Float32),
    }))
}

fn dimension(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<Spanned<u32>>> {
    let value = required_value(meta, "dim", "dim = 4")?;
    let parsed = match literal(&value) {
        Some(Lit::Int(lit)) => lit.base10_parse::<u32>().ok().filter(|&dim| dim > 0),
        _ => None,
    };
    if parsed.is_none() {
        cx.error_spanned_by(
            &value,
            "`dim` is the number of elements, a whole number from 1 up: write dim = 4",
        );
    }
    Ok(parsed.map(|dim| Spanned {
        value: dim,
        span: value.span(),
    }))
}

/// One of `choices`, by name.
fn choice<T: Copy>(
    cx: &mut Ctxt,
    meta: &ParseNestedMeta<'_>,
    example: &str,
    choices: &[(&str, T)],
) -> syn::Result<Option<T>> {
    let Some(lit) = string_value(cx, meta, example)? else {
        return Ok(None);
    };
    let value = lit.value();
    if let Some((_, choice)) = choices.iter().find(|(name, _)| *name == value) {
        return Ok(Some(*choice));
    }
    let names: Vec<String> = choices
        .iter()
        .map(|(name, _)| format!("{name:?}"))
        .collect();
    cx.error(
        lit.span(),
        format_args!(
            "unknown {} {value:?}: the choices are {}",
            key_name(meta),
            names.join(", ")
        ),
    );
    Ok(None)
}

fn separator(cx: &mut Ctxt, lit: &LitStr) -> Option<Spanned<char>> {
    let value = lit.value();
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(separator), None) => Some(Spanned {
            value: separator,
            span: lit.span(),
        }),
        _ => {
            cx.error(
                lit.span(),
                format_args!(
                    "a tag separator is one character, not {value:?}: write separator = \",\""
                ),
            );
            None
        }
    }
}

fn weight(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<Spanned<f64>>> {
    let value = required_value(meta, "weight", "weight = 2.0")?;
    let parsed = match literal(&value) {
        Some(Lit::Float(lit)) => lit.base10_parse::<f64>().ok(),
        Some(Lit::Int(lit)) => lit.base10_parse::<f64>().ok(),
        _ => None,
    };
    // A weight that overflows to infinity cannot be written back as a
    // literal, and Redis refuses it.
    match parsed {
        Some(weight) if weight > 0.0 && weight.is_finite() => Ok(Some(Spanned {
            value: weight,
            span: value.span(),
        })),
        _ => {
            cx.error_spanned_by(
                &value,
                "`weight` is a positive number, the text field's importance (1 by default): \
                 write weight = 2.0",
            );
            Ok(None)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::attrs::FieldAttrs;
    use syn::{Attribute, parse_quote};

    fn parse(attr: Attribute) -> (Option<IndexAttrs>, Vec<String>) {
        let mut cx = Ctxt::default();
        let parsed = FieldAttrs::parse(&mut cx, &[attr]);
        let errors = match cx.check() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        };
        (parsed.index, errors)
    }

    #[test]
    fn index_alone_takes_the_types_kind() {
        let (index, errors) = parse(parse_quote!(#[redis(index)]));
        assert_eq!(errors, Vec::<String>::new());
        let index = index.unwrap();
        assert!(index.kind.is_none() && index.sortable.is_none());
    }

    #[test]
    fn options_are_read() {
        let (index, errors) = parse(parse_quote!(#[redis(index(
            tag, sortable, full_text_search, case_sensitive, no_stem, index_missing,
            index_empty, separator = ";", weight = 3
        ))]));
        assert_eq!(errors, Vec::<String>::new());
        let index = index.unwrap();
        assert!(matches!(index.kind.unwrap().value, KindAttr::Tag));
        assert!(index.sortable.is_some() && index.full_text_search.is_some());
        assert!(index.case_sensitive.is_some() && index.no_stem.is_some());
        assert!(index.index_missing.is_some() && index.index_empty.is_some());
        assert_eq!(index.separator.unwrap().value, ';');
        assert_eq!(index.weight.unwrap().value, 3.0);
    }

    #[test]
    fn a_vector_has_defaults_but_its_dimension() {
        let (index, errors) = parse(parse_quote!(#[redis(index(vector(dim = 8)))]));
        assert_eq!(errors, Vec::<String>::new());
        let Some(KindAttr::Vector(vector)) = index.unwrap().kind.map(|k| k.value) else {
            panic!("not a vector");
        };
        assert_eq!(vector.dim.value, 8);
        assert_eq!(vector.metric, Metric::Cosine);
        assert_eq!(vector.algorithm, Algorithm::Hnsw);
        assert_eq!(vector.element, Element::Float32);

        let (index, errors) = parse(parse_quote!(#[redis(index(vector(
            type = "float64", algorithm = "flat", metric = "ip", dim = 2
        )))]));
        assert_eq!(errors, Vec::<String>::new());
        let Some(KindAttr::Vector(vector)) = index.unwrap().kind.map(|k| k.value) else {
            panic!("not a vector");
        };
        assert_eq!(
            (vector.metric, vector.algorithm, vector.element),
            (Metric::Ip, Algorithm::Flat, Element::Float64)
        );
    }

    #[test]
    fn wrong_vectors_are_all_reported() {
        let (_, errors) = parse(parse_quote!(#[redis(index(vector))]));
        assert!(
            errors[0].starts_with("a vector index needs its dimension"),
            "{errors:?}"
        );
        let (_, errors) = parse(parse_quote!(#[redis(index(vector(metric = "l2")))]));
        assert_eq!(
            errors,
            ["a vector index needs its dimension: write vector(dim = 4, ...)"]
        );
        let (_, errors) = parse(parse_quote!(#[redis(index(vector(
            dim = 0, metric = "euclid", algorithm = 1, type = "f16"
        )))]));
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors[0].starts_with("`dim` is the number of elements"));
        assert_eq!(
            errors[1],
            "unknown metric \"euclid\": the choices are \"cosine\", \"l2\", \"ip\""
        );
        assert_eq!(
            errors[2],
            "`algorithm` takes a string: write algorithm = \"hnsw\""
        );
        assert!(errors[3].starts_with("unknown type \"f16\""), "{errors:?}");
        let (_, errors) = parse(parse_quote!(#[redis(index(vector(dim = 2, size = 3)))]));
        assert!(
            errors[0].starts_with("unknown vector option `size`: expected `dim = 4`"),
            "{errors:?}"
        );
    }

    #[test]
    fn wrong_values_are_refused() {
        let (index, errors) = parse(parse_quote!(#[redis(index(
            separator = ", ", weight = 0, weight = 1e999, sortable = true, sortable
        ))]));
        assert_eq!(errors.len(), 6, "{errors:#?}");
        assert!(errors[0].starts_with("a tag separator is one character, not \", \""));
        assert!(errors[1].starts_with("`weight` is a positive number"));
        assert!(errors[2].starts_with("`weight` is a positive number"));
        assert_eq!(errors[3], "duplicate index option `weight`: give it once");
        assert_eq!(
            errors[4],
            "`sortable` takes no value: write index(sortable)"
        );
        assert_eq!(errors[5], "duplicate index option `sortable`: give it once");
        let index = index.unwrap();
        assert!(index.separator.is_none() && index.weight.is_none());
    }

    #[test]
    fn a_field_has_one_kind() {
        let (index, errors) = parse(parse_quote!(#[redis(index(numeric, tag, vector(dim = 2)))]));
        assert_eq!(
            errors,
            [
                "a field is indexed as one kind, and `numeric` is given already: remove \
                 `numeric` or `tag`",
                "a field is indexed as one kind, and `numeric` is given already: remove \
                 `numeric` or `vector`",
            ]
        );
        assert!(matches!(
            index.unwrap().kind.unwrap().value,
            KindAttr::Numeric
        ));
    }

    #[test]
    fn unknown_options_name_the_known_ones() {
        let (_, errors) = parse(parse_quote!(#[redis(index(sortable, nostem))]));
        assert_eq!(
            errors,
            [format!("unknown index option `nostem`: expected {OPTIONS}")]
        );
        let (_, errors) = parse(parse_quote!(#[redis(index = "x")]));
        assert_eq!(
            errors,
            ["`index` takes no value: write #[redis(index)] or #[redis(index(sortable, ...))]"]
        );
    }
}
