//! Stage two: the parsed struct checked into a [`Model`], the description
//! stage three generates code from.
//!
//! Every mistake is recorded and all of them are reported together, each at
//! the span the user has to change and with the change in its message.
//! Indexes are checked in `model/index.rs`.

mod embedded;
mod index;
mod nested;
mod python;

use std::collections::HashMap;

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields, FieldsNamed, Generics, Ident, Type, Visibility};

use crate::attrs::{Encoded, FieldAttrs, Layout, Storage, StructAttrs};
use crate::ctxt::Ctxt;
use crate::index_attrs::IndexAttrs;
use crate::meta::Spanned;
use crate::serde_names::{SerdeField, SerdeStruct};

/// A struct that can be a model, checked.
pub(crate) struct Model<'a> {
    /// The struct's name.
    pub(crate) ident: &'a Ident,
    /// The name the model is known by at run time (`r#` removed).
    pub(crate) name: String,
    /// How records are stored, and where it was said (the `"json"`), when
    /// it was.
    pub(crate) storage: Spanned<Storage>,
    /// The key prefix, when one was given.
    pub(crate) prefix: Option<String>,
    /// The search index's name, when one was given.
    pub(crate) index_name: Option<String>,
    /// The time to live, in seconds, when one was given.
    pub(crate) ttl: Option<u64>,
    /// The key layout.
    pub(crate) layout: Layout,
    /// The primary key's field (also in `fields`).
    pub(crate) pk: Field<'a>,
    /// Every field, in declaration order, the primary key's and the skipped
    /// ones included.
    pub(crate) fields: Vec<Field<'a>>,
}

/// One field of a model.
#[derive(Clone)]
pub(crate) struct Field<'a> {
    /// The field's name, as written (it may be raw: `r#type`).
    pub(crate) ident: &'a Ident,
    /// The field's visibility, which its typed handle gets too.
    pub(crate) vis: &'a Visibility,
    /// The field's type, as written.
    pub(crate) ty: &'a Type,
    /// The name it is stored under: for a hash model the `rename`, else
    /// `ident` without `r#`; for a JSON model the name serde writes.
    pub(crate) stored: String,
    /// Where the stored name comes from: the `rename`, else `ident`.
    pub(crate) stored_span: Span,
    /// How it is indexed, if it is (never for a skipped field).
    pub(crate) index: Option<IndexAttrs>,
    /// What the field is to the model.
    pub(crate) role: Role,
    /// True when the type is written as an `Option<..>`.
    pub(crate) optional: bool,
    /// `encoded = "..."`: stored as one hash field of that encoding.
    pub(crate) encoded: Option<Encoded>,
    /// `embed`: an embedded struct whose indexed fields are the model's.
    pub(crate) embed: bool,
    /// `version`: the record's version (checked: stored, not the key, not
    /// encoded, the only one, in a hash model).
    pub(crate) version: bool,
    /// `autocomplete`: the field's values kept in a suggestion dictionary
    /// (checked: a stored, plain field of a model).
    pub(crate) autocomplete: bool,
}

/// What a checked struct is: a model, or a struct embedded in models
/// (`#[redis(embedded)]`).
pub(crate) enum Checked<'a> {
    /// A model, with a key and storage of its own.
    Model(Box<Model<'a>>),
    /// An embedded struct: its fields only.
    Embedded(EmbeddedStruct<'a>),
}

/// A struct embedded in JSON models, checked: its fields under serde's
/// names, none of them a key.
pub(crate) struct EmbeddedStruct<'a> {
    /// The struct's name.
    pub(crate) ident: &'a Ident,
    /// Every field, in declaration order, the skipped ones included.
    pub(crate) fields: Vec<Field<'a>>,
}

/// What a field is to the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The primary key: part of the record's key, and stored too.
    Pk,
    /// A stored field.
    Stored,
    /// Not stored (`#[redis(skip)]`, or serde's `skip` in a JSON model): a
    /// hash model reads it back as `Default::default()`.
    Skipped,
}

/// A struct that cannot be a model: the errors, and what the fallback needs
/// to write a stub `impl` that keeps uses of the model from adding their own
/// errors.
pub(crate) struct Rejected<'a> {
    /// Every mistake, combined.
    pub(crate) errors: syn::Error,
    /// `None` when the input is not a struct with named fields, which no
    /// stub can stand in for.
    pub(crate) stub: Option<Stub<'a>>,
}

