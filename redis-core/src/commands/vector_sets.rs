//! Vector set commands (Redis 8).
//!
//! A vector set maps elements (strings) to vectors of one dimension and
//! finds the elements nearest a vector or another element (cosine
//! similarity, over an HNSW graph). Vectors are `&[f32]` and are sent as
//! `FP32` blobs (little-endian `f32`s: exact and compact; the `VALUES` text
//! form carries the same numbers, so it is not used). Each element may have
//! JSON attributes, which VSIM's `FILTER` expressions test.

use bytes::Bytes;
use serde::Serialize;

use super::json::{json_arg, to_json};
use super::{Command, Target};
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, Result, Value};

define_commands! {
    /// Redis 8's vector sets (`VADD`, `VSIM` and the other `V*` commands);
    /// setting attributes from a Rust value is in [`VectorSetValueCommands`].
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::commands::{VectorQuery, VsimOptions};
    /// use redis_core::prelude::*;
    /// client.vadd("docs", &[0.1, 0.9, 0.0], "doc:1").await?;
    /// client.vadd("docs", &[0.8, 0.2, 0.1], "doc:2").await?;
    /// let near: Vec<(String, f64)> = client
    ///     .vsim_withscores("docs", &VectorQuery::vector(&[0.2, 0.8, 0.0]), &VsimOptions::new().count(5))
    ///     .await?;
    /// assert_eq!(near[0].0, "doc:1");
    /// # Ok(()) }
    /// ```
    pub trait VectorSetCommands;

    /// `VADD key FP32 vector element`: adds the element with its vector (or
    /// replaces its vector), creating the set if the key is missing; true if
    /// the element is new. Every vector of a set has the same dimension.
    fn vadd(key: impl ToArgs, vector: &[f32], element: impl ToArgs) -> bool {
        Cmd::new("VADD").arg(key).arg("FP32").arg(fp32_blob(vector)).arg(element)
    }

    /// `VADD key [REDUCE dim] FP32 vector element [CAS] [NOQUANT|Q8|BIN]
    /// [EF n] [SETATTR json] [M n]`: as [`vadd`], with the options.
    fn vadd_with(key: impl ToArgs, vector: &[f32], element: impl ToArgs, options: &VaddOptions) -> bool {
        let mut cmd = Cmd::new("VADD").arg(key);
        if let Some(dim) = options.reduce {
            cmd.push_arg("REDUCE").push_arg(dim);
        }
        cmd.push_arg("FP32").push_arg(fp32_blob(vector)).push_arg(element);
        options.write_after_element(&mut cmd);
        cmd
    }

    /// `VSIM key (ELE element | FP32 vector)`: the elements most similar to
    /// the query, most similar first (10 of them, the server's default
    /// count). Empty for a missing key; an error if the query element is
    /// not in the set.
    fn vsim<T: FromValue>(key: impl ToArgs, query: &VectorQuery) -> Vec<T> {
        Cmd::new("VSIM").arg(key).arg(query)
    }

    /// `VSIM key query [COUNT n] [EPSILON d] [EF n] [FILTER expr]
    /// [FILTER-EF n] [TRUTH] [NOTHREAD]`: as [`vsim`], with the options.
    fn vsim_with<T: FromValue>(key: impl ToArgs, query: &VectorQuery, options: &VsimOptions) -> Vec<T> {
        Cmd::new("VSIM").arg(key).arg(query).arg(options)
    }

    /// `VSIM key query WITHSCORES ...`: as [`vsim_with`], each element with
    /// its similarity score (1 identical, 0 opposite).
    #[doc(alias = "WITHSCORES")]
    fn vsim_withscores<T: FromValue>(key: impl ToArgs, query: &VectorQuery, options: &VsimOptions) -> Vec<(T, f64)> {
        Cmd::new("VSIM").arg(key).arg(query).arg("WITHSCORES").arg(options)
    }

    /// `VSIM key query WITHATTRIBS ...`: as [`vsim_with`], each element with
    /// its attributes (ask for `Option<Json<A>>` or `Option<String>`; `None`
    /// for an element without attributes).
    #[doc(alias = "WITHATTRIBS")]
    fn vsim_withattribs<T: FromValue, A: FromValue>(key: impl ToArgs, query: &VectorQuery, options: &VsimOptions) -> Vec<(T, A)> {
        Cmd::new("VSIM").arg(key).arg(query).arg("WITHATTRIBS").arg(options)
    }

    /// `VSIM key query WITHSCORES WITHATTRIBS ...`: as [`vsim_with`], each
    /// element with its score and attributes.
    #[doc(alias = "WITHSCORES", alias = "WITHATTRIBS")]
    fn vsim_withscores_withattribs<T: FromValue, A: FromValue>(key: impl ToArgs, query: &VectorQuery, options: &VsimOptions) -> Vec<VectorMatch<T, A>> {
        Cmd::new("VSIM").arg(key).arg(query).arg("WITHSCORES").arg("WITHATTRIBS").arg(options)
    }

    /// `VEMB key element`: the element's vector as the set has it: after
    /// quantization and any REDUCE projection, so close to but not always
    /// exactly what VADD was given. `None` if the element or the key is
    /// missing.
    fn vemb(key: impl ToArgs, element: impl ToArgs) -> Option<Vec<f32>> {
        Cmd::new("VEMB").arg(key).arg(element)
    }

    /// `VEMB key element RAW`: the element's vector in its internal form;
    /// `None` if the element or the key is missing.
    #[doc(alias = "RAW")]
    fn vemb_raw(key: impl ToArgs, element: impl ToArgs) -> Option<RawVector> {
        Cmd::new("VEMB").arg(key).arg(element).arg("RAW")
    }

    /// `VINFO key`: the set's parameters and sizes; `None` for a missing key.
    fn vinfo(key: impl ToArgs) -> Option<VectorSetInfo> {
        Cmd::new("VINFO").arg(key)
    }

    /// `VLINKS key element`: the element's neighbours in the HNSW graph, one
    /// list per layer the element is in, from its highest layer down: the
    /// last list is layer 0. `None` if the element or the key is missing.
    fn vlinks<T: FromValue>(key: impl ToArgs, element: impl ToArgs) -> Option<Vec<Vec<T>>> {
        Cmd::new("VLINKS").arg(key).arg(element)
    }

    /// `VLINKS key element WITHSCORES`: as [`vlinks`], each neighbour with
    /// its similarity to the element.
    #[doc(alias = "WITHSCORES")]
    fn vlinks_withscores<T: FromValue>(key: impl ToArgs, element: impl ToArgs) -> Option<Vec<Vec<(T, f64)>>> {
        Cmd::new("VLINKS").arg(key).arg(element).arg("WITHSCORES")
    }

    /// `VRANDMEMBER key`: a random element; `None` for a missing key.
    fn vrandmember<T: FromValue>(key: impl ToArgs) -> Option<T> {
        Cmd::new("VRANDMEMBER").arg(key)
    }

    /// `VRANDMEMBER key count`: up to `count` distinct random elements, or,
    /// for a negative `count`, exactly `-count` elements that may repeat.
    /// Empty for a missing key.
    #[doc(alias = "COUNT")]
    fn vrandmember_count<T: FromValue>(key: impl ToArgs, count: i64) -> Vec<T> {
        Cmd::new("VRANDMEMBER").arg(key).arg(count)
    }

    /// `VGETATTR key element`: the element's attributes as JSON text (ask for
    /// [`Json<A>`](super::Json) or `String`); `None` if the element has
    /// none, or it or the key is missing.
    fn vgetattr<T: FromValue>(key: impl ToArgs, element: impl ToArgs) -> Option<T> {
        Cmd::new("VGETATTR").arg(key).arg(element)
    }

    /// `VSETATTR key element ""`: removes the element's attributes; false if
    /// the element or the key is missing.
    fn vsetattr_clear(key: impl ToArgs, element: impl ToArgs) -> bool {
        Cmd::new("VSETATTR").arg(key).arg(element).arg("")
    }

    /// `VCARD key`: the number of elements (0 for a missing key).
    fn vcard(key: impl ToArgs) -> u64 {
        Cmd::new("VCARD").arg(key)
    }

    /// `VDIM key`: the dimension of the set's vectors (after REDUCE). An
    /// error for a missing key.
    fn vdim(key: impl ToArgs) -> u64 {
        Cmd::new("VDIM").arg(key)
    }

    /// `VREM key element`: removes the element; false if it was not there.
    /// The set is deleted with its last element.
    fn vrem(key: impl ToArgs, element: impl ToArgs) -> bool {
        Cmd::new("VREM").arg(key).arg(element)
    }

    /// `VISMEMBER key element`: whether the element is in the set.
    fn vismember(key: impl ToArgs, element: impl ToArgs) -> bool {
        Cmd::new("VISMEMBER").arg(key).arg(element)
    }
}

