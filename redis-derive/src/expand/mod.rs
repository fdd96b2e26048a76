//! Stage three: the code. One file per generated `impl` or check, and the
//! fallback emitted instead when the model has mistakes.

mod embedded_impl;
mod fallback;
pub(crate) mod handles;
mod hash_impl;
mod index;
mod json_impl;
mod model_impl;
pub(crate) mod redis_enum;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::attrs::{Layout, Storage};
use crate::model::{Checked, Model};

/// `#[derive(RedisModel)]` on `input`: the `impl`s, or the errors (with a
/// stub `impl` when the input is a struct).
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    match Model::check(&input) {
        Ok(Checked::Model(model)) => generate(&model),
        Ok(Checked::Embedded(embedded)) => embedded_impl::expand(&embedded),
        Err(rejected) => fallback::expand(rejected),
    }
}

fn generate(model: &Model<'_>) -> TokenStream {
    let model_impl = model_impl::expand(model);
    let storage_impl = match model.storage.value {
        Storage::Hash => hash_impl::expand(model),
        Storage::Json => json_impl::expand(model),
    };
    let kind_checks = model.fields.iter().filter_map(index::kind_check);
    let python_checks = model
        .fields
        .iter()
        .filter(|_| model.layout == Layout::Python)
        .filter_map(embedded_impl::python_check);
    let handles = handles::expand(model.ident, &model.fields);
    // The anonymous const keeps anything the impls need out of the user's
    // namespace, as serde does; the handles are the one thing meant for
    // it, and inherent impls reach out of it.
    quote! {
        const _: () = {
            #model_impl
            #storage_impl
            #(#kind_checks)*
            #(#python_checks)*
            #handles
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
    fn a_layout_is_recorded_and_the_default_left_out() {
        let output = squash(&expand(quote! {
            #[redis(layout = "python", prefix = "omres:customer")]
            struct Customer { #[redis(pk)] id: String, #[redis(index)] active: bool }
        }));
        assert!(
            output.contains(&squash(
                "ModelInfo::new(\"Customer\",::redis_om::StorageKind::Hash,\"pk\",\
                 &[::redis_om::FieldInfo::new(\"id\").stored_as(\"pk\"),"
            )),
            "{output}"
        );
        assert!(
            output.contains(&squash(
                ".with_prefix(\"omres:customer\").with_layout(::redis_om::Layout::Python);"
            )),
            "{output}"
        );
        let output = squash(&expand(quote! {
            #[redis(layout = "node")]
            struct Customer { #[redis(pk)] id: String }
        }));
        assert!(
            output.contains("with_layout(::redis_om::Layout::Node)"),
            "{output}"
        );
        let output = squash(&expand(quote! {
            #[redis(layout = "default")]
            struct Customer { #[redis(pk)] id: String }
        }));
        assert!(!output.contains("with_layout"), "{output}");
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
    fn a_json_model_is_described_with_serde_names_and_checked_for_serde() {
        let output = squash(&expand(quote! {
            #[derive(Serialize, Deserialize)]
            #[redis(storage = "json", index = "items")]
            #[serde(rename_all = "camelCase")]
            struct Item {
                #[redis(pk)] #[serde(rename = "ID")] item_id: String,
                unit_price: f64,
                #[serde(skip)] cache: Vec<u8>,
                #[serde(rename = "x")] name: String,
            }
        }));
        for part in [
            "typeStorage=::redis_om::Json;",
            "::redis_om::ModelInfo::new(\"Item\",::redis_om::StorageKind::Json,\"ID\",\
             &[::redis_om::FieldInfo::new(\"item_id\").stored_as(\"ID\"),\
             ::redis_om::FieldInfo::new(\"unit_price\").stored_as(\"unitPrice\"),\
             ::redis_om::FieldInfo::new(\"name\").stored_as(\"x\")])\
             .with_index_name(\"items\");",
            "const_:fn()=||{fnjson_document<T:::redis_om::JsonDocument>(){}\
             json_document::<Item>();};",
        ] {
            assert!(output.contains(&squash(part)), "{part}\nnot in\n{output}");
        }
        assert!(!output.contains("HashModel"), "{output}");
        assert!(!output.contains("cache"), "{output}");
    }

    #[test]
    fn indexed_fields_get_an_index_a_kind_check_and_a_handle() {
        let output = squash(&expand(quote! {
            #[redis(storage = "json")]
            struct Product {
                #[redis(pk, index)] id: String,
                #[redis(index(sortable, index_missing))] pub price: f64,
                #[redis(index(text, no_stem, weight = 2))] pub(crate) name: String,
                #[redis(index(tag, separator = ";", case_sensitive))] r#type: String,
                #[redis(index(full_text_search))] title: Option<String>,
                #[redis(index(vector(dim = 3, metric = "l2", algorithm = "flat")))]
                embedding: [f32; 3],
                plain: u8,
            }
        }));
        for part in [
            "::redis_om::FieldInfo::new(\"id\").indexed({let_:::core::marker::PhantomData<\
             <Stringas::redis_om::Indexable>::Kind>=::core::marker::PhantomData;\
             ::redis_om::Index::of::<String>()})",
            "::redis_om::FieldInfo::new(\"price\").indexed({let_:::core::marker::PhantomData<\
             <f64as::redis_om::Indexable>::Kind>=::core::marker::PhantomData;\
             ::redis_om::Index::of::<f64>()}.sortable().index_missing())",
            "::redis_om::FieldInfo::new(\"name\").indexed(::redis_om::Index::of::<String>()\
             .with_kind(::redis_om::IndexKind::Text).no_stem().weight(2.0))",
            "::redis_om::FieldInfo::new(\"type\").indexed(::redis_om::Index::of::<String>()\
             .with_kind(::redis_om::IndexKind::Tag).case_sensitive().separator(';'))",
            "::redis_om::FieldInfo::new(\"title\").optional().indexed({\
             let_:::core::marker::PhantomData<<Option<String>as::redis_om::Indexable>::Kind>\
             =::core::marker::PhantomData;::redis_om::Index::of::<Option<String>>()}\
             .full_text_search())",
            "::redis_om::FieldInfo::new(\"embedding\").indexed(::redis_om::Index::vector(\
             ::redis_om::VectorIndex::new(3,::redis_om::DistanceMetric::L2,\
             ::redis_om::VectorAlgorithm::Flat,::redis_om::VectorType::Float32,)))",
            "::redis_om::FieldInfo::new(\"plain\")]",
            "const_:()=::core::assert!(::redis_om::Index::of::<String>()\
             .admits(::redis_om::IndexKind::Text),\"field `name`: a text index does not fit \
             its type;",
            "impl Product{",
            "fnid()->::redis_om::Field<Product,<Stringas::redis_om::Indexable>::Kind,\
             ::redis_om::field::Unsorted>{::redis_om::Field::new(\"id\")}",
            "#[doc=\" The indexed field `price`, for queries.\"]",
            "pubfnprice()->::redis_om::Field<Product,<f64as::redis_om::Indexable>::Kind,\
             ::redis_om::field::Sortable>",
            "pub(crate)fnname()->::redis_om::Field<Product,::redis_om::field::kind::Text,",
            "fnr#type()->::redis_om::Field<Product,<<Stringas::redis_om::Indexable>::Kind\
             as::redis_om::field::FieldKind>::AsTag,",
            "fntitle()->::redis_om::Field<Product,::redis_om::field::kind::TagText,",
            "fnembedding()->::redis_om::Field<Product,::redis_om::field::kind::Vector,",
        ] {
            assert!(output.contains(&squash(part)), "{part}\nnot in\n{output}");
        }
        assert_eq!(output.matches("::core::assert!").count(), 2, "{output}");
        assert!(!output.contains("fnplain"), "{output}");
    }

    #[test]
    fn a_model_without_indexes_has_no_handles() {
        let output = squash(&expand(quote! {
            struct User { #[redis(pk)] id: String }
        }));
        assert!(!output.contains("implUser{"), "{output}");
        assert!(!output.contains("assert"), "{output}");
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
    fn a_stub_keeps_the_handles_so_queries_add_no_errors() {
        let output = squash(&expand(quote! {
            #[redis(ttl = 0)]
            struct Product {
                #[redis(pk)] id: String,
                #[redis(index(numeric, sortable, separator = ","))] price: f64,
            }
        }));
        assert!(output.contains("compile_error"), "{output}");
        assert!(
            output.contains(&squash(
                "fnprice()->::redis_om::Field<Product,<f64as::redis_om::Indexable>::Kind,\
                 ::redis_om::field::Sortable>"
            )),
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
