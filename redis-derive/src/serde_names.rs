//! serde's names for the fields of a JSON model and the variants of a
//! `RedisEnum`: a JSON document is written by the model's `Serialize`, so
//! the index and the queries must use the names serde writes, not ours; and
//! an enum is stored in a hash under the name serde gives its variant, so
//! that the same value reads the same in a hash and in a JSON document.
//!
//! Only what changes a name or whether a field is written is read:
//! `rename`, `rename_all`, `skip`, `skip_serializing` and `flatten`. Every
//! other serde attribute is passed over, and a serde attribute that does not
//! parse is left for serde to report. Hash models do not use serde for their
//! fields, so this is read for JSON models and enums only.

use proc_macro2::{Span, TokenTree};
use syn::ext::IdentExt as _;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned as _;
use syn::{Attribute, Ident, LitStr, Token};

use crate::ctxt::Ctxt;
use crate::meta::{Spanned, key_name};

/// One of serde's `rename_all` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

const RULES: [(&str, RenameRule); 8] = [
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("PascalCase", RenameRule::Pascal),
    ("camelCase", RenameRule::Camel),
    ("snake_case", RenameRule::Snake),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
    ("kebab-case", RenameRule::Kebab),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
];

impl RenameRule {
    fn from_name(name: &str) -> Option<RenameRule> {
        RULES
            .iter()
            .find(|(rule, _)| *rule == name)
            .map(|(_, rule)| *rule)
    }

    /// The name serde gives a variant named `variant` (in PascalCase, as
    /// Rust variants are), as serde's own `RenameRule::apply_to_variant`
    /// does.
    pub(crate) fn apply_to_variant(self, variant: &str) -> String {
        let snake = || {
            let mut snake = String::with_capacity(variant.len() + 4);
            for (i, ch) in variant.char_indices() {
                if i > 0 && ch.is_uppercase() {
                    snake.push('_');
                }
                snake.push(ch.to_ascii_lowercase());
            }
            snake
        };
        match self {
            RenameRule::Pascal => variant.to_owned(),
            RenameRule::Lower => variant.to_ascii_lowercase(),
            RenameRule::Upper => variant.to_ascii_uppercase(),
            RenameRule::Camel => {
                let mut chars = variant.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            }
            RenameRule::Snake => snake(),
            RenameRule::ScreamingSnake => snake().to_ascii_uppercase(),
            RenameRule::Kebab => snake().replace('_', "-"),
            RenameRule::ScreamingKebab => snake().to_ascii_uppercase().replace('_', "-"),
        }
    }

