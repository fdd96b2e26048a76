//! The expression tree of a query, and the one place it becomes query
//! text: field names through [`escape::field_name`], every value as a
//! parameter (`$p0`, `$p1` ...).

use std::fmt;
use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, Bound, Not};

use super::escape;

/// A condition on records of model `M`: built from field handles
/// (`Product::price().lt(10.0)`), combined with `&`, `|` and `!`, and
/// given to [`Repository::find`](crate::Repository::find).
///
/// Its `Display` shows the query text and its parameters, as sent:
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
///     #[redis(index(sortable))]
///     price: f64,
/// }
///
/// let cheap_acme = Product::brand().eq("Acme & Sons") & !Product::price().ge(10.0);
/// assert_eq!(
///     cheap_acme.to_string(),
///     r#"@brand:{$p0} (-(@price:[$p1 +inf])) PARAMS p0="Acme & Sons" p1="10""#
/// );
/// ```
pub struct Expr<M> {
    node: Node,
    model: PhantomData<fn() -> M>,
}

/// A node of the tree. Field names are as the handles give them (escaped
/// when written); string values are ready to bind ([`escape::param`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// Every record.
    All,
    /// No record (an `any_of` of nothing, a text of stop words only).
    Nothing,
    /// A condition that cannot be sent (a NaN bound), and why.
    Invalid(String),
    Leaf(Leaf),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// One condition on one field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Leaf {
    /// `@f:{$a | $b}`: the field holds one of the values.
    Tag { field: String, values: Vec<String> },
    /// `@f:[$lo ($hi]`: numbers from `lo` to `hi`.
    Range {
        field: String,
        lo: Bound<String>,
        hi: Bound<String>,
    },
    /// `@f:($a $b)`: every term, anywhere in the field.
    Terms { field: String, terms: Vec<String> },
    /// The terms next to each other, in order.
    Phrase { field: String, terms: Vec<String> },
    /// `@f:$p*`, `@f:*$p`, `@f:*$p*` (a TEXT term), or the same in braces
    /// (a TAG value): starting with, ending with or holding `value`.
    Pattern {
        field: String,
        value: String,
        shape: Shape,
        tag: bool,
    },
    /// `ismissing(@f)`: records without the field.
    Missing { field: String },
    /// `@f:%$p%`: a term within `distance` edits of `term`.
    Fuzzy {
        field: String,
        term: String,
        distance: u8,
    },
    /// `@f:[$lon $lat $radius unit]`.
    Radius {
        field: String,
        longitude: f64,
        latitude: f64,
        radius: f64,
        unit: &'static str,
    },
}

impl<M> Expr<M> {
    pub(crate) fn new(node: Node) -> Expr<M> {
        Expr {
            node,
            model: PhantomData,
        }
    }

    pub(crate) fn leaf(leaf: Leaf) -> Expr<M> {
        Expr::new(Node::Leaf(leaf))
    }

    pub(crate) fn node(self) -> Node {
        self.node
    }

    /// The query text and its parameters; `None` when the condition can
    /// match no record (there is nothing to ask the server); `Err` with
    /// the reason when it cannot be sent.
    pub(crate) fn render(&self) -> Result<Option<Rendered>, String> {
        if let Some(why) = self.node.invalid() {
            return Err(why.to_owned());
        }
        let mut out = Rendered::default();
        match self.node.clone().simplify() {
            Node::Nothing => return Ok(None),
            Node::All => out.text.push('*'),
            node => out.write(&node),
        }
        Ok(Some(out))
    }
}

/// Where a pattern's value sits in what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Prefix,
    Suffix,
    Infix,
}

/// Query text and the parameters it names, in order (`p0`, `p1` ...).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Rendered {
    pub(crate) text: String,
    pub(crate) params: Vec<(String, String)>,
}

impl Rendered {
    /// Binds `value` to the next parameter and writes its reference.
    fn bind(&mut self, value: String) {
        let name = format!("p{}", self.params.len());
        self.text.push('$');
        self.text.push_str(&name);
        self.params.push((name, value));
    }