/// What a stub `impl` of a rejected struct needs.
pub(crate) struct Stub<'a> {
    /// The struct's name.
    pub(crate) ident: &'a Ident,
    /// Its generics, rejected but needed to name the type.
    pub(crate) generics: &'a Generics,
    /// The primary key's type, when there is one that can be a key.
    pub(crate) pk: Option<&'a Type>,
    /// The indexed fields, whose typed handles uses of the model name.
    pub(crate) indexed: Vec<Field<'a>>,
    /// True for `#[redis(embedded)]`: the stub implements `Embedded`.
    pub(crate) embedded: bool,
}

impl<'a> Model<'a> {
    /// Checks `input`, which must be a model and not an embedded struct:
    /// the model, or every reason it is not one.
    #[cfg(test)]
    pub(crate) fn from_ast(input: &'a DeriveInput) -> Result<Model<'a>, Rejected<'a>> {
        match Model::check(input)? {
            Checked::Model(model) => Ok(*model),
            Checked::Embedded(_) => Err(Rejected {
                errors: syn::Error::new(Span::call_site(), "an embedded struct, not a model"),
                stub: None,
            }),
        }
    }

    /// Checks `input`: a model or an embedded struct, or every reason it
    /// is neither.
    pub(crate) fn check(input: &'a DeriveInput) -> Result<Checked<'a>, Rejected<'a>> {
        let mut cx = Ctxt::default();
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(fields, not_named("a tuple struct"));
                    None
                }
                Fields::Unit => {
                    cx.error(input.ident.span(), not_named("a unit struct"));
                    None
                }
            },
            Data::Enum(data) => {
                cx.error(
                    data.enum_token.span,
                    format_args!(
                        "{}; an enum of unit variants stored as one field of a model derives \
                         RedisEnum",
                        not_named("an enum")
                    ),
                );
                None
            }
            Data::Union(data) => {
                cx.error(data.union_token.span, not_named("a union"));
                None
            }
        };
        let attrs = StructAttrs::parse(&mut cx, &input.attrs);
        let Some(named) = named else {
            return Err(rejected(cx, None));
        };
        let embedded = attrs.embedded;
        if embedded.is_some() {
            embedded::check_struct(&mut cx, &attrs);
        }
        let storage = match (embedded, attrs.storage) {
            // Written by serde inside its model's document.
            (Some(span), _) => Spanned {
                value: Storage::Json,
                span,
            },
            (None, Some(storage)) => storage,
            (None, None) => Spanned {
                value: Storage::Hash,
                span: input.ident.span(),
            },
        };
        // Hash models do not use serde: its attributes mean nothing to them.
        let serde =
            (storage.value == Storage::Json).then(|| SerdeStruct::parse(&mut cx, &input.attrs));
        check_generics(&mut cx, &input.generics);
        let mut fields = fields(&mut cx, named, serde.as_ref(), embedded.is_none());
        if embedded.is_some() {
            embedded::check_fields(&mut cx, &fields);
            check_stored_names(&mut cx, &fields, storage.value);
            if cx.is_empty() {
                return Ok(Checked::Embedded(EmbeddedStruct {
                    ident: &input.ident,
                    fields,
                }));
            }
            let stub = Stub {
                ident: &input.ident,
                generics: &input.generics,
                pk: None,
                indexed: Vec::new(),
                embedded: true,
            };
            return Err(rejected(cx, Some(stub)));
        }
        let layout = attrs.layout.map_or(Layout::Default, |layout| layout.value);
        if layout == Layout::Python {
            python::check(&mut cx, storage.value, &mut fields);
        }
        if !fields.iter().any(|field| field.role == Role::Pk) {
            cx.error(
                input.ident.span(),
                "a model needs a primary key: mark one String or uuid::Uuid field with \
                 #[redis(pk)]",
            );
        }
        check_stored_names(&mut cx, &fields, storage.value);
        check_versions(&mut cx, &fields);

        // The first key; a second one is a mistake recorded in `cx`.
        let pk = fields.iter().find(|field| field.role == Role::Pk).cloned();
        match pk {
            Some(pk) if cx.is_empty() => Ok(Checked::Model(Box::new(Model {
                ident: &input.ident,
                name: input.ident.unraw().to_string(),
                storage,
                prefix: attrs.prefix.map(|prefix| prefix.value),
                index_name: attrs.index.map(|index| index.value),
                ttl: attrs.ttl.map(|ttl| ttl.value),
                layout,
                pk,
                fields,
            }))),
            pk => {
                let stub = Stub {
                    ident: &input.ident,
                    generics: &input.generics,
                    // A key type that could name the struct's parameters
                    // (`&'a str`) would fail in the stub too.
                    pk: pk
                        .filter(|pk| !pk.optional && input.generics.params.is_empty())
                        .map(|pk| pk.ty),
                    // Handles of a generic struct would name its
                    // parameters, which the stub does not bound.
                    indexed: if input.generics.params.is_empty() {
                        fields.into_iter().filter(|f| f.index.is_some()).collect()
                    } else {
                        Vec::new()
                    },
                    embedded: false,
                };
                Err(rejected(cx, Some(stub)))
            }
        }
    }
}

