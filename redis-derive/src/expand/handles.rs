//! Typed field handles: `Product::price()` for each indexed field, whose
//! type carries the model, the index kind and the sortability, so that a
//! query can only ask of a field what its index supports.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned as _;

use crate::index_attrs::KindAttr;
use crate::model::Field;

/// An inherent `impl` with one handle per indexed field; nothing when no
/// field is indexed. Inherent impls are allowed inside the anonymous
/// `const` the rest of the code lives in.
pub(crate) fn expand(model: &Ident, fields: &[Field<'_>]) -> TokenStream {
    let handles: Vec<TokenStream> = fields
        .iter()
        .filter_map(|field| handle(model, field))
        .chain(fields.iter().filter_map(embedded))
        .chain(fields.iter().filter_map(suggestions))
        .collect();
    if handles.is_empty() {
        return TokenStream::new();
    }
    quote! {
        #[automatically_derived]
        impl #model {
            #(#handles)*
        }
    }
}

fn handle(model: &Ident, field: &Field<'_>) -> Option<TokenStream> {
    let handle_type = handle_type(&quote!(#model), field)?;
    let vis = field.vis;
    let name = field.ident;
    let stored = &field.stored;
    let doc = format!(" The indexed field `{stored}`, for queries.");
    Some(quote! {
        #[doc = #doc]
        // A handle the crate never queries is no dead code to warn about:
        // it comes with the index.
        #[allow(dead_code)]
        #vis fn #name() -> #handle_type {
            ::redis_om::Field::new(#stored)
        }
    })
}

/// The type of an indexed field's handle in model `model`:
/// `Field<model, kind, sortability>`; `None` when it is not indexed.
pub(crate) fn handle_type(model: &TokenStream, field: &Field<'_>) -> Option<TokenStream> {
    let index = field.index.as_ref()?;
    let ty = field.ty;
    // The kinds of exact values carry the field's Rust type, so that a
    // query compares a field only with values of its type: the type's own
    // kind when no kind is given (and for `numeric` and `geo`, which only
    // fit a type of that kind: the model's checks say so otherwise), the
    // same type as a TAG for `tag`.
    let own = quote_spanned!(ty.span()=> <#ty as ::redis_om::Indexable>::Kind);
    let kind = match (
        index.kind.as_ref().map(|kind| kind.value),
        index.full_text_search,
    ) {
        (Some(KindAttr::Vector(_)), _) => quote!(::redis_om::field::kind::Vector),
        (_, Some(_)) => quote!(::redis_om::field::kind::TagText),
        (None | Some(KindAttr::Numeric | KindAttr::Geo), None) => own,
        (Some(KindAttr::Text), None) => quote!(::redis_om::field::kind::Text),
        (Some(KindAttr::Tag), None) => {
            quote_spanned!(ty.span()=> <#own as ::redis_om::field::FieldKind>::AsTag)
        }
    };
    let sort = match index.sortable {
        Some(_) => quote!(::redis_om::field::Sortable),
        None => quote!(::redis_om::field::Unsorted),
    };
    // At the field's type, as the `Index::of` of its `FieldInfo` is: a type
    // without a default kind fails both with one span and one message, and
    // rustc shows that error once.
    Some(quote_spanned!(ty.span()=> ::redis_om::Field<#model, #kind, #sort>))
}

/// The handle of a `#[redis(embed)]` field of a model: the handles of the
/// embedded struct's fields, under the field's stored name.
fn embedded(field: &Field<'_>) -> Option<TokenStream> {
    if !field.embed {
        return None;
    }
    let vis = field.vis;
    let name = field.ident;
    let ty = field.ty;
    let stored = &field.stored;
    let doc = format!(" The indexed fields of the embedded `{stored}`, for queries.");
    // At the field's type, as its `EmbeddedFields::of` is: a type that is
    // no embedded struct fails both with one span and one message, and
    // rustc shows that error once.
    let handles = quote_spanned!(ty.span()=> <#ty as ::redis_om::Embedded>::Handles<Self>);
    Some(quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis fn #name() -> #handles {
            <#handles as ::redis_om::EmbeddedHandles>::at(#stored)
        }
    })
}

/// `{field}_suggestions()`, the handle [`Repository::suggest`] takes, for
/// a `#[redis(autocomplete)]` field.
fn suggestions(field: &Field<'_>) -> Option<TokenStream> {
    if !field.autocomplete {
        return None;
    }
    let vis = field.vis;
    let name = quote::format_ident!("{}_suggestions", syn::ext::IdentExt::unraw(field.ident));
    let stored = &field.stored;
    let doc = format!(" The suggestions of `{stored}`, for `Repository::suggest`.");
    Some(quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis fn #name() -> ::redis_om::Autocomplete<Self> {
            ::redis_om::Autocomplete::new(#stored)
        }
    })
}