    fn field(&mut self, field: &str) {
        self.text.push('@');
        self.text.push_str(&escape::field_name(field));
        self.text.push(':');
    }

    fn write(&mut self, node: &Node) {
        match node {
            // Simplified away, except at the top, which `render` handles.
            Node::All | Node::Nothing | Node::Invalid(_) => {}
            Node::Leaf(leaf) => self.leaf(leaf),
            Node::And(nodes) => self.join(nodes, " "),
            Node::Or(nodes) => self.join(nodes, " | "),
            Node::Not(node) => {
                self.text.push_str("-(");
                self.write(node);
                self.text.push(')');
            }
        }
    }

    /// Children in parentheses unless they are a plain leaf, so that the
    /// dialects' precedence rules never matter.
    fn join(&mut self, nodes: &[Node], separator: &str) {
        for (i, node) in nodes.iter().enumerate() {
            if i > 0 {
                self.text.push_str(separator);
            }
            let plain = matches!(node, Node::Leaf(leaf) if !matches!(leaf, Leaf::Phrase { .. }));
            if plain {
                self.write(node);
            } else {
                self.text.push('(');
                self.write(node);
                self.text.push(')');
            }
        }
    }

    fn leaf(&mut self, leaf: &Leaf) {
        match leaf {
            Leaf::Tag { field, values } => {
                self.field(field);
                self.text.push('{');
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        self.text.push_str(" | ");
                    }
                    self.bind(value.clone());
                }
                self.text.push('}');
            }
            Leaf::Range { field, lo, hi } => {
                self.field(field);
                self.text.push('[');
                self.bound(lo, "-inf");
                self.text.push(' ');
                self.bound(hi, "+inf");
                self.text.push(']');
            }
            Leaf::Terms { field, terms } => {
                self.field(field);
                self.terms(terms);
            }
            Leaf::Phrase { field, terms } => match terms.as_slice() {
                [term] => {
                    self.field(field);
                    self.bind(term.clone());
                }
                terms => {
                    // Measured on RediSearch 2.10: a quoted phrase of
                    // parameters (`"$p0 $p1"`) matches nothing, a phrase
                    // in one parameter is one term, and `@f:($p0 $p1 $p2)
                    // => {...}` ignores the order of three terms or more;
                    // one clause per term, grouped with no slop and in
                    // order, finds what the quoted literal phrase finds.
                    self.text.push('(');
                    for (i, term) in terms.iter().enumerate() {
                        if i > 0 {
                            self.text.push(' ');
                        }
                        self.field(field);
                        self.bind(term.clone());
                    }
                    self.text.push_str(") => { $slop: 0; $inorder: true; }");
                }
            },
            Leaf::Pattern {
                field,
                value,
                shape,
                tag,
            } => {
                self.field(field);
                if *tag {
                    self.text.push('{');
                }
                if matches!(shape, Shape::Suffix | Shape::Infix) {
                    self.text.push('*');
                }
                self.bind(value.clone());
                if matches!(shape, Shape::Prefix | Shape::Infix) {
                    self.text.push('*');
                }
                if *tag {
                    self.text.push('}');
                }
            }
            Leaf::Missing { field } => {
                self.text.push_str("ismissing(@");
                self.text.push_str(&escape::field_name(field));
                self.text.push(')');
            }
            Leaf::Fuzzy {
                field,
                term,
                distance,
            } => {
                let percent = "%".repeat(usize::from(*distance));
                self.field(field);
                self.text.push_str(&percent);
                self.bind(term.clone());
                self.text.push_str(&percent);
            }
            Leaf::Radius {
                field,
                longitude,
                latitude,
                radius,
                unit,
            } => {
                self.field(field);
                self.text.push('[');
                for number in [longitude, latitude, radius] {
                    self.bind(number.to_string());
                    self.text.push(' ');
                }
                self.text.push_str(unit);
                self.text.push(']');
            }
        }
    }

    fn terms(&mut self, terms: &[String]) {
        match terms {
            [term] => self.bind(term.clone()),
            terms => {
                self.text.push('(');
                for (i, term) in terms.iter().enumerate() {
                    if i > 0 {
                        self.text.push(' ');
                    }
                    self.bind(term.clone());
                }
                self.text.push(')');
            }
        }
    }

    fn bound(&mut self, bound: &Bound<String>, unbounded: &str) {
        match bound {
            Bound::Included(value) => self.bind(value.clone()),
            Bound::Excluded(value) => {
                self.text.push('(');
                self.bind(value.clone());
            }
            Bound::Unbounded => self.text.push_str(unbounded),
        }
    }
}

