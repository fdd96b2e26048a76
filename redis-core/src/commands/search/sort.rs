//! The sort order shared by FT.SEARCH's `SORTBY` and FT.AGGREGATE's.

use crate::Cmd;

/// A field (FT.SEARCH) or property (FT.AGGREGATE, where it is written
/// `@name`) to sort by, and the direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortProperty {
    name: String,
    descending: bool,
}

impl SortProperty {
    /// Smallest first.
    pub fn asc(name: impl Into<String>) -> Self {
        SortProperty {
            name: name.into(),
            descending: false,
        }
    }

    /// Largest first.
    pub fn desc(name: impl Into<String>) -> Self {
        SortProperty {
            name: name.into(),
            descending: true,
        }
    }

    /// The name and `ASC` or `DESC`.
    pub(super) fn parts(&self) -> (&str, &'static str) {
        (&self.name, if self.descending { "DESC" } else { "ASC" })
    }

    /// `name ASC|DESC`.
    pub(super) fn write(&self, cmd: &mut Cmd) {
        let (name, direction) = self.parts();
        cmd.push_arg(name).push_arg(direction);
    }
}
