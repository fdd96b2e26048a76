//! Nearest neighbours of a vector: `KNN` on a VECTOR field, after an
//! optional pre-filter, with each hit's distance.

use redis_core::commands::{Document, SortKey, SortProperty};
use redis_core::{Error, ErrorKind, Executor, Result, Value};

use super::escape;
use super::expr::Rendered;
use super::find::{Find, Search};
use super::paging::{Handled, Loading, Order, Pager, SearchPages};
use crate::embedded;
use crate::field::{Field, kind};
use crate::index::{IndexKind, VectorIndex, VectorType};
use crate::model::{Model, StorageKind};
use crate::shards::shard_indexes;

/// The name the distance of each hit is returned under.
pub(super) const DISTANCE: &str = "__dist";

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// An element of a query vector: `f32` or `f64`. It is sent as the
/// field's own element type (`FLOAT32` or `FLOAT64`), whichever it is.
pub trait VectorElement: Copy + sealed::Sealed {
    /// The element as an `f64`.
    fn to_f64(self) -> f64;
}

impl VectorElement for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

impl VectorElement for f64 {
    fn to_f64(self) -> f64 {
        self
    }
}

impl<'r, M: Model, E: Executor> Find<'r, M, E> {
    /// The `k` records nearest to `vector` by the field's distance metric,
    /// among those the query's condition matches (a pre-filter; give
    /// [`query::all`](crate::query::all) for none), nearest first. Only a
    /// VECTOR field's handle is taken: a KNN on another field does not
    /// compile.
    ///
    /// The vector must have as many elements as the field's dimension:
    /// otherwise the query is refused, before anything is sent, with an
    /// error of kind [`ErrorKind::InvalidInput`]. A sort or limit set
    /// before is replaced by the order of distance and `k`.
    ///
    /// ```no_run
    /// use redis_om::{RedisModel, Repository};
    ///
    /// #[derive(RedisModel)]
    /// struct Product {
    ///     #[redis(pk)]
    ///     id: String,
    ///     #[redis(index)]
    ///     brand: String,
    ///     #[redis(index(vector(dim = 3, metric = "cosine", algorithm = "flat")))]
    ///     embedding: [f32; 3],
    /// }
    ///
    /// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let nearest: Vec<(Product, f64)> = products
    ///     .find(Product::brand().eq("Acme"))
    ///     .knn(Product::embedding(), 10, &[0.1, 0.2, 0.3])
    ///     .all_with_distance()
    ///     .await?;
    /// # let _ = nearest; Ok(()) }
    /// ```
    ///
    /// ```compile_fail
    /// # use redis_om::{RedisModel, Repository, query};
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index)] price: f64 }
    /// # fn run(products: Repository<Product, redis_om::core::Client>) {
    /// let _ = products.find(query::all()).knn(Product::price(), 10, &[1.0f32]);
    /// # }
    /// ```
    pub fn knn<S, V: VectorElement>(
        self,
        field: Field<M, kind::Vector, S>,
        k: u64,
        vector: &[V],
    ) -> Knn<'r, M, E> {
        Knn {
            find: self,
            field: field.name(),
            k,
            vector: vector.iter().map(|element| element.to_f64()).collect(),
        }
    }
}

/// A nearest-neighbour query, built by [`Find::knn`]: run it with
/// [`Knn::all`] or [`Knn::all_with_distance`].
#[must_use = "a query does nothing until it is run"]
pub struct Knn<'r, M, E> {
    find: Find<'r, M, E>,
    field: &'static str,
    k: u64,
    vector: Vec<f64>,
}

/// What [`Knn`] and [`VectorRange`](super::VectorRange) share: a `Debug`
/// that shows the query, the vector field and the bound (`$bound`, the
/// field holding `k` or the radius), and `all`.
macro_rules! vector_query_common {
    ($ty:ident, $bound:ident) => {
        impl<M, E> std::fmt::Debug for $ty<'_, M, E> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("find", &self.find)
                    .field("field", &self.field)
                    .field(stringify!($bound), &self.$bound)
                    .finish_non_exhaustive()
            }
        }

        impl<M: Model, E: Executor> $ty<'_, M, E> {
            /// The records, nearest first, without their distances
            /// (see [`all_with_distance`](Self::all_with_distance)).
            pub async fn all(self) -> Result<Vec<M>> {
                let hits = self.all_with_distance().await?;
                Ok(hits.into_iter().map(|(model, _)| model).collect())
            }
        }
    };
}
pub(super) use vector_query_common;

vector_query_common!(Knn, k);

impl<M: Model, E: Executor> Knn<'_, M, E> {
    /// The nearest records with their distance to the vector, in
    /// ascending distance: as the server reports it for the field's metric
    /// (the squared Euclidean distance for `L2`, `1 - cosine similarity`
    /// for `COSINE`, `1 - inner product` for `IP`).
    pub async fn all_with_distance(self) -> Result<Vec<(M, f64)>> {
        let blob = checked_blob::<M>(self.field, &self.vector, "a KNN query")?;
        let repository = self.find.repository;
        let search = Search::new(
            repository.prefix(),
            &self.find.filter,
            None,
            &self.find.tweaks,
        )?;
        let Some(query) = &search.query else {
            return Ok(Vec::new());
        };
        if self.k == 0 {
            return Ok(Vec::new());
        }
        let text = knn_text(&query.text, self.field);
        // Each shard's k nearest, merged by distance: the k nearest of all.
        let executor = repository.executor();
        let indexes = shard_indexes(executor, &search.index)?;
        let pager = Pager::new(indexes, Some((0, self.k)), self.k, Order::Ascending);
        let k = ("k", self.k.to_string());
        search
            .nearest_first::<M, E>(executor, query, &text, pager, k, blob)
            .await
    }
}

