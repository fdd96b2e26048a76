//! Fields that hold nested values: `encoded` (one opaque hash field) and
//! `embed` (a struct whose indexed fields a JSON model's index includes),
//! checked against the storage and the field's other attributes.

use crate::attrs::{Encoded, FieldAttrs, Storage};
use crate::ctxt::Ctxt;
use crate::meta::Spanned;
use crate::model::Role;

/// The field's encoding and whether it embeds; every conflict is recorded
/// in `cx`, at the attribute to remove.
pub(super) fn check(
    cx: &mut Ctxt,
    storage: Storage,
    attrs: &FieldAttrs,
    role: Role,
    skip: Option<&Spanned<String>>,
) -> (Option<Encoded>, bool) {
    if let Some(encoded) = &attrs.encoded {
        check_encoded(cx, storage, attrs, encoded, role, skip);
    }
    if let Some(embed) = attrs.embed {
        check_embed(cx, storage, attrs, embed, role, skip);
    }
    (attrs.encoded.map(|e| e.value), attrs.embed.is_some())
}

fn check_encoded(
    cx: &mut Ctxt,
    storage: Storage,
    attrs: &FieldAttrs,
    encoded: &Spanned<Encoded>,
    role: Role,
    skip: Option<&Spanned<String>>,
) {
    if storage == Storage::Json {
        cx.error(
            encoded.span,
            "a JSON model stores nested values natively, as serde writes them, and can index \
             inside them: remove `encoded`",
        );
        return;
    }
    if let Some(index) = &attrs.index {
        cx.error(
            index.span,
            "an encoded field is stored as one opaque value and cannot be indexed; use JSON \
             storage to index inside it (#[redis(storage = \"json\")] on the struct), or remove \
             `index`",
        );
    }
    if role == Role::Pk {
        cx.error(
            encoded.span,
            "the primary key is part of the record's key, which is text, not an encoded value: \
             remove `encoded`",
        );
    }
    if let Some(skip) = skip {
        cx.error(
            encoded.span,
            format_args!(
                "a skipped field is not stored, so it has no encoding: remove `encoded` or `{}`",
                skip.value
            ),
        );
    }
    if attrs.embed.is_some() {
        cx.error(
            encoded.span,
            "an embedded struct is part of the JSON document, not one encoded value: remove \
             `encoded` or `embed`",
        );
    }
}

fn check_embed(
    cx: &mut Ctxt,
    storage: Storage,
    attrs: &FieldAttrs,
    embed: proc_macro2::Span,
    role: Role,
    skip: Option<&Spanned<String>>,
) {
    if storage == Storage::Hash {
        cx.error(
            embed,
            "a hash model stores one value per field, so it cannot index inside a nested \
             struct: store the model as JSON (#[redis(storage = \"json\")] on the struct) to \
             index the embedded struct's fields, or keep the struct one opaque field with \
             #[redis(encoded = \"json\")]",
        );
        return;
    }
    if let Some(index) = &attrs.index {
        cx.error(
            index.span,
            "an embedded struct is indexed by the #[redis(index)] fields it declares: remove \
             `index` here, and mark its fields",
        );
    }
    if role == Role::Pk {
        cx.error(
            embed,
            "the primary key is a String or uuid::Uuid, not an embedded struct: remove `embed`",
        );
    }
    if let Some(skip) = skip {
        cx.error(
            embed,
            format_args!(
                "a skipped field is not stored, so nothing in it can be indexed: remove `embed` \
                 or `{}`",
                skip.value
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use syn::{DeriveInput, parse_quote};

    use crate::attrs::Encoded;
    use crate::model::Model;

    fn errors(input: &DeriveInput) -> Vec<String> {
        match Model::from_ast(input) {
            Ok(_) => Vec::new(),
            Err(rejected) => rejected.errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_hash_model_encodes_fields() {
        let input: DeriveInput = parse_quote! {
            struct User {
                #[redis(pk)] id: String,
                #[redis(encoded = "json")] address: Address,
                #[redis(encoded = "msgpack")] scores: Option<Vec<u32>>,
                plain: String,
            }
        };
        let Ok(model) = Model::from_ast(&input) else {
            panic!("{:?}", errors(&input));
        };
        let encoded: Vec<_> = model.fields.iter().map(|f| f.encoded).collect();
        assert_eq!(
            encoded,
            [None, Some(Encoded::Json), Some(Encoded::MsgPack), None]
        );
    }

    #[test]
    fn encoded_fields_are_not_indexed_keys_or_json() {
        let input: DeriveInput = parse_quote! {
            struct User {
                #[redis(pk, encoded = "json")] id: String,
                #[redis(encoded = "json", index)] address: Address,
                #[redis(encoded = "json", skip)] cache: Vec<u8>,
            }
        };
        let found = errors(&input);
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("the primary key is part of the record's key"));
        assert!(found[1].starts_with(
            "an encoded field is stored as one opaque value and cannot be indexed; use JSON \
             storage to index inside it"
        ));
        assert!(found[2].ends_with("remove `encoded` or `skip`"));
        let input: DeriveInput = parse_quote! {
            #[redis(storage = "json")]
            struct Doc {
                #[redis(pk)] id: String,
                #[redis(encoded = "msgpack")] address: Address,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "a JSON model stores nested values natively, as serde writes them, and can \
                 index inside them: remove `encoded`"
            ]
        );
    }

    #[test]
    fn embed_is_for_json_models_and_takes_no_index() {
        let input: DeriveInput = parse_quote! {
            struct User {
                #[redis(pk)] id: String,
                #[redis(embed)] address: Address,
            }
        };
        assert!(errors(&input)[0].starts_with("a hash model stores one value per field"));
        let input: DeriveInput = parse_quote! {
            #[redis(storage = "json")]
            struct Doc {
                #[redis(pk)] id: String,
                #[redis(embed, index)] address: Address,
                #[redis(embed)] #[serde(skip)] other: Address,
                #[redis(embed)] items: Vec<Item>,
            }
        };
        let errors = errors(&input);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].starts_with("an embedded struct is indexed by the #[redis(index)]"));
        assert!(errors[1].ends_with("remove `embed` or `skip`"));
    }
}
