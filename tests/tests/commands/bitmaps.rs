//! bitmaps commands against the real servers.
