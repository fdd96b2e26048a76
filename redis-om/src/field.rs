//! Typed field handles: `Product::price()` names an indexed field with its
//! model, its index kind and its sortability in its type, so that a query
//! can only ask of a field what its index supports.

use std::fmt;
use std::marker::PhantomData;

/// An indexed field of model `M`, indexed as `K` ([`kind`]), sortable when
/// `S` is [`Sortable`]. The derive generates one per indexed field, as an
/// associated function named like the field.
///
/// ```
/// use redis_om::{RedisModel, field::{Field, Sortable, kind}};
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(sortable))]
///     price: f64,
/// }
///
/// let price: Field<Product, kind::Numeric<f64>, Sortable> = Product::price();
/// assert_eq!(price.name(), "price");
/// ```
pub struct Field<M, K, S = Unsorted> {
    name: &'static str,
    marker: PhantomData<Marker<M, K, S>>,
}

/// Holds the type parameters without owning any of them: a handle is
/// `Send`, `Sync` and `Copy` whatever the model is.
type Marker<M, K, S> = fn() -> (M, K, S);

impl<M, K: FieldKind, S> Field<M, K, S> {
    /// The handle of the field indexed under `name` (its alias in the index).
    pub const fn new(name: &'static str) -> Self {
        Field {
            name,
            marker: PhantomData,
        }
    }
}

impl<M, K, S> Field<M, K, S> {
    /// The field's name in the index (`@name` in a query).
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl<M, K, S> Clone for Field<M, K, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, K, S> Copy for Field<M, K, S> {}

impl<M, K, S> fmt::Debug for Field<M, K, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field(@{})", self.name)
    }
}

/// A field whose index keeps a sort key (`SORTABLE`).
#[derive(Debug, Clone, Copy)]
pub struct Sortable;

/// A field without a sort key.
#[derive(Debug, Clone, Copy)]
pub struct Unsorted;

/// An index kind as a type: what a field handle's operators depend on.
/// The kinds of exact values carry the Rust type a query compares with
/// ([`kind::Numeric<f64>`], [`kind::Tag<bool>`]), so that a value of
/// another type does not compile.
pub trait FieldKind: 'static {
    /// The kind of the same field indexed as a TAG (`#[redis(index(tag))]`
    /// on a type whose own kind is another): a number's TAG compares with
    /// the number.
    ///
    /// ```
    /// use redis_om::field::{FieldKind, kind};
    /// fn tagged<K: FieldKind<AsTag = kind::Tag<u32>>>() {}
    /// tagged::<kind::Numeric<u32>>();
    /// ```
    type AsTag: FieldKind;
}

/// The index kinds as types. They are never built: they only name a
/// handle's kind in its type.
pub mod kind {
    use std::marker::PhantomData;

    /// The value type of a kind, without owning one: every marker is
    /// `Send`, `Sync` and `'static` whatever `T` is.
    type Of<T> = PhantomData<fn() -> T>;

    /// Full-text search: terms, phrases, prefixes, fuzzy matches.
    #[derive(Debug)]
    pub struct Text(());
    /// Exact values of type `T` (a string, `bool`, `uuid::Uuid`, an enum
    /// deriving [`RedisEnum`](crate::RedisEnum), an integer indexed as a
    /// TAG).
    #[derive(Debug)]
    pub struct Tag<T = String>(Of<T>);
    /// Several exact values of type `T` per record (a `Vec<String>`).
    #[derive(Debug)]
    pub struct MultiTag<T = String>(Of<T>);
    /// Indexed both as TAG (under the field's name) and as TEXT (under
    /// `{name}_fts`): `full_text_search`.
    #[derive(Debug)]
    pub struct TagText(());
    /// Numbers and date-times of type `T`.
    #[derive(Debug)]
    pub struct Numeric<T = f64>(Of<T>);
    /// Points.
    #[derive(Debug)]
    pub struct Geo(());
    /// Embeddings.
    #[derive(Debug)]
    pub struct Vector(());

    impl super::FieldKind for Text {
        type AsTag = Tag<String>;
    }
    impl<T: 'static> super::FieldKind for Tag<T> {
        type AsTag = Tag<T>;
    }
    impl<T: 'static> super::FieldKind for MultiTag<T> {
        type AsTag = MultiTag<T>;
    }
    impl super::FieldKind for TagText {
        type AsTag = TagText;
    }
    impl<T: 'static> super::FieldKind for Numeric<T> {
        type AsTag = Tag<T>;
    }
    impl super::FieldKind for Geo {
        type AsTag = Geo;
    }
    impl super::FieldKind for Vector {
        type AsTag = Vector;
    }
}
