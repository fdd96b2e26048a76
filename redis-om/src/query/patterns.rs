//! Patterns: TAG values that start with, end with or hold a string, and
//! TEXT terms that end with or hold one (a term's prefix is in ops.rs
//! with the other TEXT operators). The string is bound as a parameter
//! like any value; only the wildcards around it are query text.

use super::escape;
use super::expr::{Expr, Leaf, Node, Shape};
use crate::field::{Field, kind};
use crate::model::Model;

/// The fewest characters the server looks for in a pattern (its
/// `MINPREFIX` setting, 2 unless changed): a shorter one would silently
/// match nothing, so it is refused instead.
const MIN_PATTERN: usize = 2;

/// The pattern of `shape` around `value` on `field`; a `value` shorter
/// than [`MIN_PATTERN`] characters is a condition that cannot be sent.
pub(super) fn pattern<M>(field: String, value: &str, shape: Shape, tag: bool) -> Expr<M> {
    if value.chars().count() < MIN_PATTERN {
        return Expr::new(Node::Invalid(format!(
            "@{field}: the server looks for prefixes, suffixes and parts of at least \
             {MIN_PATTERN} characters (its MINPREFIX setting), and {value:?} is shorter"
        )));
    }
    Expr::leaf(Leaf::Pattern {
        field,
        value: escape::param(value).into_owned(),
        shape,
        tag,
    })
}

/// TAG patterns on string TAG fields. Like `eq`, they compare without
/// case unless the field is `case_sensitive`. The server answers
/// `ends_with` and `contains` by scanning every value of the field unless
/// it keeps a suffix trie (`WITHSUFFIXTRIE`), which is slower on large
/// indexes. Every pattern needs at least two characters (the server's
/// `MINPREFIX`): a shorter one fails the query before it is sent.
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct User {
///     #[redis(pk)]
///     id: String,
///     #[redis(index)]
///     email: String,
/// }
///
/// let q = User::email().ends_with("@example.com") & !User::email().starts_with("test.");
/// assert_eq!(
///     q.to_string(),
///     r#"@email:{*$p0} (-(@email:{$p1*})) PARAMS p0="@example.com" p1="test.""#
/// );
/// ```
impl<M: Model, S> Field<M, kind::Tag<String>, S> {
    /// A value starting with `prefix`.
    pub fn starts_with(self, prefix: &str) -> Expr<M> {
        pattern(self.name().to_owned(), prefix, Shape::Prefix, true)
    }

    /// A value ending with `suffix`.
    pub fn ends_with(self, suffix: &str) -> Expr<M> {
        pattern(self.name().to_owned(), suffix, Shape::Suffix, true)
    }

    /// A value holding `part` anywhere.
    pub fn contains(self, part: &str) -> Expr<M> {
        pattern(self.name().to_owned(), part, Shape::Infix, true)
    }
}

/// TAG patterns on multi-valued fields: one of the record's values
/// matches.
impl<M: Model, S> Field<M, kind::MultiTag<String>, S> {
    /// One of the values starting with `prefix`.
    pub fn starts_with(self, prefix: &str) -> Expr<M> {
        pattern(self.name().to_owned(), prefix, Shape::Prefix, true)
    }

    /// One of the values ending with `suffix`.
    pub fn ends_with(self, suffix: &str) -> Expr<M> {
        pattern(self.name().to_owned(), suffix, Shape::Suffix, true)
    }

    /// One of the values holding `part` anywhere.
    pub fn contains(self, part: &str) -> Expr<M> {
        pattern(self.name().to_owned(), part, Shape::Infix, true)
    }
}

/// TEXT patterns: a term of the field ending with or holding a string
/// (at least two characters, the server's `MINPREFIX`; a shorter string
/// fails the query before it is sent). The string is one term: text with separators in it matches no term, as no term
/// holds a separator.
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct Product {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(text))]
///     name: String,
/// }
///
/// let q = Product::name().suffix("phone") | Product::name().infix("lamp");
/// assert_eq!(q.to_string(), r#"@name:*$p0 | @name:*$p1* PARAMS p0="phone" p1="lamp""#);
/// ```
impl<M, S> Field<M, kind::Text, S> {
    /// Holding a term that ends with `suffix`.
    pub fn suffix(self, suffix: &str) -> Expr<M> {
        pattern(self.name().to_owned(), suffix, Shape::Suffix, false)
    }

    /// Holding a term with `part` anywhere in it.
    pub fn infix(self, part: &str) -> Expr<M> {
        pattern(self.name().to_owned(), part, Shape::Infix, false)
    }
}

/// Both forms on `full_text_search` fields: the TAG patterns on the whole
/// string, the TEXT ones on its terms.
impl<M: Model, S> Field<M, kind::TagText, S> {
    /// The whole string starting with `prefix`.
    pub fn starts_with(self, prefix: &str) -> Expr<M> {
        pattern(self.name().to_owned(), prefix, Shape::Prefix, true)
    }

    /// The whole string ending with `suffix`.
    pub fn ends_with(self, suffix: &str) -> Expr<M> {
        pattern(self.name().to_owned(), suffix, Shape::Suffix, true)
    }

    /// The whole string holding `part` anywhere.
    pub fn contains(self, part: &str) -> Expr<M> {
        pattern(self.name().to_owned(), part, Shape::Infix, true)
    }

    /// Holding a term that ends with `suffix`.
    pub fn suffix(self, suffix: &str) -> Expr<M> {
        pattern(format!("{}_fts", self.name()), suffix, Shape::Suffix, false)
    }

    /// Holding a term with `part` anywhere in it.
    pub fn infix(self, part: &str) -> Expr<M> {
        pattern(format!("{}_fts", self.name()), part, Shape::Infix, false)
    }
}
