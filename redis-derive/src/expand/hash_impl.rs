//! `impl redis_om::HashModel`: each stored field written as, and read from,
//! one hash field.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;

use crate::attrs::Encoded;
use crate::model::{Model, Role};

/// The `HashModel` impl of a checked model, with the helper its methods
/// share.
pub(crate) fn expand(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let mut writes = Vec::new();
    let mut reads = Vec::new();
    // Whether a field goes through `hash_field`, which is only emitted
    // then (it would be dead code otherwise).
    let mut scalars = false;
    for field in &model.fields {
        let member = field.ident;
        let ty = field.ty;
        let stored = &field.stored;
        match field.role {
            // The repository writes the key itself, from `Model::pk`.
            Role::Pk => reads.push(quote!(#member: pk)),
            Role::Stored if field.encoded.is_some() => {
                let encoding = match field.encoded {
                    Some(Encoded::MsgPack) => quote!(MessagePack),
                    _ => quote!(JsonText),
                };
                // At the field's type: a type serde cannot handle is
                // reported there, once for both uses.
                let glue = quote_spanned! {ty.span()=>
                    ::redis_om::encoding::field::<#ty, ::redis_om::encoding::#encoding>()
                };
                writes.push(quote!((#glue.0)(&self.#member, #stored, out);));
                reads.push(quote!(#member: (#glue.1)(fields, #stored)?));
            }
            Role::Stored => {
                // `#ty` keeps the user's spans: a type that is no
                // `HashValue` is reported at the field's type, with
                // HashValue's own message.
                scalars = true;
                writes.push(quote! {
                    (hash_field::<#ty>().0)(&self.#member, #stored, out);
                });
                reads.push(quote! {
                    #member: (hash_field::<#ty>().1)(fields, #stored)?
                });
            }
            Role::Skipped => {
                // Named through `#ty` so that a type without `Default` is
                // reported at the field's type.
                reads.push(quote!(#member: <#ty as ::core::default::Default>::default()));
            }
        }
    }
    // Both methods reach `HashWriter::field` and `HashFields::get` through
    // this one function, so that a field type without `HashValue` fails one
    // bound in two places with the same span and message, which rustc
    // reports once. Calling `field` and `get` directly would fail two
    // different bounds: two errors for one mistake.
    let helper = scalars.then(|| {
        quote! {
            #[inline]
            fn hash_field<T: ::redis_om::HashValue>() -> (
                fn(&T, &'static str, &mut ::redis_om::HashWriter<'_>),
                fn(&::redis_om::HashFields<'_>, &'static str) -> ::redis_om::core::Result<T>,
            ) {
                (
                    |value, field, out| out.field(field, value),
                    |fields, field| fields.get(field),
                )
            }
        }
    });
    quote! {
        #helper

        #[automatically_derived]
        impl ::redis_om::HashModel for #ident {
            fn write_fields(&self, out: &mut ::redis_om::HashWriter<'_>) {
                #(#writes)*
            }

            fn read_fields(
                pk: <Self as ::redis_om::Model>::Pk,
                fields: &::redis_om::HashFields<'_>,
            ) -> ::redis_om::core::Result<Self> {
                ::core::result::Result::Ok(Self { #(#reads),* })
            }
        }
    }
}
