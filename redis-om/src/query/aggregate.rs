//! `Repository::aggregate`: FT.AGGREGATE over a typed filter, grouped by
//! typed field handles with typed reducers, read through a cursor into
//! rows of a type the caller derives `Deserialize` for.

use std::marker::PhantomData;

use redis_core::commands::{self, AggregateOptions, AggregateResult, Reducer, SortProperty};
use redis_core::{Error, ErrorKind, Executor, Result};
use serde::de::DeserializeOwned;

use super::expr::Expr;
use super::find::Search;
use super::row::{Row, decode_row};
use crate::field::Field;
use crate::migrate::missing_index;
use crate::model::Model;
use crate::repository::Repository;
use crate::shards::shard_indexes;

/// How many rows each `FT.CURSOR READ` brings: the memory a read holds.
pub(super) const CURSOR_BATCH: u64 = 1000;

/// One reducer of a group: what it computes, over which field, and the
/// column it fills in each row (its name, which the row type's field must
/// bear). Made by the functions of [`reduce`](crate::query::reduce).
#[derive(Debug, Clone)]
pub struct Reduce<M> {
    pub(super) reducer: Reducer,
    pub(super) name: String,
    /// The fields it reads, to load first.
    pub(super) reads: Option<&'static str>,
    /// How the shards' values of it make the whole's, on a cluster.
    pub(super) merge: Merge,
    model: PhantomData<fn() -> M>,
}

/// How the values a reducer gives on each shard of a cluster make its
/// value over all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Merge {
    /// Added up (count, sum).
    Add,
    /// The smallest.
    Min,
    /// The largest.
    Max,
    /// From each shard's sum and count (avg).
    Mean,
    /// Every shard's values, each once (tolist).
    Union,
    /// Not from the shards' values (a quantile, a count of distinct
    /// values, a standard deviation, a first value).
    Impossible,
}

impl<M> Reduce<M> {
    fn new(reducer: Reducer, name: String, reads: Option<&'static str>, merge: Merge) -> Self {
        Reduce {
            reducer,
            name,
            reads,
            merge,
            model: PhantomData,
        }
    }

    /// Names the column (the row type's field of that name receives it);
    /// letters, digits and `_` only, or the aggregation fails before it is
    /// sent.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// Typed reducers: each names its column after what it computes (`count`,
/// `sum_price`, `avg_price`, `tolist_brand` ...) unless
/// [`Reduce::named`] names it otherwise.
pub mod reduce {
    use redis_core::commands::Reducer;

    use super::{Merge, Reduce};
    use crate::field::{Field, kind};

    /// How many rows the group has: column `count`.
    pub fn count<M>() -> Reduce<M> {
        Reduce::new(Reducer::count(), "count".to_owned(), None, Merge::Add)
    }

    /// How many distinct values `field` takes in the group: column
    /// `count_distinct_{field}`.
    pub fn count_distinct<M, K, S>(field: Field<M, K, S>) -> Reduce<M> {
        let name = field.name();
        Reduce::new(
            Reducer::count_distinct(format!("@{name}")),
            format!("count_distinct_{name}"),
            Some(name),
            Merge::Impossible,
        )
    }

    /// The values of `field` in the group, each once: column
    /// `tolist_{field}` (a list).
    pub fn tolist<M, K, S>(field: Field<M, K, S>) -> Reduce<M> {
        let name = field.name();
        Reduce::new(
            Reducer::tolist(format!("@{name}")),
            format!("tolist_{name}"),
            Some(name),
            Merge::Union,
        )
    }

    /// The value of `field` in the group's first row: column
    /// `first_value_{field}`.
    pub fn first_value<M, K, S>(field: Field<M, K, S>) -> Reduce<M> {
        let name = field.name();
        Reduce::new(
            Reducer::first_value(format!("@{name}")),
            format!("first_value_{name}"),
            Some(name),
            Merge::Impossible,
        )
    }

