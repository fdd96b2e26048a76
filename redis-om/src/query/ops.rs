//! The operators of field handles, one `impl` block per index kind: a
//! field offers what its index can answer, and takes values of its own
//! Rust type.

use std::ops::{Bound, RangeBounds};

use redis_core::commands::GeoUnit;

use super::escape;
use super::expr::{Expr, Leaf, Node, Shape};
use crate::field::{Field, Sortable, kind};
use crate::model::{Model, StorageKind};

/// A Rust value a NUMERIC field holds: integers, floats and the date-times
/// (as their [epoch seconds](crate::epoch_seconds)), written as the number
/// the index holds for it.
///
/// ```
/// use redis_om::query::NumericValue;
/// assert_eq!(0.1f64.to_number(), Ok("0.1".to_owned()));
/// assert_eq!(f64::INFINITY.to_number(), Ok("+inf".to_owned()));
/// assert!(f64::NAN.to_number().is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a number a NUMERIC field can be compared with",
    note = "a NUMERIC field takes a value of its own Rust type"
)]
pub trait NumericValue {
    /// The number as text for the server; `Err` says why there is none
    /// (NaN).
    fn to_number(&self) -> Result<String, String>;
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl NumericValue for $t {
            fn to_number(&self) -> Result<String, String> {
                Ok(self.to_string())
            }
        }
    )*};
}

integers!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl NumericValue for $t {
            fn to_number(&self) -> Result<String, String> {
                match *self {
                    value if value.is_nan() => Err("NaN is no number to compare with".to_owned()),
                    <$t>::INFINITY => Ok("+inf".to_owned()),
                    <$t>::NEG_INFINITY => Ok("-inf".to_owned()),
                    // The shortest text that reads back as the same value.
                    value => Ok(value.to_string()),
                }
            }
        }
    )*};
}

floats!(f32, f64);

impl<T: crate::epoch_seconds::EpochSeconds> NumericValue for T {
    fn to_number(&self) -> Result<String, String> {
        Ok(crate::epoch_seconds::to_text(self))
    }
}

/// A value a TAG field holding `T`s is compared with: `&str` or `String`
/// for a string, `bool` for a `bool`, a `Uuid` for a `Uuid`, the enum for
/// an enum deriving [`RedisEnum`](crate::RedisEnum), the integer for an
/// integer indexed as a TAG.
///
/// ```
/// use redis_om::StorageKind;
/// use redis_om::query::TagValue;
/// assert_eq!(TagValue::<bool>::tag_text(&true, StorageKind::Hash), "1");
/// assert_eq!(TagValue::<bool>::tag_text(&true, StorageKind::Json), "true");
/// assert_eq!(TagValue::<String>::tag_text(&"a|b", StorageKind::Hash), "a|b");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is no value of a TAG field holding `{T}`",
    label = "a TAG field takes a value of its own Rust type",
    note = "string TAG fields take &str or String; bool, uuid::Uuid and enum fields take their own type"
)]
pub trait TagValue<T> {
    /// The value as the index holds it for a record of `storage` (`1` for
    /// `true` in a hash, `true` in a JSON document).
    fn tag_text(&self, storage: StorageKind) -> String;
}

impl TagValue<String> for &str {
    fn tag_text(&self, _: StorageKind) -> String {
        (*self).to_owned()
    }
}

impl TagValue<String> for String {
    fn tag_text(&self, _: StorageKind) -> String {
        self.clone()
    }
}

impl TagValue<String> for &String {
    fn tag_text(&self, _: StorageKind) -> String {
        (*self).clone()
    }
}

impl TagValue<bool> for bool {
    fn tag_text(&self, storage: StorageKind) -> String {
        match (storage, *self) {
            (StorageKind::Json, value) => value.to_string(),
            (_, true) => "1".to_owned(),
            (_, false) => "0".to_owned(),
        }
    }
}

impl TagValue<uuid::Uuid> for uuid::Uuid {
    fn tag_text(&self, _: StorageKind) -> String {
        self.hyphenated().to_string()
    }
}

impl TagValue<uuid::Uuid> for &uuid::Uuid {
    fn tag_text(&self, storage: StorageKind) -> String {
        (**self).tag_text(storage)
    }
}

impl<E: crate::RedisEnum> TagValue<E> for E {
    fn tag_text(&self, _: StorageKind) -> String {
        self.stored_name().to_owned()
    }
}