    /// The name serde gives a field named `field` (in snake case, as Rust
    /// fields are), as serde's own `RenameRule::apply_to_field` does.
    pub(crate) fn apply(self, field: &str) -> String {
        match self {
            RenameRule::Lower | RenameRule::Snake => field.to_owned(),
            RenameRule::Upper | RenameRule::ScreamingSnake => field.to_ascii_uppercase(),
            RenameRule::Pascal => pascal(field),
            RenameRule::Camel => {
                let pascal = pascal(field);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => pascal,
                }
            }
            RenameRule::Kebab => field.replace('_', "-"),
            RenameRule::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

fn pascal(field: &str) -> String {
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    pascal
}

/// The container's `#[serde(rename_all = "...")]`: a struct's, or an
/// enum's.
#[derive(Debug, Default)]
pub(crate) struct SerdeStruct {
    /// The rule serde writes and reads field names with.
    pub(crate) rename_all: Option<RenameRule>,
}

/// A field's serde attributes that matter to its stored name.
#[derive(Debug, Default)]
pub(crate) struct SerdeField {
    /// `rename = "x"`, or `rename(serialize = "x", deserialize = "x")`.
    pub(crate) rename: Option<Spanned<String>>,
    /// `skip` or `skip_serializing` (the key as written): the field is not
    /// written.
    pub(crate) skip: Option<Spanned<String>>,
    /// `flatten`: its fields are written into the model's document.
    pub(crate) flatten: Option<Span>,
}

/// A name given for serializing and one for deserializing, as
/// `rename(serialize = .., deserialize = ..)` allows.
#[derive(Default)]
struct Both<T> {
    serialize: Option<T>,
    deserialize: Option<T>,
}

impl SerdeStruct {
    /// The struct's serde attributes; a rule for writing that differs from
    /// the rule for reading is recorded in `cx`.
    pub(crate) fn parse(cx: &mut Ctxt, attrs: &[Attribute]) -> SerdeStruct {
        SerdeStruct::parse_container(cx, attrs, "fields'", "a JSON model is read back")
    }

    /// An enum's serde attributes, as [`SerdeStruct::parse`] reads a
    /// struct's.
    pub(crate) fn parse_enum(cx: &mut Ctxt, attrs: &[Attribute]) -> SerdeStruct {
        SerdeStruct::parse_container(cx, attrs, "variants'", "a stored value is read back")
    }

    fn parse_container(
        cx: &mut Ctxt,
        attrs: &[Attribute],
        whose: &str,
        read_back: &str,
    ) -> SerdeStruct {
        let mut rule: Option<(Both<RenameRule>, Span)> = None;
        for attr in serde_attrs(attrs) {
            // serde reports a list it cannot read; so is what it says.
            let _ = attr.parse_nested_meta(|meta| {
                if key_name(&meta) == "rename_all" {
                    let span = meta.path.span();
                    let names = both(&meta)?;
                    let rules = Both {
                        serialize: names.serialize.and_then(|n| RenameRule::from_name(&n)),
                        deserialize: names.deserialize.and_then(|n| RenameRule::from_name(&n)),
                    };
                    rule = Some((rules, span));
                    return Ok(());
                }
                skip_value(&meta)
            });
        }
        let Some((rules, span)) = rule else {
            return SerdeStruct::default();
        };
        if rules.serialize != rules.deserialize {
            cx.error(
                span,
                format_args!(
                    "serde would write the {whose} names with one rule and read them with \
                     another, but {read_back} under the names it was stored under: give one \
                     rule, rename_all = \"...\""
                ),
            );
        }
        SerdeStruct {
            rename_all: rules.serialize,
        }
    }

    /// The name serde writes for a field without a `rename` of its own.
    fn name_of(&self, ident: &Ident) -> String {
        let name = ident.unraw().to_string();
        match self.rename_all {
            Some(rule) => rule.apply(&name),
            None => name,
        }
    }

    /// The name serde writes for a variant without a `rename` of its own.
    pub(crate) fn variant_name_of(&self, ident: &Ident) -> String {
        let name = ident.unraw().to_string();
        match self.rename_all {
            Some(rule) => rule.apply_to_variant(&name),
            None => name,
        }
    }
}

impl SerdeField {
    /// A field's serde attributes; a `rename` for writing that differs from
    /// the one for reading is recorded in `cx`.
    pub(crate) fn parse(
        cx: &mut Ctxt,
        container: &SerdeStruct,
        ident: &Ident,
        attrs: &[Attribute],
    ) -> SerdeField {
        SerdeField::parse_with_default(cx, || container.name_of(ident), attrs)
    }

    /// An enum variant's serde attributes (`rename`; the rest means nothing
    /// to a variant's name), as [`SerdeField::parse`] reads a field's.
    pub(crate) fn parse_variant(
        cx: &mut Ctxt,
        container: &SerdeStruct,
        ident: &Ident,
        attrs: &[Attribute],
    ) -> SerdeField {
        SerdeField::parse_with_default(cx, || container.variant_name_of(ident), attrs)
    }

    /// `default` is the name serde gives when nothing renames it.
    fn parse_with_default(
        cx: &mut Ctxt,
        default: impl Fn() -> String,
        attrs: &[Attribute],
    ) -> SerdeField {
        let mut parsed = SerdeField::default();
        let mut rename: Option<(Both<String>, Span)> = None;
        for attr in serde_attrs(attrs) {
            let _ = attr.parse_nested_meta(|meta| {
                let span = meta.path.span();
                match key_name(&meta).as_str() {
                    "rename" => rename = Some((both(&meta)?, span)),
                    key @ ("skip" | "skip_serializing") => {
                        parsed.skip.get_or_insert(Spanned {
                            value: key.to_owned(),
                            span,
                        });
                    }
                    "flatten" => {
                        parsed.flatten.get_or_insert(span);
                    }
                    _ => skip_value(&meta)?,
                }
                Ok(())
            });
        }
        if let Some((names, span)) = rename {
            let written = names.serialize.unwrap_or_else(&default);
            let read = names.deserialize.unwrap_or_else(&default);
            if written != read {
                cx.error(
                    span,
                    format_args!(
                        "serde would write this field as {written:?} and read it as {read:?}, \
                         but a stored value is read back under the name it was stored under: \
                         give one name, rename = {written:?}"
                    ),
                );
            }
            parsed.rename = Some(Spanned {
                value: written,
                span,
            });
        }
        parsed
    }

    /// The name serde writes the field under.
    pub(crate) fn stored_name(&self, container: &SerdeStruct, ident: &Ident) -> String {
        match &self.rename {
            Some(rename) => rename.value.clone(),
            None => container.name_of(ident),
        }
    }

    /// The name serde writes the variant under.
    pub(crate) fn variant_name(&self, container: &SerdeStruct, ident: &Ident) -> String {
        match &self.rename {
            Some(rename) => rename.value.clone(),
            None => container.variant_name_of(ident),
        }
    }
}

fn serde_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| attr.path().is_ident("serde"))
}

/// `key = "a"` (both names `a`) or `key(serialize = "a", deserialize = "b")`.
fn both(meta: &ParseNestedMeta<'_>) -> syn::Result<Both<String>> {
    if meta.input.peek(Token![=]) {
        let name = meta.value()?.parse::<LitStr>()?.value();
        return Ok(Both {
            serialize: Some(name.clone()),
            deserialize: Some(name),
        });
    }
    let mut names = Both::default();
    meta.parse_nested_meta(|side| {
        let name = side.value()?.parse::<LitStr>()?.value();
        match key_name(&side).as_str() {
            "serialize" => names.serialize = Some(name),
            "deserialize" => names.deserialize = Some(name),
            _ => {}
        }
        Ok(())
    })?;
    Ok(names)
}

