//! Structs embedded in JSON models: `#[derive(RedisModel)]` with
//! `#[redis(embedded)]` describes a nested struct's fields, and a model's
//! `#[redis(embed)]` field points to that description, so that the model's
//! index includes the nested fields by JSON path (`$.address.city AS
//! address_city`, `$.items[*].sku AS items_sku`).

use crate::index::Index;
use crate::model::FieldInfo;

/// A struct whose fields are described for the models that embed it:
/// implemented by `#[derive(RedisModel)]` with `#[redis(embedded)]` (no
/// primary key, prefix or storage: it lives inside its model's JSON
/// document), and through it by a `Vec` (each element's fields, at
/// `[*]`) and an `Option` of one.
///
/// ```
/// use redis_om::{Embedded, IndexKind, Model, ModelIndex, RedisModel};
/// use serde::{Deserialize, Serialize};
///
/// #[derive(RedisModel, Serialize, Deserialize)]
/// #[redis(embedded)]
/// struct Address {
///     #[redis(index)]
///     city: String,
///     zip: String,
/// }
///
/// #[derive(RedisModel, Serialize, Deserialize)]
/// #[redis(embedded)]
/// struct Item {
///     #[redis(index)]
///     sku: String,
///     #[redis(index(sortable))]
///     qty: u32,
/// }
///
/// #[derive(RedisModel, Serialize, Deserialize)]
/// #[redis(storage = "json", prefix = "order")]
/// struct Order {
///     #[redis(pk)]
///     id: String,
///     #[redis(embed)]
///     address: Address,
///     #[redis(embed)]
///     items: Vec<Item>,
/// }
///
/// assert_eq!(Address::FIELDS[0].index().map(|i| i.kind()), Some(IndexKind::Tag));
/// let index = ModelIndex::of(Order::info(), "order").expect("indexed");
/// let args: Vec<String> =
///     index.create().args().map(|a| String::from_utf8_lossy(a).into()).collect();
/// assert_eq!(
///     args[8..].join(" "),
///     "$.address.city AS address_city TAG $.items[*].sku AS items_sku TAG \
///      $.items[*].qty AS items_qty NUMERIC SORTABLE"
/// );
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an embedded struct",
    label = "`embed` needs a struct described for embedding",
    note = "derive RedisModel on the nested struct with #[redis(embedded)] (and mark its \
            indexed fields with #[redis(index)]); a Vec or an Option of such a struct embeds \
            too"
)]
pub trait Embedded {
    /// The struct's stored fields, in declaration order.
    const FIELDS: &'static [FieldInfo];

    /// How many lists the struct is inside (`Vec<Item>` is one): each adds
    /// `[*]` to the path of its fields.
    const LISTS: u8 = 0;

    /// The typed handles of the struct's indexed fields inside a model
    /// `M`: what the model's handle of the embedding field returns
    /// (`Order::address()`), with one method per indexed field of the
    /// struct (`.city()`) and per struct it embeds in turn.
    type Handles<M>: EmbeddedHandles;
}

impl<T: Embedded> Embedded for Vec<T> {
    const FIELDS: &'static [FieldInfo] = T::FIELDS;
    const LISTS: u8 = T::LISTS + 1;
    type Handles<M> = T::Handles<M>;
}

impl<T: Embedded> Embedded for Option<T> {
    const FIELDS: &'static [FieldInfo] = T::FIELDS;
    const LISTS: u8 = T::LISTS;
    type Handles<M> = T::Handles<M>;
}

