//! The query text and parameters of every operator, without a server.

#![allow(clippy::unwrap_used, dead_code)]

use redis_core::commands::GeoUnit;
use serde::{Deserialize, Serialize};

use super::expr::Rendered;
use super::{Distance, Expr, all};
use crate::{GeoPoint, RedisEnum, RedisModel};

#[derive(RedisEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Color {
    Red,
    Blue,
}

#[derive(RedisModel)]
#[redis(prefix = "product")]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(text, sortable))]
    name: String,
    #[redis(index)]
    brand: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index)]
    stock: u32,
    #[redis(index)]
    in_stock: bool,
    #[redis(index)]
    maker: uuid::Uuid,
    #[redis(index)]
    color: Color,
    #[redis(index(tag))]
    year: u16,
    #[redis(index(full_text_search))]
    title: String,
    #[redis(index)]
    store: GeoPoint,
    #[redis(rename = "first-name", index(text))]
    first_name: String,
}

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(storage = "json")]
struct Post {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    tags: Vec<String>,
    #[redis(index)]
    draft: bool,
}

fn query<M>(expr: Expr<M>) -> (String, Vec<String>) {
    let Rendered { text, params } = expr.render().unwrap().unwrap();
    let values = params
        .iter()
        .enumerate()
        .map(|(i, (name, value))| {
            assert_eq!(name, &format!("p{i}"));
            value.clone()
        })
        .collect();
    (text, values)
}

fn text<M>(expr: Expr<M>) -> String {
    query(expr).0
}

#[test]
fn numeric_comparisons_bind_their_bounds() {
    assert_eq!(
        query(Product::price().eq(9.99)),
        (
            "@price:[$p0 $p1]".into(),
            vec!["9.99".into(), "9.99".into()]
        )
    );
    assert_eq!(text(Product::price().ne(1.0)), "-(@price:[$p0 $p1])");
    assert_eq!(
        query(Product::price().lt(10.0)),
        ("@price:[-inf ($p0]".into(), vec!["10".into()])
    );
    assert_eq!(text(Product::price().le(10.0)), "@price:[-inf $p0]");
    assert_eq!(text(Product::price().gt(10.0)), "@price:[($p0 +inf]");
    assert_eq!(text(Product::price().ge(10.0)), "@price:[$p0 +inf]");
    assert_eq!(
        query(Product::stock().between(3, 7)),
        ("@stock:[$p0 $p1]".into(), vec!["3".into(), "7".into()])
    );
    assert_eq!(text(Product::stock().in_range(3..7)), "@stock:[$p0 ($p1]");
    assert_eq!(text(Product::stock().in_range(3..=7)), "@stock:[$p0 $p1]");
    assert_eq!(text(Product::stock().in_range(..7)), "@stock:[-inf ($p0]");
    assert_eq!(text(Product::stock().in_range(3..)), "@stock:[$p0 +inf]");
    assert_eq!(text(Product::stock().in_range(..)), "@stock:[-inf +inf]");
    assert_eq!(query(Product::price().gt(f64::NEG_INFINITY)).1, ["-inf"]);
    assert_eq!(query(Product::price().lt(1e-7)).1, ["0.0000001"]);
}

#[test]
fn a_nan_bound_cannot_be_sent() {
    let why = Product::price().lt(f64::NAN).render().unwrap_err();
    assert!(why.contains("@price") && why.contains("NaN"), "{why}");
    // Even where the rest would make it moot.
    let moot = Product::price().lt(f64::NAN) & Product::brand().any_of::<&str>([]);
    assert!(moot.render().is_err());
    let geo = Product::store().within_radius(f64::NAN, 0.0, 1.0, GeoUnit::Meters);
    assert!(geo.render().is_err());
}

