//! `FT.AGGREGATE`'s pipeline and its reply, which `FT.CURSOR READ` shares.

use std::collections::HashMap;
use std::time::Duration;

use super::search_options::write_params_and_dialect;
use super::sort::SortProperty;
use super::support::{as_map, counted, elements, entries, millis, number, reply, text};
use crate::{Cmd, Error, FromValue, Result, ToArgs, Value};

/// `FT.AGGREGATE`'s pipeline after the query: steps that run in the order
/// they are added (load, group, apply, sort, limit, filter), and options
/// for the whole request. Properties are written as the server writes them,
/// `@name`; expressions are the server's expression language
/// (`@price * @quantity`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AggregateOptions {
    verbatim: bool,
    add_scores: bool,
    steps: Vec<Step>,
    cursor: Option<CursorOptions>,
    timeout: Option<Duration>,
    params: Vec<(String, Vec<u8>)>,
    dialect: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Load(Vec<String>),
    LoadAll,
    GroupBy(Vec<String>, Vec<Reducer>),
    Apply(String, String),
    SortBy(Vec<SortProperty>, Option<u64>),
    Limit(u64, u64),
    Filter(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct CursorOptions {
    count: Option<u64>,
    max_idle: Option<Duration>,
}

impl AggregateOptions {
    /// An empty pipeline: one row per matching document, with no fields.
    pub fn new() -> Self {
        AggregateOptions::default()
    }

    /// `LOAD`: read these fields (`@name`, or JSON paths) from the documents.
    pub fn load<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        let fields = fields.into_iter().map(Into::into).collect();
        self.steps.push(Step::Load(fields));
        self
    }

    /// `LOAD *`: read every field of the documents.
    #[doc(alias = "LOAD")]
    pub fn load_all(mut self) -> Self {
        self.steps.push(Step::LoadAll);
        self
    }

    /// `GROUPBY`: one row per distinct combination of `properties` (none:
    /// one row for everything), with a column per reducer.
    #[doc(alias = "GROUPBY")]
    pub fn group_by<S: Into<String>>(
        mut self,
        properties: impl IntoIterator<Item = S>,
        reducers: impl IntoIterator<Item = Reducer>,
    ) -> Self {
        let properties = properties.into_iter().map(Into::into).collect();
        self.steps
            .push(Step::GroupBy(properties, reducers.into_iter().collect()));
        self
    }

    /// `APPLY expression AS name`: a new column computed per row.
    pub fn apply(mut self, expression: impl Into<String>, name: impl Into<String>) -> Self {
        self.steps.push(Step::Apply(expression.into(), name.into()));
        self
    }

    /// `SORTBY`: order the rows by these properties, the first first.
    #[doc(alias = "SORTBY")]
    pub fn sort_by(mut self, properties: impl IntoIterator<Item = SortProperty>) -> Self {
        self.steps
            .push(Step::SortBy(properties.into_iter().collect(), None));
        self
    }

    /// `SORTBY ... MAX max`: order the rows and keep only the first `max`.
    #[doc(alias = "SORTBY")]
    pub fn sort_by_max(
        mut self,
        properties: impl IntoIterator<Item = SortProperty>,
        max: u64,
    ) -> Self {
        self.steps
            .push(Step::SortBy(properties.into_iter().collect(), Some(max)));
        self
    }

    /// `LIMIT offset count`: keep `count` rows from `offset` on.
    pub fn limit(mut self, offset: u64, count: u64) -> Self {
        self.steps.push(Step::Limit(offset, count));
        self
    }

    /// `FILTER expression`: keep the rows for which it is true.
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.steps.push(Step::Filter(expression.into()));
        self
    }

    /// `VERBATIM`: match query terms as written, without stemming.
    pub fn verbatim(mut self) -> Self {
        self.verbatim = true;
        self
    }

    /// `ADDSCORES`: each row gets the document's score as `__score`.
    #[doc(alias = "ADDSCORES")]
    pub fn add_scores(mut self) -> Self {
        self.add_scores = true;
        self
    }

    /// `WITHCURSOR`: reply with the first batch of rows and a cursor
    /// ([`AggregateResult::cursor`]) to read the rest with `FT.CURSOR READ`.
    #[doc(alias = "WITHCURSOR")]
    pub fn with_cursor(mut self) -> Self {
        self.cursor.get_or_insert_with(CursorOptions::default);
        self
    }

    /// `WITHCURSOR COUNT`: a cursor, reading `count` rows per batch.
    #[doc(alias = "WITHCURSOR")]
    pub fn cursor_count(mut self, count: u64) -> Self {
        self.cursor.get_or_insert_with(CursorOptions::default).count = Some(count);
        self
    }

    /// `WITHCURSOR MAXIDLE`: a cursor, which the server deletes after
    /// `idle` without a read.
    #[doc(alias = "WITHCURSOR")]
    pub fn cursor_max_idle(mut self, idle: Duration) -> Self {
        self.cursor
            .get_or_insert_with(CursorOptions::default)
            .max_idle = Some(idle);
        self
    }

    /// `TIMEOUT`: the server's time limit for this query (milliseconds).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// `PARAMS`: the value of `$name` in the query (call again for more);
    /// sent as given. Parameters need dialect 2 or later, so options with
    /// parameters and no [`dialect`](AggregateOptions::dialect) send
    /// `DIALECT 2`.
    #[doc(alias = "PARAMS")]
    pub fn param(mut self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        self.params.push((name.into(), value.as_ref().to_vec()));
        self
    }

    /// `DIALECT`: the query syntax version. Without it the server's
    /// default applies (1, unless configured otherwise), or 2 when there
    /// are parameters.
    pub fn dialect(mut self, dialect: u32) -> Self {
        self.dialect = Some(dialect);
        self
    }
}

