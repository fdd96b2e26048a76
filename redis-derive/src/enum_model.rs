//! `#[derive(RedisEnum)]`, stages one and two: a fieldless enum checked
//! into its variants and the names serde stores them under.
//!
//! Every mistake is recorded and reported together, each at its span: a
//! variant with data, two variants stored under one name, an input that is
//! not an enum, generics.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::{Data, DeriveInput, Fields, Generics, Ident};

use crate::ctxt::Ctxt;
use crate::serde_names::{SerdeField, SerdeStruct};

/// A fieldless enum, checked.
pub(crate) struct EnumModel<'a> {
    /// The enum's name.
    pub(crate) ident: &'a Ident,
    /// The name it is known by in messages (`r#` removed).
    pub(crate) name: String,
    /// Its variants in declaration order.
    pub(crate) variants: Vec<Variant<'a>>,
}

/// One unit variant.
pub(crate) struct Variant<'a> {
    /// The variant as written.
    pub(crate) ident: &'a Ident,
    /// The name serde writes it under, which is what is stored.
    pub(crate) stored: String,
}

/// An input that cannot derive `RedisEnum`: the errors, and the enum's name
/// and generics when a stub `impl` can stand in for the real one.
pub(crate) struct RejectedEnum<'a> {
    /// Every mistake, combined.
    pub(crate) errors: syn::Error,
    /// The enum, when it is one without generics.
    pub(crate) stub: Option<&'a Ident>,
}

impl<'a> EnumModel<'a> {
    /// Checks `input`: an enum of unit variants, or every reason it is not
    /// one.
    pub(crate) fn from_ast(input: &'a DeriveInput) -> Result<EnumModel<'a>, RejectedEnum<'a>> {
        let mut cx = Ctxt::default();
        let data = match &input.data {
            Data::Enum(data) => data,
            Data::Struct(data) => {
                cx.error(data.struct_token.span, not_an_enum("a struct"));
                return Err(rejected(cx, None));
            }
            Data::Union(data) => {
                cx.error(data.union_token.span, not_an_enum("a union"));
                return Err(rejected(cx, None));
            }
        };
        let generic = check_generics(&mut cx, &input.generics);
        let serde = SerdeStruct::parse_enum(&mut cx, &input.attrs);
        if data.variants.is_empty() {
            cx.error(
                input.ident.span(),
                "an enum without variants has no value to store: add the unit variants the \
                 field can hold",
            );
        }
        let mut variants = Vec::with_capacity(data.variants.len());
        let mut first_by_name: HashMap<String, &Ident> = HashMap::new();
        for variant in &data.variants {
            if !matches!(variant.fields, Fields::Unit) {
                let written = match variant.fields {
                    Fields::Named(_) => "named fields",
                    _ => "fields",
                };
                cx.error_spanned_by(
                    variant,
                    format_args!(
                        "RedisEnum stores a variant as its name, and `{}` has {written}, which \
                         a name cannot hold: make it a unit variant, or store the field with \
                         #[redis(encoded = \"json\")] (or in a JSON model) instead of deriving \
                         RedisEnum",
                        variant.ident.unraw()
                    ),
                );
                continue;
            }
            let names = SerdeField::parse_variant(&mut cx, &serde, &variant.ident, &variant.attrs);
            let stored = names.variant_name(&serde, &variant.ident);
            let span = names
                .rename
                .as_ref()
                .map_or(variant.ident.span(), |rename| rename.span);
            if let Some(first) = first_by_name.get(&stored) {
                cx.error(
                    span,
                    format_args!(
                        "`{}` and `{}` are both stored as \"{stored}\", so one could not be read \
                         back: give one of them another #[serde(rename = \"...\")]",
                        first.unraw(),
                        variant.ident.unraw()
                    ),
                );
            } else {
                first_by_name.insert(stored.clone(), &variant.ident);
            }
            variants.push(Variant {
                ident: &variant.ident,
                stored,
            });
        }
        if !cx.is_empty() {
            return Err(rejected(cx, (!generic).then_some(&input.ident)));
        }
        Ok(EnumModel {
            ident: &input.ident,
            name: input.ident.unraw().to_string(),
            variants,
        })
    }
}

fn rejected<'a>(cx: Ctxt, stub: Option<&'a Ident>) -> RejectedEnum<'a> {
    let errors = match cx.check() {
        Err(errors) => errors,
        // Only called after an error was recorded.
        Ok(()) => syn::Error::new(Span::call_site(), "RedisEnum cannot be derived here"),
    };
    RejectedEnum { errors, stub }
}

fn not_an_enum(what: &str) -> String {
    format!(
        "RedisEnum cannot be derived for {what}: it is for an enum of unit variants, stored \
         by name, such as `enum Color {{ Red, Green }}`; a model is a struct deriving RedisModel"
    )
}

/// True when the enum has generics, which are recorded as a mistake.
fn check_generics(cx: &mut Ctxt, generics: &Generics) -> bool {
    if generics.params.is_empty() {
        return false;
    }
    cx.error_spanned_by(
        &generics.params,
        "RedisEnum does not support generic enums: a fieldless enum has no use for \
         parameters, remove them",
    );
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use syn::parse_quote;

    fn errors(input: &DeriveInput) -> Vec<String> {
        match EnumModel::from_ast(input) {
            Ok(_) => Vec::new(),
            Err(rejected) => rejected.errors.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn variants_take_serdes_names() {
        let input: DeriveInput = parse_quote! {
            #[derive(Serialize)]
            #[serde(rename_all = "kebab-case")]
            enum r#Status { InStock, #[serde(rename = "gone")] SoldOut, r#Back = 3 }
        };
        let Ok(model) = EnumModel::from_ast(&input) else {
            panic!("{:?}", errors(&input));
        };
        assert_eq!(model.name, "Status");
        let stored: Vec<&str> = model.variants.iter().map(|v| v.stored.as_str()).collect();
        assert_eq!(stored, ["in-stock", "gone", "back"]);
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let input: DeriveInput = parse_quote! {
            enum Shape<T> {
                Dot,
                Circle(f64),
                Rect { w: f64, h: f64 },
                #[serde(rename = "Dot")] Point,
                Other(T),
            }
        };
        let errors = errors(&input);
        assert_eq!(errors.len(), 5, "{errors:#?}");
        assert!(errors[0].starts_with("RedisEnum does not support generic enums"));
        assert!(errors[1].contains("`Circle` has fields"), "{errors:?}");
        assert!(errors[2].contains("`Rect` has named fields"), "{errors:?}");
        assert!(
            errors[3].starts_with("`Dot` and `Point` are both stored as \"Dot\""),
            "{errors:?}"
        );
        let Err(rejected) = EnumModel::from_ast(&input) else {
            panic!("accepted")
        };
        assert!(rejected.stub.is_none(), "no stub for a generic enum");
    }

    #[test]
    fn only_enums_with_variants_derive_it() {
        let input: DeriveInput = parse_quote!(
            struct Color {
                red: u8,
            }
        );
        assert!(errors(&input)[0].starts_with("RedisEnum cannot be derived for a struct"));
        let input: DeriveInput = parse_quote!(
            enum Never {}
        );
        assert_eq!(
            errors(&input),
            [
                "an enum without variants has no value to store: add the unit variants the \
                 field can hold"
            ]
        );
    }
}