macro_rules! integer_tags {
    ($($t:ty),*) => {$(
        impl TagValue<$t> for $t {
            fn tag_text(&self, _: StorageKind) -> String {
                self.to_string()
            }
        }
    )*};
}

integer_tags!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// How many edits a fuzzy match allows ([`Field::fuzzy`]): the server
/// knows one to three.
///
/// ```
/// # use redis_om::RedisModel;
/// use redis_om::query::Distance;
/// # #[derive(RedisModel)]
/// # struct Product { #[redis(pk)] id: String, #[redis(index(text))] name: String }
/// let typo = Product::name().fuzzy("lmap", Distance::Two);
/// assert_eq!(typo.to_string(), r#"@name:%%$p0%% PARAMS p0="lmap""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distance {
    /// One insertion, deletion or substitution (`%term%`).
    One,
    /// Two (`%%term%%`).
    Two,
    /// Three (`%%%term%%%`).
    Three,
}

/// A direction to sort a query's records by a sortable field
/// ([`Field::asc`], [`Field::desc`]).
///
/// ```
/// # use redis_om::RedisModel;
/// # #[derive(RedisModel)]
/// # struct Product { #[redis(pk)] id: String, #[redis(index(sortable))] price: f64 }
/// let dearest_first = Product::price().desc();
/// assert_eq!(format!("{dearest_first:?}"), "Sort(@price DESC)");
/// ```
pub struct Sort<M> {
    pub(crate) field: &'static str,
    pub(crate) descending: bool,
    model: std::marker::PhantomData<fn() -> M>,
}

impl<M> Clone for Sort<M> {
    fn clone(&self) -> Self {
        Sort {
            field: self.field,
            descending: self.descending,
            model: std::marker::PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for Sort<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let direction = if self.descending { "DESC" } else { "ASC" };
        write!(f, "Sort(@{} {direction})", self.field)
    }
}

/// What sorting needs of a field: that it is indexed `sortable`.
///
/// ```compile_fail
/// # use redis_om::RedisModel;
/// # #[derive(RedisModel)]
/// # struct Product { #[redis(pk)] id: String, #[redis(index)] brand: String }
/// let _ = Product::brand().asc(); // the field is not sortable
/// ```
#[diagnostic::on_unimplemented(
    message = "the field is not sortable",
    label = "`asc` and `desc` need a field indexed `sortable`",
    note = "index the field with #[redis(index(sortable))] to sort by it"
)]
pub trait SortableField {}

impl SortableField for Sortable {}

/// Sorting: only for fields indexed `sortable`.
impl<M, K, S> Field<M, K, S> {
    /// Smallest first.
    ///
    /// ```
    /// # use redis_om::RedisModel;
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index(sortable))] price: f64 }
    /// let cheapest_first = Product::price().asc();
    /// # let _ = cheapest_first;
    /// ```
    pub fn asc(self) -> Sort<M>
    where
        S: SortableField,
    {
        self.sort(false)
    }

    /// Largest first.
    ///
    /// ```
    /// # use redis_om::RedisModel;
    /// # #[derive(RedisModel)]
    /// # struct Product { #[redis(pk)] id: String, #[redis(index(sortable))] price: f64 }
    /// let dearest_first = Product::price().desc();
    /// # let _ = dearest_first;
    /// ```
    pub fn desc(self) -> Sort<M>
    where
        S: SortableField,
    {
        self.sort(true)
    }

    fn sort(self, descending: bool) -> Sort<M> {
        Sort {
            field: self.name(),
            descending,
            model: std::marker::PhantomData,
        }
    }
}

fn range<M, T: NumericValue>(field: &str, lo: Bound<&T>, hi: Bound<&T>) -> Expr<M> {
    let number = |bound: Bound<&T>| -> Result<Bound<String>, String> {
        Ok(match bound {
            Bound::Included(value) => Bound::Included(value.to_number()?),
            Bound::Excluded(value) => Bound::Excluded(value.to_number()?),
            Bound::Unbounded => Bound::Unbounded,
        })
    };
    match (number(lo), number(hi)) {
        (Ok(lo), Ok(hi)) => Expr::leaf(Leaf::Range {
            field: field.to_owned(),
            lo,
            hi,
        }),
        (Err(why), _) | (_, Err(why)) => Expr::new(Node::Invalid(format!("@{field}: {why}"))),
    }
}

