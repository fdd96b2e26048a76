//! Stage one: `#[redis(...)]` on the struct and on its fields, parsed into
//! plain values that keep the spans later errors point at.
//!
//! A field's `index(...)` is parsed in `index_attrs`, and the serde
//! attributes a JSON model's names depend on in `serde_names`.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Lit, LitInt, LitStr};

use crate::ctxt::Ctxt;
use crate::index_attrs::IndexAttrs;
use crate::meta::{Seen, Spanned, flag, key_name, literal, required_value, string_value};

/// How records are stored (`#[redis(storage = "...")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Storage {
    /// One Redis hash per record.
    Hash,
    /// One RedisJSON document per record, through serde.
    Json,
}

/// How keys, the index and its schema are named and written
/// (`#[redis(layout = "...")]`): `redis_om::Layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// This crate's own.
    Default,
    /// Exactly what Redis OM Python 1.1 writes.
    Python,
    /// Redis OM Node 0.4's names.
    Node,
}

/// How an encoded field is written (`#[redis(encoded = "...")]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoded {
    /// JSON text.
    Json,
    /// MessagePack bytes.
    MsgPack,
}

/// The attributes of the struct itself.
#[derive(Debug, Default)]
pub(crate) struct StructAttrs {
    /// `embedded`: a struct nested in JSON models, with no key of its own.
    pub(crate) embedded: Option<Span>,
    /// `storage = "hash"` or `storage = "json"`.
    pub(crate) storage: Option<Spanned<Storage>>,
    /// `prefix = "user"`, without the colon.
    pub(crate) prefix: Option<Spanned<String>>,
    /// `index = "users"`: the search index's name.
    pub(crate) index: Option<Spanned<String>>,
    /// `ttl = 60`, in seconds, never zero.
    pub(crate) ttl: Option<Spanned<u64>>,
    /// `layout = "python"`.
    pub(crate) layout: Option<Spanned<Layout>>,
}

/// The attributes of one field. Flags keep the span of their key, so that a
/// conflict between two of them points at the one to remove.
#[derive(Debug, Default)]
pub(crate) struct FieldAttrs {
    /// `pk`.
    pub(crate) pk: Option<Span>,
    /// `rename = "stored_name"`.
    pub(crate) rename: Option<Spanned<String>>,
    /// `skip`.
    pub(crate) skip: Option<Span>,
    /// `index` or `index(...)`.
    pub(crate) index: Option<IndexAttrs>,
    /// `encoded = "json"` or `encoded = "msgpack"`.
    pub(crate) encoded: Option<Spanned<Encoded>>,
    /// `embed`: an embedded struct (or a `Vec` of them) whose indexed fields
    /// the model's index includes.
    pub(crate) embed: Option<Span>,
    /// `version`: the record's version, for optimistic concurrency.
    pub(crate) version: Option<Span>,
    /// `autocomplete`: the field's values kept in a suggestion dictionary.
    pub(crate) autocomplete: Option<Span>,
}

const STRUCT_KEYS: &str = "`storage`, `prefix`, `index`, `ttl`, `layout` or `embedded`";
const FIELD_KEYS: &str =
    "`pk`, `rename`, `skip`, `index`, `encoded`, `embed`, `version` or `autocomplete`";

