//! Geospatial commands.
