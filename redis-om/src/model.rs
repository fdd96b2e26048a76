//! What a model is: the [`Model`] trait `#[derive(RedisModel)]` implements,
//! and the static description of a model it carries.

use crate::embedded::EmbeddedFields;
use crate::index::Index;
use crate::layout::Layout;
use crate::pk::PrimaryKey;
use crate::storage::Storage;

/// A Rust struct stored in Redis: implemented by `#[derive(RedisModel)]`.
///
/// The derive describes; this crate does. The trait carries a static
/// [`ModelInfo`] (name, storage kind, key layout, fields) and the glue that
/// reads and writes the struct's fields; keys, commands and schemas are built
/// from the description by [`crate::Repository`] and friends, so they are
/// plain Rust with their own tests.
///
/// ```
/// use redis_om::{Model, RedisModel};
///
/// #[derive(RedisModel)]
/// #[redis(prefix = "user")]
/// struct User {
///     #[redis(pk)]
///     id: String,
///     name: String,
///     age: Option<u32>,
/// }
///
/// let info = User::info();
/// assert_eq!(info.name(), "User");
/// assert_eq!(info.prefix(), "user");
/// assert_eq!(info.fields().len(), 3);
/// ```
pub trait Model: Sized + Send + Sync + 'static {
    /// The primary key's type: `String` or `uuid::Uuid`.
    type Pk: PrimaryKey;
    /// How the model is stored: [`struct@crate::Hash`] or [`crate::Json`].
    type Storage: Storage<Self>;

    /// The model's static description.
    fn info() -> &'static ModelInfo;

    /// The primary key; an empty one is generated when the model is saved.
    fn pk(&self) -> &Self::Pk;

    /// The value of the `#[redis(version)]` field, `None` when the model
    /// has none (written by the derive; widened to `i128` so that both
    /// `u64` and `i64` fit).
    #[doc(hidden)]
    fn version(&self) -> Option<i128> {
        None
    }

    /// Hands each `#[redis(autocomplete)]` field's stored name and value
    /// to `each` (the derive writes it; nothing by default).
    #[doc(hidden)]
    fn suggestions(&self, each: &mut dyn FnMut(&'static str, Option<&str>)) {
        let _ = each;
    }
}

/// How a model's records are stored in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageKind {
    /// One Redis hash per record: one hash field per struct field.
    Hash,
    /// One RedisJSON document per record: the struct through serde.
    Json,
}

/// The static description of a model, built by the derive.
///
/// Built with `const fn`s so the derive can write it as a `static`; read
/// with the accessors.
#[derive(Debug)]
pub struct ModelInfo {
    name: &'static str,
    storage: StorageKind,
    prefix: Option<&'static str>,
    index: Option<&'static str>,
    ttl_seconds: Option<u64>,
    layout: Layout,
    pk: &'static str,
    version: Option<&'static str>,
    autocomplete: &'static [&'static str],
    fields: &'static [FieldInfo],
}

impl ModelInfo {
    /// A model named `name` (the struct's name), stored as `storage`, whose
    /// primary key is the field `pk` (its stored name), with `fields` (the
    /// primary key's included, in declaration order).
    pub const fn new(
        name: &'static str,
        storage: StorageKind,
        pk: &'static str,
        fields: &'static [FieldInfo],
    ) -> ModelInfo {
        ModelInfo {
            name,
            storage,
            prefix: None,
            index: None,
            ttl_seconds: None,
            layout: Layout::Default,
            pk,
            version: None,
            autocomplete: &[],
            fields,
        }
    }

    /// Names the field (its stored name) that holds the record's version
    /// for optimistic concurrency (`#[redis(version)]`): see
    /// [`crate::Repository::save`] and [`crate::Repository::update`].
    pub const fn with_version(mut self, field: &'static str) -> ModelInfo {
        self.version = Some(field);
        self
    }

