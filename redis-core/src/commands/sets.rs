//! Set commands.