    macro_rules! numeric {
        ($($(#[$doc:meta])* $fun:ident => $reducer:ident, $merge:ident;)*) => {$(
            $(#[$doc])*
            pub fn $fun<M, T, S>(field: Field<M, kind::Numeric<T>, S>) -> Reduce<M> {
                let name = field.name();
                Reduce::new(
                    Reducer::$reducer(format!("@{name}")),
                    format!(concat!(stringify!($fun), "_{}"), name),
                    Some(name),
                    Merge::$merge,
                )
            }
        )*};
    }

    numeric! {
        /// The sum of a numeric field over the group: column `sum_{field}`.
        sum => sum, Add;
        /// The smallest value: column `min_{field}`.
        min => min, Min;
        /// The largest value: column `max_{field}`.
        max => max, Max;
        /// The mean: column `avg_{field}`.
        avg => avg, Mean;
        /// The standard deviation: column `stddev_{field}`.
        stddev => stddev, Impossible;
    }

    /// The `quantile` (0 to 1) of a numeric field over the group: column
    /// `quantile_{field}`.
    pub fn quantile<M, T, S>(field: Field<M, kind::Numeric<T>, S>, quantile: f64) -> Reduce<M> {
        let name = field.name();
        Reduce::new(
            Reducer::quantile(format!("@{name}"), quantile),
            format!("quantile_{name}"),
            Some(name),
            Merge::Impossible,
        )
    }
}

/// The fields a group is keyed by: one field handle, or a tuple of two or
/// three.
pub trait GroupKeys<M> {
    /// The fields' names in the index.
    fn names(&self) -> Vec<&'static str>;
}

impl<M, K, S> GroupKeys<M> for Field<M, K, S> {
    fn names(&self) -> Vec<&'static str> {
        vec![self.name()]
    }
}

impl<M, K1, S1, K2, S2> GroupKeys<M> for (Field<M, K1, S1>, Field<M, K2, S2>) {
    fn names(&self) -> Vec<&'static str> {
        vec![self.0.name(), self.1.name()]
    }
}

impl<M, K1, S1, K2, S2, K3, S3> GroupKeys<M>
    for (Field<M, K1, S1>, Field<M, K2, S2>, Field<M, K3, S3>)
{
    fn names(&self) -> Vec<&'static str> {
        vec![self.0.name(), self.1.name(), self.2.name()]
    }
}

impl<M: Model, E: Executor> Repository<M, E> {
    /// An aggregation of the records matching `filter`: groups with typed
    /// reducers, sorted and limited, read into rows.
    ///
    /// ```no_run
    /// use redis_om::query::{self, reduce};
    /// use redis_om::{RedisModel, Repository};
    ///
    /// #[derive(RedisModel)]
    /// struct Product {
    ///     #[redis(pk)]
    ///     id: String,
    ///     #[redis(index)]
    ///     brand: String,
    ///     #[redis(index)]
    ///     price: f64,
    /// }
    ///
    /// #[derive(serde::Deserialize)]
    /// struct PerBrand {
    ///     brand: String,
    ///     count: u64,
    ///     avg_price: f64,
    /// }
    ///
    /// # async fn run(products: Repository<Product, redis_om::core::Client>) -> redis_om::core::Result<()> {
    /// let brands: Vec<PerBrand> = products
    ///     .aggregate(Product::price().gt(0.0))
    ///     .group_by(Product::brand(), [reduce::count(), reduce::avg(Product::price())])
    ///     .sort_by_desc("count")
    ///     .rows()
    ///     .await?;
    /// # let _ = brands; Ok(()) }
    /// ```
    pub fn aggregate(&self, filter: Expr<M>) -> Aggregate<'_, M, E> {
        Aggregate {
            repository: self,
            filter,
            steps: Vec::new(),
        }
    }
}

/// An aggregation built by [`Repository::aggregate`], run with
/// [`Aggregate::rows`].
#[must_use = "an aggregation does nothing until it is run"]
pub struct Aggregate<'r, M, E> {
    pub(super) repository: &'r Repository<M, E>,
    filter: Expr<M>,
    pub(super) steps: Vec<Step<M>>,
}

pub(super) enum Step<M> {
    Group {
        keys: Vec<&'static str>,
        reducers: Vec<Reduce<M>>,
    },
    Sort {
        column: String,
        descending: bool,
    },
    Limit(u64, u64),
}

impl<'r, M: Model, E: Executor> Aggregate<'r, M, E> {
    /// One row per distinct value (or combination of values) of `keys`,
    /// with a column per reducer; the key columns are named like the
    /// fields.
    pub fn group_by(
        mut self,
        keys: impl GroupKeys<M>,
        reducers: impl IntoIterator<Item = Reduce<M>>,
    ) -> Self {
        self.steps.push(Step::Group {
            keys: keys.names(),
            reducers: reducers.into_iter().collect(),
        });
        self
    }

    /// Sorts the rows by a column (a key or a reducer's name), smallest
    /// first.
    pub fn sort_by_asc(mut self, column: impl Into<String>) -> Self {
        self.steps.push(Step::Sort {
            column: column.into(),
            descending: false,
        });
        self
    }

    /// Sorts the rows by a column, largest first.
    pub fn sort_by_desc(mut self, column: impl Into<String>) -> Self {
        self.steps.push(Step::Sort {
            column: column.into(),
            descending: true,
        });
        self
    }

    /// Only `count` rows after skipping `offset`.
    pub fn limit(mut self, offset: u64, count: u64) -> Self {
        self.steps.push(Step::Limit(offset, count));
        self
    }

