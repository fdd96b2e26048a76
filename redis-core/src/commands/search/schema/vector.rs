//! VECTOR fields: their algorithms (FLAT, HNSW), data types and distance
//! metrics.

use super::super::support::number;
use super::*;
use crate::Cmd;

/// A `VECTOR` field (see [`Field::vector`]). Vector fields are neither
/// sortable nor `NOINDEX`: the server takes neither option for them.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorField {
    pub(super) name: String,
    pub(super) alias: Option<String>,
    pub(super) algorithm: VectorAlgorithm,
    pub(super) index_missing: bool,
}

impl VectorField {
    /// `AS alias`: the name queries use for this field.
    #[doc(alias = "AS")]
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// `INDEXMISSING`: documents without this field can be found with
    /// `ismissing(@field)`.
    #[doc(alias = "INDEXMISSING")]
    pub fn index_missing(mut self) -> Self {
        self.index_missing = true;
        self
    }

    pub(super) fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg(&self.name);
        if let Some(alias) = &self.alias {
            cmd.push_arg("AS").push_arg(alias);
        }
        cmd.push_arg("VECTOR");
        self.algorithm.write(cmd);
        if self.index_missing {
            cmd.push_arg("INDEXMISSING");
        }
    }
}

impl From<VectorField> for Field {
    fn from(field: VectorField) -> Field {
        Field(FieldKind::Vector(field))
    }
}

/// How a [`VectorField`] is indexed: built from a [`FlatVector`] or an
/// [`HnswVector`], each with only its own parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum VectorAlgorithm {
    /// `FLAT`: exact brute-force search.
    Flat(FlatVector),
    /// `HNSW`: approximate search on a navigable small-world graph.
    Hnsw(HnswVector),
}

impl VectorAlgorithm {
    pub(super) fn write(&self, cmd: &mut Cmd) {
        let (name, base, extra) = match self {
            VectorAlgorithm::Flat(flat) => ("FLAT", &flat.base, flat.params()),
            VectorAlgorithm::Hnsw(hnsw) => ("HNSW", &hnsw.base, hnsw.params()),
        };
        cmd.push_arg(name);
        cmd.push_arg(6 + 2 * extra.len());
        cmd.push_arg("TYPE").push_arg(base.data_type.as_str());
        cmd.push_arg("DIM").push_arg(base.dim);
        cmd.push_arg("DISTANCE_METRIC")
            .push_arg(base.metric.as_str());
        for (key, value) in extra {
            cmd.push_arg(key).push_arg(value);
        }
    }
}

impl From<FlatVector> for VectorAlgorithm {
    fn from(flat: FlatVector) -> Self {
        VectorAlgorithm::Flat(flat)
    }
}

impl From<HnswVector> for VectorAlgorithm {
    fn from(hnsw: HnswVector) -> Self {
        VectorAlgorithm::Hnsw(hnsw)
    }
}

/// The three parameters every vector index requires.
#[derive(Debug, Clone, Copy, PartialEq)]
struct VectorBase {
    data_type: VectorDataType,
    dim: u32,
    metric: DistanceMetric,
}

/// The `FLAT` vector algorithm and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlatVector {
    base: VectorBase,
    initial_cap: Option<u64>,
    block_size: Option<u64>,
}

impl FlatVector {
    /// Vectors of `dim` elements of `data_type`, compared by `metric`.
    pub fn new(data_type: VectorDataType, dim: u32, metric: DistanceMetric) -> Self {
        FlatVector {
            base: VectorBase {
                data_type,
                dim,
                metric,
            },
            initial_cap: None,
            block_size: None,
        }
    }

    /// `INITIAL_CAP`: room for this many vectors up front.
    pub fn initial_cap(mut self, vectors: u64) -> Self {
        self.initial_cap = Some(vectors);
        self
    }

