//! Whether a record has a field at all, or has it empty: for fields
//! indexed with `index_missing` / `index_empty`, which the server needs
//! to answer either (it refuses the query otherwise, so the condition is
//! refused here first, before anything is sent).

use super::expr::{Expr, Leaf, Node};
use crate::field::{Field, FieldKind, kind};
use crate::index::Index;
use crate::model::Model;

/// The index of `M`'s field named `name` in the index, if it is indexed.
fn index_of<M: Model>(name: &str) -> Option<&'static Index> {
    M::info()
        .fields()
        .iter()
        .find(|field| field.stored() == name)
        .and_then(|field| field.index())
}

fn refused<M: Model>(name: &str, option: &str, what: &str) -> Expr<M> {
    Expr::new(Node::Invalid(format!(
        "@{name}: {what} needs the field indexed with `{option}` (#[redis(index({option}))] on \
         {}'s field; then migrate the index)",
        M::info().name()
    )))
}

/// `is_missing` on every indexed field.
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct User {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(index_missing))]
///     nickname: Option<String>,
/// }
///
/// assert_eq!(User::nickname().is_missing().to_string(), "ismissing(@nickname)");
/// assert_eq!((!User::nickname().is_missing()).to_string(), "-(ismissing(@nickname))");
/// ```
impl<M: Model, K: FieldKind, S> Field<M, K, S> {
    /// Records without the field (an `Option` that was `None`, a record
    /// saved before the field existed). Needs `index_missing` on the field.
    pub fn is_missing(self) -> Expr<M> {
        let name = self.name();
        if !index_of::<M>(name).is_some_and(Index::is_index_missing) {
            return refused::<M>(name, "index_missing", "is_missing");
        }
        Expr::leaf(Leaf::Missing {
            field: name.to_owned(),
        })
    }
}

/// An empty value: the empty string bound as the TAG value or the term.
fn empty<M: Model>(name: &str, tag: bool) -> Expr<M> {
    if !index_of::<M>(name).is_some_and(Index::is_index_empty) {
        return refused::<M>(name, "index_empty", "is_empty");
    }
    let field = name.to_owned();
    Expr::leaf(if tag {
        Leaf::Tag {
            field,
            values: vec![String::new()],
        }
    } else {
        Leaf::Terms {
            field,
            terms: vec![String::new()],
        }
    })
}

/// `is_empty` on string TAG fields.
///
/// ```
/// use redis_om::RedisModel;
///
/// #[derive(RedisModel)]
/// struct User {
///     #[redis(pk)]
///     id: String,
///     #[redis(index(index_empty))]
///     team: String,
/// }
///
/// assert_eq!(User::team().is_empty().to_string(), r#"@team:{$p0} PARAMS p0="""#);
/// ```
impl<M: Model, S> Field<M, kind::Tag<String>, S> {
    /// Records whose value is the empty string. Needs `index_empty`.
    pub fn is_empty(self) -> Expr<M> {
        empty(self.name(), true)
    }
}

impl<M: Model, S> Field<M, kind::Text, S> {
    /// Records whose text is the empty string. Needs `index_empty`.
    pub fn is_empty(self) -> Expr<M> {
        empty(self.name(), false)
    }
}

impl<M: Model, S> Field<M, kind::TagText, S> {
    /// Records whose string is empty. Needs `index_empty`.
    pub fn is_empty(self) -> Expr<M> {
        empty(self.name(), true)
    }
}