impl Search {
    /// The matches of `text` (a KNN or vector range query naming `$vec`
    /// and the parameter `bound`), nearest first, with their distances,
    /// through `pager`.
    pub(super) async fn nearest_first<M: Model, E: Executor>(
        &self,
        executor: &E,
        query: &Rendered,
        text: &str,
        pager: Pager<Value>,
        (name, value): (&str, String),
        blob: Vec<u8>,
    ) -> Result<Vec<(M, f64)>> {
        let loading = pager.loading();
        let options = self
            .options_for(query, loading)
            .param(name, value)
            .param("vec", blob)
            .sort_by(SortProperty::asc(DISTANCE));
        let mut hits = Vec::new();
        let each = async |documents: Vec<Document<Value>>| {
            hits.extend(with_distances::<M, E>(self, executor, documents, loading).await?);
            Ok(())
        };
        SearchPages::<M, E>::new(executor, text, &options)
            .each_page::<Value>(pager, Handled::Stay, each)
            .await?;
        Ok(hits)
    }
}

/// The vector as the field's blob, after checking that the field is a
/// vector field of the vector's dimension.
pub(super) fn checked_blob<M: Model>(field: &str, vector: &[f64], what: &str) -> Result<Vec<u8>> {
    let info = M::info();
    let vector_index = vector_index::<M>(field).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{} has no vector index on {field}", info.name()),
        )
    })?;
    let dim = usize::try_from(vector_index.dim()).unwrap_or(usize::MAX);
    if vector.len() != dim {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "{what} on {}.{field} takes a vector of {dim} elements, not {}",
                info.name(),
                vector.len()
            ),
        ));
    }
    Ok(to_blob(vector, vector_index.element()))
}

/// Found documents that carry their distance, as models with it, in the
/// order given.
pub(super) async fn with_distances<M: Model, E: Executor>(
    search: &Search,
    executor: &E,
    mut documents: Vec<Document<Value>>,
    loading: Loading,
) -> Result<Vec<(M, f64)>> {
    let mut distances = Vec::with_capacity(documents.len());
    for document in &mut documents {
        // Sorted by distance, the sort key is the distance too: what a
        // search that sends no fields (on a cluster) gives.
        let sorted_by = match document.sort_key {
            Some(SortKey::Number(distance)) => Some(distance),
            _ => None,
        };
        let distance = take_distance(&mut document.fields)
            .or(sorted_by)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!(
                        "the index {} gave {} without its distance",
                        search.index, document.id
                    ),
                )
            })?;
        distances.push(distance);
    }
    let models = search.models::<M, E>(executor, documents, loading).await?;
    let found = models.into_iter().zip(distances);
    Ok(found
        .filter_map(|(model, distance)| Some((model?, distance)))
        .collect())
}

/// The query text: the pre-filter, then the KNN clause on `field`.
pub(super) fn knn_text(filter: &str, field: &str) -> String {
    let filter = match filter {
        "*" => "*".to_owned(),
        filter => format!("({filter})"),
    };
    format!(
        "{filter}=>[KNN $k @{} $vec AS {DISTANCE}]",
        escape::field_name(field)
    )
}

/// The vector as the little-endian bytes of the field's element type.
pub(super) fn to_blob(vector: &[f64], element: VectorType) -> Vec<u8> {
    match element {
        VectorType::Float32 => vector
            .iter()
            .flat_map(|&x| (x as f32).to_le_bytes())
            .collect(),
        VectorType::Float64 => vector.iter().flat_map(|&x| x.to_le_bytes()).collect(),
    }
}

/// The vector index of the field indexed under `name`, if it is one.
fn vector_index<M: Model>(name: &str) -> Option<VectorIndex> {
    let info = M::info();
    let kind_of = |kind: IndexKind| match kind {
        IndexKind::Vector(vector) => Some(vector),
        _ => None,
    };
    match info.storage() {
        StorageKind::Json => info
            .fields()
            .iter()
            .flat_map(embedded::indexed_paths)
            .find(|path| path.alias == name)
            .and_then(|path| kind_of(path.index.kind())),
        _ => info
            .fields()
            .iter()
            .find(|field| field.stored() == name)
            .and_then(|field| field.index())
            .and_then(|index| kind_of(index.kind())),
    }
}

/// Removes the distance from a hit's fields and reads it.
fn take_distance(fields: &mut Value) -> Option<f64> {
    let is_distance = |name: &Value| matches!(name, Value::BulkString(name) | Value::SimpleString(name) if name.as_ref() == DISTANCE.as_bytes());
    let value = match fields {
        Value::Map(pairs) => {
            let at = pairs.iter().position(|(name, _)| is_distance(name))?;
            pairs.remove(at).1
        }
        Value::Array(items) => {
            let at = items
                .chunks(2)
                .position(|pair| is_distance(&pair[0]) && pair.len() == 2)?;
            let value = items.remove(2 * at + 1);
            items.remove(2 * at);
            value
        }
        _ => return None,
    };
    match value {
        Value::Double(distance) => Some(distance),
        Value::BulkString(text) | Value::SimpleString(text) => {
            std::str::from_utf8(&text).ok()?.trim().parse().ok()
        }
        Value::Integer(distance) => Some(distance as f64),
        _ => None,
    }
}