/// The vector set command that sends a Rust value as JSON attributes: it
/// serializes the value with serde while the command is built, and returns
/// the reply future (or extended pipeline) as every command does; a value
/// that cannot be serialized makes a command that refuses to be sent, with
/// an [`crate::ErrorKind::InvalidInput`] error naming VSETATTR and serde's
/// reason (in a pipeline, the whole batch is refused). (Attributes given to
/// VADD are serialized by [`VaddOptions::attributes`], which fails at once
/// with an [`crate::ErrorKind::Type`] error.)
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use std::collections::HashMap;
/// use redis_core::commands::Json;
/// use redis_core::prelude::*;
/// client.vadd("docs", &[0.1, 0.9], "doc:1").await?;
/// client.vsetattr("docs", "doc:1", &HashMap::from([("year", 2024)])).await?;
/// let attrs: Option<Json<HashMap<String, u32>>> = client.vgetattr("docs", "doc:1").await?;
/// # let _ = attrs; Ok(()) }
/// ```
pub trait VectorSetValueCommands: Target {
    /// `VSETATTR key element json`: replaces the element's attributes with
    /// `attributes` serialized as JSON (an object, for FILTER expressions to
    /// see its fields); false if the element or the key is missing.
    fn vsetattr<A: Serialize + ?Sized>(
        self,
        key: impl ToArgs,
        element: impl ToArgs,
        attributes: &A,
    ) -> Self::Out<bool> {
        self.send(vsetattr(key, element, attributes))
    }
}

