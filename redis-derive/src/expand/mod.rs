//! Stage three: the code. One file per generated `impl`, and the fallback
//! emitted instead when the model has mistakes.

mod fallback;
mod hash_impl;
mod model_impl;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::attrs::Storage;
use crate::model::Model;

/// `#[derive(RedisModel)]` on `input`: the `impl`s, or the errors (with a
/// stub `impl` when the input is a struct).
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    match Model::from_ast(&input) {
        Ok(model) => generate(&model),
        Err(rejected) => fallback::expand(rejected),
    }
}

fn generate(model: &Model<'_>) -> TokenStream {
    let model_impl = model_impl::expand(model);
    let storage_impl = match model.storage {
        Storage::Hash => hash_impl::expand(model),
    };
    // The anonymous const keeps anything the impls need out of the user's
    // namespace, as serde does.
    quote! {
        const _: () = {
            #model_impl
            #storage_impl
        };
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn expand(input: TokenStream) -> String {
        let output = derive(input);
        // Whatever is emitted must be Rust, errors included.
        syn::parse2::<syn::File>(output.clone()).unwrap();
        output.to_string()
    }

    /// Spaces between tokens are the printer's choice; comparing without
    /// them keeps the tests about the tokens.
    fn squash(text: &str) -> String {
        text.split_whitespace().collect()
    }

    #[test]
    fn a_model_expands_to_its_description_and_field_glue() {
        let output = expand(quote! {
            #[redis(prefix = "user", ttl = 60)]
            struct User {
                #[redis(pk)] id: String,
                name: String,
                #[redis(rename = "years")] age: Option<u32>,
                #[redis(skip)] cache: Vec<u8>,
            }
        });
        let output = squash(&output);
        for part in [
            "impl::redis_om::ModelforUser{typePk=String;type Storage=::redis_om::Hash;",
            "static INFO:::redis_om::ModelInfo=::redis_om::ModelInfo::new(\"User\",\
             ::redis_om::StorageKind::Hash,\"id\",&[::redis_om::FieldInfo::new(\"id\"),\
             ::redis_om::FieldInfo::new(\"name\"),\
             ::redis_om::FieldInfo::new(\"age\").stored_as(\"years\").optional()])\
             .with_prefix(\"user\").with_ttl_seconds(60);",
            "fnpk(&self)->&Self::Pk{&self.id}",
            "impl::redis_om::HashModelforUser",
            "(hash_field::<String>().0)(&self.name,\"name\",out);\
             (hash_field::<Option<u32>>().0)(&self.age,\"years\",out);}",
            "Self{id:pk,name:(hash_field::<String>().1)(fields,\"name\")?,\
             age:(hash_field::<Option<u32>>().1)(fields,\"years\")?,\
             cache:<Vec<u8>as::core::default::Default>::default()}",
        ] {
            assert!(output.contains(&squash(part)), "{part}\nnot in\n{output}");
        }
        assert!(!output.contains("\"cache\""), "{output}");
        assert!(!output.contains("compile_error"), "{output}");
    }

    #[test]
    fn defaults_leave_out_prefix_and_ttl() {
        let output = squash(&expand(quote! {
            struct r#Item { #[redis(pk)] r#type: ::uuid::Uuid }
        }));
        assert!(
            output.contains(&squash(
                "ModelInfo::new(\"Item\",::redis_om::StorageKind::Hash,\"type\",\
                 &[::redis_om::FieldInfo::new(\"type\")]);"
            )),
            "{output}"
        );
        assert!(output.contains("typePk=::uuid::Uuid;"), "{output}");
        assert!(output.contains("&self.r#type"), "{output}");
        assert!(!output.contains("with_prefix") && !output.contains("with_ttl"));
        // Nothing but the key to write: no helper, which would be dead code.
        assert!(!output.contains("fnhash_field"), "{output}");
    }

    #[test]
    fn mistakes_expand_to_errors_and_a_stub() {
        let output = expand(quote! {
            #[redis(prefix = "a:")]
            struct User { name: String }
        });
        assert_eq!(output.matches("compile_error").count(), 2, "{output}");
        let output = squash(&output);
        assert!(output.contains("impl::redis_om::ModelforUser"), "{output}");
        assert!(output.contains("typePk=::std::string::String;"), "{output}");
        assert!(
            output.contains("impl::redis_om::HashModelforUser"),
            "{output}"
        );
    }

    #[test]
    fn a_generic_struct_gets_a_stub_that_adds_no_errors() {
        let output = squash(&expand(quote! {
            struct Pair<'a, T: Clone> where T: Copy, { #[redis(pk)] id: &'a str, value: T }
        }));
        assert!(
            output.contains(&squash(
                "impl<'a,T:Clone>::redis_om::ModelforPair<'a,T>whereT:Copy,\
                 Self:::core::marker::Send+::core::marker::Sync+'static\
                 {typePk=::std::string::String;"
            )),
            "{output}"
        );
    }

    #[test]
    fn a_non_struct_expands_to_the_error_alone() {
        let output = expand(quote!(
            enum E {
                A,
            }
        ));
        assert!(output.starts_with(":: core :: compile_error !"), "{output}");
        assert!(!output.contains("impl"), "{output}");
    }

    #[test]
    fn input_that_is_not_an_item_is_an_error_not_a_panic() {
        let output = derive(quote!(
            fn f() {}
        ));
        assert!(output.to_string().contains("compile_error"), "{output}");
    }
}
