//! `#[derive(RedisEnum)]`, stage three: `impl redis_om::RedisEnum` (the
//! variants' stored names), and `HashValue` and `Indexable` through it; or
//! the errors and stub impls.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::enum_model::{EnumModel, RejectedEnum};

/// `#[derive(RedisEnum)]` on `input`.
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    match EnumModel::from_ast(&input) {
        Ok(model) => generate(&model),
        Err(rejected) => fallback(rejected),
    }
}

fn generate(model: &EnumModel<'_>) -> TokenStream {
    let ident = model.ident;
    let name = &model.name;
    let variants: Vec<_> = model.variants.iter().map(|v| v.ident).collect();
    let stored: Vec<_> = model.variants.iter().map(|v| &v.stored).collect();
    let glue = glue(
        ident,
        quote!(<Self as ::redis_om::RedisEnum>::from_stored(stored)),
    );
    quote! {
        const _: () = {
            #[automatically_derived]
            impl ::redis_om::RedisEnum for #ident {
                const NAME: &'static str = #name;
                const VARIANTS: &'static [&'static str] = &[#(#stored),*];

                fn stored_name(&self) -> &'static str {
                    match self {
                        #(Self::#variants => #stored,)*
                    }
                }

                fn from_stored_name(name: &str) -> ::core::option::Option<Self> {
                    match name {
                        #(#stored => ::core::option::Option::Some(Self::#variants),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            #glue
        };
    }
}

/// `HashValue` and `Indexable` for the enum; `read` is the body of
/// `read_hash`.
fn glue(ident: &syn::Ident, read: TokenStream) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl ::redis_om::HashValue for #ident {
            fn write_hash(&self, field: &'static str, out: &mut ::redis_om::HashWriter<'_>) {
                out.put(field, ::redis_om::RedisEnum::stored_name(self).as_bytes());
            }

            fn read_hash(
                stored: ::core::option::Option<&[u8]>,
            ) -> ::core::result::Result<Self, ::std::string::String> {
                #read
            }
        }

        #[automatically_derived]
        impl ::redis_om::Indexable for #ident {
            const KIND: ::redis_om::IndexKind = ::redis_om::IndexKind::Tag;
            type Kind = ::redis_om::field::kind::Tag<#ident>;
        }
    }
}

/// The errors, and stubs of the three impls so that the models using the
/// enum add no errors of their own.
fn fallback(rejected: RejectedEnum<'_>) -> TokenStream {
    let errors = rejected.errors.to_compile_error();
    let Some(ident) = rejected.stub else {
        return errors;
    };
    let unreachable = quote!(::core::unreachable!(
        "RedisEnum was not derived: see the errors above"
    ));
    let glue = glue(ident, unreachable.clone());
    quote! {
        #errors

        const _: () = {
            #[automatically_derived]
            impl ::redis_om::RedisEnum for #ident {
                const NAME: &'static str = "";
                const VARIANTS: &'static [&'static str] = &[];

                fn stored_name(&self) -> &'static str {
                    #unreachable
                }

                fn from_stored_name(_: &str) -> ::core::option::Option<Self> {
                    #unreachable
                }
            }

            #glue
        };
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn squash(text: &str) -> String {
        text.split_whitespace().collect()
    }

    fn expand(input: TokenStream) -> String {
        let output = derive(input);
        syn::parse2::<syn::File>(output.clone()).unwrap();
        squash(&output.to_string())
    }

    #[test]
    fn an_enum_expands_to_its_names_and_glue() {
        let output = expand(quote! {
            #[serde(rename_all = "lowercase")]
            enum Color { Red, #[serde(rename = "verde")] Green }
        });
        for part in [
            "impl::redis_om::RedisEnumforColor{constNAME:&'staticstr=\"Color\";\
             constVARIANTS:&'static[&'staticstr]=&[\"red\",\"verde\"];",
            "matchself{Self::Red=>\"red\",Self::Green=>\"verde\",}",
            "matchname{\"red\"=>::core::option::Option::Some(Self::Red),\
             \"verde\"=>::core::option::Option::Some(Self::Green),\
             _=>::core::option::Option::None,}",
            "impl::redis_om::HashValueforColor",
            "<Selfas::redis_om::RedisEnum>::from_stored(stored)",
            "impl::redis_om::IndexableforColor{constKIND:::redis_om::IndexKind=\
             ::redis_om::IndexKind::Tag;typeKind=::redis_om::field::kind::Tag<Color>;}",
        ] {
            assert!(output.contains(&squash(part)), "{part}\nnot in\n{output}");
        }
        assert!(!output.contains("compile_error"), "{output}");
    }

    #[test]
    fn mistakes_expand_to_errors_and_stubs() {
        let output = expand(quote!(
            enum Shape {
                Circle(f64),
            }
        ));
        assert_eq!(output.matches("compile_error").count(), 1, "{output}");
        assert!(
            output.contains("impl::redis_om::HashValueforShape"),
            "{output}"
        );
        let output = expand(quote!(
            struct Color;
        ));
        assert!(output.starts_with("::core::compile_error!"), "{output}");
        assert!(!output.contains("impl"), "{output}");
    }
}
