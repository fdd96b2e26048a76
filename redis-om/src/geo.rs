//! `GeoPoint`: a longitude and latitude, stored as RediSearch's GEO fields
//! read them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::hash::{HashValue, HashWriter};
use crate::index::{IndexKind, Indexable};

/// A point on Earth, indexed as GEO by `#[redis(index)]`: stored as the
/// text `"{longitude},{latitude}"` in hashes and JSON documents alike, the
/// form RediSearch reads.
///
/// ```
/// use redis_om::GeoPoint;
/// let paris = GeoPoint { longitude: 2.3522, latitude: 48.8566 };
/// assert_eq!(paris.to_string(), "2.3522,48.8566");
/// assert_eq!("2.3522,48.8566".parse::<GeoPoint>(), Ok(paris));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    /// Degrees east, from -180 to 180.
    pub longitude: f64,
    /// Degrees north, from about -85.05 to 85.05 (what Redis can index).
    pub latitude: f64,
}

impl fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.longitude, self.latitude)
    }
}

impl std::str::FromStr for GeoPoint {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let parse = |part: Option<&str>| part.and_then(|p| p.trim().parse::<f64>().ok());
        let mut parts = text.split(',');
        match (parse(parts.next()), parse(parts.next()), parts.next()) {
            (Some(longitude), Some(latitude), None) => Ok(GeoPoint {
                longitude,
                latitude,
            }),
            _ => Err(format!(
                "holds {text:?}, which is not \"longitude,latitude\""
            )),
        }
    }
}

impl HashValue for GeoPoint {
    fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
        out.put(field, self.to_string().as_bytes());
    }

    fn read_hash(stored: Option<&[u8]>) -> Result<Self, String> {
        let text = String::read_hash(stored)?;
        text.parse()
    }
}

impl Indexable for GeoPoint {
    const KIND: IndexKind = IndexKind::Geo;
    type Kind = crate::field::kind::Geo;
}

impl Serialize for GeoPoint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GeoPoint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn points_read_back_and_garbage_says_why() {
        let point = GeoPoint {
            longitude: -122.4194,
            latitude: 37.7749,
        };
        assert_eq!(point.to_string().parse::<GeoPoint>(), Ok(point));
        assert!("1".parse::<GeoPoint>().is_err());
        assert!("1,2,3".parse::<GeoPoint>().is_err());
        assert!("a,b".parse::<GeoPoint>().is_err());
        let json = serde_json::to_string(&point).unwrap();
        assert_eq!(json, "\"-122.4194,37.7749\"");
        assert_eq!(serde_json::from_str::<GeoPoint>(&json).unwrap(), point);
    }
}