fn rejected<'a>(cx: Ctxt, stub: Option<Stub<'a>>) -> Rejected<'a> {
    let errors = match cx.check() {
        Err(errors) => errors,
        // Only called after an error was recorded; this keeps the macro
        // from panicking if that ever changes.
        Ok(()) => syn::Error::new(Span::call_site(), "RedisModel cannot be derived here"),
    };
    Rejected { errors, stub }
}

fn not_named(what: &str) -> String {
    format!(
        "RedisModel cannot be derived for {what}: a model is a struct with named fields, \
         such as `struct User {{ #[redis(pk)] id: String, name: String }}`"
    )
}

/// The fields in declaration order, with their roles; mistakes in their
/// attributes go to `cx`. `serde` is the struct's serde attributes, for a
/// JSON model; `handles` is false for an embedded struct, which has no
/// handles whose names could clash.
fn fields<'a>(
    cx: &mut Ctxt,
    named: &'a FieldsNamed,
    serde: Option<&SerdeStruct>,
    handles: bool,
) -> Vec<Field<'a>> {
    let mut fields = Vec::with_capacity(named.named.len());
    let mut pk: Option<&Ident> = None;
    for field in &named.named {
        // Fields::Named guarantees a name; a nameless one is skipped rather
        // than unwrapped, as a macro must not panic.
        let Some(ident) = &field.ident else { continue };
        let attrs = FieldAttrs::parse(cx, &field.attrs);
        let optional = is_option(&field.ty);
        let (stored, stored_span, serde_skip) = match serde {
            Some(container) => json_name(cx, container, ident, &attrs, &field.attrs),
            None => match &attrs.rename {
                Some(rename) => (rename.value.clone(), rename.span, None),
                None => (ident.unraw().to_string(), ident.span(), None),
            },
        };
        let skip = attrs.skip.map(|span| Spanned {
            value: "skip".to_owned(),
            span,
        });
        let skip = skip.or(serde_skip);
        let role = role(cx, &attrs, skip.as_ref(), ident, &mut pk);
        if role == Role::Pk && optional {
            cx.error_spanned_by(
                &field.ty,
                "the primary key cannot be an Option: a key that is not set yet is an empty \
                 String or the nil Uuid, generated when the record is saved; \
                 use `String` or `uuid::Uuid`",
            );
        }
        let storage = if serde.is_some() {
            Storage::Json
        } else {
            Storage::Hash
        };
        let (encoded, embed) = nested::check(cx, storage, &attrs, role, skip.as_ref());
        let version = check_version(cx, &attrs, role, skip.as_ref(), handles);
        let autocomplete = check_autocomplete(cx, &attrs, skip.as_ref(), handles);
        let index = match (attrs.index, &skip) {
            (Some(index), Some(skip)) => {
                cx.error(
                    index.span,
                    format_args!(
                        "a skipped field is not stored, so it cannot be indexed: remove `index` \
                         or `{}`",
                        skip.value
                    ),
                );
                None
            }
            (Some(index), None) => {
                index::check(cx, ident, &field.ty, &index);
                if handles {
                    check_handle_name(cx, ident, serde.is_some());
                }
                Some(index)
            }
            (None, _) => None,
        };
        // An embedded struct's handles are named like the field too.
        if embed && handles && index.is_none() {
            check_handle_name(cx, ident, serde.is_some());
        }
        // Refused with `encoded` and `embed` (recorded above): the stub's
        // handles must not name an index that is not there.
        let index = index.filter(|_| encoded.is_none() && !embed);
        fields.push(Field {
            ident,
            vis: &field.vis,
            ty: &field.ty,
            stored,
            stored_span,
            index,
            role,
            optional,
            encoded,
            embed,
            version,
            autocomplete,
        });
    }
    fields
}