#[test]
fn tags_bind_values_of_the_fields_type() {
    assert_eq!(
        query(Product::brand().eq("Acme & Sons (EU)")),
        ("@brand:{$p0}".into(), vec!["Acme & Sons (EU)".into()])
    );
    assert_eq!(text(Product::brand().ne("x")), "-(@brand:{$p0})");
    assert_eq!(
        query(Product::brand().any_of(["a", "b|c"])),
        ("@brand:{$p0 | $p1}".into(), vec!["a".into(), "b|c".into()])
    );
    assert_eq!(
        text(Product::brand().none_of(vec![String::from("a")])),
        "-(@brand:{$p0})"
    );
    assert_eq!(query(Product::in_stock().eq(true)).1, ["1"]);
    assert_eq!(query(Product::in_stock().eq(false)).1, ["0"]);
    assert_eq!(query(Post::draft().eq(true)).1, ["true"]);
    let maker = uuid::Uuid::from_u128(0xABCD);
    assert_eq!(
        query(Product::maker().eq(maker)).1,
        ["00000000-0000-0000-0000-00000000abcd"]
    );
    assert_eq!(
        query(Product::color().any_of([Color::Red, Color::Blue])).1,
        ["red", "blue"]
    );
    assert_eq!(query(Product::year().eq(2024)).1, ["2024"]);
}

#[test]
fn backslashes_in_values_are_doubled_and_nothing_else_changes() {
    let special = ",.<>{}[]\"':;!@#$%^&*()-+=~|/\\ ";
    let (text, params) = query(Product::brand().eq(special));
    assert_eq!(text, "@brand:{$p0}");
    assert_eq!(params, [special.replace('\\', "\\\\")]);
}

#[test]
fn multi_valued_tags_have_all_of() {
    assert_eq!(
        query(Post::tags().all_of(["rust", "redis"])),
        (
            "@tags:{$p0} @tags:{$p1}".into(),
            vec!["rust".into(), "redis".into()]
        )
    );
    assert_eq!(text(Post::tags().eq("x")), "@tags:{$p0}");
    assert_eq!(
        text(Post::tags().none_of(["x", "y"])),
        "-(@tags:{$p0 | $p1})"
    );
    // Holding all of nothing: every record; any of nothing: none.
    assert_eq!(text(Post::tags().all_of::<&str>([])), "*");
    assert!(Post::tags().any_of::<&str>([]).render().unwrap().is_none());
}

#[test]
fn text_binds_one_parameter_per_term() {
    assert_eq!(
        query(Product::name().matches("phone")),
        ("@name:$p0".into(), vec!["phone".into()])
    );
    assert_eq!(
        query(Product::name().matches("The foo-bar")),
        ("@name:($p0 $p1)".into(), vec!["foo".into(), "bar".into()])
    );
    assert_eq!(
        query(Product::name().phrase("quick the brown fox")),
        (
            "(@name:$p0 @name:$p1 @name:$p2) => { $slop: 0; $inorder: true; }".into(),
            vec!["quick".into(), "brown".into(), "fox".into()]
        )
    );
    assert_eq!(text(Product::name().phrase("one")), "@name:$p0");
    assert_eq!(
        query(Product::name().prefix("pho")),
        ("@name:$p0*".into(), vec!["pho".into()])
    );
    assert_eq!(
        query(Product::name().fuzzy("phnoe", Distance::Two)),
        ("@name:%%$p0%%".into(), vec!["phnoe".into()])
    );
    assert_eq!(
        text(Product::name().fuzzy("x", Distance::Three)),
        "@name:%%%$p0%%%"
    );
    // No terms: no record, and nothing to send.
    assert!(
        Product::name()
            .matches("the, a")
            .render()
            .unwrap()
            .is_none()
    );
    assert!(Product::name().phrase("").render().unwrap().is_none());
    // A pattern shorter than the server's MINPREFIX would silently match
    // nothing: it cannot be sent.
    for short in ["", "x", "é"] {
        let error = Product::name().prefix(short).render().unwrap_err();
        assert!(error.contains("MINPREFIX"), "{error}");
    }
    assert_eq!(text(Product::name().prefix("ab")), "@name:$p0*");
}

#[test]
fn full_text_search_fields_are_tag_and_text() {
    assert_eq!(text(Product::title().eq("Blue Lamp")), "@title:{$p0}");
    assert_eq!(text(Product::title().matches("lamp")), "@title_fts:$p0");
    assert_eq!(text(Product::title().prefix("la")), "@title_fts:$p0*");
}

#[test]
fn field_names_are_escaped() {
    assert_eq!(
        text(Product::first_name().matches("ada")),
        "@first\\-name:$p0"
    );
}

#[test]
fn geo_binds_the_point_and_radius() {
    assert_eq!(
        query(Product::store().within_radius(-122.4, 37.7, 2.5, GeoUnit::Miles)),
        (
            "@store:[$p0 $p1 $p2 mi]".into(),
            vec!["-122.4".into(), "37.7".into(), "2.5".into()]
        )
    );
}

