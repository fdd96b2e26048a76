//! `impl redis_om::Model`: the static description and the primary key.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::attrs::{Layout, Storage};
use crate::expand::index;
use crate::model::{Field, Model, Role};

/// The `Model` impl of a checked model.
pub(crate) fn expand(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let name = &model.name;
    let pk_ty = model.pk.ty;
    let pk_ident = model.pk.ident;
    let pk_stored = &model.pk.stored;
    let (storage_kind, storage_ty) = match model.storage.value {
        Storage::Hash => (
            quote!(::redis_om::StorageKind::Hash),
            quote!(::redis_om::Hash),
        ),
        // At the `"json"`, where the check that the model has serde's
        // derives points too: the bound `Storage` puts on it fails there.
        Storage::Json => (
            quote!(::redis_om::StorageKind::Json),
            quote_spanned!(model.storage.span=> ::redis_om::Json),
        ),
    };
    let fields = model
        .fields
        .iter()
        .filter(|field| field.role != Role::Skipped)
        .map(field_info);
    let prefix = model
        .prefix
        .as_ref()
        .map(|prefix| quote!(.with_prefix(#prefix)));
    let index_name = model
        .index_name
        .as_ref()
        .map(|index| quote!(.with_index_name(#index)));
    let ttl = model.ttl.map(|seconds| {
        let seconds = Literal::u64_unsuffixed(seconds);
        quote!(.with_ttl_seconds(#seconds))
    });
    let layout = match model.layout {
        Layout::Default => None,
        Layout::Python => Some(quote!(.with_layout(::redis_om::Layout::Python))),
        Layout::Node => Some(quote!(.with_layout(::redis_om::Layout::Node))),
    };
    let version = model.fields.iter().find(|field| field.version);
    let with_version = version.map(|field| {
        let stored = &field.stored;
        quote!(.with_version(#stored))
    });
    // At the field's type: a type that is no `VersionField` is reported
    // there, with its message.
    let version_fn = version.map(|field| {
        let member = field.ident;
        let ty = field.ty;
        let widen = quote_spanned!(ty.span()=> <#ty as ::redis_om::VersionField>::widen);
        quote! {
            fn version(&self) -> ::core::option::Option<i128> {
                ::core::option::Option::Some(#widen(self.#member))
            }
        }
    });
    let autocomplete: Vec<&Field<'_>> = model.fields.iter().filter(|f| f.autocomplete).collect();
    let with_autocomplete = (!autocomplete.is_empty()).then(|| {
        let stored = autocomplete.iter().map(|field| &field.stored);
        quote!(.with_autocomplete(&[#(#stored),*]))
    });
    // At each field's type: a type that holds no String is reported there,
    // with `SuggestionText`'s message.
    let suggestions_fn = (!autocomplete.is_empty()).then(|| {
        let each = autocomplete.iter().map(|field| {
            let member = field.ident;
            let stored = &field.stored;
            let ty = field.ty;
            let text = quote_spanned!(ty.span()=> <#ty as ::redis_om::autocomplete::SuggestionText>::suggestion);
            quote!(each(#stored, #text(&self.#member));)
        });
        quote! {
            fn suggestions(&self, each: &mut dyn FnMut(&'static str, ::core::option::Option<&str>)) {
                #(#each)*
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl ::redis_om::Model for #ident {
            // `#pk_ty` keeps the user's spans: "`i64: PrimaryKey` is not
            // satisfied" points at the key's type, not at the derive.
            type Pk = #pk_ty;
            type Storage = #storage_ty;

            fn info() -> &'static ::redis_om::ModelInfo {
                static INFO: ::redis_om::ModelInfo = ::redis_om::ModelInfo::new(
                    #name,
                    #storage_kind,
                    #pk_stored,
                    &[#(#fields),*]
                )#prefix #index_name #ttl #layout #with_version #with_autocomplete;
                &INFO
            }

            fn pk(&self) -> &Self::Pk {
                &self.#pk_ident
            }

            #version_fn
            #suggestions_fn
        }
    }
}

/// The field's `FieldInfo` expression: also what an embedded struct's
/// description is made of.
pub(crate) fn field_info(field: &Field<'_>) -> TokenStream {
    let name = field.ident.unraw().to_string();
    let stored = &field.stored;
    let renamed = (*stored != name).then(|| quote!(.stored_as(#stored)));
    let optional = field.optional.then(|| quote!(.optional()));
    let indexed = index::indexed(field);
    let ty = field.ty;
    // At the field's type: a type that is no embedded struct is reported
    // there, with `Embedded`'s message.
    let embeds = field
        .embed
        .then(|| quote_spanned!(ty.span()=> .embeds(::redis_om::EmbeddedFields::of::<#ty>())));
    quote!(::redis_om::FieldInfo::new(#name) #renamed #optional #indexed #embeds)
}