/// What `lt`, `between` and the other orderings need of a field: a
/// NUMERIC index of values of type `V`.
///
/// ```compile_fail
/// # use redis_om::RedisModel;
/// # #[derive(RedisModel)]
/// # struct Product { #[redis(pk)] id: String, #[redis(index)] brand: String }
/// let _ = Product::brand().lt(3); // a TAG field has no order
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{Self}` field has no order",
    label = "`lt`, `le`, `gt`, `ge`, `between` and `in_range` need a NUMERIC field",
    note = "TAG fields take `eq`, `ne`, `any_of` and `none_of`; TEXT fields `matches`, `phrase`, \
            `prefix` and `fuzzy`"
)]
pub trait Ordered<V> {}

impl<T: NumericValue> Ordered<T> for kind::Numeric<T> {}

/// NUMERIC fields (numbers, date-times): equality with a value of the
/// field's own type.
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     stock: u32,
/// }
///
/// let q = Product::stock().ne(0);
/// assert_eq!(q.to_string(), r#"-(@stock:[$p0 $p1]) PARAMS p0="0" p1="0""#);
/// ```
impl<M, T: NumericValue, S> Field<M, kind::Numeric<T>, S> {
    /// Equal to `value`.
    pub fn eq(self, value: T) -> Expr<M> {
        range(
            self.name(),
            Bound::Included(&value),
            Bound::Included(&value),
        )
    }

    /// Not equal to `value` (records without the field included).
    pub fn ne(self, value: T) -> Expr<M> {
        !self.eq(value)
    }
}

/// Orderings: NUMERIC fields only (numbers, date-times), with a value of
/// the field's own type.
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     price: f64,
///     #[redis(index)]
///     stock: u32,
/// }
///
/// let q = Product::price().in_range(1.0..10.0) & Product::stock().gt(0);
/// assert_eq!(q.to_string(), r#"@price:[$p0 ($p1] @stock:[($p2 +inf] PARAMS p0="1" p1="10" p2="0""#);
/// ```
impl<M, K, S> Field<M, K, S> {
    /// Less than `value`.
    pub fn lt<V: NumericValue>(self, value: V) -> Expr<M>
    where
        K: Ordered<V>,
    {
        range(self.name(), Bound::Unbounded, Bound::Excluded(&value))
    }

    /// Less than or equal to `value`.
    pub fn le<V: NumericValue>(self, value: V) -> Expr<M>
    where
        K: Ordered<V>,
    {
        range(self.name(), Bound::Unbounded, Bound::Included(&value))
    }

    /// Greater than `value`.
    pub fn gt<V: NumericValue>(self, value: V) -> Expr<M>
    where
        K: Ordered<V>,
    {
        range(self.name(), Bound::Excluded(&value), Bound::Unbounded)
    }

    /// Greater than or equal to `value`.
    pub fn ge<V: NumericValue>(self, value: V) -> Expr<M>
    where
        K: Ordered<V>,
    {
        range(self.name(), Bound::Included(&value), Bound::Unbounded)
    }

    /// From `lo` to `hi`, both included.
    pub fn between<V: NumericValue>(self, lo: V, hi: V) -> Expr<M>
    where
        K: Ordered<V>,
    {
        range(self.name(), Bound::Included(&lo), Bound::Included(&hi))
    }

    /// Within a Rust range: `1.0..10.0` (10 excluded), `5..=9`, `..3`,
    /// `100..`.
    pub fn in_range<V: NumericValue>(self, range: impl RangeBounds<V>) -> Expr<M>
    where
        K: Ordered<V>,
    {
        self::range(self.name(), range.start_bound(), range.end_bound())
    }
}

fn tag<M: Model, T, V: TagValue<T>>(field: &str, values: impl IntoIterator<Item = V>) -> Expr<M> {
    let storage = M::info().storage();
    let values: Vec<String> = values
        .into_iter()
        .map(|value| escape::param(&value.tag_text(storage)).into_owned())
        .collect();
    if values.is_empty() {
        return Expr::new(Node::Nothing);
    }
    Expr::leaf(Leaf::Tag {
        field: field.to_owned(),
        values,
    })
}

/// TAG fields: exact values of the field's own type. Values are bound as
/// parameters: any character may be in them. The server compares TAG
/// values without case unless the field is `case_sensitive`, and in hash
/// records it cuts a stored value at the field's separator (`,` unless
/// another is given) and trims the spaces around each piece, so a value
/// holding the separator, or spaces at its ends, is found only in JSON
/// records.
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     brand: String,
///     #[redis(index)]
///     in_stock: bool,
/// }
///
/// let q = Product::brand().any_of(["Acme", "x|y"]) & Product::in_stock().eq(true);
/// assert_eq!(q.to_string(), r#"@brand:{$p0 | $p1} @in_stock:{$p2} PARAMS p0="Acme" p1="x|y" p2="1""#);
/// ```
impl<M: Model, T, S> Field<M, kind::Tag<T>, S> {
    /// Holding `value`.
    pub fn eq(self, value: impl TagValue<T>) -> Expr<M> {
        tag(self.name(), [value])
    }

