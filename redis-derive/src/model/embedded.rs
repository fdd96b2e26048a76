//! `#[redis(embedded)]` checked: a struct nested in JSON models has fields
//! and their indexes, and nothing that belongs to a model (a key, a prefix,
//! an index name, a TTL, a storage or a layout).

use syn::ext::IdentExt as _;

use crate::attrs::StructAttrs;
use crate::ctxt::Ctxt;
use crate::model::{Field, Role};

/// Records in `cx` every struct attribute an embedded struct cannot take.
pub(super) fn check_struct(cx: &mut Ctxt, attrs: &StructAttrs) {
    let given = [
        ("storage", attrs.storage.map(|s| s.span)),
        ("prefix", attrs.prefix.as_ref().map(|p| p.span)),
        ("index", attrs.index.as_ref().map(|i| i.span)),
        ("ttl", attrs.ttl.map(|t| t.span)),
        ("layout", attrs.layout.map(|l| l.span)),
    ];
    for (key, span) in given {
        if let Some(span) = span {
            cx.error(
                span,
                format_args!(
                    "an embedded struct is stored inside the JSON document of the model that \
                     embeds it, which has the key, index and storage: remove `{key}`"
                ),
            );
        }
    }
}

/// Records in `cx` a primary key among an embedded struct's fields.
pub(super) fn check_fields(cx: &mut Ctxt, fields: &[Field<'_>]) {
    for field in fields.iter().filter(|field| field.role == Role::Pk) {
        cx.error(
            field.ident.span(),
            format_args!(
                "an embedded struct has no key of its own, the model that embeds it has one: \
                 remove #[redis(pk)] from `{}`",
                field.ident.unraw()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use syn::{DeriveInput, parse_quote};

    use crate::model::{Checked, Model};

    fn errors(input: &DeriveInput) -> Vec<String> {
        match Model::check(input) {
            Ok(_) => Vec::new(),
            Err(rejected) => rejected.errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn an_embedded_struct_has_fields_under_serdes_names() {
        let input: DeriveInput = parse_quote! {
            #[redis(embedded)]
            #[serde(rename_all = "camelCase")]
            struct Address {
                #[redis(index)] city_name: String,
                #[redis(index(sortable))] zip: u32,
                #[redis(embed)] geo: Geo,
                #[serde(skip)] cache: u8,
                #[redis(index)] info: String,
            }
        };
        let Ok(Checked::Embedded(embedded)) = Model::check(&input) else {
            panic!("{:?}", errors(&input));
        };
        assert_eq!(embedded.ident, "Address");
        let stored: Vec<&str> = embedded.fields.iter().map(|f| f.stored.as_str()).collect();
        assert_eq!(stored, ["cityName", "zip", "geo", "cache", "info"]);
        assert!(embedded.fields[2].embed);
    }

    #[test]
    fn an_embedded_struct_has_nothing_of_a_models() {
        let input: DeriveInput = parse_quote! {
            #[redis(embedded, prefix = "a", storage = "json", ttl = 5)]
            struct Address {
                #[redis(pk)] id: String,
                #[redis(index(numeric))] city: String,
            }
        };
        let errors = errors(&input);
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors[0].ends_with("remove `storage`"), "{errors:?}");
        assert!(errors[1].ends_with("remove `prefix`"), "{errors:?}");
        assert!(errors[2].ends_with("remove `ttl`"), "{errors:?}");
        assert!(
            errors[3].ends_with("remove #[redis(pk)] from `id`"),
            "{errors:?}"
        );
        let Err(rejected) = Model::check(&input) else {
            panic!("accepted")
        };
        assert!(rejected.stub.is_some_and(|stub| stub.embedded));
    }
}
