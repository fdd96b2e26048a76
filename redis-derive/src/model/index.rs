//! A field's index checked against its kind and, for vectors, its type.
//!
//! With an explicit kind every option can be checked here; with the kind
//! inferred from the type (`#[redis(index(sortable))]`) the macro cannot
//! know the kind, so those options pass, and whether an explicit kind fits
//! the type is checked by the compiler through the assertion
//! `expand/index.rs` emits.

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::{Expr, GenericArgument, Ident, Lit, PathArguments, Type};

use crate::ctxt::Ctxt;
use crate::index_attrs::{IndexAttrs, KindAttr, VectorAttrs};
use crate::meta::literal;

/// The kinds an option applies to: the kinds of RediSearch field that take it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Tag,
    Numeric,
    Geo,
    Vector,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Tag => "tag",
            Kind::Numeric => "numeric",
            Kind::Geo => "geo",
            Kind::Vector => "vector",
        }
    }
}

/// Records in `cx` every option of `index` that does not fit its kind, and
/// a vector index that does not fit the field's type.
pub(super) fn check(cx: &mut Ctxt, ident: &Ident, ty: &Type, index: &IndexAttrs) {
    let Some(kind) = &index.kind else {
        return;
    };
    let explicit = match kind.value {
        KindAttr::Text => Kind::Text,
        KindAttr::Tag => Kind::Tag,
        KindAttr::Numeric => Kind::Numeric,
        KindAttr::Geo => Kind::Geo,
        KindAttr::Vector(vector) => {
            check_vector_type(cx, ident, ty, &vector);
            Kind::Vector
        }
    };
    // `full_text_search` indexes the field twice, as TAG and as TEXT: the
    // options of both apply.
    let kinds: &[Kind] = match (explicit, index.full_text_search) {
        (Kind::Text | Kind::Tag, Some(_)) => &[Kind::Tag, Kind::Text],
        (_, Some(span)) => {
            cx.error(
                span,
                format_args!(
                    "`full_text_search` indexes a field both as tag and as text, which a {} \
                     field cannot be: remove `full_text_search` or `{}`",
                    explicit.name(),
                    explicit.name()
                ),
            );
            &[]
        }
        (Kind::Text, None) => &[Kind::Text],
        (Kind::Tag, None) => &[Kind::Tag],
        (Kind::Numeric, None) => &[Kind::Numeric],
        (Kind::Geo, None) => &[Kind::Geo],
        (Kind::Vector, None) => &[Kind::Vector],
    };
    if kinds.is_empty() {
        return;
    }
    let kind_names = kinds
        .iter()
        .map(|kind| kind.name())
        .collect::<Vec<_>>()
        .join(" and ");
    let options: [(&str, Option<Span>, &[Kind]); 7] = [
        (
            "sortable",
            index.sortable,
            &[Kind::Text, Kind::Tag, Kind::Numeric, Kind::Geo],
        ),
        ("separator", index.separator.map(|s| s.span), &[Kind::Tag]),
        ("case_sensitive", index.case_sensitive, &[Kind::Tag]),
        ("no_stem", index.no_stem, &[Kind::Text]),
        ("weight", index.weight.map(|w| w.span), &[Kind::Text]),
        ("index_empty", index.index_empty, &[Kind::Text, Kind::Tag]),
        (
            "index_missing",
            index.index_missing,
            &[
                Kind::Text,
                Kind::Tag,
                Kind::Numeric,
                Kind::Geo,
                Kind::Vector,
            ],
        ),
    ];
    for (option, span, applies_to) in options {
        let Some(span) = span else { continue };
        if kinds.iter().any(|kind| applies_to.contains(kind)) {
            continue;
        }
        let takers = one_of(applies_to);
        cx.error(
            span,
            format_args!(
                "`{option}` is for {takers} indexes, and `{}` is indexed as {kind_names}: \
                 remove `{option}`",
                ident_name(ident)
            ),
        );
    }
}

/// "text, tag or numeric".
fn one_of(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds.iter().map(|kind| kind.name()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

fn ident_name(ident: &Ident) -> String {
    ident.unraw().to_string()
}

const VECTOR_TYPES: &str = "a vector field is [f32; N] or Vec<f32> ([f64; N] or Vec<f64> with \
                            type = \"float64\"), optionally in an Option";

/// A vector is written as a fixed array or a `Vec` of the index's element
/// type, so that a wrong element or length fails here rather than when the
/// first document is refused.
fn check_vector_type(cx: &mut Ctxt, ident: &Ident, ty: &Type, vector: &VectorAttrs) {
    let Some((element, len)) = vector_shape(option_content(ty)) else {
        cx.error_spanned_by(ty, VECTOR_TYPES);
        return;
    };
    let expected = vector.element.rust_type();
    match float_name(element) {
        None => cx.error_spanned_by(ty, VECTOR_TYPES),
        Some(found) if found != expected => {
            let fitting = if found == "f32" { "float32" } else { "float64" };
            cx.error_spanned_by(
                element,
                format_args!(
                    "the vector's type is {}, whose elements are {expected}, but `{}` holds \
                     {found}: write type = \"{fitting}\" in vector(...), or use {expected}",
                    vector.element.name(),
                    ident_name(ident),
                ),
            );
        }
        Some(_) => {}
    }
    let Some(len) = len else { return };
    let Some(Lit::Int(lit)) = literal(len) else {
        // A constant's value is not known to a macro.
        return;
    };
    let dim = vector.dim.value;
    if lit.base10_parse::<u64>().ok() != Some(u64::from(dim)) {
        cx.error_spanned_by(
            len,
            format_args!(
                "the array holds {} elements but the index has dim = {dim}: make them agree",
                lit.base10_digits()
            ),
        );
    }
}

/// The `T` of `Option<T>`, else `ty` itself.
fn option_content(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => option_content(&group.elem),
        Type::Paren(paren) => option_content(&paren.elem),
        _ if super::is_option(ty) => single_argument(ty).unwrap_or(ty),
        _ => ty,
    }
}

/// The element type and, for an array, its length expression.
fn vector_shape(ty: &Type) -> Option<(&Type, Option<&Expr>)> {
    match ty {
        Type::Group(group) => vector_shape(&group.elem),
        Type::Paren(paren) => vector_shape(&paren.elem),
        Type::Array(array) => Some((&array.elem, Some(&array.len))),
        Type::Path(path)
            if path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|last| last.ident == "Vec") =>
        {
            single_argument(ty).map(|element| (element, None))
        }
        _ => None,
    }
}

