//! What GEOSEARCH and GEOSEARCHSTORE look for, and what GEOSEARCH finds.

use bytes::Bytes;

use crate::{Cmd, Error, FromValue, Result, ToArgs, Value};

/// The unit of a distance, a radius or a box side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeoUnit {
    /// `m`
    Meters,
    /// `km`
    Kilometers,
    /// `mi`
    Miles,
    /// `ft`
    Feet,
}

impl ToArgs for GeoUnit {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(match self {
            GeoUnit::Meters => "m",
            GeoUnit::Kilometers => "km",
            GeoUnit::Miles => "mi",
            GeoUnit::Feet => "ft",
        });
    }
}

/// Where a search is centred: a member's position (`FROMMEMBER`) or a
/// longitude and latitude (`FROMLONLAT`).
#[derive(Debug, Clone, PartialEq)]
pub enum GeoFrom {
    /// `FROMMEMBER member`: at the position of a member of the set.
    #[doc(alias = "FROMMEMBER")]
    Member(Bytes),
    /// `FROMLONLAT longitude latitude`.
    #[doc(alias = "FROMLONLAT")]
    LonLat {
        /// Degrees east, -180 to 180.
        longitude: f64,
        /// Degrees north, about -85.05 to 85.05.
        latitude: f64,
    },
}

impl ToArgs for GeoFrom {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            GeoFrom::Member(member) => cmd.push_arg("FROMMEMBER").push_arg(member),
            GeoFrom::LonLat {
                longitude,
                latitude,
            } => cmd
                .push_arg("FROMLONLAT")
                .push_arg(longitude)
                .push_arg(latitude),
        };
    }
}

/// The area searched around the centre: a circle (`BYRADIUS`) or an
/// axis-aligned box (`BYBOX`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoShape {
    /// `BYRADIUS radius unit`.
    #[doc(alias = "BYRADIUS")]
    Radius {
        /// The circle's radius.
        radius: f64,
        /// The radius's unit, also that of the distances found.
        unit: GeoUnit,
    },
    /// `BYBOX width height unit`.
    #[doc(alias = "BYBOX")]
    Box {
        /// The box's east-west side.
        width: f64,
        /// The box's north-south side.
        height: f64,
        /// The sides' unit, also that of the distances found.
        unit: GeoUnit,
    },
}

impl ToArgs for GeoShape {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            GeoShape::Radius { radius, unit } => {
                cmd.push_arg("BYRADIUS").push_arg(radius).push_arg(unit)
            }
            GeoShape::Box {
                width,
                height,
                unit,
            } => cmd
                .push_arg("BYBOX")
                .push_arg(width)
                .push_arg(height)
                .push_arg(unit),
        };
    }
}

/// A search's centre, waiting for its shape: what [`GeoSearch::from_member`]
/// and [`GeoSearch::from_lonlat`] return.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a search needs a shape: call by_radius or by_box"]
pub struct GeoOrigin {
    from: GeoFrom,
}

impl GeoOrigin {
    /// The members within `radius` of the centre.
    pub fn by_radius(self, radius: f64, unit: GeoUnit) -> GeoSearch {
        GeoSearch::new(self.from, GeoShape::Radius { radius, unit })
    }

    /// The members in the `width` by `height` box centred on the centre.
    pub fn by_box(self, width: f64, height: f64, unit: GeoUnit) -> GeoSearch {
        GeoSearch::new(
            self.from,
            GeoShape::Box {
                width,
                height,
                unit,
            },
        )
    }
}

/// What [`geosearch`](super::geosearch) and
/// [`geosearchstore`](super::geosearchstore) look for: a centre, a shape,
/// and optionally an order and a count.
///
/// ```
/// use redis_core::commands::{GeoSearch, GeoUnit};
/// let nearest_five = GeoSearch::from_lonlat(15.0, 37.0)
///     .by_radius(200.0, GeoUnit::Kilometers)
///     .asc()
///     .count(5);
/// # let _ = nearest_five;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GeoSearch {
    from: GeoFrom,
    shape: GeoShape,
    /// `Some(true)`: `ASC`.
    ascending: Option<bool>,
    /// The count, and whether `ANY` follows it.
    count: Option<(u64, bool)>,
}