    /// `BLOCK_SIZE`: how many vectors each memory block holds.
    pub fn block_size(mut self, vectors: u64) -> Self {
        self.block_size = Some(vectors);
        self
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(cap) = self.initial_cap {
            params.push(("INITIAL_CAP", cap.to_string()));
        }
        if let Some(size) = self.block_size {
            params.push(("BLOCK_SIZE", size.to_string()));
        }
        params
    }
}

/// The `HNSW` vector algorithm and its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HnswVector {
    base: VectorBase,
    initial_cap: Option<u64>,
    m: Option<u32>,
    ef_construction: Option<u32>,
    ef_runtime: Option<u32>,
    epsilon: Option<f64>,
}

impl HnswVector {
    /// Vectors of `dim` elements of `data_type`, compared by `metric`.
    pub fn new(data_type: VectorDataType, dim: u32, metric: DistanceMetric) -> Self {
        HnswVector {
            base: VectorBase {
                data_type,
                dim,
                metric,
            },
            initial_cap: None,
            m: None,
            ef_construction: None,
            ef_runtime: None,
            epsilon: None,
        }
    }

    /// `INITIAL_CAP`: room for this many vectors up front.
    pub fn initial_cap(mut self, vectors: u64) -> Self {
        self.initial_cap = Some(vectors);
        self
    }

    /// `M`: the most edges a node has per graph layer (16 by default).
    pub fn m(mut self, edges: u32) -> Self {
        self.m = Some(edges);
        self
    }

    /// `EF_CONSTRUCTION`: how many candidates building the graph keeps (200
    /// by default).
    pub fn ef_construction(mut self, candidates: u32) -> Self {
        self.ef_construction = Some(candidates);
        self
    }

    /// `EF_RUNTIME`: how many candidates a KNN query keeps (10 by default).
    pub fn ef_runtime(mut self, candidates: u32) -> Self {
        self.ef_runtime = Some(candidates);
        self
    }

    /// `EPSILON`: how far past the radius a range query looks (0.01 by default).
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = Some(epsilon);
        self
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(cap) = self.initial_cap {
            params.push(("INITIAL_CAP", cap.to_string()));
        }
        if let Some(m) = self.m {
            params.push(("M", m.to_string()));
        }
        if let Some(ef) = self.ef_construction {
            params.push(("EF_CONSTRUCTION", ef.to_string()));
        }
        if let Some(ef) = self.ef_runtime {
            params.push(("EF_RUNTIME", ef.to_string()));
        }
        if let Some(epsilon) = self.epsilon {
            params.push(("EPSILON", number(epsilon)));
        }
        params
    }
}

/// The element type of a vector field (`TYPE`); vectors are sent as the
/// little-endian bytes of their elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VectorDataType {
    /// `FLOAT32`.
    Float32,
    /// `FLOAT64`.
    Float64,
    /// `FLOAT16` (IEEE half precision).
    Float16,
    /// `BFLOAT16`.
    BFloat16,
    /// `INT8` (RediSearch 2.12 / Redis 8.0 and later).
    Int8,
    /// `UINT8` (RediSearch 2.12 / Redis 8.0 and later).
    Uint8,
}

impl VectorDataType {
    fn as_str(self) -> &'static str {
        match self {
            VectorDataType::Float32 => "FLOAT32",
            VectorDataType::Float64 => "FLOAT64",
            VectorDataType::Float16 => "FLOAT16",
            VectorDataType::BFloat16 => "BFLOAT16",
            VectorDataType::Int8 => "INT8",
            VectorDataType::Uint8 => "UINT8",
        }
    }
}

/// How vectors are compared (`DISTANCE_METRIC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DistanceMetric {
    /// `L2`: Euclidean distance.
    L2,
    /// `IP`: inner product.
    #[doc(alias = "IP")]
    InnerProduct,
    /// `COSINE`: cosine distance.
    Cosine,
}

impl DistanceMetric {
    fn as_str(self) -> &'static str {
        match self {
            DistanceMetric::L2 => "L2",
            DistanceMetric::InnerProduct => "IP",
            DistanceMetric::Cosine => "COSINE",
        }
    }
}