impl ToArgs for AggregateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.verbatim {
            cmd.push_arg("VERBATIM");
        }
        if self.add_scores {
            cmd.push_arg("ADDSCORES");
        }
        for step in &self.steps {
            match step {
                Step::Load(fields) => {
                    cmd.push_arg("LOAD");
                    counted(cmd, fields);
                }
                Step::LoadAll => {
                    cmd.push_arg("LOAD").push_arg("*");
                }
                Step::GroupBy(properties, reducers) => {
                    cmd.push_arg("GROUPBY");
                    counted(cmd, properties);
                    for reducer in reducers {
                        reducer.write(cmd);
                    }
                }
                Step::Apply(expression, name) => {
                    cmd.push_arg("APPLY")
                        .push_arg(expression)
                        .push_arg("AS")
                        .push_arg(name);
                }
                Step::SortBy(properties, max) => {
                    cmd.push_arg("SORTBY").push_arg(properties.len() * 2);
                    for property in properties {
                        property.write(cmd);
                    }
                    if let Some(max) = max {
                        cmd.push_arg("MAX").push_arg(*max);
                    }
                }
                Step::Limit(offset, count) => {
                    cmd.push_arg("LIMIT").push_arg(*offset).push_arg(*count);
                }
                Step::Filter(expression) => {
                    cmd.push_arg("FILTER").push_arg(expression);
                }
            }
        }
        if let Some(cursor) = &self.cursor {
            cmd.push_arg("WITHCURSOR");
            if let Some(count) = cursor.count {
                cmd.push_arg("COUNT").push_arg(count);
            }
            if let Some(idle) = cursor.max_idle {
                cmd.push_arg("MAXIDLE").push_arg(millis(idle));
            }
        }
        if let Some(timeout) = self.timeout {
            cmd.push_arg("TIMEOUT").push_arg(millis(timeout));
        }
        write_params_and_dialect(cmd, &self.params, self.dialect);
    }
}

/// A `GROUPBY` column: a reduce function over each group's rows, named
/// with [`Reducer::alias`] (the server makes up a name otherwise).
#[derive(Debug, Clone, PartialEq)]
pub struct Reducer {
    function: &'static str,
    args: Vec<String>,
    alias: Option<String>,
}

impl Reducer {
    fn new(function: &'static str, args: Vec<String>) -> Self {
        Reducer {
            function,
            args,
            alias: None,
        }
    }

    /// `COUNT`: how many rows the group has.
    pub fn count() -> Self {
        Reducer::new("COUNT", Vec::new())
    }

    /// `COUNT_DISTINCT`: how many distinct values `property` has.
    pub fn count_distinct(property: impl Into<String>) -> Self {
        Reducer::new("COUNT_DISTINCT", vec![property.into()])
    }

    /// `COUNT_DISTINCTISH`: an approximate [`count_distinct`](Self::count_distinct),
    /// cheaper on large groups.
    pub fn count_distinctish(property: impl Into<String>) -> Self {
        Reducer::new("COUNT_DISTINCTISH", vec![property.into()])
    }

    /// `SUM`.
    pub fn sum(property: impl Into<String>) -> Self {
        Reducer::new("SUM", vec![property.into()])
    }

    /// `MIN`.
    pub fn min(property: impl Into<String>) -> Self {
        Reducer::new("MIN", vec![property.into()])
    }

    /// `MAX`.
    pub fn max(property: impl Into<String>) -> Self {
        Reducer::new("MAX", vec![property.into()])
    }

    /// `AVG`: the mean.
    pub fn avg(property: impl Into<String>) -> Self {
        Reducer::new("AVG", vec![property.into()])
    }

    /// `STDDEV`: the standard deviation.
    pub fn stddev(property: impl Into<String>) -> Self {
        Reducer::new("STDDEV", vec![property.into()])
    }

