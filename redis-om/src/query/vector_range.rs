//! Vector range queries: every record whose vector lies within a distance
//! of a given one (`VECTOR_RANGE`), after an optional pre-filter, nearest
//! first, with each hit's distance.

use redis_core::{Error, ErrorKind, Executor, Result};

use super::escape;
use super::find::{Find, Search};
use super::knn::{DISTANCE, VectorElement, checked_blob, vector_query_common};
use super::paging::Order;
use crate::field::{Field, kind};
use crate::model::Model;

impl<'r, M: Model, E: Executor> Find<'r, M, E> {
    /// Every record whose `field` lies within `radius` of `vector` (in the
    /// field's metric, as [`Knn::all_with_distance`](crate::query::Knn::all_with_distance)
    /// reports distances), among those the query's condition matches,
    /// nearest first. Only a VECTOR field's handle is taken; a vector of
    /// another length than the field's dimension, or a radius that is
    /// negative or not finite, is refused before anything is sent.
    ///
    /// ```no_run
    /// # use redis_om::{RedisModel, Repository, query};
    /// # #[derive(RedisModel)]
    /// # struct Doc { #[redis(pk)] id: String, #[redis(index(vector(dim = 3, metric = "l2")))] v: [f32; 3] }
    /// # async fn run(docs: Repository<Doc, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let close: Vec<(Doc, f64)> = docs
    ///     .find(query::all())
    ///     .within_distance(Doc::v(), 0.25, &[0.1, 0.2, 0.3])
    ///     .all_with_distance()
    ///     .await?;
    /// # let _ = close; Ok(()) }
    /// ```
    pub fn within_distance<S, V: VectorElement>(
        self,
        field: Field<M, kind::Vector, S>,
        radius: f64,
        vector: &[V],
    ) -> VectorRange<'r, M, E> {
        VectorRange {
            find: self,
            field: field.name(),
            radius,
            vector: vector.iter().map(|element| element.to_f64()).collect(),
        }
    }
}

/// A vector range query, built by [`Find::within_distance`].
#[must_use = "a query does nothing until it is run"]
pub struct VectorRange<'r, M, E> {
    find: Find<'r, M, E>,
    field: &'static str,
    radius: f64,
    vector: Vec<f64>,
}

vector_query_common!(VectorRange, radius);

impl<M: Model, E: Executor> VectorRange<'_, M, E> {
    /// The records within the distance with their distances, nearest
    /// first, read [`Find::page_size`] per round trip (a limit set on the
    /// query applies).
    pub async fn all_with_distance(self) -> Result<Vec<(M, f64)>> {
        if !self.radius.is_finite() || self.radius < 0.0 {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "a vector range query on {}.{} needs a finite radius of 0 or more, not {}",
                    M::info().name(),
                    self.field,
                    self.radius
                ),
            ));
        }
        let blob = checked_blob::<M>(self.field, &self.vector, "a vector range query")?;
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
        let range = format!(
            "(@{}:[VECTOR_RANGE $radius $vec]=>{{$YIELD_DISTANCE_AS: {DISTANCE}}})",
            escape::field_name(self.field)
        );
        let text = match query.text.as_str() {
            "*" => range,
            filter => format!("{range} ({filter})"),
        };
        let pager = self.find.pager(&search, Order::Ascending)?;
        let radius = ("radius", self.radius.to_string());
        let executor = repository.executor();
        search
            .nearest_first::<M, E>(executor, query, &text, pager, radius, blob)
            .await
    }
}