    /// The pipeline, after checking every column name.
    fn pipeline(&self, search: &Search) -> Result<AggregateOptions> {
        let mut loads: Vec<&'static str> = Vec::new();
        for step in &self.steps {
            if let Step::Group { keys, reducers } = step {
                loads.extend(keys.iter().copied());
                loads.extend(reducers.iter().filter_map(|r| r.reads));
            }
        }
        loads.sort_unstable();
        loads.dedup();
        let mut options = match &search.query {
            Some(query) => search.aggregate_options(query),
            None => AggregateOptions::new().dialect(2),
        };
        // Loaded first, so that grouping sees every field whether or not
        // the index keeps it sortable.
        if !loads.is_empty() {
            options = options.load(loads.iter().map(|name| format!("@{name}")));
        }
        for step in &self.steps {
            options = match step {
                Step::Group { keys, reducers } => {
                    for reducer in reducers {
                        column_name::<M>(&reducer.name)?;
                    }
                    options.group_by(
                        keys.iter().map(|key| format!("@{key}")),
                        reducers.iter().map(|r| r.reducer.clone().alias(&r.name)),
                    )
                }
                Step::Sort { column, descending } => {
                    column_name::<M>(column)?;
                    let property = format!("@{column}");
                    options.sort_by([match descending {
                        true => SortProperty::desc(property),
                        false => SortProperty::asc(property),
                    }])
                }
                Step::Limit(offset, count) => options.limit(*offset, *count),
            };
        }
        Ok(options.with_cursor().cursor_count(CURSOR_BATCH))
    }

    /// Every row, as `R` (a struct deriving `Deserialize` whose fields are
    /// the columns: group keys by field name, reducers by their names;
    /// numbers are parsed from the server's text). Read through a cursor a
    /// thousand rows at a time, so no result is too big for the server to
    /// hand over. A row that does not fit `R` is an error of kind
    /// [`ErrorKind::Decode`] naming the column.
    ///
    /// On a cluster, each shard aggregates its own records and their rows
    /// are merged (see the `aggregate_shards` module): one group of
    /// sortable fields, with reducers whose whole follows from the shards'
    /// values (count, sum, min, max, avg, tolist), then sorts and limits;
    /// anything else is refused with [`ErrorKind::InvalidInput`] before
    /// anything is sent.
    pub async fn rows<R: DeserializeOwned>(self) -> Result<Vec<R>> {
        let search = Search::new(
            self.repository.prefix(),
            &self.filter,
            None,
            &Default::default(),
        )?;
        let Some(query) = &search.query else {
            return Ok(Vec::new());
        };
        let executor = self.repository.executor();
        let rows = match shard_indexes(executor, &search.index)?.as_slice() {
            [index] => {
                let options = self.pipeline(&search)?;
                read_rows::<M, E>(executor, index, &query.text, &options).await?
            }
            shards => self.rows_on_shards(shards, &search, query).await?,
        };
        let mut decoded = Vec::with_capacity(rows.len());
        for row in rows {
            decoded.push(decode_row::<M, R>(&row.0, "an aggregation row")?);
        }
        Ok(decoded)
    }
}

/// Every row of `options`' aggregation of `text` on `index`, read through
/// its cursor.
pub(super) async fn read_rows<M: Model, E: Executor>(
    executor: &E,
    index: &str,
    text: &str,
    options: &AggregateOptions,
) -> Result<Vec<Row>> {
    let cmd = commands::ft_aggregate::<Row>(index, text, options);
    let mut batch: AggregateResult<Row> = executor
        .execute(cmd.into_cmd())
        .await
        .map_err(|error| missing_index::<M>(error, index))?;
    let mut rows = Vec::new();
    loop {
        rows.extend(batch.rows);
        match batch.cursor {
            Some(cursor) if cursor != 0 => {
                let read = commands::ft_cursor_read_with::<Row>(index, cursor, CURSOR_BATCH);
                batch = executor.execute(read.into_cmd()).await?;
            }
            _ => return Ok(rows),
        }
    }
}

/// A column name the pipeline can use as it is: letters, digits and `_`.
fn column_name<M: Model>(name: &str) -> Result<()> {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::InvalidInput,
        format!(
            "an aggregation of {}: the column name {name:?} has characters other than letters, \
             digits and `_`; nothing was sent",
            M::info().name()
        ),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::reduce;
    use crate::RedisModel;

    #[derive(RedisModel)]
    struct Sale {
        #[redis(pk)]
        id: String,
        #[redis(index)]
        region: String,
        #[redis(index)]
        amount: f64,
    }

    #[test]
    fn reducers_name_their_columns_after_what_they_compute() {
        assert_eq!(reduce::count::<Sale>().name, "count");
        assert_eq!(reduce::sum(Sale::amount()).name, "sum_amount");
        assert_eq!(reduce::avg(Sale::amount()).name, "avg_amount");
        assert_eq!(
            reduce::quantile(Sale::amount(), 0.5).name,
            "quantile_amount"
        );
        assert_eq!(reduce::tolist(Sale::region()).name, "tolist_region");
        assert_eq!(reduce::sum(Sale::amount()).named("total").name, "total");
    }
}