impl<X: Target> VectorSetValueCommands for X {}

/// `VSETATTR key element json`; see [`VectorSetValueCommands::vsetattr`].
pub fn vsetattr<A: Serialize + ?Sized>(
    key: impl ToArgs,
    element: impl ToArgs,
    attributes: &A,
) -> Command<bool> {
    let attributes = match json_arg("VSETATTR", attributes) {
        Ok(attributes) => attributes,
        Err(refused) => return Command::new(refused),
    };
    Command::new(Cmd::new("VSETATTR").arg(key).arg(element).arg(attributes))
}

/// A vector as VADD and VSIM take it: `f32`s, little-endian.
fn fp32_blob(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// What VSIM looks for neighbours of: an element of the set, or a vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VectorQuery {
    /// `ELE` or `FP32`, then the element's arguments or the blob.
    args: Vec<Vec<u8>>,
}

impl VectorQuery {
    /// `ELE element`: the neighbours of an element of the set (itself
    /// included, first).
    #[doc(alias = "ELE")]
    pub fn element(element: impl ToArgs) -> Self {
        let mut captured = Cmd::scratch();
        element.write_args(&mut captured);
        let mut args = vec![b"ELE".to_vec()];
        args.extend(captured.args().map(<[u8]>::to_vec));
        VectorQuery { args }
    }

    /// `FP32 vector`: the neighbours of a vector of the set's dimension (or
    /// of the dimension before REDUCE, for a reduced set).
    #[doc(alias = "FP32")]
    pub fn vector(vector: &[f32]) -> Self {
        VectorQuery {
            args: vec![b"FP32".to_vec(), fp32_blob(vector)],
        }
    }
}

impl ToArgs for VectorQuery {
    fn write_args(&self, cmd: &mut Cmd) {
        for arg in &self.args {
            cmd.push_bytes(arg);
        }
    }
}

/// How a vector set stores its vectors, chosen by the first VADD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VectorQuantization {
    /// `NOQUANT`: 32-bit floats (`f32` in VINFO).
    NoQuant,
    /// `Q8`: 8-bit integers, the default (`int8` in VINFO).
    Q8,
    /// `BIN`: one bit per dimension, its sign (`bin` in VINFO).
    Bin,
}

impl ToArgs for VectorQuantization {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            VectorQuantization::NoQuant => b"NOQUANT",
            VectorQuantization::Q8 => b"Q8",
            VectorQuantization::Bin => b"BIN",
        });
    }
}

/// From the names VINFO and `VEMB ... RAW` use (`f32`, `int8`, `bin`).
impl FromValue for VectorQuantization {
    fn from_value(value: Value) -> Result<Self> {
        let name = String::from_value(value)?;
        match name.as_str() {
            "f32" => Ok(VectorQuantization::NoQuant),
            "int8" => Ok(VectorQuantization::Q8),
            "bin" => Ok(VectorQuantization::Bin),
            other => Err(Error::type_mismatch(
                "a quantization type (f32, int8, bin)",
                &format!("{other:?}"),
            )),
        }
    }
}