impl GeoSearch {
    /// A search of `shape` around `from`.
    pub fn new(from: GeoFrom, shape: GeoShape) -> Self {
        GeoSearch {
            from,
            shape,
            ascending: None,
            count: None,
        }
    }

    /// A search centred on a member of the set (`FROMMEMBER`; Redis fails
    /// the search if the member is not there).
    #[doc(alias = "FROMMEMBER")]
    pub fn from_member(member: impl AsRef<[u8]>) -> GeoOrigin {
        GeoOrigin {
            from: GeoFrom::Member(Bytes::copy_from_slice(member.as_ref())),
        }
    }

    /// A search centred on a position (`FROMLONLAT`).
    #[doc(alias = "FROMLONLAT")]
    pub fn from_lonlat(longitude: f64, latitude: f64) -> GeoOrigin {
        GeoOrigin {
            from: GeoFrom::LonLat {
                longitude,
                latitude,
            },
        }
    }

    /// `ASC`: nearest first.
    pub fn asc(mut self) -> Self {
        self.ascending = Some(true);
        self
    }

    /// `DESC`: farthest first.
    pub fn desc(mut self) -> Self {
        self.ascending = Some(false);
        self
    }

    /// `COUNT count`: at most `count` members (with [`GeoSearch::asc`], the
    /// nearest ones).
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some((count, false));
        self
    }

    /// `COUNT count ANY`: stops as soon as `count` members are found, which
    /// is faster, but they need not be the nearest.
    #[doc(alias = "COUNT")]
    pub fn count_any(mut self, count: u64) -> Self {
        self.count = Some((count, true));
        self
    }
}

/// `FROM... BY... [ASC|DESC] [COUNT count [ANY]]`.
impl ToArgs for GeoSearch {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(&self.from).push_arg(self.shape);
        if let Some(ascending) = self.ascending {
            cmd.push_arg(if ascending { "ASC" } else { "DESC" });
        }
        if let Some((count, any)) = self.count {
            cmd.push_arg("COUNT").push_arg(count);
            if any {
                cmd.push_arg("ANY");
            }
        }
    }
}

/// Which details [`geosearch_with`](super::geosearch_with) asks for with
/// each member: `WITHCOORD`, `WITHDIST`, `WITHHASH`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct GeoWith {
    coord: bool,
    distance: bool,
    hash: bool,
}

impl GeoWith {
    /// No details: the matches have only their member.
    pub fn new() -> Self {
        GeoWith::default()
    }

    /// All three details.
    pub fn all() -> Self {
        GeoWith::new().coord().distance().hash()
    }

    /// `WITHCOORD`: each member's longitude and latitude.
    #[doc(alias = "WITHCOORD")]
    pub fn coord(mut self) -> Self {
        self.coord = true;
        self
    }

    /// `WITHDIST`: each member's distance from the centre, in the shape's unit.
    #[doc(alias = "WITHDIST")]
    pub fn distance(mut self) -> Self {
        self.distance = true;
        self
    }

    /// `WITHHASH`: each member's 52-bit geohash, as stored (its score).
    #[doc(alias = "WITHHASH")]
    pub fn hash(mut self) -> Self {
        self.hash = true;
        self
    }
}

/// `[WITHCOORD] [WITHDIST] [WITHHASH]`.
impl ToArgs for GeoWith {
    fn write_args(&self, cmd: &mut Cmd) {
        for (on, flag) in [
            (self.coord, "WITHCOORD"),
            (self.distance, "WITHDIST"),
            (self.hash, "WITHHASH"),
        ] {
            if on {
                cmd.push_arg(flag);
            }
        }
    }
}

/// One member [`geosearch_with`](super::geosearch_with) found, with the
/// details [`GeoWith`] asked for (the others are `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct GeoMatch<T> {
    /// The member.
    pub member: T,
    /// Its distance from the centre, in the search shape's unit (`WITHDIST`).
    pub distance: Option<f64>,
    /// Its 52-bit geohash, the set's score for it (`WITHHASH`).
    pub hash: Option<u64>,
    /// Its `(longitude, latitude)` (`WITHCOORD`).
    pub coord: Option<(f64, f64)>,
}