impl StructAttrs {
    /// The struct's `#[redis(...)]` attributes; mistakes go to `cx`.
    pub(crate) fn parse(cx: &mut Ctxt, attrs: &[Attribute]) -> StructAttrs {
        let mut parsed = StructAttrs::default();
        let mut seen = Seen::default();
        for attr in redis_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                let key = key_name(&meta);
                match key.as_str() {
                    "storage" => {
                        let value = string_value(cx, &meta, "storage = \"hash\"")?;
                        let storage = value.and_then(|lit| storage(cx, &lit));
                        seen.set(cx, &meta, &mut parsed.storage, storage);
                    }
                    "prefix" => {
                        let value = string_value(cx, &meta, "prefix = \"user\"")?;
                        let prefix = value.and_then(|lit| prefix(cx, &lit));
                        seen.set(cx, &meta, &mut parsed.prefix, prefix);
                    }
                    "index" => {
                        let value = string_value(cx, &meta, "index = \"users\"")?;
                        let index = value.and_then(|lit| index_name(cx, &lit));
                        seen.set(cx, &meta, &mut parsed.index, index);
                    }
                    "ttl" => {
                        let ttl = ttl_value(cx, &meta)?;
                        seen.set(cx, &meta, &mut parsed.ttl, ttl);
                    }
                    "layout" => {
                        let value = string_value(cx, &meta, "layout = \"python\"")?;
                        let layout = value.and_then(|lit| layout(cx, &lit));
                        seen.set(cx, &meta, &mut parsed.layout, layout);
                    }
                    "embedded" => {
                        let embedded = flag(cx, &meta, "#[redis(embedded)]")?;
                        seen.set(cx, &meta, &mut parsed.embedded, embedded);
                    }
                    "pk" | "rename" | "skip" | "encoded" | "embed" | "version" | "autocomplete" => {
                        return Err(meta.error(format_args!(
                            "`{key}` goes on a field, not on the struct: \
                             the struct takes {STRUCT_KEYS}"
                        )));
                    }
                    _ => {
                        return Err(meta.error(format_args!(
                            "unknown redis attribute `{key}` on a struct: expected {STRUCT_KEYS}"
                        )));
                    }
                }
                Ok(())
            });
            if let Err(error) = result {
                cx.syn_error(error);
            }
        }
        parsed
    }
}

impl FieldAttrs {
    /// A field's `#[redis(...)]` attributes; mistakes go to `cx`.
    pub(crate) fn parse(cx: &mut Ctxt, attrs: &[Attribute]) -> FieldAttrs {
        let mut parsed = FieldAttrs::default();
        let mut seen = Seen::default();
        for attr in redis_attrs(attrs) {
            let result = attr.parse_nested_meta(|meta| {
                let key = key_name(&meta);
                match key.as_str() {
                    "pk" => {
                        let pk = flag(cx, &meta, "#[redis(pk)]")?;
                        seen.set(cx, &meta, &mut parsed.pk, pk);
                    }
                    "skip" => {
                        let skip = flag(cx, &meta, "#[redis(skip)]")?;
                        seen.set(cx, &meta, &mut parsed.skip, skip);
                    }
                    "rename" => {
                        let value = string_value(cx, &meta, "rename = \"stored_name\"")?;
                        let rename = value.and_then(|lit| rename(cx, &lit));
                        seen.set(cx, &meta, &mut parsed.rename, rename);
                    }
                    "index" => {
                        // Read even when given twice, so that the rest of
                        // the list is read too.
                        let index = IndexAttrs::parse(cx, &meta)?;
                        seen.set(cx, &meta, &mut parsed.index, Some(index));
                    }
                    "encoded" => {
                        let value = string_value(cx, &meta, "encoded = \"json\"")?;
                        let encoded = value.and_then(|lit| encoded(cx, &lit));
                        seen.set(cx, &meta, &mut parsed.encoded, encoded);
                    }
                    "embed" => {
                        let embed = flag(cx, &meta, "#[redis(embed)]")?;
                        seen.set(cx, &meta, &mut parsed.embed, embed);
                    }
                    "version" => {
                        let version = flag(cx, &meta, "#[redis(version)]")?;
                        seen.set(cx, &meta, &mut parsed.version, version);
                    }
                    "autocomplete" => {
                        let autocomplete = flag(cx, &meta, "#[redis(autocomplete)]")?;
                        seen.set(cx, &meta, &mut parsed.autocomplete, autocomplete);
                    }
                    "storage" | "prefix" | "ttl" | "layout" | "embedded" => {
                        return Err(meta.error(format_args!(
                            "`{key}` goes on the struct, not on a field: \
                             a field takes {FIELD_KEYS}"
                        )));
                    }
                    _ => {
                        return Err(meta.error(format_args!(
                            "unknown redis attribute `{key}` on a field: expected {FIELD_KEYS}"
                        )));
                    }
                }
                Ok(())
            });
            if let Err(error) = result {
                cx.syn_error(error);
            }
        }
        parsed
    }
}

fn redis_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("redis"))
}