/// A JSON model's field: the name serde writes it under, where that name
/// comes from, and serde's `skip`, if given.
fn json_name(
    cx: &mut Ctxt,
    container: &SerdeStruct,
    ident: &Ident,
    attrs: &FieldAttrs,
    field_attrs: &[syn::Attribute],
) -> (String, Span, Option<Spanned<String>>) {
    if let Some(rename) = &attrs.rename {
        cx.error(
            rename.span,
            "a JSON model's field names are serde's: use #[serde(rename = \"...\")]",
        );
    }
    let serde = SerdeField::parse(cx, container, ident, field_attrs);
    if let Some(flatten) = serde.flatten {
        cx.error(
            flatten,
            "flattened fields are not supported in models yet: list the nested struct's \
             fields in the model, or keep it one field without #[serde(flatten)]",
        );
    }
    let span = serde
        .rename
        .as_ref()
        .map_or(ident.span(), |rename| rename.span);
    (serde.stored_name(container, ident), span, serde.skip)
}

/// An indexed field's handle is an associated function named like the
/// field: one named like a method of `Model` would hide it
/// (`Product::info()` would return the handle).
fn check_handle_name(cx: &mut Ctxt, ident: &Ident, json: bool) {
    let name = ident.unraw().to_string();
    if name != "info" && name != "pk" {
        return;
    }
    let keep = if json {
        format!("#[serde(rename = \"{name}\")]")
    } else {
        format!("#[redis(rename = \"{name}\")]")
    };
    cx.error(
        ident.span(),
        format_args!(
            "an indexed or embedded field's handle is named like the field, and `{name}()` would hide \
             Model::{name}(): give the field another name, and keep its stored name with {keep}"
        ),
    );
}

fn check_generics(cx: &mut Ctxt, generics: &Generics) {
    if generics.params.is_empty() {
        return;
    }
    let lifetimes_only =
        generics.type_params().next().is_none() && generics.const_params().next().is_none();
    let fix = if lifetimes_only {
        "a model owns its data, as it is loaded from Redis: use owned types such as String \
         instead of &'a str and remove the lifetime"
    } else {
        "a model has one static description and one key prefix, shared by every instantiation: \
         remove the parameters and use concrete field types"
    };
    cx.error_spanned_by(
        &generics.params,
        format_args!("RedisModel does not support generic structs: {fix}"),
    );
}

/// The field's role; a conflict between its flags (`skip` is the redis or
/// the serde one), or with a primary key found before, is recorded in `cx`.
fn role<'a>(
    cx: &mut Ctxt,
    attrs: &FieldAttrs,
    skip: Option<&Spanned<String>>,
    ident: &'a Ident,
    pk: &mut Option<&'a Ident>,
) -> Role {
    if let (Some(_), Some(skip)) = (attrs.pk, skip) {
        cx.error(
            skip.span,
            format_args!(
                "the primary key is always stored, so it cannot be skipped: remove `{}` or `pk`",
                skip.value
            ),
        );
    }
    if let (Some(rename), Some(_)) = (&attrs.rename, attrs.skip) {
        cx.error(
            rename.span,
            "a skipped field is not stored, so it has no stored name: remove `rename` or `skip`",
        );
    }
    match (attrs.pk, skip) {
        (Some(span), _) => {
            if let Some(first) = pk {
                cx.error(
                    span,
                    format_args!(
                        "a model has one primary key, and `{}` is already marked #[redis(pk)]: \
                         remove one of the two",
                        first.unraw()
                    ),
                );
                Role::Stored
            } else {
                *pk = Some(ident);
                Role::Pk
            }
        }
        (None, Some(_)) => Role::Skipped,
        (None, None) => Role::Stored,
    }
}

