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
/// let price: Field<Product, kind::Numeric, Sortable> = Product::price();
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
pub trait FieldKind: 'static {}

/// The index kinds as types.
pub mod kind {
    /// Full-text search.
    #[derive(Debug, Clone, Copy)]
    pub struct Text;
    /// Exact values.
    #[derive(Debug, Clone, Copy)]
    pub struct Tag;
    /// Indexed both as TAG and as TEXT (`full_text_search`).
    #[derive(Debug, Clone, Copy)]
    pub struct TagText;
    /// Numbers.
    #[derive(Debug, Clone, Copy)]
    pub struct Numeric;
    /// Points.
    #[derive(Debug, Clone, Copy)]
    pub struct Geo;
    /// Embeddings.
    #[derive(Debug, Clone, Copy)]
    pub struct Vector;

    impl super::FieldKind for Text {}
    impl super::FieldKind for Tag {}
    impl super::FieldKind for TagText {}
    impl super::FieldKind for Numeric {}
    impl super::FieldKind for Geo {}
    impl super::FieldKind for Vector {}
}