    /// `QUANTILE`: the value below which the fraction `quantile` (0 to 1)
    /// of the group's values lie (0.5 is the median).
    pub fn quantile(property: impl Into<String>, quantile: f64) -> Self {
        Reducer::new("QUANTILE", vec![property.into(), number(quantile)])
    }

    /// `TOLIST`: the distinct values, as a list.
    pub fn tolist(property: impl Into<String>) -> Self {
        Reducer::new("TOLIST", vec![property.into()])
    }

    /// `FIRST_VALUE`: the value of the group's first row.
    pub fn first_value(property: impl Into<String>) -> Self {
        Reducer::new("FIRST_VALUE", vec![property.into()])
    }

    /// `FIRST_VALUE ... BY`: the value of `property` in the row that sorts
    /// first by `by`.
    #[doc(alias = "FIRST_VALUE")]
    pub fn first_value_by(property: impl Into<String>, by: SortProperty) -> Self {
        let (name, direction) = by.parts();
        let args = vec![
            property.into(),
            "BY".to_owned(),
            name.to_owned(),
            direction.to_owned(),
        ];
        Reducer::new("FIRST_VALUE", args)
    }

    /// `RANDOM_SAMPLE`: up to `size` of the values, picked at random.
    pub fn random_sample(property: impl Into<String>, size: u64) -> Self {
        Reducer::new("RANDOM_SAMPLE", vec![property.into(), size.to_string()])
    }

    /// `AS`: the column's name.
    #[doc(alias = "AS")]
    pub fn alias(mut self, name: impl Into<String>) -> Self {
        self.alias = Some(name.into());
        self
    }

    fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg("REDUCE").push_arg(self.function);
        counted(cmd, &self.args);
        if let Some(alias) = &self.alias {
            cmd.push_arg("AS").push_arg(alias);
        }
    }
}

/// `FT.AGGREGATE`'s and `FT.CURSOR READ`'s reply: the rows, each converted
/// to `T` (a map of column names to values by default; from RESP2 and
/// RESP3 alike a row arrives as a map), and the cursor to read more with.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateResult<T = HashMap<String, String>> {
    /// The count the server reports: the number of matching documents
    /// before grouping (with a cursor, only an estimate).
    pub total: u64,
    /// The rows, in order.
    pub rows: Vec<T>,
    /// With [`AggregateOptions::with_cursor`], the cursor to pass to
    /// `FT.CURSOR READ` for the next batch, until it is `None` (all read).
    pub cursor: Option<u64>,
}

/// From RESP3's map (`total_results`, `results` of maps whose
/// `extra_attributes` are the row), RESP2's `[total, row, row, ...]` with
/// flat rows, and either one inside `[reply, cursor]` with a cursor.
impl<T: FromValue> FromValue for AggregateResult<T> {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::Array(items)
                if matches!(
                    items.as_slice(),
                    [Value::Array(_) | Value::Map(_), Value::Integer(_)]
                ) =>
            {
                let mut items = items.into_iter();
                let (Some(rows), Some(cursor)) = (items.next(), items.next()) else {
                    return Err(Error::protocol("FT.AGGREGATE cursor reply"));
                };
                let mut result = AggregateResult::from_value(rows)?;
                result.cursor = Some(u64::from_value(cursor)?).filter(|&id| id != 0);
                Ok(result)
            }
            Value::Array(items) => {
                let mut items = items.into_iter();
                let total = u64::from_value(
                    items
                        .next()
                        .ok_or_else(|| Error::protocol("empty FT.AGGREGATE reply"))?,
                )?;
                let rows = items
                    .map(|row| T::from_value(as_map(row, "FT.AGGREGATE row")?))
                    .collect::<Result<_>>()?;
                Ok(AggregateResult {
                    total,
                    rows,
                    cursor: None,
                })
            }
            Value::Map(map) => {
                let mut total = None;
                let mut rows = Vec::new();
                for (key, value) in map {
                    match text(&key) {
                        Some("total_results") => total = Some(u64::from_value(value)?),
                        Some("results") => {
                            for row in elements(value, "FT.AGGREGATE results")? {
                                rows.push(row_from_map(row)?);
                            }
                        }
                        _ => {}
                    }
                }
                let total = total
                    .ok_or_else(|| Error::protocol("FT.AGGREGATE reply without total_results"))?;
                Ok(AggregateResult {
                    total,
                    rows,
                    cursor: None,
                })
            }
            other => Err(Error::type_mismatch(
                "FT.AGGREGATE reply",
                other.type_name(),
            )),
        }
    }
}

fn row_from_map<T: FromValue>(value: Value) -> Result<T> {
    for (key, value) in entries(value, "FT.AGGREGATE row")? {
        if key == "extra_attributes" {
            return T::from_value(as_map(value, "FT.AGGREGATE row")?);
        }
    }
    T::from_value(Value::Map(Vec::new()))
}
