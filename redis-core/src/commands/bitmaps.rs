//! Bitmap commands.
