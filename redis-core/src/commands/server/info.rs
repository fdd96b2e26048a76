//! The `INFO` reply: sections of `name:value` lines.

use std::str::FromStr;
use std::time::Duration;

use crate::commands::reply::key_values;
use crate::{FromValue, Result, Value};

/// The reply of `INFO`: its sections (`# Server`, `# Memory`, ...) of
/// `name:value` fields, in the order the server wrote them.
///
/// RESP2 sends the text as a bulk string and RESP3 as a verbatim string;
/// both give the same `Info`. Section names are matched ignoring case
/// (`"server"` finds `# Server`); field names are matched exactly.
///
/// ```
/// use redis_core::commands::Info;
/// let info = Info::parse("# Server\r\nredis_version:8.2.3\r\nuptime_in_seconds:462\r\n");
/// assert_eq!(info.get::<u64>("server", "uptime_in_seconds"), Some(462));
/// assert_eq!(info.get_str("Server", "redis_version"), Some("8.2.3"));
/// assert_eq!(info.get::<u64>("server", "redis_version"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    sections: Vec<InfoSection>,
}

/// One section of an [`Info`] reply: its name as the server wrote it
/// (`Server`, `Keyspace`, `search_version`) and its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InfoSection {
    name: String,
    fields: Vec<(String, String)>,
}

impl Info {
    /// Parses `INFO` text: `# Section` headers, `name:value` lines; blank
    /// lines and lines without a `:` are skipped. Fields before any header
    /// go to a section named `""`. A section that appears twice is merged.
    pub fn parse(text: &str) -> Info {
        let mut info = Info::default();
        for line in text.lines().map(str::trim_end) {
            if let Some(name) = line.strip_prefix('#') {
                info.section_mut(name.trim());
                continue;
            }
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let section = match info.sections.last_mut() {
                Some(section) => section,
                None => info.section_mut(""),
            };
            section.fields.push((name.to_owned(), value.to_owned()));
        }
        info
    }

    fn section_mut(&mut self, name: &str) -> &mut InfoSection {
        match self
            .sections
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name))
        {
            Some(index) => {
                // Later lines go to the section named last.
                let section = self.sections.remove(index);
                self.sections.push(section);
            }
            None => self.sections.push(InfoSection {
                name: name.to_owned(),
                fields: Vec::new(),
            }),
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    /// The section named `name` (ignoring case), if the reply has it.
    pub fn section(&self, name: &str) -> Option<&InfoSection> {
        self.sections
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Every section, in order.
    pub fn sections(&self) -> impl Iterator<Item = &InfoSection> {
        self.sections.iter()
    }

    /// The text of field `field` of section `section`.
    pub fn get_str(&self, section: &str, field: &str) -> Option<&str> {
        self.section(section)?.get_str(field)
    }

    /// Field `field` of section `section` parsed as `T`
    /// (`info.get::<u64>("server", "uptime_in_seconds")`): `None` if the
    /// field is missing or is not a `T`.
    pub fn get<T: FromStr>(&self, section: &str, field: &str) -> Option<T> {
        self.section(section)?.get(field)
    }

    /// The field `field` of whichever section has it, parsed as `T`.
    pub fn find<T: FromStr>(&self, field: &str) -> Option<T> {
        self.sections
            .iter()
            .find_map(|s| s.get_str(field))?
            .parse()
            .ok()
    }

    /// The `Keyspace` section, one entry per database that has keys.
    pub fn keyspace(&self) -> Vec<DbKeyspace> {
        let Some(section) = self.section("keyspace") else {
            return Vec::new();
        };
        section
            .fields()
            .filter_map(|(name, value)| DbKeyspace::parse(name, value))
            .collect()
    }
}

impl InfoSection {
    /// The section's name as the server wrote it (`Server`, `Keyspace`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text of field `field`.
    pub fn get_str(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }

    /// Field `field` parsed as `T`: `None` if missing or not a `T`.
    pub fn get<T: FromStr>(&self, field: &str) -> Option<T> {
        self.get_str(field)?.parse().ok()
    }

    /// Every field as `(name, value)`, in order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// From the text of an `INFO` reply (bulk or verbatim string).
impl FromValue for Info {
    fn from_value(value: Value) -> Result<Self> {
        Ok(Info::parse(&String::from_value(value)?))
    }
}

/// One line of `INFO keyspace`: `db0:keys=1,expires=0,avg_ttl=0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbKeyspace {
    /// The database number.
    pub db: u32,
    /// How many keys it holds.
    pub keys: u64,
    /// How many of them have an expiry.
    pub expires: u64,
    /// The estimated average time to live of the keys with an expiry
    /// (zero when none has one).
    pub avg_ttl: Duration,
}

impl DbKeyspace {
    fn parse(name: &str, value: &str) -> Option<DbKeyspace> {
        let db = name.strip_prefix("db")?.parse().ok()?;
        let fields = key_values(value, ',');
        let field = |wanted: &str| -> Option<u64> {
            fields
                .iter()
                .find(|(name, _)| name == wanted)
                .and_then(|(_, value)| value.parse().ok())
        };
        Some(DbKeyspace {
            db,
            keys: field("keys")?,
            expires: field("expires").unwrap_or(0),
            avg_ttl: Duration::from_millis(field("avg_ttl").unwrap_or(0)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_fields_and_keyspace_are_read() {
        let text = "# Server\r\nredis_version:8.2.3\r\nlistener0:name=tcp,bind=127.0.0.1\r\n\r\n\
                    # Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=1500,subexpiry=0\r\ndb2:keys=1,expires=0,avg_ttl=0\r\n";
        let info = Info::parse(text);
        assert_eq!(
            info.sections().map(InfoSection::name).collect::<Vec<_>>(),
            ["Server", "Keyspace"]
        );
        assert_eq!(
            info.get_str("server", "listener0"),
            Some("name=tcp,bind=127.0.0.1")
        );
        assert_eq!(
            info.find::<String>("redis_version").as_deref(),
            Some("8.2.3")
        );
        assert_eq!(info.get::<u64>("server", "missing"), None);
        assert_eq!(
            info.keyspace(),
            [
                DbKeyspace {
                    db: 0,
                    keys: 3,
                    expires: 1,
                    avg_ttl: Duration::from_millis(1500)
                },
                DbKeyspace {
                    db: 2,
                    keys: 1,
                    expires: 0,
                    avg_ttl: Duration::ZERO
                },
            ]
        );
    }

    #[test]
    fn a_repeated_section_is_merged_and_headerless_fields_are_kept() {
        let info = Info::parse("a:1\n# Modules\nm:1\n# Other\nx:2\n# modules\nn:2\n");
        assert_eq!(info.get::<u8>("", "a"), Some(1));
        let modules = info.section("MODULES").map(|s| s.fields().count());
        assert_eq!(modules, Some(2));
        assert_eq!(info.sections().count(), 3);
    }
}
