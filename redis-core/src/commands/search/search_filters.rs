//! `FT.SEARCH`'s `FILTER` and `GEOFILTER`: numeric ranges and geo circles.

use super::support::number;
use crate::Cmd;

/// One end of a numeric range ([`SearchOptions::filter`](super::SearchOptions::filter)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NumericBound {
    /// The value itself is in the range.
    Inclusive(f64),
    /// The range stops just short of the value (`(value`).
    Exclusive(f64),
    /// No bound on this side (`-inf` as the minimum, `+inf` as the maximum).
    Unbounded,
}

impl NumericBound {
    pub(super) fn text(self, is_max: bool) -> String {
        match self {
            NumericBound::Inclusive(value) => number(value),
            NumericBound::Exclusive(value) => format!("({}", number(value)),
            NumericBound::Unbounded if is_max => "+inf".to_owned(),
            NumericBound::Unbounded => "-inf".to_owned(),
        }
    }
}

/// A circle on a geo field ([`SearchOptions::geo_filter`](super::SearchOptions::geo_filter)): documents
/// within `radius` of a longitude and latitude.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoFilter {
    field: String,
    longitude: f64,
    latitude: f64,
    radius: f64,
    unit: &'static str,
}

impl GeoFilter {
    fn new(
        field: impl Into<String>,
        longitude: f64,
        latitude: f64,
        radius: f64,
        unit: &'static str,
    ) -> Self {
        GeoFilter {
            field: field.into(),
            longitude,
            latitude,
            radius,
            unit,
        }
    }

    /// Within `radius` meters.
    pub fn meters(field: impl Into<String>, longitude: f64, latitude: f64, radius: f64) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "m")
    }

    /// Within `radius` kilometers.
    pub fn kilometers(
        field: impl Into<String>,
        longitude: f64,
        latitude: f64,
        radius: f64,
    ) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "km")
    }

    /// Within `radius` miles.
    pub fn miles(field: impl Into<String>, longitude: f64, latitude: f64, radius: f64) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "mi")
    }

    /// Within `radius` feet.
    pub fn feet(field: impl Into<String>, longitude: f64, latitude: f64, radius: f64) -> Self {
        GeoFilter::new(field, longitude, latitude, radius, "ft")
    }

    pub(super) fn write(&self, cmd: &mut Cmd) {
        cmd.push_arg("GEOFILTER")
            .push_arg(&self.field)
            .push_arg(number(self.longitude))
            .push_arg(number(self.latitude))
            .push_arg(number(self.radius))
            .push_arg(self.unit);
    }
}
