//! Server commands an application uses.
