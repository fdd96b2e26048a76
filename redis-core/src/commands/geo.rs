//! Geospatial commands.
//!
//! The deprecated `GEORADIUS`, `GEORADIUSBYMEMBER` and their `_RO` forms
//! have no function of their own: [`geosearch`] and [`geosearchstore`] do
//! what they did.

use crate::Cmd;
use crate::convert::{FromValue, ToArgs};

mod search;

pub use search::{GeoFrom, GeoMatch, GeoOrigin, GeoSearch, GeoShape, GeoUnit, GeoWith};

/// When `GEOADD` adds or updates a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeoAddCondition {
    /// `NX`: only adds new members; existing ones keep their position.
    Nx,
    /// `XX`: only updates existing members; never adds.
    Xx,
}

/// The options of [`geoadd_with`]: a condition and `CH`. A
/// [`GeoAddCondition`] alone converts into options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct GeoAddOptions {
    condition: Option<GeoAddCondition>,
    changed: bool,
}

impl GeoAddOptions {
    /// No condition, and the reply counts added members.
    pub fn new() -> Self {
        GeoAddOptions::default()
    }

    /// When members are added or updated.
    pub fn condition(mut self, condition: GeoAddCondition) -> Self {
        self.condition = Some(condition);
        self
    }

    /// `CH`: the reply counts changed members (added, or moved), not only
    /// added ones.
    #[doc(alias = "CH")]
    pub fn changed(mut self) -> Self {
        self.changed = true;
        self
    }
}

impl From<GeoAddCondition> for GeoAddOptions {
    fn from(condition: GeoAddCondition) -> Self {
        GeoAddOptions::new().condition(condition)
    }
}

/// `[NX|XX] [CH]`.
impl ToArgs for GeoAddOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.condition {
            Some(GeoAddCondition::Nx) => cmd.push_arg("NX"),
            Some(GeoAddCondition::Xx) => cmd.push_arg("XX"),
            None => cmd,
        };
        if self.changed {
            cmd.push_arg("CH");
        }
    }
}

define_commands! {
    /// GEOADD, GEOSEARCH, GEODIST, GEOPOS and friends.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::commands::{GeoMatch, GeoSearch, GeoUnit, GeoWith};
    /// use redis_core::prelude::*;
    /// client
    ///     .geoadd("sicily", &[(13.361389, 38.115556, "Palermo"), (15.087269, 37.502669, "Catania")])
    ///     .await?;
    /// let km = client.geodist("sicily", "Palermo", "Catania", GeoUnit::Kilometers).await?;
    /// let near = GeoSearch::from_lonlat(15.0, 37.0).by_radius(100.0, GeoUnit::Kilometers).asc();
    /// let found: Vec<GeoMatch<String>> =
    ///     client.geosearch_with("sicily", near, GeoWith::new().distance()).await?;
    /// assert_eq!(found[0].member, "Catania");
    /// # let _ = km; Ok(()) }
    /// ```
    pub trait GeoCommands;

    /// `GEOADD key longitude latitude member [...]`: adds the
    /// `(longitude, latitude, member)` items, or moves the members already
    /// there; how many were added.
    fn geoadd<M: ToArgs>(key: impl ToArgs, items: &[(f64, f64, M)]) -> u64 {
        Cmd::new("GEOADD").arg(key).arg(items)
    }

    /// `GEOADD key [NX|XX] [CH] longitude latitude member [...]`: [`geoadd`]
    /// under a [`GeoAddCondition`]; how many were added, or with
    /// [`GeoAddOptions::changed`] how many were added or moved.
    fn geoadd_with<M: ToArgs>(
        key: impl ToArgs,
        items: &[(f64, f64, M)],
        options: impl Into<GeoAddOptions>,
    ) -> u64 {
        Cmd::new("GEOADD").arg(key).arg(options.into()).arg(items)
    }

    /// `GEODIST key member1 member2 unit`: the distance between two members,
    /// `None` if either is not there.
    fn geodist(
        key: impl ToArgs,
        member1: impl ToArgs,
        member2: impl ToArgs,
        unit: GeoUnit,
    ) -> Option<f64> {
        Cmd::new("GEODIST").arg(key).arg(member1).arg(member2).arg(unit)
    }

    /// `GEOHASH key member...`: each member's 11-character geohash, in
    /// order, `None` for those not there.
    fn geohash(key: impl ToArgs, members: impl ToArgs) -> Vec<Option<String>> {
        Cmd::new("GEOHASH").arg(key).arg(members)
    }

    /// `GEOPOS key member...`: each member's `(longitude, latitude)`, in
    /// order, `None` for those not there. Positions come back as stored,
    /// to about 0.6 m of what was added.
    fn geopos(key: impl ToArgs, members: impl ToArgs) -> Vec<Option<(f64, f64)>> {
        Cmd::new("GEOPOS").arg(key).arg(members)
    }

    /// `GEOSEARCH key FROM... BY... [ASC|DESC] [COUNT count [ANY]]`: the
    /// members in the search's area (empty for a missing key).
    fn geosearch<T: FromValue>(key: impl ToArgs, search: GeoSearch) -> Vec<T> {
        Cmd::new("GEOSEARCH").arg(key).arg(search)
    }

    /// `GEOSEARCH ... [WITHCOORD] [WITHDIST] [WITHHASH]`: the members in the
    /// search's area, each with the details `with` asks for.
    fn geosearch_with<T: FromValue>(
        key: impl ToArgs,
        search: GeoSearch,
        with: GeoWith,
    ) -> Vec<GeoMatch<T>> {
        Cmd::new("GEOSEARCH").arg(key).arg(search).arg(with)
    }

    /// `GEOSEARCHSTORE destination source FROM... BY... [ASC|DESC] [COUNT
    /// ...]`: stores the members found in `source` (with their positions) as
    /// the geo set `destination`, replacing it; how many were stored.
    fn geosearchstore(destination: impl ToArgs, source: impl ToArgs, search: GeoSearch) -> u64 {
        Cmd::new("GEOSEARCHSTORE").arg(destination).arg(source).arg(search)
    }

    /// `GEOSEARCHSTORE ... STOREDIST`: as [`geosearchstore`], but the stored
    /// scores are the distances from the centre (in the shape's unit), so
    /// `destination` is a plain sorted set by distance.
    #[doc(alias = "STOREDIST")]
    fn geosearchstore_storedist(
        destination: impl ToArgs,
        source: impl ToArgs,
        search: GeoSearch,
    ) -> u64 {
        Cmd::new("GEOSEARCHSTORE")
            .arg(destination)
            .arg(source)
            .arg(search)
            .arg("STOREDIST")
    }
}