/// The options of [`vadd_with`]; each one left out takes the server's
/// default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct VaddOptions {
    reduce: Option<u32>,
    cas: bool,
    quantization: Option<VectorQuantization>,
    ef: Option<u32>,
    attributes: Option<Vec<u8>>,
    m: Option<u32>,
}

impl VaddOptions {
    /// The server's defaults.
    pub fn new() -> Self {
        VaddOptions::default()
    }

    /// `REDUCE dim`: projects vectors to `dim` dimensions (random
    /// projection), chosen when the set is created.
    pub fn reduce(mut self, dim: u32) -> Self {
        self.reduce = Some(dim);
        self
    }

    /// `CAS`: finds the new node's neighbours in a background thread,
    /// inserting it if nothing changed meanwhile.
    pub fn cas(mut self) -> Self {
        self.cas = true;
        self
    }

    /// `NOQUANT`, `Q8` or `BIN`: how vectors are stored, chosen when the set
    /// is created (later VADDs must ask for the same or nothing).
    #[doc(alias = "NOQUANT")]
    pub fn quantization(mut self, quantization: VectorQuantization) -> Self {
        self.quantization = Some(quantization);
        self
    }

    /// `EF n`: how many candidates to explore when linking the new node
    /// (default 200): more is slower and gives a better graph.
    pub fn ef(mut self, ef: u32) -> Self {
        self.ef = Some(ef);
        self
    }

    /// `SETATTR json`: the element's attributes, `attributes` serialized as
    /// JSON (an object, for FILTER expressions to see its fields). Fails,
    /// with an [`crate::ErrorKind::Type`] error naming VADD, if it cannot be
    /// serialized.
    #[doc(alias = "SETATTR")]
    pub fn attributes<A: Serialize + ?Sized>(mut self, attributes: &A) -> Result<Self> {
        self.attributes = Some(to_json("VADD", attributes)?);
        Ok(self)
    }

    /// `M n`: the most links a node has in each layer (default 16), chosen
    /// when the set is created: more is more accurate and takes more memory.
    pub fn m(mut self, m: u32) -> Self {
        self.m = Some(m);
        self
    }

    /// Everything but `REDUCE`, which comes before the vector.
    fn write_after_element(&self, cmd: &mut Cmd) {
        if self.cas {
            cmd.push_bytes(b"CAS");
        }
        cmd.push_arg(self.quantization);
        if let Some(ef) = self.ef {
            cmd.push_arg("EF").push_arg(ef);
        }
        if let Some(attributes) = &self.attributes {
            cmd.push_arg("SETATTR").push_bytes(attributes);
        }
        if let Some(m) = self.m {
            cmd.push_arg("M").push_arg(m);
        }
    }
}

/// The options of [`vsim_with`] and the other VSIM forms; each one left out
/// takes the server's default.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct VsimOptions {
    count: Option<u64>,
    epsilon: Option<f64>,
    ef: Option<u32>,
    filter: Option<String>,
    filter_ef: Option<u64>,
    truth: bool,
    nothread: bool,
}

impl VsimOptions {
    /// The server's defaults.
    pub fn new() -> Self {
        VsimOptions::default()
    }

    /// `COUNT n`: at most `n` elements (default 10).
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// `EPSILON d`: only elements whose score is at least `1 - d` (`d`
    /// between 0 and 1).
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = Some(epsilon);
        self
    }

    /// `EF n`: how many candidates to explore (default 100 or the count,
    /// whichever is larger): more is slower and more accurate.
    pub fn ef(mut self, ef: u32) -> Self {
        self.ef = Some(ef);
        self
    }

    /// `FILTER expr`: only elements whose attributes satisfy the expression,
    /// such as `.year >= 2020 and .lang == "en"`. The expression is sent as
    /// one argument, as written.
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    /// `FILTER-EF n`: how many candidates to test against the filter before
    /// giving up (default the count times 100).
    pub fn filter_ef(mut self, filter_ef: u64) -> Self {
        self.filter_ef = Some(filter_ef);
        self
    }

    /// `TRUTH`: a linear scan of every element instead of the graph: exact
    /// and slow, to measure the graph's recall.
    pub fn truth(mut self) -> Self {
        self.truth = true;
        self
    }

    /// `NOTHREAD`: runs in the server's main thread instead of a background
    /// one.
    pub fn nothread(mut self) -> Self {
        self.nothread = true;
        self
    }
}

