//! `layout = "python"` checked: the primary key stored as `pk` (first, in a
//! JSON document), and only the index options Redis OM Python 1.1 can write
//! in a schema the server accepts.

use syn::ext::IdentExt as _;

use crate::attrs::Storage;
use crate::ctxt::Ctxt;
use crate::index_attrs::{IndexAttrs, KindAttr};
use crate::model::{Field, Role};

/// Records in `cx` what the python layout cannot store or index as Python
/// does; a hash model's primary key is given the stored name `pk`.
pub(super) fn check(cx: &mut Ctxt, storage: Storage, fields: &mut [Field<'_>]) {
    let first_stored = fields
        .iter()
        .position(|field| field.role != Role::Skipped)
        .unwrap_or(0);
    for (position, field) in fields.iter_mut().enumerate() {
        if field.role == Role::Pk {
            check_pk(cx, storage, field, position == first_stored);
        }
        if let Some(index) = &field.index {
            check_index(cx, field.role, index);
        }
    }
}

fn check_pk(cx: &mut Ctxt, storage: Storage, field: &mut Field<'_>, first: bool) {
    let ident = field.ident.unraw().to_string();
    match storage {
        Storage::Hash if field.stored == ident || field.stored == "pk" => {
            field.stored = "pk".to_owned();
        }
        Storage::Hash => cx.error(
            field.stored_span,
            format_args!(
                "in the python layout the primary key is stored as the hash field `pk`, as \
                 Redis OM Python stores it, not as \"{}\": remove the `rename`",
                field.stored
            ),
        ),
        Storage::Json if field.stored != "pk" => cx.error(
            field.stored_span,
            format_args!(
                "in the python layout the primary key is the document's \"pk\", as Redis OM \
                 Python writes it, and serde writes `{ident}` as \"{}\": add \
                 #[serde(rename = \"pk\")] to `{ident}`",
                field.stored
            ),
        ),
        Storage::Json if !first => cx.error(
            field.ident.span(),
            format_args!(
                "in the python layout the primary key is the first member of the document, as \
                 Redis OM Python writes it, and serde writes the fields in declaration order: \
                 declare `{ident}` first"
            ),
        ),
        Storage::Json => {}
    }
}

fn check_index(cx: &mut Ctxt, role: Role, index: &IndexAttrs) {
    if role == Role::Pk {
        let option = index.kind.as_ref().map(|kind| kind.span).or_else(|| {
            [index.sortable, index.full_text_search, index.case_sensitive]
                .into_iter()
                .flatten()
                .next()
        });
        if let Some(span) = option {
            cx.error(
                span,
                "in the python layout the primary key is indexed as Redis OM Python indexes \
                 it, `pk TAG SEPARATOR |`, without options: write #[redis(pk, index)] or \
                 leave `index` out",
            );
            return;
        }
    }
    if let Some(kind) = index
        .kind
        .as_ref()
        .filter(|k| matches!(k.value, KindAttr::Text))
    {
        cx.error(
            kind.span,
            "Redis OM Python indexes text only beside a TAG, and the python layout writes the \
             schema as Python does: write index(full_text_search) (a TAG and a TEXT \
             `{name}_fts`)",
        );
    }
    let unknown = [
        ("no_stem", index.no_stem),
        ("weight", index.weight.map(|weight| weight.span)),
        ("index_missing", index.index_missing),
        ("index_empty", index.index_empty),
    ];
    for (option, span) in unknown {
        if let Some(span) = span {
            cx.error(
                span,
                format_args!(
                    "Redis OM Python has no `{option}`, and the python layout writes the \
                     schema as Python does: remove `{option}`, or leave the python layout"
                ),
            );
        }
    }
    if let Some(case_sensitive) = index.case_sensitive {
        let other = [
            ("sortable", index.sortable),
            ("full_text_search", index.full_text_search),
        ];
        for (option, span) in other {
            if span.is_some() {
                cx.error(
                    case_sensitive,
                    format_args!(
                        "Redis OM Python writes `CASESENSITIVE` after the `{option}` part, \
                         which the server refuses (\"Field `CASESENSITIVE` does not have a \
                         type\"): remove `case_sensitive` or `{option}`"
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use syn::{DeriveInput, parse_quote};

    use crate::attrs::Layout;
    use crate::model::Model;

    fn errors(input: &DeriveInput) -> Vec<String> {
        match Model::from_ast(input) {
            Ok(_) => Vec::new(),
            Err(rejected) => rejected.errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_hash_models_key_is_stored_as_pk() {
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python", prefix = "omres:customer")]
            struct Customer {
                #[redis(index)] first_name: String,
                #[redis(pk)] id: String,
            }
        };
        let Ok(model) = Model::from_ast(&input) else {
            panic!("{:?}", errors(&input));
        };
        assert_eq!(model.layout, Layout::Python);
        assert_eq!(model.pk.stored, "pk");
        assert_eq!(model.fields[1].stored, "pk");
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python")]
            struct Customer {
                #[redis(pk, rename = "pk")] id: String,
            }
        };
        assert_eq!(errors(&input), Vec::<String>::new());
    }

    #[test]
    fn a_field_stored_as_pk_beside_the_key_collides() {
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python")]
            struct Customer {
                #[redis(pk)] id: String,
                pk: String,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "`id` and `pk` are both stored as \"pk\": give one of them another \
              #[redis(rename = \"...\")]"
            ]
        );
    }

    #[test]
    fn the_key_must_be_pythons() {
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python")]
            struct Customer {
                #[redis(pk, rename = "key")] id: String,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "in the python layout the primary key is stored as the hash field `pk`, as Redis \
              OM Python stores it, not as \"key\": remove the `rename`"
            ]
        );
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python", storage = "json")]
            struct Order {
                #[redis(pk)] id: String,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "in the python layout the primary key is the document's \"pk\", as Redis OM \
              Python writes it, and serde writes `id` as \"id\": add #[serde(rename = \"pk\")] \
              to `id`"
            ]
        );
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python", storage = "json")]
            struct Order {
                #[serde(skip)] cache: u8,
                #[redis(pk)] #[serde(rename = "pk")] id: String,
                customer: String,
            }
        };
        assert_eq!(
            errors(&input),
            Vec::<String>::new(),
            "skipped fields are not written"
        );
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python", storage = "json")]
            struct Order {
                customer: String,
                #[redis(pk)] pk: String,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "in the python layout the primary key is the first member of the document, as \
              Redis OM Python writes it, and serde writes the fields in declaration order: \
              declare `pk` first"
            ]
        );
    }

    #[test]
    fn options_python_cannot_write_are_refused() {
        let input: DeriveInput = parse_quote! {
            #[redis(layout = "python")]
            struct Doc {
                #[redis(pk, index(sortable))] id: String,
                #[redis(index(text))] a: String,
                #[redis(index(full_text_search, no_stem, weight = 2.0))] b: String,
                #[redis(index(index_missing, index_empty))] c: Option<String>,
                #[redis(index(sortable, case_sensitive))] d: String,
                #[redis(index(full_text_search, case_sensitive))] e: String,
                #[redis(index(full_text_search, sortable, separator = ","))] f: String,
            }
        };
        let errors = errors(&input);
        assert_eq!(errors.len(), 8, "{errors:#?}");
        assert!(errors[0].contains("`pk TAG SEPARATOR |`, without options"));
        assert!(errors[1].contains("write index(full_text_search)"));
        assert!(errors[2].starts_with("Redis OM Python has no `no_stem`"));
        assert!(errors[3].starts_with("Redis OM Python has no `weight`"));
        assert!(errors[4].starts_with("Redis OM Python has no `index_missing`"));
        assert!(errors[5].starts_with("Redis OM Python has no `index_empty`"));
        assert!(errors[6].ends_with("remove `case_sensitive` or `sortable`"));
        assert!(errors[7].ends_with("remove `case_sensitive` or `full_text_search`"));
    }

    #[test]
    fn other_layouts_take_what_python_cannot_write() {
        for layout in ["default", "node"] {
            let input: DeriveInput = parse_quote! {
                #[redis(layout = #layout, storage = "json")]
                struct Doc {
                    customer: String,
                    #[redis(pk)] id: String,
                    #[redis(index(text, no_stem))] a: String,
                    #[redis(index(sortable, case_sensitive))] d: String,
                }
            };
            assert_eq!(errors(&input), Vec::<String>::new());
        }
    }
}
