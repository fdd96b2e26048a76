//! Typed queries: conditions built from field handles, which offer only
//! what their index kind supports and take values of the field's own Rust
//! type, run through [`Repository::find`](crate::Repository::find).
//!
//! ```no_run
//! use redis_om::core::commands::GeoUnit;
//! use redis_om::query::{self, Distance};
//! use redis_om::{GeoPoint, RedisModel, Repository};
//!
//! #[derive(RedisModel)]
//! struct Product {
//!     #[redis(pk)]
//!     id: String,
//!     #[redis(index(text))]
//!     name: String,
//!     #[redis(index)]
//!     brand: String,
//!     #[redis(index(sortable))]
//!     price: f64,
//!     #[redis(index)]
//!     store: GeoPoint,
//! }
//!
//! # async fn run(client: &redis_om::core::Client) -> redis_om::core::Result<()> {
//! let products = Repository::<Product, _>::new(client);
//! let deals = products
//!     .find(
//!         Product::price().in_range(1.0..10.0)
//!             & (Product::name().phrase("blue lamp") | Product::name().fuzzy("lmap", Distance::One))
//!             & !Product::brand().any_of(["Acme", "Globex"])
//!             & Product::store().within_radius(2.35, 48.85, 5.0, GeoUnit::Kilometers),
//!     )
//!     .sort_by(Product::price().asc())
//!     .limit(0, 20)
//!     .all()
//!     .await?;
//! let all = products.find(query::all()).count().await?;
//! # let _ = (deals, all); Ok(()) }
//! ```
//!
//! A query is one `FT.SEARCH` on the repository's index, in dialect 2 (on
//! a cluster one per shard, merged: see the `paging` module and the
//! README's "Queries on a cluster").
//! Field names come from the handles, never from strings, and every value
//! is bound as a parameter (`PARAMS`), never written into the query text:
//! a value cannot change what a query asks, whatever characters it holds.
//! What the server still reads inside a bound value (backslashes; the
//! separators that cut text into terms) is handled in one place per
//! syntax context. A mistake is a compile error:
//!
//! ```compile_fail
//! # use redis_om::RedisModel;
//! # #[derive(RedisModel)]
//! # struct Product { #[redis(pk)] id: String, #[redis(index)] brand: String }
//! Product::brand().lt(3); // a TAG field has no order
//! ```
//!
//! ```compile_fail
//! # use redis_om::RedisModel;
//! # #[derive(RedisModel)]
//! # struct Product { #[redis(pk)] id: String, #[redis(index)] price: f64 }
//! Product::price().eq("ten"); // price takes f64
//! ```
//!
//! Nearest neighbours of a vector field: [`Find::knn`].
//!
//! Patterns: `starts_with`, `ends_with`, `contains` on string TAG fields,
//! `prefix`, `suffix`, `infix` on TEXT fields; `is_missing` and `is_empty`
//! on fields indexed with `index_missing` / `index_empty`.
//!
//! Aggregations: [`Repository::aggregate`](crate::Repository::aggregate)
//! with [`reduce`].
//!
//! Vectors: [`Find::knn`] and [`Find::within_distance`].
//!
//! Projections: [`Find::select`] reads only the fields named.
//!
//! Highlights and summaries of TEXT fields: [`Find::highlight`] and
//! [`Find::summarize`], beside the records as stored.
//!
//! Autocomplete: [`Repository::suggest`](crate::Repository::suggest).
//!
//! Past the server's `MAXSEARCHRESULTS`, a sorted query goes on through a
//! cursor; on a cluster, every shard's index is asked and the answers
//! merged (see [`Find::stream`] and the README's "Queries on a cluster").

mod aggregate;
mod aggregate_shards;
mod cursor;
pub(crate) mod escape;
mod excerpts;
mod expr;
mod find;
mod knn;
mod matches;
mod ops;
mod paging;
mod patterns;
mod presence;
mod row;
#[cfg(test)]
mod tests;
mod vector_range;

pub use aggregate::{Aggregate, GroupKeys, Reduce, reduce};
pub use excerpts::{Excerpted, Excerpts, TextTerms};
pub use expr::Expr;
pub use find::{Find, Hits};
pub use knn::{Knn, VectorElement};
pub use matches::Explained;
pub use ops::{Distance, NumericValue, Ordered, Sort, SortableField, TagValue};
pub use vector_range::VectorRange;

/// Every record: the condition to count, list or stream them all.
///
/// ```
/// # use redis_om::RedisModel;
/// # #[derive(RedisModel)]
/// # struct Product { #[redis(pk)] id: String, #[redis(index)] price: f64 }
/// use redis_om::query;
///
/// assert_eq!(query::all::<Product>().to_string(), "*");
/// // Beside another condition it adds nothing.
/// assert_eq!(
///     (query::all() & Product::price().eq(1.0)).to_string(),
///     r#"@price:[$p0 $p1] PARAMS p0="1" p1="1""#
/// );
/// ```
pub fn all<M>() -> Expr<M> {
    Expr::new(expr::Node::All)
}