    /// The stored name of the version field, if the model has one.
    pub fn version(&self) -> Option<&'static str> {
        self.version
    }

    /// The stored names of the `#[redis(autocomplete)]` fields, whose
    /// values are kept in suggestion dictionaries.
    pub const fn with_autocomplete(mut self, fields: &'static [&'static str]) -> ModelInfo {
        self.autocomplete = fields;
        self
    }

    /// The stored names of the autocomplete fields (none by default).
    pub fn autocomplete(&self) -> &'static [&'static str] {
        self.autocomplete
    }

    /// Sets the key prefix (`#[redis(prefix = "...")]`).
    pub const fn with_prefix(mut self, prefix: &'static str) -> ModelInfo {
        self.prefix = Some(prefix);
        self
    }

    /// Sets the search index's name (`#[redis(index = "...")]`).
    pub const fn with_index_name(mut self, index: &'static str) -> ModelInfo {
        self.index = Some(index);
        self
    }

    /// Sets the time to live every saved record gets (`#[redis(ttl = N)]`,
    /// in seconds).
    pub const fn with_ttl_seconds(mut self, seconds: u64) -> ModelInfo {
        self.ttl_seconds = Some(seconds);
        self
    }

    /// Sets the key layout (`#[redis(layout = "python")]`): how the keys,
    /// the index and its schema are named and written.
    ///
    /// ```
    /// use redis_om::{FieldInfo, Layout, ModelInfo, StorageKind};
    ///
    /// static INFO: ModelInfo =
    ///     ModelInfo::new("Customer", StorageKind::Hash, "pk", &[FieldInfo::new("id").stored_as("pk")])
    ///         .with_prefix("omres:customer")
    ///         .with_layout(Layout::Python);
    /// assert_eq!(INFO.layout(), Layout::Python);
    /// ```
    pub const fn with_layout(mut self, layout: Layout) -> ModelInfo {
        self.layout = layout;
        self
    }

    /// The key layout: [`Layout::Default`] unless one was given.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The struct's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// How records are stored.
    pub fn storage(&self) -> StorageKind {
        self.storage
    }

    /// The key prefix: the one given, else the struct's name.
    pub fn prefix(&self) -> &'static str {
        match self.prefix {
            Some(prefix) => prefix,
            None => self.name,
        }
    }

    /// The search index's name given to the model, if one was.
    pub fn index_name(&self) -> Option<&'static str> {
        self.index
    }

    /// True when some field is indexed, or a field of a struct it embeds:
    /// the model has a search index.
    pub fn is_indexed(&self) -> bool {
        any_indexed(self.fields)
    }

    /// The time to live of saved records, if the model has one.
    pub fn ttl(&self) -> Option<std::time::Duration> {
        self.ttl_seconds.map(std::time::Duration::from_secs)
    }

    /// The primary key's stored name.
    pub fn pk(&self) -> &'static str {
        self.pk
    }

    /// Every field, the primary key's included, in declaration order.
    pub fn fields(&self) -> &'static [FieldInfo] {
        self.fields
    }
}

fn any_indexed(fields: &[FieldInfo]) -> bool {
    fields.iter().any(|field| {
        field.index.is_some()
            || field
                .embedded
                .is_some_and(|embedded| any_indexed(embedded.fields()))
    })
}

/// One field of a model (or of a struct embedded in models).
#[derive(Debug)]
pub struct FieldInfo {
    name: &'static str,
    stored: &'static str,
    optional: bool,
    index: Option<Index>,
    embedded: Option<EmbeddedFields>,
}

impl FieldInfo {
    /// The field `name`, stored under the same name.
    pub const fn new(name: &'static str) -> FieldInfo {
        FieldInfo {
            name,
            stored: name,
            optional: false,
            index: None,
            embedded: None,
        }
    }

    /// Stores the field under another name (`#[redis(rename = "...")]`).
    pub const fn stored_as(mut self, stored: &'static str) -> FieldInfo {
        self.stored = stored;
        self
    }

    /// Marks the field as optional (an `Option<T>`: absent when `None`).
    pub const fn optional(mut self) -> FieldInfo {
        self.optional = true;
        self
    }

    /// Indexes the field (`#[redis(index(...))]`).
    pub const fn indexed(mut self, index: Index) -> FieldInfo {
        self.index = Some(index);
        self
    }

    /// Embeds a struct, or a list of them, whose indexed fields are
    /// indexed by their JSON paths under this field (`#[redis(embed)]`).
    pub const fn embeds(mut self, embedded: EmbeddedFields) -> FieldInfo {
        self.embedded = Some(embedded);
        self
    }

    /// How the field is indexed, if it is.
    pub const fn index(&self) -> Option<&Index> {
        self.index.as_ref()
    }

    /// The struct it embeds, if it does.
    pub const fn embedded(&self) -> Option<&EmbeddedFields> {
        self.embedded.as_ref()
    }

    /// The Rust field's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The name it is stored under.
    pub fn stored(&self) -> &'static str {
        self.stored
    }

    /// True for an `Option<T>` field.
    pub fn is_optional(&self) -> bool {
        self.optional
    }
}