/// From a member alone (no details asked), or an array of the member and its
/// details, the same over RESP2 and RESP3. Redis sends the details in a fixed
/// order (distance, hash, coordinates); each is known by its type: the
/// distance is text or a double, the hash an integer, the coordinates a pair.
impl<T: FromValue> FromValue for GeoMatch<T> {
    fn from_value(value: Value) -> Result<Self> {
        let items = match value.without_attributes() {
            Value::Array(items) => items,
            member => {
                return Ok(GeoMatch {
                    member: T::from_value(member)?,
                    distance: None,
                    hash: None,
                    coord: None,
                });
            }
        };
        let mut items = items.into_iter();
        let member = items
            .next()
            .ok_or_else(|| Error::protocol("GEOSEARCH replied an empty match"))?;
        let mut found = GeoMatch {
            member: T::from_value(member)?,
            distance: None,
            hash: None,
            coord: None,
        };
        for item in items {
            match item.without_attributes() {
                Value::Integer(hash) => {
                    let hash = u64::try_from(hash)
                        .map_err(|_| Error::protocol(format!("GEOSEARCH replied hash {hash}")))?;
                    found.hash = Some(hash);
                }
                coord @ Value::Array(_) => found.coord = Some(<(f64, f64)>::from_value(coord)?),
                distance => found.distance = Some(f64::from_value(distance)?),
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn bulk(text: &str) -> Value {
        Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
    }

    fn args(value: impl ToArgs) -> Vec<String> {
        Cmd::new("X")
            .arg(value)
            .args()
            .skip(1)
            .map(|arg| String::from_utf8_lossy(arg).into_owned())
            .collect()
    }

    #[test]
    fn a_search_writes_centre_shape_order_and_count() {
        let search = GeoSearch::from_member("Palermo")
            .by_box(400.0, 300.5, GeoUnit::Miles)
            .desc()
            .count_any(3);
        assert_eq!(
            args(search),
            [
                "FROMMEMBER",
                "Palermo",
                "BYBOX",
                "400",
                "300.5",
                "mi",
                "DESC",
                "COUNT",
                "3",
                "ANY"
            ]
        );
        let search = GeoSearch::from_lonlat(15.0, -37.25).by_radius(10.0, GeoUnit::Feet);
        assert_eq!(
            args(search),
            ["FROMLONLAT", "15", "-37.25", "BYRADIUS", "10", "ft"]
        );
        assert_eq!(args(GeoWith::all()), ["WITHCOORD", "WITHDIST", "WITHHASH"]);
    }

    #[test]
    fn matches_read_every_detail_in_either_protocol() {
        let resp2 = Value::Array(vec![
            bulk("Palermo"),
            bulk("190.4424"),
            Value::Integer(3479099956230698),
            Value::Array(vec![bulk("13.36"), bulk("38.11")]),
        ]);
        let resp3 = Value::Array(vec![
            bulk("Palermo"),
            bulk("190.4424"),
            Value::Integer(3479099956230698),
            Value::Array(vec![Value::Double(13.36), Value::Double(38.11)]),
        ]);
        let expected = GeoMatch {
            member: "Palermo".to_owned(),
            distance: Some(190.4424),
            hash: Some(3479099956230698),
            coord: Some((13.36, 38.11)),
        };
        assert_eq!(GeoMatch::<String>::from_value(resp2).unwrap(), expected);
        assert_eq!(GeoMatch::<String>::from_value(resp3).unwrap(), expected);

        let hash_only = Value::Array(vec![bulk("x"), Value::Integer(7)]);
        let found = GeoMatch::<String>::from_value(hash_only).unwrap();
        assert_eq!(
            (found.hash, found.distance, found.coord),
            (Some(7), None, None)
        );
        let plain = GeoMatch::<String>::from_value(bulk("y")).unwrap();
        assert_eq!((plain.member.as_str(), plain.hash), ("y", None));
    }

    #[test]
    fn malformed_matches_are_errors() {
        assert!(GeoMatch::<String>::from_value(Value::Array(vec![])).is_err());
        let bad_hash = Value::Array(vec![bulk("x"), Value::Integer(-1)]);
        assert!(GeoMatch::<String>::from_value(bad_hash).is_err());
        let bad_coord = Value::Array(vec![bulk("x"), Value::Array(vec![bulk("1")])]);
        assert!(GeoMatch::<String>::from_value(bad_coord).is_err());
        let bad_distance = Value::Array(vec![bulk("x"), bulk("far")]);
        assert!(GeoMatch::<String>::from_value(bad_distance).is_err());
    }
}