/// Passes over the value of a serde attribute this crate does not read:
/// `= "..."`, `(...)` or nothing.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.input.parse::<Token![=]>()?;
    }
    while !meta.input.is_empty() && !meta.input.peek(Token![,]) {
        meta.input.parse::<TokenTree>()?;
    }
    Ok(())
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

    #[test]
    fn rules_name_fields_as_serde_does() {
        let field = "user_id_2";
        let names: Vec<String> = RULES.iter().map(|(_, rule)| rule.apply(field)).collect();
        assert_eq!(
            names,
            [
                "user_id_2",
                "USER_ID_2",
                "UserId2",
                "userId2",
                "user_id_2",
                "USER_ID_2",
                "user-id-2",
                "USER-ID-2",
            ]
        );
        assert_eq!(RenameRule::Camel.apply("_"), "");
    }

    #[test]
    fn rules_name_variants_as_serde_does() {
        let variant = "DarkRed2";
        let names: Vec<String> = RULES
            .iter()
            .map(|(_, rule)| rule.apply_to_variant(variant))
            .collect();
        // serde's own RenameRule::apply_to_variant, rule by rule.
        assert_eq!(
            names,
            [
                "darkred2",
                "DARKRED2",
                "DarkRed2",
                "darkRed2",
                "dark_red2",
                "DARK_RED2",
                "dark-red2",
                "DARK-RED2",
            ]
        );
        let mut cx = Ctxt::default();
        let container = SerdeStruct::parse_enum(
            &mut cx,
            &[parse_quote!(#[serde(rename_all = "snake_case")])],
        );
        let ident: Ident = parse_quote!(InStock);
        let plain = SerdeField::parse_variant(&mut cx, &container, &ident, &[]);
        assert_eq!(plain.variant_name(&container, &ident), "in_stock");
        let renamed = SerdeField::parse_variant(
            &mut cx,
            &container,
            &ident,
            &[parse_quote!(#[serde(rename = "available")])],
        );
        assert_eq!(renamed.variant_name(&container, &ident), "available");
        assert_eq!(errors(cx), Vec::<String>::new());
    }

    #[test]
    fn a_field_is_named_by_its_rename_else_by_the_rule() {
        let mut cx = Ctxt::default();
        let container = SerdeStruct::parse(
            &mut cx,
            &[parse_quote!(#[serde(deny_unknown_fields, rename_all = "camelCase")])],
        );
        let ident: Ident = parse_quote!(r#first_name);
        let plain = SerdeField::parse(&mut cx, &container, &ident, &[]);
        assert_eq!(plain.stored_name(&container, &ident), "firstName");
        let renamed = SerdeField::parse(
            &mut cx,
            &container,
            &ident,
            &[
                parse_quote!(#[serde(default, with = "module", bound(serialize = "T: X"))]),
                parse_quote!(#[serde(rename(serialize = "n", deserialize = "n"))]),
            ],
        );
        assert_eq!(renamed.stored_name(&container, &ident), "n");
        assert!(renamed.skip.is_none() && renamed.flatten.is_none());
        let skipped = SerdeField::parse(
            &mut cx,
            &container,
            &ident,
            &[parse_quote!(#[serde(skip_serializing, flatten)])],
        );
        assert!(skipped.skip.is_some() && skipped.flatten.is_some());
        assert_eq!(errors(cx), Vec::<String>::new());
    }

    #[test]
    fn names_for_writing_and_reading_must_agree() {
        let mut cx = Ctxt::default();
        let container = SerdeStruct::parse(
            &mut cx,
            &[parse_quote!(#[serde(rename_all(serialize = "camelCase"))])],
        );
        let ident: Ident = parse_quote!(name);
        SerdeField::parse(
            &mut cx,
            &container,
            &ident,
            &[parse_quote!(#[serde(rename(serialize = "a", deserialize = "b"))])],
        );
        // Only one side renamed: read back under the field's own name.
        SerdeField::parse(
            &mut cx,
            &SerdeStruct::default(),
            &ident,
            &[parse_quote!(#[serde(rename(serialize = "a"))])],
        );
        let errors = errors(cx);
        assert_eq!(errors.len(), 3, "{errors:#?}");
        assert!(errors[0].starts_with("serde would write the fields' names with one rule"));
        assert!(
            errors[1].starts_with("serde would write this field as \"a\" and read it as \"b\"")
        );
        assert!(errors[2].contains("read it as \"name\""), "{errors:?}");
    }

    #[test]
    fn attributes_serde_cannot_read_are_left_to_serde() {
        let mut cx = Ctxt::default();
        let container = SerdeStruct::parse(&mut cx, &[parse_quote!(#[serde(rename_all = 5)])]);
        assert!(container.rename_all.is_none());
        let ident: Ident = parse_quote!(a);
        let field = SerdeField::parse(
            &mut cx,
            &container,
            &ident,
            &[parse_quote!(#[serde(rename)])],
        );
        assert_eq!(field.stored_name(&container, &ident), "a");
        assert_eq!(errors(cx), Vec::<String>::new());
    }
}