/// The handles of an embedded struct's fields, at a place in a model: the
/// derive implements it for the type it generates for each embedded
/// struct. The fields are queried under their index aliases, the stored
/// names on the way joined with `_` (`address_city`), as the schema
/// names them; a field of a list of structs (`Order::items().sku()`)
/// matches a record when any element matches.
///
/// ```
/// use redis_om::RedisModel;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(RedisModel, Serialize, Deserialize)]
/// #[redis(embedded)]
/// struct Address {
///     #[redis(index)]
///     city: String,
/// }
///
/// #[derive(RedisModel, Serialize, Deserialize)]
/// #[redis(embedded)]
/// struct Item {
///     #[redis(index)]
///     sku: String,
///     #[redis(index)]
///     qty: u32,
/// }
///
/// #[derive(RedisModel, Serialize, Deserialize)]
/// #[redis(storage = "json")]
/// struct Order {
///     #[redis(pk)]
///     id: String,
///     #[redis(embed)]
///     address: Address,
///     #[redis(embed)]
///     items: Vec<Item>,
/// }
///
/// let q = Order::address().city().eq("Paris") & Order::items().qty().gt(2);
/// assert_eq!(
///     q.to_string(),
///     r#"@address_city:{$p0} @items_qty:[($p1 +inf] PARAMS p0="Paris" p1="2""#
/// );
/// ```
pub trait EmbeddedHandles {
    /// The handles of the fields under `alias` (`address`,
    /// `address_geo`).
    #[doc(hidden)]
    fn at(alias: &'static str) -> Self;
}

/// No handles: a struct that could not be described (its derive failed).
impl EmbeddedHandles for () {
    fn at(_: &'static str) -> Self {}
}

/// `{prefix}_{name}`, the alias of an embedded field, as a `&'static str`
/// for its handle: each distinct alias is allocated once for the life of
/// the program (the aliases are the models' embedded fields, a set fixed
/// at compile time), then reused.
#[doc(hidden)]
pub fn alias(prefix: &'static str, name: &'static str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{LazyLock, Mutex, PoisonError};
    static ALIASES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Mutex::default);
    let joined = format!("{prefix}_{name}");
    let mut aliases = ALIASES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&known) = aliases.get(joined.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(joined.into_boxed_str());
    aliases.insert(leaked);
    leaked
}

/// What a model's `#[redis(embed)]` field holds, for its
/// [`FieldInfo::embeds`]: the embedded struct's fields, and how many lists
/// they are in.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedFields {
    fields: &'static [FieldInfo],
    lists: u8,
}

impl EmbeddedFields {
    /// The description of `T`'s fields (`Address`, `Vec<Item>`,
    /// `Option<Address>`).
    pub const fn of<T: Embedded>() -> EmbeddedFields {
        EmbeddedFields {
            fields: T::FIELDS,
            lists: T::LISTS,
        }
    }

    /// The embedded struct's fields.
    pub const fn fields(&self) -> &'static [FieldInfo] {
        self.fields
    }

    /// True when the field is a list of embedded structs: their fields are
    /// indexed at `$.field[*].name`.
    pub const fn is_multi(&self) -> bool {
        self.lists > 0
    }

    /// How many lists the struct is inside.
    pub const fn lists(&self) -> u8 {
        self.lists
    }

    /// True when Redis OM Python 1.1 accepts the indexed fields as the
    /// embedded field holds them: anything in one embedded struct (and in
    /// its own embedded structs, by the same rule), and inside a list only
    /// strings indexed as a TAG, without full-text search (Python refuses
    /// any other indexed field of a list's model when the class is
    /// defined). The derive asserts it at compile time for a python-layout
    /// model.
    ///
    /// ```
    /// use redis_om::{EmbeddedFields, FieldInfo, Index, IndexKind};
    ///
    /// const TAG: &[FieldInfo] = &[FieldInfo::new("sku").indexed(Index::of::<String>())];
    /// const TEXT: &[FieldInfo] = &[FieldInfo::new("name")
    ///     .indexed(Index::of::<String>().with_kind(IndexKind::Text))];
    /// assert!(EmbeddedFields::new(TAG, 1).python_can_index());
    /// assert!(!EmbeddedFields::new(TEXT, 1).python_can_index());
    /// assert!(EmbeddedFields::new(TEXT, 0).python_can_index());
    /// ```
    pub const fn python_can_index(&self) -> bool {
        if self.lists > 1 {
            return false;
        }
        let mut i = 0;
        while i < self.fields.len() {
            let field = &self.fields[i];
            let fits = match (field.embedded(), field.index(), self.lists) {
                (Some(nested), _, 0) => nested.python_can_index(),
                (Some(_), _, _) => false,
                (None, Some(index), 1) => index.is_plain_string_tag(),
                (None, _, _) => true,
            };
            if !fits {
                return false;
            }
            i += 1;
        }
        true
    }

    /// Fields described by hand, `lists` lists deep: what
    /// [`EmbeddedFields::of`] builds from an [`Embedded`] type.
    pub const fn new(fields: &'static [FieldInfo], lists: u8) -> EmbeddedFields {
        EmbeddedFields { fields, lists }
    }
}