/// Whether the field is the model's version: the mistakes of a `version`
/// flag go to `cx` (the flag is then ignored).
fn check_version(
    cx: &mut Ctxt,
    attrs: &FieldAttrs,
    role: Role,
    skip: Option<&Spanned<String>>,
    model: bool,
) -> bool {
    let Some(span) = attrs.version else {
        return false;
    };
    let why = if !model {
        Some("an embedded struct has no version of its own: put #[redis(version)] on a field of the model".to_owned())
    } else if role == Role::Pk {
        Some(
            "the primary key cannot be the version: mark another field (a u64) #[redis(version)]"
                .to_owned(),
        )
    } else if let Some(skip) = skip {
        Some(format!(
            "a skipped field is not stored, so it cannot be the version: remove `version` or `{}`",
            skip.value
        ))
    } else if attrs.encoded.is_some() {
        Some(
            "the version is stored as a plain integer, so it cannot be encoded: remove `encoded`"
                .to_owned(),
        )
    } else if attrs.embed.is_some() {
        Some("the version is an integer, not an embedded struct: remove `embed`".to_owned())
    } else {
        None
    };
    match why {
        Some(why) => {
            cx.error(span, why);
            false
        }
        None => true,
    }
}

/// Whether the field's values are kept for autocomplete: the mistakes of
/// an `autocomplete` flag go to `cx` (the flag is then ignored). Its type
/// is checked where the derive uses it (`SuggestionText`).
fn check_autocomplete(
    cx: &mut Ctxt,
    attrs: &FieldAttrs,
    skip: Option<&Spanned<String>>,
    model: bool,
) -> bool {
    let Some(span) = attrs.autocomplete else {
        return false;
    };
    let why = if !model {
        Some(
            "an embedded struct has no suggestion dictionary of its own: put \
             #[redis(autocomplete)] on a String field of the model"
                .to_owned(),
        )
    } else if let Some(skip) = skip {
        Some(format!(
            "a skipped field is not stored, so it has nothing to suggest: remove `autocomplete` \
             or `{}`",
            skip.value
        ))
    } else if attrs.encoded.is_some() || attrs.embed.is_some() {
        Some("an autocomplete field holds a String: remove `encoded` or `embed`".to_owned())
    } else {
        None
    };
    match why {
        Some(why) => {
            cx.error(span, why);
            false
        }
        None => true,
    }
}