impl ToArgs for VsimOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(count) = self.count {
            cmd.push_arg("COUNT").push_arg(count);
        }
        if let Some(epsilon) = self.epsilon {
            cmd.push_arg("EPSILON").push_arg(epsilon);
        }
        if let Some(ef) = self.ef {
            cmd.push_arg("EF").push_arg(ef);
        }
        if let Some(filter) = &self.filter {
            cmd.push_arg("FILTER").push_arg(filter);
        }
        if let Some(filter_ef) = self.filter_ef {
            cmd.push_arg("FILTER-EF").push_arg(filter_ef);
        }
        if self.truth {
            cmd.push_bytes(b"TRUTH");
        }
        if self.nothread {
            cmd.push_bytes(b"NOTHREAD");
        }
    }
}

/// One element of a `VSIM ... WITHSCORES WITHATTRIBS` reply.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorMatch<T, A> {
    /// The element.
    pub element: T,
    /// Its similarity to the query (1 identical, 0 opposite).
    pub score: f64,
    /// Its attributes (`A` is typically `Option<Json<...>>` or
    /// `Option<String>`: `None` for an element without attributes).
    pub attributes: A,
}

impl<T: FromValue, A: FromValue> FromValue for VectorMatch<T, A> {
    /// From an array `[element, score, attributes]`.
    fn from_value(value: Value) -> Result<Self> {
        let (element, score, attributes) = <(T, f64, A)>::from_value(value)?;
        Ok(VectorMatch {
            element,
            score,
            attributes,
        })
    }

    /// RESP2: the flat `[element, score, attributes, ...]`.
    fn from_elements(items: Vec<Value>) -> Result<Vec<Self>> {
        if items.len() % 3 != 0 {
            return Err(Error::protocol(format!(
                "VSIM WITHSCORES WITHATTRIBS answered {} values, not triples",
                items.len()
            )));
        }
        let mut matches = Vec::with_capacity(items.len() / 3);
        let mut items = items.into_iter();
        while let (Some(element), Some(score), Some(attributes)) =
            (items.next(), items.next(), items.next())
        {
            matches.push(VectorMatch {
                element: T::from_value(element)?,
                score: f64::from_value(score)?,
                attributes: A::from_value(attributes)?,
            });
        }
        Ok(matches)
    }

    /// RESP3: a map from each element to `[score, attributes]`.
    fn from_entries(entries: Vec<(Value, Value)>) -> Result<Vec<Self>> {
        entries
            .into_iter()
            .map(|(element, rest)| {
                let (score, attributes) = <(f64, A)>::from_value(rest)?;
                Ok(VectorMatch {
                    element: T::from_value(element)?,
                    score,
                    attributes,
                })
            })
            .collect()
    }
}

/// An element's vector as the set stores it: what `VEMB ... RAW` answers.
#[derive(Debug, Clone, PartialEq)]
pub struct RawVector {
    /// How it is stored, which says how to read `data`.
    pub quantization: VectorQuantization,
    /// The stored vector, normalized to length 1: little-endian `f32`s ([`VectorQuantization::NoQuant`]),
    /// one signed byte per dimension ([`VectorQuantization::Q8`]), or one bit
    /// per dimension ([`VectorQuantization::Bin`]).
    pub data: Bytes,
    /// The L2 norm of the vector before it was normalized.
    pub norm: f64,
    /// For [`VectorQuantization::Q8`], the value a byte of 127 stands for
    /// (the quantization range); `None` otherwise.
    pub range: Option<f64>,
}

impl FromValue for RawVector {
    fn from_value(value: Value) -> Result<Self> {
        let items = Vec::<Value>::from_value(value)?;
        let len = items.len();
        let mut items = items.into_iter();
        let (Some(quantization), Some(data), Some(norm)) =
            (items.next(), items.next(), items.next())
        else {
            return Err(Error::protocol(format!(
                "VEMB RAW answered {len} values (expected 3 or 4)"
            )));
        };
        let range = items.next().map(f64::from_value).transpose()?;
        if items.next().is_some() {
            return Err(Error::protocol(format!(
                "VEMB RAW answered {len} values (expected 3 or 4)"
            )));
        }
        Ok(RawVector {
            quantization: VectorQuantization::from_value(quantization)?,
            data: Bytes::from_value(data)?,
            norm: f64::from_value(norm)?,
            range,
        })
    }
}

