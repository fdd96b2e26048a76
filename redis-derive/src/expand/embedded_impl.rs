//! `impl redis_om::Embedded` for a struct marked `#[redis(embedded)]`: the
//! static description of its fields, which the models embedding it point
//! to; and, in the python layout, the check that a list of embedded
//! structs indexes only what Redis OM Python can.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;

use crate::expand::{handles, index, model_impl};
use crate::model::{EmbeddedStruct, Field, Role};

/// The `Embedded` impl and the kind checks of its indexed fields.
pub(crate) fn expand(embedded: &EmbeddedStruct<'_>) -> TokenStream {
    let ident = embedded.ident;
    let fields = embedded
        .fields
        .iter()
        .filter(|field| field.role != Role::Skipped)
        .map(model_impl::field_info);
    let kind_checks = embedded.fields.iter().filter_map(index::kind_check);
    let handles = embedded.fields.iter().filter_map(handle);
    quote! {
        const _: () = {
            #[automatically_derived]
            impl ::redis_om::Embedded for #ident {
                const FIELDS: &'static [::redis_om::FieldInfo] = &[#(#fields),*];
                type Handles<M> = Handles<M>;
            }

            /// The handles of the struct's indexed fields inside a model
            /// `M`, under an alias prefix: unnamed outside, reached through
            /// the model's handle of the embedding field.
            pub struct Handles<M>(&'static str, ::core::marker::PhantomData<fn() -> M>);

            #[automatically_derived]
            impl<M> ::redis_om::EmbeddedHandles for Handles<M> {
                fn at(alias: &'static str) -> Self {
                    Handles(alias, ::core::marker::PhantomData)
                }
            }

            #[automatically_derived]
            impl<M> ::core::fmt::Debug for Handles<M> {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    ::core::write!(f, "{}", self.0)
                }
            }

            #[automatically_derived]
            impl<M> Handles<M> {
                #(#handles)*
            }

            #(#kind_checks)*
        };
    }
}

/// One method of the handles: an indexed field's handle, or the handles of
/// a struct the field embeds in turn, under the alias joined with the
/// field's stored name.
fn handle(field: &Field<'_>) -> Option<TokenStream> {
    let vis = field.vis;
    let name = field.ident;
    let stored = &field.stored;
    let ty = field.ty;
    if field.embed {
        let doc = format!(" The indexed fields of the embedded `{stored}`.");
        return Some(quote! {
            #[doc = #doc]
            #[allow(dead_code)]
            #vis fn #name(&self) -> <#ty as ::redis_om::Embedded>::Handles<M> {
                <<#ty as ::redis_om::Embedded>::Handles<M> as ::redis_om::EmbeddedHandles>::at(
                    ::redis_om::embedded_alias(self.0, #stored),
                )
            }
        });
    }
    let handle_type = handles::handle_type(&quote!(M), field)?;
    let doc = format!(" The indexed field `{stored}`, for queries.");
    Some(quote! {
        #[doc = #doc]
        #[allow(dead_code)]
        #vis fn #name(&self) -> #handle_type {
            ::redis_om::Field::new(::redis_om::embedded_alias(self.0, #stored))
        }
    })
}

/// For an embedded field of a python-layout model, a constant that fails to
/// compile when the embedded fields include what Redis OM Python refuses
/// (inside a list, anything but a plain string TAG).
pub(crate) fn python_check(field: &Field<'_>) -> Option<TokenStream> {
    if !field.embed {
        return None;
    }
    let ty = field.ty;
    let message = format!(
        "field `{}`: inside a list of embedded structs Redis OM Python indexes only strings, \
         as TAG without full_text_search, and the python layout writes the schema as Python \
         does: index only String fields of the listed struct, or leave the python layout",
        field.ident.unraw()
    );
    Some(quote_spanned! {ty.span()=>
        const _: () = ::core::assert!(
            ::redis_om::EmbeddedFields::of::<#ty>().python_can_index(),
            #message
        );
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::expand::derive;

    fn squash(text: &str) -> String {
        text.split_whitespace().collect()
    }

    fn expand(input: TokenStream) -> String {
        let output = derive(input);
        syn::parse2::<syn::File>(output.clone()).unwrap();
        squash(&output.to_string())
    }

    #[test]
    fn an_embedded_struct_expands_to_its_fields() {
        let output = expand(quote! {
            #[redis(embedded)]
            #[serde(rename_all = "camelCase")]
            struct Address {
                #[redis(index(tag))] city_name: String,
                zip: Option<String>,
                #[serde(skip)] cache: u8,
            }
        });
        for part in [
            "impl::redis_om::EmbeddedforAddress{constFIELDS:&'static[::redis_om::FieldInfo]=&[\
             ::redis_om::FieldInfo::new(\"city_name\").stored_as(\"cityName\")\
             .indexed(::redis_om::Index::of::<String>().with_kind(::redis_om::IndexKind::Tag)),\
             ::redis_om::FieldInfo::new(\"zip\").optional()];typeHandles<M>=Handles<M>;}",
            "fncity_name(&self)->::redis_om::Field<M,",
            "::redis_om::Field::new(::redis_om::embedded_alias(self.0,\"cityName\"))",
            "const_:()=::core::assert!(::redis_om::Index::of::<String>()\
             .admits(::redis_om::IndexKind::Tag)",
        ] {
            assert!(output.contains(&squash(part)), "{part}\nnot in\n{output}");
        }
        assert!(!output.contains("ModelforAddress"), "{output}");
        assert!(!output.contains("cache"), "{output}");
    }

    #[test]
    fn a_model_points_to_what_it_embeds() {
        let output = expand(quote! {
            #[redis(storage = "json", layout = "python")]
            struct Order {
                #[redis(pk)] pk: String,
                #[redis(embed)] items: Vec<Item>,
            }
        });
        for part in [
            "::redis_om::FieldInfo::new(\"items\")\
             .embeds(::redis_om::EmbeddedFields::of::<Vec<Item>>())",
            "const_:()=::core::assert!(::redis_om::EmbeddedFields::of::<Vec<Item>>()\
             .python_can_index(),\"field `items`: inside a list of embedded structs",
        ] {
            assert!(output.contains(&squash(part)), "{part}\nnot in\n{output}");
        }
    }

    #[test]
    fn a_rejected_embedded_struct_gets_an_embedded_stub() {
        let output = expand(quote! {
            #[redis(embedded, prefix = "a")]
            struct Address { city: String }
        });
        assert!(output.contains("compile_error"), "{output}");
        assert!(
            output.contains("impl::redis_om::EmbeddedforAddress"),
            "{output}"
        );
        assert!(!output.contains("ModelforAddress"), "{output}");
    }
}