    /// Not holding `value` (records without the field included).
    pub fn ne(self, value: impl TagValue<T>) -> Expr<M> {
        !self.eq(value)
    }

    /// Holding one of `values` (no record when there are none).
    pub fn any_of<V: TagValue<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        tag(self.name(), values)
    }

    /// Holding none of `values`.
    pub fn none_of<V: TagValue<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        !self.any_of(values)
    }
}

/// Multi-valued TAG fields (`Vec<String>`): a record matches a value when
/// it holds it among others.
///
/// ```
/// use redis_om::RedisModel;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(RedisModel, Serialize, Deserialize)]
/// #[redis(storage = "json")]
/// struct Post {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     tags: Vec<String>,
/// }
///
/// let q = Post::tags().all_of(["rust", "redis"]);
/// assert_eq!(q.to_string(), r#"@tags:{$p0} @tags:{$p1} PARAMS p0="rust" p1="redis""#);
/// ```
impl<M: Model, T, S> Field<M, kind::MultiTag<T>, S> {
    /// Holding `value`, among others.
    pub fn eq(self, value: impl TagValue<T>) -> Expr<M> {
        tag(self.name(), [value])
    }

    /// Not holding `value`.
    pub fn ne(self, value: impl TagValue<T>) -> Expr<M> {
        !self.eq(value)
    }

    /// Holding at least one of `values` (no record when there are none).
    pub fn any_of<V: TagValue<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        tag(self.name(), values)
    }

    /// Holding none of `values`.
    pub fn none_of<V: TagValue<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        !self.any_of(values)
    }

    /// Holding every one of `values` (every record when there are none).
    pub fn all_of<V: TagValue<T>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        let name = self.name();
        let each = values
            .into_iter()
            .map(|value| tag::<M, T, V>(name, [value]).node());
        Expr::new(Node::And(each.collect()))
    }
}

fn matches<M>(field: String, text: &str) -> Expr<M> {
    let terms = escape::terms(text);
    if terms.is_empty() {
        return Expr::new(Node::Nothing);
    }
    Expr::leaf(Leaf::Terms { field, terms })
}

fn phrase<M>(field: String, text: &str) -> Expr<M> {
    let terms = escape::terms(text);
    if terms.is_empty() {
        return Expr::new(Node::Nothing);
    }
    Expr::leaf(Leaf::Phrase { field, terms })
}

fn prefix<M>(field: String, prefix: &str) -> Expr<M> {
    super::patterns::pattern(field, prefix, Shape::Prefix, false)
}

fn fuzzy<M>(field: String, term: &str, distance: Distance) -> Expr<M> {
    if term.is_empty() {
        return Expr::new(Node::Nothing);
    }
    let distance = match distance {
        Distance::One => 1,
        Distance::Two => 2,
        Distance::Three => 3,
    };
    let term = escape::param(term).into_owned();
    Expr::leaf(Leaf::Fuzzy {
        field,
        term,
        distance,
    })
}

/// TEXT fields: full-text search. User text is cut into terms as the
/// server cuts the field's text (at spaces and punctuation; stop words
/// such as "the" left out), and each term is bound as a parameter; the
/// server applies case folding and stemming to them as to the field.
///
/// ```
/// use redis_om::RedisModel;
/// use redis_om::query::Distance;
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(text))]
///     name: String,
/// }
///
/// let q = Product::name().matches("foo-bar") | Product::name().fuzzy("phnoe", Distance::One);
/// assert_eq!(q.to_string(), r#"@name:($p0 $p1) | @name:%$p2% PARAMS p0="foo" p1="bar" p2="phnoe""#);
/// ```
impl<M, S> Field<M, kind::Text, S> {
    /// Holding every term of `text`, anywhere. Text without terms (only
    /// punctuation or stop words) matches no record.
    pub fn matches(self, text: &str) -> Expr<M> {
        matches(self.name().to_owned(), text)
    }