/// The one type argument of a path type such as `Vec<T>`.
fn single_argument(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(ty)) if args.args.len() == 1 => Some(ty),
        _ => None,
    }
}

/// `"f32"` or `"f64"` for those types, written plainly.
fn float_name(ty: &Type) -> Option<&'static str> {
    match ty {
        Type::Group(group) => float_name(&group.elem),
        Type::Path(path) if path.qself.is_none() => {
            let ident = path.path.get_ident()?;
            if ident == "f32" {
                Some("f32")
            } else if ident == "f64" {
                Some("f64")
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use syn::{DeriveInput, parse_quote};

    use crate::model::Model;

    fn errors(input: &DeriveInput) -> Vec<String> {
        match Model::from_ast(input) {
            Ok(_) => Vec::new(),
            Err(rejected) => rejected.errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn options_that_fit_the_kind_pass() {
        let input: DeriveInput = parse_quote! {
            struct Product {
                #[redis(pk)] id: String,
                #[redis(index(text, sortable, no_stem, weight = 2.0, index_empty))] a: String,
                #[redis(index(tag, separator = ",", case_sensitive, index_missing))] b: String,
                #[redis(index(text, full_text_search, separator = ",", no_stem))] c: String,
                #[redis(index(numeric, sortable))] d: u8,
                #[redis(index(geo, sortable))] e: String,
                #[redis(index(vector(dim = 2), index_missing))] f: Option<[f32; 2]>,
                #[redis(index(vector(dim = 3, type = "float64")))] g: ::std::vec::Vec<f64>,
                #[redis(index(vector(dim = 3)))] h: [f32; DIM],
                // The kind is the type's: nothing to check against.
                #[redis(index(separator = ",", no_stem, weight = 1, full_text_search))] i: u8,
            }
        };
        assert_eq!(errors(&input), Vec::<String>::new());
    }

    #[test]
    fn options_that_do_not_fit_the_kind_are_reported() {
        let input: DeriveInput = parse_quote! {
            struct Product {
                #[redis(pk)] id: String,
                #[redis(index(vector(dim = 2), sortable))] a: [f32; 2],
                #[redis(index(text, separator = ",", case_sensitive))] b: String,
                #[redis(index(numeric, no_stem, weight = 2, index_empty))] c: u8,
                #[redis(index(geo, full_text_search))] d: String,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "`sortable` is for text, tag, numeric or geo indexes, and `a` is indexed as \
                 vector: remove `sortable`",
                "`separator` is for tag indexes, and `b` is indexed as text: remove `separator`",
                "`case_sensitive` is for tag indexes, and `b` is indexed as text: remove \
                 `case_sensitive`",
                "`no_stem` is for text indexes, and `c` is indexed as numeric: remove `no_stem`",
                "`weight` is for text indexes, and `c` is indexed as numeric: remove `weight`",
                "`index_empty` is for text or tag indexes, and `c` is indexed as numeric: \
                 remove `index_empty`",
                "`full_text_search` indexes a field both as tag and as text, which a geo field \
                 cannot be: remove `full_text_search` or `geo`",
            ]
        );
    }

    #[test]
    fn a_vector_must_fit_its_field() {
        let input: DeriveInput = parse_quote! {
            struct Doc {
                #[redis(pk)] id: String,
                #[redis(index(vector(dim = 4)))] a: [f32; 3],
                #[redis(index(vector(dim = 4)))] b: Vec<f64>,
                #[redis(index(vector(dim = 4, type = "float64")))] c: Option<[f32; 4]>,
                #[redis(index(vector(dim = 4)))] d: String,
                #[redis(index(vector(dim = 4)))] e: Vec<u8>,
                #[redis(index(vector(dim = 4)))] f: Option<Vec<f32>>,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "the array holds 3 elements but the index has dim = 4: make them agree",
                "the vector's type is float32, whose elements are f32, but `b` holds f64: \
                 write type = \"float64\" in vector(...), or use f32",
                "the vector's type is float64, whose elements are f64, but `c` holds f32: \
                 write type = \"float32\" in vector(...), or use f64",
                super::VECTOR_TYPES,
                super::VECTOR_TYPES,
            ]
        );
    }
}