#[test]
fn combinators_group_their_parts() {
    let q = (Product::brand().eq("a") | Product::price().lt(1.0)) & !Product::name().matches("x");
    assert_eq!(
        text(q),
        "(@brand:{$p0} | @price:[-inf ($p1]) (-(@name:$p2))"
    );
    let q = Product::name().phrase("x y z") | Product::name().phrase("v w");
    assert_eq!(
        text(q),
        "((@name:$p0 @name:$p1 @name:$p2) => { $slop: 0; $inorder: true; }) | \
         ((@name:$p3 @name:$p4) => { $slop: 0; $inorder: true; })"
    );
    // Nested ands and ors are flattened.
    let q = Product::stock().eq(1) & (Product::stock().eq(2) & Product::stock().eq(3));
    assert_eq!(
        text(q),
        "@stock:[$p0 $p1] @stock:[$p2 $p3] @stock:[$p4 $p5]"
    );
    assert_eq!(text(!!Product::stock().eq(1)), "@stock:[$p0 $p1]");
}

#[test]
fn all_and_nothing_are_absorbed() {
    assert_eq!(text(all::<Product>()), "*");
    assert_eq!(text(all() & Product::stock().eq(1)), "@stock:[$p0 $p1]");
    assert_eq!(text(all() | Product::stock().eq(1)), "*");
    assert!((!all::<Product>()).render().unwrap().is_none());
    let nothing = Product::brand().any_of::<&str>([]);
    assert_eq!(
        text(nothing.clone() | Product::stock().eq(1)),
        "@stock:[$p0 $p1]"
    );
    assert!(
        (nothing.clone() & Product::stock().eq(1))
            .render()
            .unwrap()
            .is_none()
    );
    assert_eq!(text(!nothing), "*");
}

#[test]
fn no_value_reaches_the_query_text() {
    let hostile = "x} | @price:[0 +inf] | @brand:{y";
    let phrase = "(@name:$p0 @name:$p1 @name:$p2 @name:$p3 @name:$p4 @name:$p5) => \
                  { $slop: 0; $inorder: true; }";
    for (expr, expected) in [
        (Product::brand().eq(hostile), "@brand:{$p0}"),
        (
            Product::name().matches(hostile),
            "@name:($p0 $p1 $p2 $p3 $p4 $p5)",
        ),
        (Product::name().phrase(hostile), phrase),
        (Product::name().prefix(hostile), "@name:$p0*"),
        (Product::name().fuzzy(hostile, Distance::One), "@name:%$p0%"),
    ] {
        assert_eq!(text(expr), expected);
    }
}

#[test]
fn sorting_is_offered_by_sortable_fields() {
    let sort = Product::price().desc();
    assert_eq!(format!("{sort:?}"), "Sort(@price DESC)");
    assert_eq!(format!("{:?}", Product::name().asc()), "Sort(@name ASC)");
}

#[derive(RedisModel)]
#[redis(prefix = "doc")]
struct Doc {
    #[redis(pk)]
    id: String,
    #[redis(index(vector(dim = 2, metric = "l2", algorithm = "flat", type = "float64")))]
    embedding: Vec<f64>,
}

#[test]
fn knn_follows_its_pre_filter() {
    use super::knn::knn_text;
    assert_eq!(
        knn_text("*", "embedding"),
        "*=>[KNN $k @embedding $vec AS __dist]"
    );
    let filter = Product::brand().eq("Acme").render().unwrap().unwrap();
    assert_eq!(
        knn_text(&filter.text, "embedding"),
        "(@brand:{$p0})=>[KNN $k @embedding $vec AS __dist]"
    );
}

#[test]
fn knn_vectors_are_little_endian_bytes_of_the_element_type() {
    use super::knn::to_blob;
    use crate::VectorType;
    assert_eq!(
        to_blob(&[1.0, -2.5], VectorType::Float32),
        [1.0f32.to_le_bytes(), (-2.5f32).to_le_bytes()].concat()
    );
    assert_eq!(
        to_blob(&[1.0, -2.5], VectorType::Float64),
        [1.0f64.to_le_bytes(), (-2.5f64).to_le_bytes()].concat()
    );
    assert_eq!(Doc::embedding().name(), "embedding");
}