/// One indexed leaf of a JSON model's field: its JSON path (with `[*]`
/// for every list on the way) and its alias (the stored names on the way,
/// joined with `_`, as Redis OM Python names them).
pub(crate) struct IndexedPath {
    pub(crate) path: String,
    pub(crate) alias: String,
    pub(crate) index: Index,
}

/// Every indexed leaf of `field`, a top-level field of a JSON model: the
/// field itself when it is indexed (`$.name`, or `$.name[*]` for a list of
/// strings), else the indexed fields of what it embeds, recursively
/// (`$.address.city AS address_city`, `$.items[*].sku AS items_sku`).
pub(crate) fn indexed_paths(field: &FieldInfo) -> Vec<IndexedPath> {
    let mut paths = Vec::new();
    walk(field, "$", "", &mut paths);
    paths
}

fn walk(field: &FieldInfo, parent: &str, prefix: &str, out: &mut Vec<IndexedPath>) {
    let stored = field.stored();
    let path = format!("{parent}.{stored}");
    let alias = if prefix.is_empty() {
        stored.to_owned()
    } else {
        format!("{prefix}_{stored}")
    };
    if let Some(&index) = field.index() {
        let path = if index.is_multi() {
            format!("{path}[*]")
        } else {
            path.clone()
        };
        out.push(IndexedPath {
            path,
            alias: alias.clone(),
            index,
        });
    }
    if let Some(embedded) = field.embedded() {
        let path = format!("{path}{}", "[*]".repeat(usize::from(embedded.lists())));
        for nested in embedded.fields() {
            walk(nested, &path, &alias, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexKind;

    const ITEM: &[FieldInfo] = &[
        FieldInfo::new("sku").indexed(Index::of::<String>()),
        FieldInfo::new("qty"),
    ];
    const GEO: &[FieldInfo] = &[
        FieldInfo::new("street").indexed(Index::of::<String>().full_text_search()),
        FieldInfo::new("items").embeds(EmbeddedFields::new(ITEM, 1)),
    ];

    fn paths(field: &FieldInfo) -> Vec<(String, String, IndexKind)> {
        indexed_paths(field)
            .into_iter()
            .map(|p| (p.path, p.alias, p.index.kind()))
            .collect()
    }

    #[test]
    fn paths_and_aliases_follow_the_nesting() {
        let field = FieldInfo::new("geo").embeds(EmbeddedFields::new(GEO, 0));
        assert_eq!(
            paths(&field),
            [
                (
                    "$.geo.street".to_owned(),
                    "geo_street".to_owned(),
                    IndexKind::Tag
                ),
                (
                    "$.geo.items[*].sku".to_owned(),
                    "geo_items_sku".to_owned(),
                    IndexKind::Tag
                ),
            ]
        );
        let deep = FieldInfo::new("grid").embeds(EmbeddedFields::new(ITEM, 2));
        assert_eq!(paths(&deep)[0].0, "$.grid[*][*].sku");
        let tags = FieldInfo::new("tags").indexed(Index::of::<Vec<String>>());
        assert_eq!(paths(&tags)[0].0, "$.tags[*]");
        assert!(paths(&FieldInfo::new("plain")).is_empty());
    }

    #[test]
    fn python_indexes_only_plain_strings_inside_lists() {
        assert!(EmbeddedFields::new(ITEM, 1).python_can_index());
        assert!(!EmbeddedFields::new(ITEM, 2).python_can_index());
        assert!(EmbeddedFields::new(GEO, 0).python_can_index());
        assert!(!EmbeddedFields::new(GEO, 1).python_can_index());
        const NUMBER: &[FieldInfo] = &[FieldInfo::new("n").indexed(Index::of::<u32>())];
        const FLAG: &[FieldInfo] = &[FieldInfo::new("b").indexed(Index::of::<bool>())];
        const TAGS: &[FieldInfo] = &[FieldInfo::new("t").indexed(Index::of::<Vec<String>>())];
        for fields in [NUMBER, FLAG, TAGS] {
            assert!(!EmbeddedFields::new(fields, 1).python_can_index());
            assert!(EmbeddedFields::new(fields, 0).python_can_index());
        }
    }
}