/// A model has at most one version field: the second is reported.
fn check_versions(cx: &mut Ctxt, fields: &[Field<'_>]) {
    let mut first: Option<&Ident> = None;
    for field in fields.iter().filter(|field| field.version) {
        match first {
            Some(first) => cx.error(
                field.ident.span(),
                format_args!(
                    "a model has one version field, and `{}` is already marked \
                     #[redis(version)]: remove one of the two",
                    first.unraw()
                ),
            ),
            None => first = Some(field.ident),
        }
    }
}

/// Two stored fields under one name would overwrite each other: the second
/// is reported, at its `rename` if it has one.
fn check_stored_names(cx: &mut Ctxt, fields: &[Field<'_>], storage: Storage) {
    let attribute = match storage {
        Storage::Hash => "redis",
        Storage::Json => "serde",
    };
    let mut first_by_name: HashMap<&str, &Ident> = HashMap::new();
    for field in fields {
        if field.role == Role::Skipped {
            continue;
        }
        if let Some(first) = first_by_name.get(field.stored.as_str()) {
            cx.error(
                field.stored_span,
                format_args!(
                    "`{}` and `{}` are both stored as \"{}\": give one of them another \
                     #[{attribute}(rename = \"...\")]",
                    first.unraw(),
                    field.ident.unraw(),
                    field.stored
                ),
            );
        } else {
            first_by_name.insert(&field.stored, field.ident);
        }
    }
}

/// True for a type written as `Option<..>`, under any path
/// (`std::option::Option<..>` too). Types are not resolved in a macro: an
/// alias of `Option` is not seen, and a struct of one's own named `Option`
/// would be; `FieldInfo::optional` only informs the schema, the encoding
/// follows the real type.
pub(crate) fn is_option(ty: &Type) -> bool {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Option"),
        Type::Group(group) => is_option(&group.elem),
        Type::Paren(paren) => is_option(&paren.elem),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors(input: &DeriveInput) -> Vec<String> {
        match Model::from_ast(input) {
            Ok(_) => Vec::new(),
            Err(rejected) => rejected.errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_model_keeps_its_fields_in_order() {
        let input: DeriveInput = parse_quote! {
            #[redis(prefix = "u", ttl = 5)]
            struct r#User {
                name: String,
                #[redis(pk, rename = "key")] id: String,
                r#type: Option<u8>,
                #[redis(skip)] cache: Vec<u8>,
            }
        };
        let Ok(model) = Model::from_ast(&input) else {
            panic!("{:?}", errors(&input));
        };
        assert_eq!(model.name, "User");
        assert_eq!(model.prefix.as_deref(), Some("u"));
        assert_eq!(model.ttl, Some(5));
        let summary: Vec<_> = model
            .fields
            .iter()
            .map(|f| (f.ident.to_string(), f.stored.as_str(), f.role, f.optional))
            .collect();
        assert_eq!(
            summary,
            [
                ("name".to_owned(), "name", Role::Stored, false),
                ("id".to_owned(), "key", Role::Pk, false),
                ("r#type".to_owned(), "type", Role::Stored, true),
                ("cache".to_owned(), "cache", Role::Skipped, false),
            ]
        );
        assert_eq!(model.pk.ident, "id");
    }

    #[test]
    fn a_version_field_is_marked_and_its_mistakes_reported() {
        let input: DeriveInput = parse_quote! {
            struct Account {
                #[redis(pk)] id: String,
                #[redis(version, rename = "v")] version: u64,
            }
        };
        let Ok(model) = Model::from_ast(&input) else {
            panic!("{:?}", errors(&input));
        };
        let versions: Vec<_> = model.fields.iter().map(|f| f.version).collect();
        assert_eq!(versions, [false, true]);
        let input: DeriveInput = parse_quote! {
            struct Account {
                #[redis(pk, version)] id: String,
                #[redis(version, skip)] a: u64,
                #[redis(version)] b: u64,
                #[redis(version)] c: u64,
            }
        };
        let errors = errors(&input);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("primary key cannot be the version"));
        assert!(errors[1].contains("skipped field"));
        assert!(errors[2].contains("`b` is already marked"));
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let input: DeriveInput = parse_quote! {
            #[redis(ttl = 0)]
            struct User<T> {
                #[redis(pk, skip)] id: String,
                #[redis(pk)] other: String,
                #[redis(rename = "x", skip)] cache: T,
                a: u8,
                #[redis(rename = "a")] b: u8,
            }
        };
        let errors = errors(&input);
        assert_eq!(errors.len(), 6, "{errors:#?}");
        assert!(errors[0].contains("at least 1 second"));
        assert!(errors[1].starts_with("RedisModel does not support generic structs"));
        assert!(errors[2].contains("cannot be skipped"));
        assert!(errors[3].contains("`id` is already marked"));
        assert!(errors[4].contains("has no stored name"));
        assert!(errors[5].contains("`a` and `b` are both stored as \"a\""));
    }

    #[test]
    fn a_json_model_stores_fields_under_serde_names() {
        let input: DeriveInput = parse_quote! {
            #[redis(storage = "json", index = "docs")]
            #[serde(rename_all = "PascalCase")]
            struct Doc {
                #[redis(pk)] #[serde(rename = "_id")] id: String,
                first_name: String,
                #[serde(skip_serializing)] cache: Vec<u8>,
                #[redis(skip)] other: u8,
                #[serde(default)] r#type: Option<u8>,
            }
        };
        let Ok(model) = Model::from_ast(&input) else {
            panic!("{:?}", errors(&input));
        };
        assert_eq!(model.storage.value, Storage::Json);
        assert_eq!(model.index_name.as_deref(), Some("docs"));
        assert_eq!(model.pk.stored, "_id");
        let summary: Vec<_> = model
            .fields
            .iter()
            .map(|f| (f.stored.as_str(), f.role))
            .collect();
        assert_eq!(
            summary,
            [
                ("_id", Role::Pk),
                ("FirstName", Role::Stored),
                ("Cache", Role::Skipped),
                ("Other", Role::Skipped),
                ("Type", Role::Stored),
            ]
        );
    }

    #[test]
    fn a_hash_model_ignores_serde() {
        let input: DeriveInput = parse_quote! {
            #[serde(rename_all = "camelCase")]
            struct User {
                #[redis(pk)] id: String,
                #[serde(rename = "n", skip, flatten)] first_name: String,
            }
        };
        let Ok(model) = Model::from_ast(&input) else {
            panic!("{:?}", errors(&input));
        };
        assert_eq!(model.fields[1].stored, "first_name");
        assert_eq!(model.fields[1].role, Role::Stored);
    }

    #[test]
    fn json_mistakes_are_reported_with_the_serde_fix() {
        let input: DeriveInput = parse_quote! {
            #[redis(storage = "json")]
            struct Doc {
                #[redis(pk)] #[serde(skip)] id: String,
                #[redis(rename = "n")] name: String,
                #[serde(flatten)] extra: Extra,
                #[serde(rename = "a")] b: u8,
                a: u8,
                #[serde(skip)] #[redis(index)] c: u8,
            }
        };
        assert_eq!(
            errors(&input),
            [
                "the primary key is always stored, so it cannot be skipped: remove `skip` or `pk`",
                "a JSON model's field names are serde's: use #[serde(rename = \"...\")]",
                "flattened fields are not supported in models yet: list the nested struct's \
                 fields in the model, or keep it one field without #[serde(flatten)]",
                "a skipped field is not stored, so it cannot be indexed: remove `index` or `skip`",
                "`b` and `a` are both stored as \"a\": give one of them another \
                 #[serde(rename = \"...\")]",
            ]
        );
    }

    #[test]
    fn a_handle_must_not_hide_a_method_of_model() {
        let input: DeriveInput = parse_quote! {
            struct Doc {
                #[redis(pk, index)] pk: String,
                #[redis(index)] r#info: String,
                info_text: String,
            }
        };
        let errors = errors(&input);
        assert_eq!(errors.len(), 2, "{errors:#?}");
        assert!(errors[0].contains("`pk()` would hide Model::pk()"));
        assert!(errors[1].ends_with("with #[redis(rename = \"info\")]"));
    }

    #[test]
    fn a_model_needs_one_primary_key_that_is_not_an_option() {
        let input: DeriveInput = parse_quote!(
            struct User {
                name: String,
            }
        );
        assert_eq!(
            errors(&input),
            ["a model needs a primary key: mark one String or uuid::Uuid field with #[redis(pk)]"]
        );
        let input: DeriveInput = parse_quote!(
            struct User {
                #[redis(pk)]
                id: Option<String>,
            }
        );
        let Err(rejected) = Model::from_ast(&input) else {
            panic!("accepted")
        };
        assert!(
            rejected
                .errors
                .to_string()
                .starts_with("the primary key cannot be an Option")
        );
        // The stub must not name a type that is no key, or it adds an error.
        assert!(rejected.stub.unwrap().pk.is_none());
    }

    #[test]
    fn only_structs_with_named_fields_are_models() {
        for input in [
            parse_quote!(
                enum E {
                    A,
                }
            ),
            parse_quote!(
                struct T(String);
            ),
            parse_quote!(
                struct U;
            ),
            parse_quote!(union N { a: u8 }),
        ] {
            let input: DeriveInput = input;
            let Err(rejected) = Model::from_ast(&input) else {
                panic!("accepted")
            };
            assert!(rejected.stub.is_none());
            let text = rejected.errors.to_string();
            assert!(
                text.starts_with("RedisModel cannot be derived for"),
                "{text}"
            );
        }
    }

    #[test]
    fn options_are_seen_by_their_last_segment() {
        assert!(is_option(&parse_quote!(Option<u8>)));
        assert!(is_option(&parse_quote!(::std::option::Option<String>)));
        assert!(!is_option(&parse_quote!(Vec<Option<u8>>)));
        assert!(!is_option(&parse_quote!(<T as Tr>::Option)));
    }
}