fn ttl_value(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<Spanned<u64>>> {
    let value = required_value(meta, "ttl", "ttl = 3600")?;
    let Some(Lit::Int(lit)) = literal(&value) else {
        cx.error_spanned_by(
            value,
            "`ttl` takes a whole number of seconds: write ttl = 3600",
        );
        return Ok(None);
    };
    Ok(ttl(cx, lit))
}

fn storage(cx: &mut Ctxt, lit: &LitStr) -> Option<Spanned<Storage>> {
    let value = match lit.value().as_str() {
        "hash" => Storage::Hash,
        "json" => Storage::Json,
        other => {
            cx.error(
                lit.span(),
                format_args!("unknown storage {other:?}: the choices are \"hash\" and \"json\""),
            );
            return None;
        }
    };
    Some(Spanned {
        value,
        span: lit.span(),
    })
}

fn encoded(cx: &mut Ctxt, lit: &LitStr) -> Option<Spanned<Encoded>> {
    let value = match lit.value().as_str() {
        "json" => Encoded::Json,
        "msgpack" => Encoded::MsgPack,
        other => {
            cx.error(
                lit.span(),
                format_args!(
                    "unknown encoding {other:?}: the choices are \"json\" (JSON text) and \
                     \"msgpack\" (MessagePack bytes)"
                ),
            );
            return None;
        }
    };
    Some(Spanned {
        value,
        span: lit.span(),
    })
}

fn layout(cx: &mut Ctxt, lit: &LitStr) -> Option<Spanned<Layout>> {
    let value = match lit.value().as_str() {
        "default" => Layout::Default,
        "python" => Layout::Python,
        "node" => Layout::Node,
        other => {
            cx.error(
                lit.span(),
                format_args!(
                    "unknown layout {other:?}: the choices are \"default\", \"python\" \
                     (Redis OM Python 1.1) and \"node\" (Redis OM Node 0.4)"
                ),
            );
            return None;
        }
    };
    Some(Spanned {
        value,
        span: lit.span(),
    })
}

fn index_name(cx: &mut Ctxt, lit: &LitStr) -> Option<Spanned<String>> {
    let value = lit.value();
    if value.is_empty() {
        cx.error(
            lit.span(),
            "the index name is empty: leave `index` out to name the index after the prefix, \
             or give one",
        );
        return None;
    }
    if value.chars().any(char::is_whitespace) {
        cx.error(
            lit.span(),
            format_args!("the index name {value:?} contains whitespace: index names are one word"),
        );
        return None;
    }
    Some(Spanned {
        value,
        span: lit.span(),
    })
}

fn prefix(cx: &mut Ctxt, lit: &LitStr) -> Option<Spanned<String>> {
    let value = lit.value();
    if value.is_empty() {
        cx.error(
            lit.span(),
            "the prefix is empty: leave `prefix` out to use the struct's name, or give one",
        );
        return None;
    }
    if value.chars().any(char::is_whitespace) {
        cx.error(
            lit.span(),
            format_args!("the prefix {value:?} contains whitespace: key prefixes are one word"),
        );
        return None;
    }
    if let Some(without) = value.strip_suffix(':') {
        cx.error(
            lit.span(),
            format_args!(
                "the prefix ends with ':', which is added for you (keys are `{{prefix}}:{{pk}}`): \
                 write prefix = {without:?}"
            ),
        );
        return None;
    }
    Some(Spanned {
        value,
        span: lit.span(),
    })
}

fn ttl(cx: &mut Ctxt, lit: &LitInt) -> Option<Spanned<u64>> {
    match lit.base10_parse::<u64>() {
        Ok(0) => {
            cx.error(
                lit.span(),
                "`ttl` must be at least 1 second: leave it out for records that never expire",
            );
            None
        }
        Ok(seconds) => Some(Spanned {
            value: seconds,
            span: lit.span(),
        }),
        Err(error) => {
            cx.error(
                lit.span(),
                format_args!("`ttl` takes a whole number of seconds that fits a u64: {error}"),
            );
            None
        }
    }
}

fn rename(cx: &mut Ctxt, lit: &LitStr) -> Option<Spanned<String>> {
    let value = lit.value();
    if value.is_empty() {
        cx.error(
            lit.span(),
            "the stored name is empty: give a name, or leave `rename` out to store the field under its own",
        );
        return None;
    }
    Some(Spanned {
        value,
        span: lit.span(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors(cx: Ctxt) -> Vec<String> {
        match cx.check() {
            Ok(()) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    fn struct_attrs(attrs: &[Attribute]) -> (StructAttrs, Vec<String>) {
        let mut cx = Ctxt::default();
        let parsed = StructAttrs::parse(&mut cx, attrs);
        (parsed, errors(cx))
    }

    fn field_attrs(attrs: &[Attribute]) -> (FieldAttrs, Vec<String>) {
        let mut cx = Ctxt::default();
        let parsed = FieldAttrs::parse(&mut cx, attrs);
        (parsed, errors(cx))
    }

    #[test]
    fn struct_attributes_are_read() {
        let (parsed, errors) = struct_attrs(&[
            parse_quote!(#[redis(prefix = "user", ttl = 60)]),
            parse_quote!(#[doc = "not ours"]),
            parse_quote!(#[redis(storage = "json", index = "users-v2", layout = "python")]),
        ]);
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(parsed.prefix.unwrap().value, "user");
        assert_eq!(parsed.ttl.unwrap().value, 60);
        assert_eq!(parsed.storage.unwrap().value, Storage::Json);
        assert_eq!(parsed.index.unwrap().value, "users-v2");
        assert_eq!(parsed.layout.unwrap().value, Layout::Python);
        for (written, layout) in [("default", Layout::Default), ("node", Layout::Node)] {
            let (parsed, errors) = struct_attrs(&[parse_quote!(#[redis(layout = #written)])]);
            assert_eq!(errors, Vec::<String>::new());
            assert_eq!(parsed.layout.unwrap().value, layout);
        }
        let (parsed, _) = struct_attrs(&[parse_quote!(#[redis(storage = "hash")])]);
        assert_eq!(parsed.storage.unwrap().value, Storage::Hash);
    }

    #[test]
    fn field_attributes_are_read() {
        let (parsed, errors) = field_attrs(&[parse_quote!(#[redis(pk, rename = "key")])]);
        assert_eq!(errors, Vec::<String>::new());
        assert!(parsed.pk.is_some() && parsed.skip.is_none());
        assert_eq!(parsed.rename.unwrap().value, "key");
        let (parsed, errors) = field_attrs(&[parse_quote!(#[redis(skip)])]);
        assert_eq!(errors, Vec::<String>::new());
        assert!(parsed.skip.is_some() && parsed.index.is_none());
        let (parsed, errors) = field_attrs(&[parse_quote!(#[redis(index(sortable), pk)])]);
        assert_eq!(errors, Vec::<String>::new());
        assert!(parsed.pk.is_some());
        assert!(parsed.index.unwrap().sortable.is_some());
        let (parsed, errors) = field_attrs(&[parse_quote!(#[redis(encoded = "msgpack", embed)])]);
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(parsed.encoded.unwrap().value, Encoded::MsgPack);
        assert!(parsed.embed.is_some());
        let (parsed, errors) = field_attrs(&[parse_quote!(#[redis(encoded = "json")])]);
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(parsed.encoded.unwrap().value, Encoded::Json);
        let (parsed, errors) = struct_attrs(&[parse_quote!(#[redis(embedded)])]);
        assert_eq!(errors, Vec::<String>::new());
        assert!(parsed.embedded.is_some());
    }

    #[test]
    fn an_encoding_is_one_of_two_strings() {
        let (parsed, errors) = field_attrs(&[parse_quote!(#[redis(encoded = "bincode")])]);
        assert_eq!(
            errors,
            [
                "unknown encoding \"bincode\": the choices are \"json\" (JSON text) and \
                 \"msgpack\" (MessagePack bytes)"
            ]
        );
        assert!(parsed.encoded.is_none());
        let (_, errors) = field_attrs(&[parse_quote!(#[redis(embed = true)])]);
        assert_eq!(errors, ["`embed` takes no value: write #[redis(embed)]"]);
        let (_, errors) = struct_attrs(&[parse_quote!(#[redis(encoded = "json")])]);
        assert!(
            errors[0].starts_with("`encoded` goes on a field"),
            "{errors:?}"
        );
    }

    #[test]
    fn wrong_values_are_all_reported() {
        let (parsed, errors) = struct_attrs(&[parse_quote!(
            #[redis(storage = 1, prefix = "user:", ttl = "60")]
        )]);
        assert_eq!(
            errors,
            [
                "`storage` takes a string: write storage = \"hash\"",
                "the prefix ends with ':', which is added for you (keys are `{prefix}:{pk}`): \
                 write prefix = \"user\"",
                "`ttl` takes a whole number of seconds: write ttl = 3600",
            ]
        );
        assert!(parsed.storage.is_none() && parsed.prefix.is_none() && parsed.ttl.is_none());
    }

    #[test]
    fn values_out_of_range_are_refused() {
        let (_, errors) = struct_attrs(&[parse_quote!(
            #[redis(storage = "list", prefix = "", ttl = 0, index = "")]
        )]);
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(
            errors[0].contains("the choices are \"hash\" and \"json\""),
            "{errors:?}"
        );
        assert!(errors[1].contains("empty"), "{errors:?}");
        assert!(errors[2].contains("at least 1 second"), "{errors:?}");
        assert!(
            errors[3].starts_with("the index name is empty"),
            "{errors:?}"
        );
        let (_, errors) = struct_attrs(&[parse_quote!(#[redis(index = "my users")])]);
        assert_eq!(
            errors,
            ["the index name \"my users\" contains whitespace: index names are one word"]
        );
        let (_, errors) = struct_attrs(&[parse_quote!(#[redis(prefix = "my users", ttl = -5)])]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        let (_, errors) = field_attrs(&[parse_quote!(#[redis(rename = "")])]);
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn a_layout_is_one_of_three_strings() {
        let (parsed, errors) = struct_attrs(&[parse_quote!(#[redis(layout = "Python")])]);
        assert_eq!(
            errors,
            [
                "unknown layout \"Python\": the choices are \"default\", \"python\" \
                 (Redis OM Python 1.1) and \"node\" (Redis OM Node 0.4)"
            ]
        );
        assert!(parsed.layout.is_none());
        let (_, errors) = struct_attrs(&[parse_quote!(#[redis(layout = python)])]);
        assert_eq!(
            errors,
            ["`layout` takes a string: write layout = \"python\""]
        );
        let (_, errors) = field_attrs(&[parse_quote!(#[redis(layout = "python")])]);
        assert!(
            errors[0].starts_with("`layout` goes on the struct"),
            "{errors:?}"
        );
    }

    #[test]
    fn unknown_keys_name_the_known_ones() {
        let (_, errors) = struct_attrs(&[parse_quote!(#[redis(name = "u")])]);
        assert_eq!(
            errors,
            [
                "unknown redis attribute `name` on a struct: expected `storage`, `prefix`, \
                 `index`, `ttl`, `layout` or `embedded`"
            ]
        );
        let (_, errors) = field_attrs(&[parse_quote!(#[redis(primary_key)])]);
        assert_eq!(
            errors,
            [
                "unknown redis attribute `primary_key` on a field: expected `pk`, `rename`, \
                 `skip`, `index`, `encoded`, `embed`, `version` or `autocomplete`"
            ]
        );
        let (attrs, errors) = field_attrs(&[parse_quote!(#[redis(version)])]);
        assert!(attrs.version.is_some() && errors.is_empty(), "{errors:?}");
        let (_, errors) = struct_attrs(&[parse_quote!(#[redis(version)])]);
        assert!(
            errors[0].starts_with("`version` goes on a field"),
            "{errors:?}"
        );
        let (_, errors) = field_attrs(&[parse_quote!(#[redis(prefix = "x")])]);
        assert!(
            errors[0].starts_with("`prefix` goes on the struct"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_key_given_twice_is_reported_once_at_the_second() {
        let (parsed, errors) = struct_attrs(&[
            parse_quote!(#[redis(prefix = "a")]),
            parse_quote!(#[redis(prefix = "b")]),
        ]);
        assert_eq!(errors, ["duplicate redis attribute `prefix`: give it once"]);
        assert_eq!(parsed.prefix.unwrap().value, "a");
        let (_, errors) = field_attrs(&[parse_quote!(#[redis(pk, pk, pk)])]);
        assert_eq!(errors.len(), 2, "{errors:?}");
        let (parsed, errors) = field_attrs(&[
            parse_quote!(#[redis(index(tag))]),
            parse_quote!(#[redis(index(text), skip)]),
        ]);
        assert_eq!(errors, ["duplicate redis attribute `index`: give it once"]);
        assert!(
            parsed.skip.is_some(),
            "the list goes on after the duplicate"
        );
    }

    #[test]
    fn flags_take_no_value() {
        let (parsed, errors) = field_attrs(&[parse_quote!(#[redis(pk = true, skip)])]);
        assert_eq!(errors, ["`pk` takes no value: write #[redis(pk)]"]);
        assert!(parsed.pk.is_none() && parsed.skip.is_some());
        let (_, errors) = field_attrs(&[parse_quote!(#[redis(rename)])]);
        assert_eq!(
            errors,
            ["`rename` takes a value: write rename = \"stored_name\""]
        );
    }
}
