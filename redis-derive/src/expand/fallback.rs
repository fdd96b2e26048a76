//! What is emitted when the model has mistakes: the errors, stub impls of
//! `Model` and `HashModel`, and the indexed fields' handles.
//!
//! Without the stubs every use of the model (`Repository::<User, _>`,
//! `User::info()`) would add an error of its own that the struct does not
//! implement `Model`, burying the real mistake (thiserror's `fallback.rs`
//! does the same for `Error`). The bodies never run: the crate does not
//! compile.

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse_quote;

use crate::expand::handles;
use crate::model::Rejected;

/// The errors, plus stub impls when the input is a struct.
pub(crate) fn expand(rejected: Rejected<'_>) -> TokenStream {
    let errors = rejected.errors.to_compile_error();
    let Some(stub) = rejected.stub else {
        return errors;
    };
    let ident = stub.ident;
    if stub.embedded {
        let (impl_generics, ty_generics, where_clause) = stub.generics.split_for_impl();
        return quote! {
            #errors

            const _: () = {
                #[automatically_derived]
                impl #impl_generics ::redis_om::Embedded for #ident #ty_generics #where_clause {
                    const FIELDS: &'static [::redis_om::FieldInfo] = &[];
                    type Handles<M> = ();
                }
            };
        };
    }
    // With the key's own type, uses of the key type-check as they will once
    // the mistakes are fixed; a missing or optional key stands in as String.
    let pk = match stub.pk {
        Some(ty) => quote!(#ty),
        None => quote!(::std::string::String),
    };
    let mut generics = stub.generics.clone();
    if !generics.params.is_empty() {
        // A generic struct is one of the mistakes; bounding `Self` keeps its
        // stub from adding "may not live long enough" and "cannot be sent"
        // errors for the parameters.
        generics.make_where_clause().predicates.push(parse_quote!(
            Self: ::core::marker::Send + ::core::marker::Sync + 'static
        ));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    // Uses of the handles (`Product::price()`) type-check as they will
    // once the mistakes are fixed.
    let handles = handles::expand(ident, &stub.indexed);
    quote! {
        #errors

        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::redis_om::Model for #ident #ty_generics #where_clause {
                type Pk = #pk;
                type Storage = ::redis_om::Hash;

                fn info() -> &'static ::redis_om::ModelInfo {
                    ::core::unreachable!("RedisModel was not derived: see the errors above")
                }

                fn pk(&self) -> &Self::Pk {
                    ::core::unreachable!("RedisModel was not derived: see the errors above")
                }
            }

            #[automatically_derived]
            impl #impl_generics ::redis_om::HashModel for #ident #ty_generics #where_clause {
                fn write_fields(&self, _: &mut ::redis_om::HashWriter<'_>) {
                    ::core::unreachable!("RedisModel was not derived: see the errors above")
                }

                fn read_fields(
                    _: <Self as ::redis_om::Model>::Pk,
                    _: &::redis_om::HashFields<'_>,
                ) -> ::redis_om::core::Result<Self> {
                    ::core::unreachable!("RedisModel was not derived: see the errors above")
                }
            }

            #handles
        };
    }
}
