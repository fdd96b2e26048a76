//! What a JSON model needs beyond `Model`: serde's `Serialize` and
//! `Deserialize`, checked where the user asked for JSON.

use proc_macro2::TokenStream;
use quote::quote_spanned;

use crate::model::Model;

/// A function that only compiles when the model is a `JsonDocument`,
/// spanned at the `"json"` of `storage = "json"`: a model without serde's
/// derives is reported there, with `JsonDocument`'s message.
pub(crate) fn expand(model: &Model<'_>) -> TokenStream {
    let span = model.storage.span;
    // The struct's name, respanned, is what rustc points at.
    let mut ident = model.ident.clone();
    ident.set_span(span);
    quote_spanned! {span=>
        const _: fn() = || {
            fn json_document<T: ::redis_om::JsonDocument>() {}
            json_document::<#ident>();
        };
    }
}
