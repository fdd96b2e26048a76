//! A field's index: the `Index` expression of its `FieldInfo`, and the
//! compile-time check that an explicit kind fits the field's type.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::index_attrs::{Algorithm, Element, IndexAttrs, KindAttr, Metric};
use crate::model::Field;

/// `.indexed(...)` for the field's `FieldInfo`, when it is indexed.
pub(crate) fn indexed(field: &Field<'_>) -> Option<TokenStream> {
    let index = field.index.as_ref()?;
    let ty = field.ty;
    // At the field's type: a type without a default kind is reported
    // there, with `Indexable`'s message.
    let base = match index.kind.as_ref().map(|kind| kind.value) {
        // The handle's type names `<#ty as Indexable>::Kind`, which fails
        // without a note; `Index::of` fails with "required by a bound in
        // `Index::of`", another error for the same mistake. Naming the kind
        // first makes rustc report this body's failure as the handle's, and
        // show the two identical errors once.
        None => quote_spanned! {ty.span()=>
            {
                let _: ::core::marker::PhantomData<<#ty as ::redis_om::Indexable>::Kind> =
                    ::core::marker::PhantomData;
                ::redis_om::Index::of::<#ty>()
            }
        },
        Some(KindAttr::Vector(vector)) => {
            let dim = Literal::u32_unsuffixed(vector.dim.value);
            let metric = match vector.metric {
                Metric::Cosine => quote!(Cosine),
                Metric::L2 => quote!(L2),
                Metric::Ip => quote!(Ip),
            };
            let algorithm = match vector.algorithm {
                Algorithm::Flat => quote!(Flat),
                Algorithm::Hnsw => quote!(Hnsw),
            };
            let element = match vector.element {
                Element::Float32 => quote!(Float32),
                Element::Float64 => quote!(Float64),
            };
            quote! {
                ::redis_om::Index::vector(::redis_om::VectorIndex::new(
                    #dim,
                    ::redis_om::DistanceMetric::#metric,
                    ::redis_om::VectorAlgorithm::#algorithm,
                    ::redis_om::VectorType::#element,
                ))
            }
        }
        Some(kind) => {
            let kind = index_kind(kind)?;
            quote!(::redis_om::Index::of::<#ty>().with_kind(::redis_om::IndexKind::#kind))
        }
    };
    let options = options(index);
    Some(quote!(.indexed(#base #(#options)*)))
}

fn options(index: &IndexAttrs) -> Vec<TokenStream> {
    let flags = [
        (index.sortable, quote!(sortable)),
        (index.full_text_search, quote!(full_text_search)),
        (index.case_sensitive, quote!(case_sensitive)),
        (index.no_stem, quote!(no_stem)),
        (index.index_missing, quote!(index_missing)),
        (index.index_empty, quote!(index_empty)),
    ];
    let mut options: Vec<TokenStream> = flags
        .into_iter()
        .filter(|(given, _)| given.is_some())
        .map(|(_, method)| quote!(.#method()))
        .collect();
    if let Some(separator) = &index.separator {
        let separator = Literal::character(separator.value);
        options.push(quote!(.separator(#separator)));
    }
    if let Some(weight) = &index.weight {
        // Checked finite when parsed: `f64_unsuffixed` panics otherwise.
        let weight = Literal::f64_unsuffixed(weight.value);
        options.push(quote!(.weight(#weight)));
    }
    options
}

/// The `IndexKind` variant of a kind without options; `None` for a vector.
fn index_kind(kind: KindAttr) -> Option<TokenStream> {
    match kind {
        KindAttr::Text => Some(quote!(Text)),
        KindAttr::Tag => Some(quote!(Tag)),
        KindAttr::Numeric => Some(quote!(Numeric)),
        KindAttr::Geo => Some(quote!(Geo)),
        KindAttr::Vector(_) => None,
    }
}

/// For an explicit text, tag, numeric or geo kind, a constant that fails to
/// compile, at the kind's keyword, when the kind does not fit the field's
/// type (`index(numeric)` on a `String`). `Index::admits` is a `const fn`,
/// so the check costs nothing at run time.
pub(crate) fn kind_check(field: &Field<'_>) -> Option<TokenStream> {
    let kind = field.index.as_ref()?.kind.as_ref()?;
    let variant = index_kind(kind.value)?;
    let ty = field.ty;
    let message = format!(
        "field `{}`: a {} index does not fit its type; text and tag fit strings, numeric and \
         tag fit numbers, geo fits points: change the kind, or leave it out for the type's own",
        field.ident.unraw(),
        kind.value.keyword()
    );
    Some(quote_spanned! {kind.span=>
        const _: () = ::core::assert!(
            ::redis_om::Index::of::<#ty>().admits(::redis_om::IndexKind::#variant),
            #message
        );
    })
}