    /// Holding the terms of `text` next to each other, in order: what the
    /// server's quoted phrase finds. Stop words, which the index does not
    /// hold, are left out ("quick the brown" finds "quick brown"). The
    /// server (RediSearch 2.10) checks the terms' positions over all of a
    /// record's TEXT fields together: a record whose field holds every
    /// term, and whose other TEXT field holds them in order, matches too.
    pub fn phrase(self, text: &str) -> Expr<M> {
        phrase(self.name().to_owned(), text)
    }

    /// Holding a term that starts with `prefix` (the server looks for
    /// prefixes of two characters or more: a shorter one fails the query
    /// before it is sent).
    pub fn prefix(self, prefix: &str) -> Expr<M> {
        self::prefix(self.name().to_owned(), prefix)
    }

    /// Holding a term within `distance` edits of `term`.
    pub fn fuzzy(self, term: &str, distance: Distance) -> Expr<M> {
        fuzzy(self.name().to_owned(), term, distance)
    }
}

/// Fields indexed both ways (`full_text_search`): the TAG operators on the
/// exact string, the TEXT operators on its terms (the `{name}_fts` field).
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(full_text_search))]
///     title: String,
/// }
///
/// let q = Product::title().eq("Blue Lamp") | Product::title().matches("lamp");
/// assert_eq!(q.to_string(), r#"@title:{$p0} | @title_fts:$p1 PARAMS p0="Blue Lamp" p1="lamp""#);
/// ```
impl<M: Model, S> Field<M, kind::TagText, S> {
    fn text_name(self) -> String {
        format!("{}_fts", self.name())
    }

    /// The whole string equal to `value` (the TAG).
    pub fn eq(self, value: impl TagValue<String>) -> Expr<M> {
        tag(self.name(), [value])
    }

    /// The whole string not equal to `value`.
    pub fn ne(self, value: impl TagValue<String>) -> Expr<M> {
        !self.eq(value)
    }

    /// The whole string one of `values`.
    pub fn any_of<V: TagValue<String>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        tag(self.name(), values)
    }

    /// The whole string none of `values`.
    pub fn none_of<V: TagValue<String>>(self, values: impl IntoIterator<Item = V>) -> Expr<M> {
        !self.any_of(values)
    }

    /// Holding every term of `text` ([`Field::matches`] of TEXT fields).
    pub fn matches(self, text: &str) -> Expr<M> {
        matches(self.text_name(), text)
    }

    /// Holding the terms of `text` in order ([`Field::phrase`] of TEXT
    /// fields).
    pub fn phrase(self, text: &str) -> Expr<M> {
        phrase(self.text_name(), text)
    }

    /// Holding a term starting with `prefix`.
    pub fn prefix(self, prefix: &str) -> Expr<M> {
        self::prefix(self.text_name(), prefix)
    }

    /// Holding a term within `distance` edits of `term`.
    pub fn fuzzy(self, term: &str, distance: Distance) -> Expr<M> {
        fuzzy(self.text_name(), term, distance)
    }
}

/// GEO fields: points within a distance.
///
/// ```
/// use redis_om::{GeoPoint, RedisModel};
/// use redis_om::core::commands::GeoUnit;
///
/// #[derive(RedisModel)]
/// struct Shop {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     location: GeoPoint,
/// }
///
/// let near_paris = Shop::location().within_radius(2.35, 48.85, 10.0, GeoUnit::Kilometers);
/// assert_eq!(
///     near_paris.to_string(),
///     r#"@location:[$p0 $p1 $p2 km] PARAMS p0="2.35" p1="48.85" p2="10""#
/// );
/// ```
impl<M, S> Field<M, kind::Geo, S> {
    /// Within `radius` (in `unit`) of the point at `longitude`,
    /// `latitude`. A NaN anywhere makes a query that cannot be sent.
    pub fn within_radius(
        self,
        longitude: f64,
        latitude: f64,
        radius: f64,
        unit: GeoUnit,
    ) -> Expr<M> {
        if [longitude, latitude, radius].iter().any(|n| !n.is_finite()) {
            return Expr::new(Node::Invalid(format!(
                "@{}: a radius query needs finite numbers",
                self.name()
            )));
        }
        let unit = match unit {
            GeoUnit::Meters => "m",
            GeoUnit::Kilometers => "km",
            GeoUnit::Miles => "mi",
            GeoUnit::Feet => "ft",
        };
        Expr::leaf(Leaf::Radius {
            field: self.name().to_owned(),
            longitude,
            latitude,
            radius,
            unit,
        })
    }
}