impl Node {
    /// The first reason the tree cannot be sent, if any.
    fn invalid(&self) -> Option<&str> {
        match self {
            Node::Invalid(why) => Some(why),
            Node::And(nodes) | Node::Or(nodes) => nodes.iter().find_map(Node::invalid),
            Node::Not(node) => node.invalid(),
            Node::All | Node::Nothing | Node::Leaf(_) => None,
        }
    }

    /// The same condition without `All` and `Nothing` inside (the query
    /// syntax has no word for either beside another clause), and nested
    /// `&` and `|` flattened.
    fn simplify(self) -> Node {
        match self {
            Node::And(nodes) => {
                let mut kept = Vec::with_capacity(nodes.len());
                for node in nodes.into_iter().map(Node::simplify) {
                    match node {
                        Node::All => {}
                        Node::Nothing => return Node::Nothing,
                        Node::And(inner) => kept.extend(inner),
                        node => kept.push(node),
                    }
                }
                match kept.len() {
                    0 => Node::All,
                    1 => kept.pop().unwrap_or(Node::All),
                    _ => Node::And(kept),
                }
            }
            Node::Or(nodes) => {
                let mut kept = Vec::with_capacity(nodes.len());
                for node in nodes.into_iter().map(Node::simplify) {
                    match node {
                        Node::Nothing => {}
                        Node::All => return Node::All,
                        Node::Or(inner) => kept.extend(inner),
                        node => kept.push(node),
                    }
                }
                match kept.len() {
                    0 => Node::Nothing,
                    1 => kept.pop().unwrap_or(Node::Nothing),
                    _ => Node::Or(kept),
                }
            }
            Node::Not(node) => match node.simplify() {
                Node::All => Node::Nothing,
                Node::Nothing => Node::All,
                Node::Not(inner) => *inner,
                node => Node::Not(Box::new(node)),
            },
            node => node,
        }
    }
}

impl<M> BitAnd for Expr<M> {
    type Output = Expr<M>;

    /// Both conditions.
    fn bitand(self, other: Expr<M>) -> Expr<M> {
        Expr::new(Node::And(vec![self.node, other.node]))
    }
}

impl<M> BitOr for Expr<M> {
    type Output = Expr<M>;

    /// Either condition.
    fn bitor(self, other: Expr<M>) -> Expr<M> {
        Expr::new(Node::Or(vec![self.node, other.node]))
    }
}

impl<M> Not for Expr<M> {
    type Output = Expr<M>;

    /// The records the condition does not match, those without the field
    /// included.
    fn not(self) -> Expr<M> {
        Expr::new(Node::Not(Box::new(self.node)))
    }
}

impl<M> Clone for Expr<M> {
    fn clone(&self) -> Self {
        Expr::new(self.node.clone())
    }
}

impl<M> fmt::Debug for Expr<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({self})")
    }
}

/// The query text, then `PARAMS` and each parameter's value in quotes;
/// `(no record)` for a condition no record can match, `(invalid: why)`
/// for one that cannot be sent.
impl<M> fmt::Display for Expr<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.render() {
            Err(why) => write!(f, "(invalid: {why})"),
            Ok(None) => f.write_str("(no record)"),
            Ok(Some(rendered)) => {
                f.write_str(&rendered.text)?;
                if !rendered.params.is_empty() {
                    f.write_str(" PARAMS")?;
                    for (name, value) in &rendered.params {
                        write!(f, " {name}={value:?}")?;
                    }
                }
                Ok(())
            }
        }
    }
}