/// What `VINFO` says about a vector set.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VectorSetInfo {
    /// How vectors are stored (`quant-type`).
    pub quantization: VectorQuantization,
    /// The most links per node and layer (`hnsw-m`).
    pub m: u64,
    /// The dimension of the stored vectors (`vector-dim`).
    pub dimension: u64,
    /// With REDUCE, the dimension of the vectors VADD takes, which are
    /// projected to `dimension` (`projection-input-dim`); `None` without.
    pub projection_input_dimension: Option<u64>,
    /// The number of elements (`size`).
    pub size: u64,
    /// The highest layer of the graph (`max-level`).
    pub max_level: u64,
    /// How many elements have attributes (`attributes-count`).
    pub attributes_count: u64,
    /// The set's unique id (`vset-uid`).
    pub uid: u64,
    /// The highest node id given so far (`hnsw-max-node-uid`).
    pub max_node_uid: u64,
}

impl FromValue for VectorSetInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Vec::<(String, Value)>::from_value(value)?;
        let mut take = |name: &str| -> Result<Value> {
            let index = fields
                .iter()
                .position(|(field, _)| field == name)
                .ok_or_else(|| Error::protocol(format!("VINFO reply lacks the field {name:?}")))?;
            Ok(fields.swap_remove(index).1)
        };
        let projection = u64::from_value(take("projection-input-dim")?)?;
        Ok(VectorSetInfo {
            quantization: VectorQuantization::from_value(take("quant-type")?)?,
            m: u64::from_value(take("hnsw-m")?)?,
            dimension: u64::from_value(take("vector-dim")?)?,
            projection_input_dimension: (projection != 0).then_some(projection),
            size: u64::from_value(take("size")?)?,
            max_level: u64::from_value(take("max-level")?)?,
            attributes_count: u64::from_value(take("attributes-count")?)?,
            uid: u64::from_value(take("vset-uid")?)?,
            max_node_uid: u64::from_value(take("hnsw-max-node-uid")?)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
    }

    #[test]
    fn vsim_with_scores_and_attributes_reads_the_same_from_resp3_and_resp2() {
        let resp3 = Value::Map(vec![
            (
                bulk("a"),
                Value::Array(vec![Value::Double(1.0), bulk(r#"{"c":1}"#)]),
            ),
            (
                bulk("b"),
                Value::Array(vec![Value::Double(0.5), Value::Nil]),
            ),
        ]);
        let resp2 = Value::Array(vec![
            bulk("a"),
            bulk("1"),
            bulk(r#"{"c":1}"#),
            bulk("b"),
            bulk("0.5"),
            Value::Nil,
        ]);
        let want = vec![
            VectorMatch {
                element: "a".to_owned(),
                score: 1.0,
                attributes: Some(r#"{"c":1}"#.to_owned()),
            },
            VectorMatch {
                element: "b".to_owned(),
                score: 0.5,
                attributes: None,
            },
        ];
        type Matches = Vec<VectorMatch<String, Option<String>>>;
        assert_eq!(Matches::from_value(resp3).unwrap(), want);
        assert_eq!(Matches::from_value(resp2).unwrap(), want);
        assert!(Matches::from_value(Value::Array(vec![bulk("a")])).is_err());
    }

    #[test]
    fn vadd_puts_reduce_before_the_vector_and_the_rest_after_the_element() {
        let options = VaddOptions::new()
            .reduce(2)
            .cas()
            .quantization(VectorQuantization::Bin)
            .ef(50)
            .attributes(&[1])
            .unwrap()
            .m(8);
        let cmd = vadd_with("k", &[1.0], "e", &options).into_cmd();
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(
            args,
            [
                &b"VADD"[..],
                b"k",
                b"REDUCE",
                b"2",
                b"FP32",
                &1.0f32.to_le_bytes(),
                b"e",
                b"CAS",
                b"BIN",
                b"EF",
                b"50",
                b"SETATTR",
                b"[1]",
                b"M",
                b"8"
            ]
        );
    }

    #[test]
    fn raw_vectors_have_three_or_four_fields() {
        let q8 = Value::Array(vec![
            Value::SimpleString(Bytes::from_static(b"int8")),
            bulk("\x7f\0"),
            Value::Double(5.0),
            Value::Double(1.0),
        ]);
        let raw = RawVector::from_value(q8).unwrap();
        assert_eq!(raw.quantization, VectorQuantization::Q8);
        assert_eq!(raw.range, Some(1.0));
        let short = Value::Array(vec![bulk("f32"), bulk("")]);
        assert!(RawVector::from_value(short).is_err());
    }
}
