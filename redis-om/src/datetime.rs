//! Date-time fields: `chrono::DateTime<Utc>` and `chrono::NaiveDate`
//! (feature `chrono`), `time::OffsetDateTime` and `time::Date` (feature
//! `time`), all stored as epoch seconds, the one encoding described in
//! [`epoch_seconds`].

use crate::hash::shorten;

pub mod epoch_seconds {
    //! Date-times as epoch seconds: the one encoding of date-time fields, in
    //! hashes and (through serde) in JSON documents.
    //!
    //! A date-time is stored as the seconds since 1970-01-01T00:00:00Z, a
    //! decimal number with up to six decimals: the shortest text that reads
    //! back the same, `1704164645.123456` or `1704164645` (never an exponent,
    //! never trailing zeros), negative before 1970 (`-0.5` is
    //! 1969-12-31T23:59:59.5Z). A date is the epoch seconds of its UTC
    //! midnight (`1815-12-10` is `-4861728000`). This is what Redis OM
    //! Python writes, so the two share records and indexes; Python writes
    //! whole seconds as `1704164645.0`, we write the shorter `1704164645`
    //! (a hash model in the [python layout](crate::layout) writes Python's
    //! text), and each reads the other's. The search index reads the field as a
    //! NUMERIC (a double), so a range query on epoch seconds finds it.
    //!
    //! - **Precision.** Microseconds, as Python's `datetime`. When writing,
    //!   nanoseconds beyond the microsecond are truncated toward the past
    //!   (`…00.123456789` is written `….123456`, and before 1970 too: one
    //!   nanosecond before the epoch is `-0.000001`), so a written value is
    //!   never later than the value and always reads back. When reading,
    //!   text with more than six decimals (which neither writer produces) is
    //!   rounded to the nearest microsecond, ties to even, as Python's
    //!   `datetime.fromtimestamp` does.
    //! - **Reading** accepts any finite number text (`1704164645.0`,
    //!   `1.7041646451e9`, `1e-05`, `-0`) and reads it exactly, not through
    //!   a double. Anything else (empty, `inf`, `nan`, `12:00`) is an error
    //!   saying it is not epoch seconds; a number outside the type's range
    //!   is an error saying so. A date reads the UTC day its instant falls
    //!   in, as Python does.
    //! - **Time zones.** An instant is an instant: a `time::OffsetDateTime`
    //!   at `+02:00` is written as its epoch seconds and reads back at UTC
    //!   (equal, since `OffsetDateTime` compares instants).
    //!
    //! Hash fields of these types use this encoding without more ado. A JSON
    //! model writes its fields through serde, whose default for these types
    //! (with their own `serde` features) is an RFC 3339 string: readable, but
    //! RediSearch cannot index a string as NUMERIC, and Python writes a
    //! number. This module is the serde glue for the number, for
    //! `#[serde(with = "redis_om::epoch_seconds")]`, with [`option`] for
    //! an `Option`:
    //!
    //! ```
    //! # #[cfg(feature = "chrono")] {
    //! use chrono::{DateTime, Utc};
    //! use redis_om::RedisModel;
    //! use serde::{Deserialize, Serialize};
    //!
    //! #[derive(RedisModel, Serialize, Deserialize, Debug, PartialEq)]
    //! #[redis(storage = "json")]
    //! struct Order {
    //!     #[redis(pk)]
    //!     id: String,
    //!     #[redis(index(sortable))]
    //!     #[serde(with = "redis_om::epoch_seconds")]
    //!     placed: DateTime<Utc>,
    //!     #[serde(with = "redis_om::epoch_seconds::option", default)]
    //!     shipped: Option<DateTime<Utc>>,
    //! }
    //!
    //! let order = Order {
    //!     id: "o1".into(),
    //!     placed: DateTime::from_timestamp(1704164645, 123_456_000).unwrap(),
    //!     shipped: None,
    //! };
    //! let json = serde_json::to_string(&order).unwrap();
    //! assert_eq!(json, r#"{"id":"o1","placed":1704164645.123456,"shipped":null}"#);
    //! assert_eq!(serde_json::from_str::<Order>(&json).unwrap(), order);
    //! # }
    //! ```
    //!
    //! In JSON the number is a JSON number: whole seconds are written as an
    //! integer, others as a double: the same number as in a hash, exactly
    //! from 1697 to 2242 (where a double holds every microsecond). Further
    //! out, the double nearest the value that is not later is written (in
    //! the year 9999, up to 31 µs earlier). Reading takes an integer, a
    //! double (rounded to the nearest microsecond) or a string of epoch
    //! seconds.

    use std::fmt;
    use std::marker::PhantomData;

    use serde::de::{self, Deserializer, Visitor};
    use serde::ser::{Serialize, Serializer};

    use super::{Unreadable, format_micros, parse_micros, shorten};

    /// A date-time type that can be written as epoch seconds: the small
    /// trait behind the date-time fields and this module's functions.
    /// Implemented for `chrono::DateTime<Utc>` and `chrono::NaiveDate`
    /// (feature `chrono`) and `time::OffsetDateTime` and `time::Date`
    /// (feature `time`); another type can implement it to use
    /// [`to_text`], [`from_text`] and the serde functions.
    ///
    /// ```
    /// use redis_om::epoch_seconds::{self, EpochSeconds};
    ///
    /// #[derive(Debug, PartialEq)]
    /// struct Millis(i64);
    ///
    /// impl EpochSeconds for Millis {
    ///     const NAME: &'static str = "Millis";
    ///     fn to_epoch_micros(&self) -> i128 {
    ///         i128::from(self.0) * 1000
    ///     }
    ///     fn from_epoch_micros(micros: i128) -> Option<Self> {
    ///         i64::try_from(micros.div_euclid(1000)).ok().map(Millis)
    ///     }
    /// }
    ///
    /// assert_eq!(epoch_seconds::to_text(&Millis(-1500)), "-1.5");
    /// assert_eq!(epoch_seconds::from_text::<Millis>("2.25"), Ok(Millis(2250)));
    /// ```
    pub trait EpochSeconds: Sized {
        /// The type's name in error messages (`chrono::DateTime<Utc>`).
        const NAME: &'static str;

        /// The microseconds since the epoch, truncated toward the past.
        fn to_epoch_micros(&self) -> i128;

        /// The value `micros` microseconds after the epoch (before it when
        /// negative), `None` when the type cannot hold it.
        fn from_epoch_micros(micros: i128) -> Option<Self>;
    }

    /// The stored text of `value`: its epoch seconds, as short as reads
    /// back the same.
    ///
    /// ```
    /// # #[cfg(feature = "time")] {
    /// use time::{Date, Month, OffsetDateTime};
    ///
    /// let jan_2 = Date::from_calendar_date(2024, Month::January, 2).unwrap();
    /// let at = jan_2.with_hms_micro(3, 4, 5, 123_450).unwrap().assume_utc();
    /// assert_eq!(redis_om::epoch_seconds::to_text(&at), "1704164645.12345");
    /// assert_eq!(redis_om::epoch_seconds::to_text(&jan_2), "1704153600");
    /// # }
    /// ```
    pub fn to_text<T: EpochSeconds>(value: &T) -> String {
        format_micros(value.to_epoch_micros())
    }

    /// Reads epoch seconds written by [`to_text`] or by anyone else (any
    /// finite number text); `Err` says why the text does not fit.
    ///
    /// ```
    /// # #[cfg(feature = "chrono")] {
    /// use chrono::{DateTime, Utc};
    /// use redis_om::epoch_seconds::from_text;
    ///
    /// let at: DateTime<Utc> = from_text("1704164645.0").unwrap();
    /// assert_eq!(at.to_string(), "2024-01-02 03:04:05 UTC");
    /// assert!(from_text::<DateTime<Utc>>("yesterday").is_err());
    /// # }
    /// ```
    pub fn from_text<T: EpochSeconds>(text: &str) -> Result<T, String> {
        match parse_micros(text) {
            Ok(micros) => T::from_epoch_micros(micros).ok_or_else(|| out_of_range::<T>(text)),
            Err(Unreadable::TooLarge) => Err(out_of_range::<T>(text)),
            Err(Unreadable::NotANumber) => Err(not_seconds(text)),
        }
    }

    pub(crate) fn not_seconds(text: &str) -> String {
        format!("holds {:?}, which is not epoch seconds", shorten(text))
    }

    pub(crate) fn out_of_range<T: EpochSeconds>(text: &str) -> String {
        format!(
            "holds {:?}, epoch seconds out of the range of {}",
            shorten(text),
            T::NAME
        )
    }

    /// Serializes `value` as its epoch seconds, a number: for
    /// `#[serde(with = "redis_om::epoch_seconds")]`.
    pub fn serialize<T: EpochSeconds, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let micros = value.to_epoch_micros();
        match i64::try_from(micros / 1_000_000) {
            Ok(seconds) if micros % 1_000_000 == 0 => serializer.serialize_i64(seconds),
            _ => serializer.serialize_f64(as_double(micros)),
        }
    }

    /// The double nearest `micros` as seconds, or the one before it when
    /// that one reads back later. A double holds every microsecond from
    /// 1697 to 2242, and its shortest text is then the decimal itself;
    /// further out, a date-time read back is never later than the one
    /// written (which would leave the type's range at its end).
    fn as_double(micros: i128) -> f64 {
        let read_back = |seconds: f64| parse_micros(&seconds.to_string()).ok();
        let mut seconds: f64 = format_micros(micros).parse().unwrap_or(f64::NAN);
        for _ in 0..4 {
            match read_back(seconds) {
                Some(back) if back > micros => {
                    // The next double toward minus infinity (`seconds` is
                    // not 0, which is exact).
                    let bits = seconds.to_bits();
                    seconds = f64::from_bits(if seconds > 0.0 { bits - 1 } else { bits + 1 });
                }
                _ => break,
            }
        }
        seconds
    }

    /// Deserializes epoch seconds (a number, or a string of one): for
    /// `#[serde(with = "redis_om::epoch_seconds")]`.
    pub fn deserialize<'de, T: EpochSeconds, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        deserializer.deserialize_any(SecondsVisitor(PhantomData))
    }

    struct SecondsVisitor<T>(PhantomData<T>);

    impl<T: EpochSeconds> SecondsVisitor<T> {
        fn whole_seconds<E: de::Error>(seconds: i128) -> Result<T, E> {
            seconds
                .checked_mul(1_000_000)
                .and_then(T::from_epoch_micros)
                .ok_or_else(|| E::custom(out_of_range::<T>(&seconds.to_string())))
        }
    }

    impl<T: EpochSeconds> Visitor<'_> for SecondsVisitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "epoch seconds (a number) for {}", T::NAME)
        }

        fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<T, E> {
            Self::whole_seconds(i128::from(seconds))
        }

        fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<T, E> {
            Self::whole_seconds(i128::from(seconds))
        }

        fn visit_f64<E: de::Error>(self, seconds: f64) -> Result<T, E> {
            // Rust writes the shortest text that reads back as the same
            // double, in plain decimals: read exactly, it is the number
            // that was meant, which rounding to the microsecond recovers.
            from_text(&seconds.to_string()).map_err(E::custom)
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
            from_text(text).map_err(E::custom)
        }
    }

    /// Written through `with`, for `Option`'s `serialize_some`.
    struct Seconds<'a, T>(&'a T);

    impl<T: EpochSeconds> Serialize for Seconds<'_, T> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            super::epoch_seconds::serialize(self.0, serializer)
        }
    }

    pub mod option {
        //! `Option` of a date-time as epoch seconds or `null`: for
        //! `#[serde(with = "redis_om::epoch_seconds::option", default)]`
        //! (`default` reads a missing field as `None`, as it does without
        //! `with`).

        use std::fmt;
        use std::marker::PhantomData;

        use serde::de::{self, Deserializer, Visitor};
        use serde::ser::Serializer;

        use super::{EpochSeconds, Seconds};

        /// Serializes `Some` as epoch seconds, `None` as `null`.
        ///
        /// ```
        /// # #[cfg(feature = "time")] {
        /// #[derive(serde::Serialize)]
        /// struct Event {
        ///     #[serde(with = "redis_om::epoch_seconds::option")]
        ///     at: Option<time::OffsetDateTime>,
        /// }
        ///
        /// let at = Some(time::OffsetDateTime::UNIX_EPOCH);
        /// assert_eq!(serde_json::to_string(&Event { at }).unwrap(), r#"{"at":0}"#);
        /// assert_eq!(serde_json::to_string(&Event { at: None }).unwrap(), r#"{"at":null}"#);
        /// # }
        /// ```
        pub fn serialize<T: EpochSeconds, S: Serializer>(
            value: &Option<T>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => serializer.serialize_some(&Seconds(value)),
                None => serializer.serialize_none(),
            }
        }

        /// Deserializes `null` as `None`, epoch seconds as `Some`.
        ///
        /// ```
        /// # #[cfg(feature = "chrono")] {
        /// #[derive(serde::Deserialize, Debug)]
        /// struct Event {
        ///     #[serde(with = "redis_om::epoch_seconds::option", default)]
        ///     at: Option<chrono::DateTime<chrono::Utc>>,
        /// }
        ///
        /// let event: Event = serde_json::from_str(r#"{"at":-0.5}"#).unwrap();
        /// assert_eq!(event.at.unwrap().to_string(), "1969-12-31 23:59:59.500 UTC");
        /// let event: Event = serde_json::from_str("{}").unwrap();
        /// assert!(event.at.is_none());
        /// # }
        /// ```
        pub fn deserialize<'de, T: EpochSeconds, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<T>, D::Error> {
            deserializer.deserialize_option(OptionVisitor(PhantomData))
        }

        struct OptionVisitor<T>(PhantomData<T>);

        impl<'de, T: EpochSeconds> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "epoch seconds (a number) for {}, or null", T::NAME)
            }

            fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
                Ok(None)
            }

            fn visit_some<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Option<T>, D::Error> {
                super::deserialize(deserializer).map(Some)
            }
        }
    }
}

/// `micros` microseconds since the epoch as decimal seconds: no exponent,
/// no trailing zeros, no point for whole seconds.
fn format_micros(micros: i128) -> String {
    let magnitude = micros.unsigned_abs();
    let (seconds, fraction) = (magnitude / 1_000_000, magnitude % 1_000_000);
    let sign = if micros < 0 { "-" } else { "" };
    if fraction == 0 {
        format!("{sign}{seconds}")
    } else {
        let mut text = format!("{sign}{seconds}.{fraction:06}");
        text.truncate(text.trim_end_matches('0').len());
        text
    }
}

/// Why number text could not be read as microseconds.
#[derive(Debug, PartialEq)]
enum Unreadable {
    /// Not a finite number.
    NotANumber,
    /// A number, too large for any date-time (more than an `i128` of
    /// microseconds).
    TooLarge,
}

/// Reads finite number text (an optional sign, digits with an optional
/// point, an optional exponent) exactly, as microseconds rounded to the
/// nearest (ties to even).
fn parse_micros(text: &str) -> Result<i128, Unreadable> {
    fn digits(bytes: &[u8]) -> (&[u8], &[u8]) {
        bytes.split_at(bytes.iter().take_while(|b| b.is_ascii_digit()).count())
    }

    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    let (whole, rest) = digits(rest);
    let (fraction, rest) = match rest.split_first() {
        Some((b'.', rest)) => digits(rest),
        _ => (&[][..], rest),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err(Unreadable::NotANumber);
    }
    let exponent: i64 = match rest.split_first() {
        None => 0,
        Some((b'e' | b'E', rest)) => {
            let (negative, rest) = match rest.split_first() {
                Some((b'-', rest)) => (true, rest),
                Some((b'+', rest)) => (false, rest),
                _ => (false, rest),
            };
            let (exponent, rest) = digits(rest);
            if exponent.is_empty() || !rest.is_empty() {
                return Err(Unreadable::NotANumber);
            }
            // Beyond a few thousand, every nonzero mantissa is out of
            // range one way or the other: saturate.
            let magnitude = exponent
                .iter()
                .fold(0i64, |n, d| (n * 10 + i64::from(d - b'0')).min(100_000));
            if negative { -magnitude } else { magnitude }
        }
        Some(_) => return Err(Unreadable::NotANumber),
    };

    // The mantissa's digits, and how many of them come before the point of
    // the value in microseconds (negative: that many zeros precede them).
    let mantissa: Vec<u8> = whole.iter().chain(fraction).map(|d| d - b'0').collect();
    let point = i64::try_from(whole.len()).map_err(|_| Unreadable::TooLarge)? + exponent + 6;
    let digit = |at: i64| {
        usize::try_from(at)
            .ok()
            .and_then(|at| mantissa.get(at).copied())
            .unwrap_or(0)
    };

    let mut micros: i128 = 0;
    for at in 0..point.max(0) {
        let d = digit(at);
        if micros == 0 && d == 0 {
            continue;
        }
        micros = micros
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(d)))
            .ok_or(Unreadable::TooLarge)?;
    }
    // Round to the nearest, ties to even.
    let next = digit(point);
    let after = usize::try_from(point.saturating_add(1).max(0)).unwrap_or(usize::MAX);
    let sticky = mantissa.iter().skip(after).any(|&d| d != 0);
    if next > 5 || (next == 5 && (sticky || micros % 2 == 1)) {
        micros = micros.checked_add(1).ok_or(Unreadable::TooLarge)?;
    }
    Ok(if negative { -micros } else { micros })
}

/// `HashValue` (the epoch seconds text) and `Indexable` (NUMERIC) for a
/// date-time type.
#[cfg(any(feature = "chrono", feature = "time"))]
macro_rules! date_time_field {
    ($t:ty) => {
        impl crate::hash::HashValue for $t {
            fn write_hash(&self, field: &'static str, out: &mut crate::hash::HashWriter<'_>) {
                out.put_seconds(field, &epoch_seconds::to_text(self));
            }

            fn read_hash(stored: Option<&[u8]>) -> Result<Self, String> {
                let text = <String as crate::hash::HashValue>::read_hash(stored)?;
                epoch_seconds::from_text(&text)
            }
        }

        impl crate::index::Indexable for $t {
            const KIND: crate::index::IndexKind = crate::index::IndexKind::Numeric;
            type Kind = crate::field::kind::Numeric<$t>;
        }
    };
}

/// The whole seconds and nanoseconds of `micros` (the nanoseconds from 0 to
/// 999,999,000), `None` beyond an `i64` of seconds.
#[cfg(feature = "chrono")]
fn seconds_and_nanos(micros: i128) -> Option<(i64, u32)> {
    let seconds = i64::try_from(micros.div_euclid(1_000_000)).ok()?;
    let nanos = u32::try_from(micros.rem_euclid(1_000_000) * 1000).ok()?;
    Some((seconds, nanos))
}

#[cfg(feature = "chrono")]
mod chrono_impls {
    use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

    use super::epoch_seconds::{self, EpochSeconds};
    use super::seconds_and_nanos;

    impl EpochSeconds for DateTime<Utc> {
        const NAME: &'static str = "chrono::DateTime<Utc>";

        fn to_epoch_micros(&self) -> i128 {
            // The seconds are floored and the microseconds within the second
            // truncated: truncation toward the past. (A leap second, whose
            // microseconds reach 1,999,999, lands in the next second.)
            i128::from(self.timestamp()) * 1_000_000 + i128::from(self.timestamp_subsec_micros())
        }

        fn from_epoch_micros(micros: i128) -> Option<Self> {
            let (seconds, nanos) = seconds_and_nanos(micros)?;
            DateTime::from_timestamp(seconds, nanos)
        }
    }

    impl EpochSeconds for NaiveDate {
        const NAME: &'static str = "chrono::NaiveDate";

        fn to_epoch_micros(&self) -> i128 {
            i128::from(self.and_time(NaiveTime::MIN).and_utc().timestamp()) * 1_000_000
        }

        fn from_epoch_micros(micros: i128) -> Option<Self> {
            DateTime::<Utc>::from_epoch_micros(micros).map(|at| at.date_naive())
        }
    }

    date_time_field!(DateTime<Utc>);
    date_time_field!(NaiveDate);
}

#[cfg(feature = "time")]
mod time_impls {
    use time::{Date, OffsetDateTime};

    use super::epoch_seconds::{self, EpochSeconds};

    impl EpochSeconds for OffsetDateTime {
        const NAME: &'static str = "time::OffsetDateTime";

        fn to_epoch_micros(&self) -> i128 {
            self.unix_timestamp_nanos().div_euclid(1000)
        }

        fn from_epoch_micros(micros: i128) -> Option<Self> {
            OffsetDateTime::from_unix_timestamp_nanos(micros.checked_mul(1000)?).ok()
        }
    }

    impl EpochSeconds for Date {
        const NAME: &'static str = "time::Date";

        fn to_epoch_micros(&self) -> i128 {
            i128::from(self.midnight().assume_utc().unix_timestamp()) * 1_000_000
        }

        fn from_epoch_micros(micros: i128) -> Option<Self> {
            OffsetDateTime::from_epoch_micros(micros).map(OffsetDateTime::date)
        }
    }

    date_time_field!(OffsetDateTime);
    date_time_field!(Date);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::epoch_seconds::{self, EpochSeconds};
    use super::*;

    #[test]
    fn micros_are_written_as_the_shortest_decimal_seconds() {
        assert_eq!(format_micros(1_704_164_645_123_456), "1704164645.123456");
        assert_eq!(format_micros(1_704_164_645_000_000), "1704164645");
        assert_eq!(format_micros(1_704_164_645_100_000), "1704164645.1");
        assert_eq!(format_micros(1_704_164_645_000_001), "1704164645.000001");
        assert_eq!(format_micros(0), "0");
        assert_eq!(format_micros(-1), "-0.000001");
        assert_eq!(format_micros(-500_000), "-0.5");
        assert_eq!(format_micros(-1_500_000), "-1.5");
        assert_eq!(format_micros(-4_861_728_000_000_000), "-4861728000");
        for extreme in [i128::MAX, i128::MIN + 1] {
            assert_eq!(parse_micros(&format_micros(extreme)), Ok(extreme));
        }
    }

    #[test]
    fn any_finite_number_text_is_read_exactly() {
        let ok = |text: &str| parse_micros(text).unwrap();
        assert_eq!(ok("1704164645.123456"), 1_704_164_645_123_456);
        assert_eq!(ok("1704164645.0"), 1_704_164_645_000_000);
        assert_eq!(ok("1704164645"), 1_704_164_645_000_000);
        assert_eq!(ok("1.7041646451234561e9"), 1_704_164_645_123_456);
        assert_eq!(ok("1.704164645E+09"), 1_704_164_645_000_000);
        assert_eq!(ok("1e-05"), 10);
        assert_eq!(ok("-1e-06"), -1);
        assert_eq!(ok("-4861728000.0"), -4_861_728_000_000_000);
        assert_eq!(ok(".5"), 500_000);
        assert_eq!(ok("5."), 5_000_000);
        assert_eq!(ok("+2"), 2_000_000);
        assert_eq!(ok("-0"), 0);
        assert_eq!(ok("-0.0"), 0);
        assert_eq!(ok("0e999999999999999999999"), 0);
        assert_eq!(ok("1e-999999999999999999999"), 0);
        assert_eq!(
            ok("000000000000000000000000000000000000000000001"),
            1_000_000
        );
        for garbage in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "1.2.3",
            " 1",
            "1 ",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "0x10",
            "1_000",
            "12:00",
            "2024-01-02",
            "1,5",
            "١",
        ] {
            assert_eq!(
                parse_micros(garbage),
                Err(Unreadable::NotANumber),
                "{garbage:?}"
            );
        }
        assert_eq!(parse_micros("1e300"), Err(Unreadable::TooLarge));
        assert_eq!(parse_micros(&"9".repeat(40)), Err(Unreadable::TooLarge));
    }

    #[test]
    fn more_than_six_decimals_round_to_the_nearest_microsecond_ties_to_even() {
        let ok = |text: &str| parse_micros(text).unwrap();
        assert_eq!(ok("0.0000014"), 1);
        assert_eq!(ok("0.0000016"), 2);
        assert_eq!(ok("0.0000015"), 2);
        assert_eq!(ok("0.0000025"), 2);
        assert_eq!(ok("0.00000250000001"), 3);
        assert_eq!(ok("-0.0000015"), -2);
        assert_eq!(ok("-0.0000004"), 0);
        assert_eq!(ok("0.0000005"), 0);
        assert_eq!(ok("1e-7"), 0);
        assert_eq!(ok("6e-7"), 1);
        assert_eq!(ok("1704164645.9999999"), 1_704_164_646_000_000);
    }

    /// A type of our own, so that the trait's glue is tested without the
    /// features.
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Micros(i64);

    impl EpochSeconds for Micros {
        const NAME: &'static str = "Micros";
        fn to_epoch_micros(&self) -> i128 {
            i128::from(self.0)
        }
        fn from_epoch_micros(micros: i128) -> Option<Self> {
            i64::try_from(micros).ok().map(Micros)
        }
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Doc {
        #[serde(with = "crate::epoch_seconds")]
        at: Micros,
        #[serde(with = "crate::epoch_seconds::option", default)]
        maybe: Option<Micros>,
    }

    #[test]
    fn serde_writes_a_json_number_and_reads_numbers_and_strings() {
        let doc = |at: i64, maybe: Option<i64>| Doc {
            at: Micros(at),
            maybe: maybe.map(Micros),
        };
        let json = |d: &Doc| serde_json::to_string(d).unwrap();
        assert_eq!(
            json(&doc(1_704_164_645_123_456, None)),
            r#"{"at":1704164645.123456,"maybe":null}"#
        );
        assert_eq!(
            json(&doc(1_704_164_645_000_000, Some(-500_000))),
            r#"{"at":1704164645,"maybe":-0.5}"#
        );
        let read = |text: &str| serde_json::from_str::<Doc>(text);
        for (text, at, maybe) in [
            (r#"{"at":1704164645.0}"#, 1_704_164_645_000_000, None),
            (
                r#"{"at":1704164645,"maybe":null}"#,
                1_704_164_645_000_000,
                None,
            ),
            (r#"{"at":-1,"maybe":"1e-06"}"#, -1_000_000, Some(1)),
            (r#"{"at":"-4861728000.0"}"#, -4_861_728_000_000_000, None),
            (r#"{"at":1704164645.123456}"#, 1_704_164_645_123_456, None),
            (r#"{"at":1e-5}"#, 10, None),
        ] {
            assert_eq!(read(text).unwrap(), doc(at, maybe), "{text}");
        }
        // u64::MAX seconds, 1e300 seconds: beyond an i64 of microseconds.
        for text in [r#"{"at":18446744073709551615}"#, r#"{"at":1e300}"#] {
            let error = read(text).unwrap_err().to_string();
            assert!(error.contains("out of the range of Micros"), "{error}");
        }
        let error = read(r#"{"at":"soon"}"#).unwrap_err().to_string();
        assert!(
            error.contains("\"soon\", which is not epoch seconds"),
            "{error}"
        );
        assert!(read(r#"{"at":true}"#).is_err());
        assert!(read(r#"{"at":[1]}"#).is_err());

        // Every microsecond of a day in 2024 survives the double.
        for micros in (0..86_400_000_000i64).step_by(86_400_000_000 / 9973 + 1) {
            let d = doc(1_704_067_200_000_000 + micros, None);
            assert_eq!(read(&json(&d)).unwrap(), d);
        }
    }

    #[test]
    fn text_errors_say_what_is_stored() {
        assert_eq!(
            epoch_seconds::from_text::<Micros>("12:00"),
            Err("holds \"12:00\", which is not epoch seconds".to_owned())
        );
        assert_eq!(
            epoch_seconds::from_text::<Micros>("1e20"),
            Err("holds \"1e20\", epoch seconds out of the range of Micros".to_owned())
        );
        assert_eq!(
            epoch_seconds::from_text::<Micros>("1e400"),
            Err("holds \"1e400\", epoch seconds out of the range of Micros".to_owned())
        );
    }

    #[cfg(any(feature = "chrono", feature = "time"))]
    mod types {
        use crate::hash::{HashValue, HashWriter};
        use crate::index::{IndexKind, Indexable};

        pub(super) fn stored<T: HashValue>(value: &T) -> String {
            let mut hset = redis_core::Cmd::new("HSET");
            let mut absent = Vec::new();
            HashWriter::new(&mut hset, &mut absent).field("f", value);
            let args: Vec<Vec<u8>> = hset.args().skip(1).map(<[u8]>::to_vec).collect();
            assert_eq!(args[0], b"f");
            String::from_utf8(args[1].clone()).unwrap()
        }

        pub(super) fn read<T: HashValue>(text: &str) -> Result<T, String> {
            T::read_hash(Some(text.as_bytes()))
        }

        pub(super) fn numeric<T: Indexable>() -> bool {
            T::KIND == IndexKind::Numeric
        }
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_date_times_are_epoch_seconds() {
        use chrono::{DateTime, NaiveDate, Utc};
        use types::{numeric, read, stored};

        let at = |s, n| DateTime::<Utc>::from_timestamp(s, n).unwrap();
        let cases = [
            (at(1_704_164_645, 123_456_000), "1704164645.123456"),
            (at(1_704_164_645, 0), "1704164645"),
            (at(0, 0), "0"),
            (at(-1, 500_000_000), "-0.5"),
            (at(-4_861_728_000, 0), "-4861728000"),
            // 9999-12-31T23:59:59.999999Z and 0001-01-01.
            (at(253_402_300_799, 999_999_000), "253402300799.999999"),
            (at(-62_135_596_800, 0), "-62135596800"),
        ];
        for (value, text) in cases {
            assert_eq!(stored(&value), text);
            assert_eq!(read::<DateTime<Utc>>(text), Ok(value));
        }
        // Nanoseconds are truncated toward the past, before 1970 too.
        assert_eq!(stored(&at(1_704_164_645, 123_456_789)), "1704164645.123456");
        assert_eq!(stored(&at(-1, 999_999_999)), "-0.000001");
        // Python's whole seconds, and its repr of tiny ones.
        assert_eq!(
            read::<DateTime<Utc>>("1704164645.0"),
            Ok(at(1_704_164_645, 0))
        );
        assert_eq!(read::<DateTime<Utc>>("1e-05"), Ok(at(0, 10_000)));
        // chrono's own limits, both ways.
        for limit in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            let text = stored(&limit);
            let back = read::<DateTime<Utc>>(&text).unwrap();
            assert_eq!(back.timestamp_micros(), limit.timestamp_micros());
        }
        for beyond in ["1e13", "-1e13", "9223372036854775808", "1e300"] {
            let why = read::<DateTime<Utc>>(beyond).unwrap_err();
            assert!(
                why.contains("out of the range of chrono::DateTime<Utc>"),
                "{why}"
            );
        }
        assert_eq!(
            read::<DateTime<Utc>>("yesterday"),
            Err("holds \"yesterday\", which is not epoch seconds".to_owned())
        );
        assert_eq!(
            read::<DateTime<Utc>>(""),
            Err("holds \"\", which is not epoch seconds".to_owned())
        );
        assert!(<DateTime<Utc> as crate::HashValue>::read_hash(None).is_err());
        assert!(numeric::<DateTime<Utc>>() && numeric::<Option<NaiveDate>>());

        // A date is its UTC midnight; an instant reads as its UTC day.
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(stored(&day(1815, 12, 10)), "-4861728000");
        assert_eq!(stored(&day(1970, 1, 1)), "0");
        assert_eq!(stored(&day(2000, 2, 29)), "951782400");
        assert_eq!(read::<NaiveDate>("951782400.0"), Ok(day(2000, 2, 29)));
        assert_eq!(read::<NaiveDate>("951868799.999999"), Ok(day(2000, 2, 29)));
        assert_eq!(read::<NaiveDate>("-0.000001"), Ok(day(1969, 12, 31)));
        assert!(read::<NaiveDate>("1e15").is_err());
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_date_times_are_epoch_seconds() {
        use time::{Date, Month, OffsetDateTime, UtcOffset};
        use types::{numeric, read, stored};

        let at = |nanos: i128| OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap();
        let cases = [
            (at(1_704_164_645_123_456_000), "1704164645.123456"),
            (at(1_704_164_645_000_000_000), "1704164645"),
            (at(-500_000_000), "-0.5"),
            (at(-4_861_728_000_000_000_000), "-4861728000"),
            (at(253_402_300_799_999_999_000), "253402300799.999999"),
            (at(-377_705_116_800_000_000_000), "-377705116800"), // -9999-01-01
        ];
        for (value, text) in cases {
            assert_eq!(stored(&value), text);
            assert_eq!(read::<OffsetDateTime>(text), Ok(value));
        }
        assert_eq!(stored(&at(1_704_164_645_123_456_789)), "1704164645.123456");
        assert_eq!(stored(&at(-1)), "-0.000001");
        // An offset is kept out: the instant reads back at UTC.
        let paris = at(1_704_164_645_000_000_000).to_offset(UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(stored(&paris), "1704164645");
        let back = read::<OffsetDateTime>("1704164645").unwrap();
        assert_eq!(back, paris);
        assert_eq!(back.offset(), UtcOffset::UTC);
        for beyond in ["253402300800", "-377705116801", "1e300"] {
            let why = read::<OffsetDateTime>(beyond).unwrap_err();
            assert!(
                why.contains("out of the range of time::OffsetDateTime"),
                "{why}"
            );
        }
        assert!(
            read::<OffsetDateTime>("nan")
                .unwrap_err()
                .contains("not epoch seconds")
        );
        assert!(numeric::<OffsetDateTime>() && numeric::<Date>());

        let day = |y, m, d| Date::from_calendar_date(y, m, d).unwrap();
        assert_eq!(stored(&day(1815, Month::December, 10)), "-4861728000");
        assert_eq!(stored(&day(2000, Month::February, 29)), "951782400");
        assert_eq!(
            read::<Date>("951868799.999999"),
            Ok(day(2000, Month::February, 29))
        );
        assert_eq!(read::<Date>("-1"), Ok(day(1969, Month::December, 31)));
    }

    #[cfg(all(feature = "chrono", feature = "time"))]
    #[test]
    fn both_crates_write_the_same_text_and_json() {
        use chrono::{DateTime, Utc};
        use time::OffsetDateTime;

        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Both {
            #[serde(with = "crate::epoch_seconds")]
            chrono: DateTime<Utc>,
            #[serde(with = "crate::epoch_seconds")]
            time: OffsetDateTime,
        }

        for nanos in [
            1_704_164_645_123_456_789i128,
            -4_861_728_000_000_000_001,
            0,
            -1,
            8_589_934_591_999_999_999, // 2242
            253_402_300_799_999_999_999,
            253_402_300_799_999_998_999,
            -377_705_116_799_999_999_999,
        ] {
            let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).unwrap();
            let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap();
            let both = Both {
                chrono: DateTime::from_timestamp(seconds, sub).unwrap(),
                time: OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap(),
            };
            let text = types::stored(&both.chrono);
            assert_eq!(text, types::stored(&both.time));
            let json = serde_json::to_value(&both).unwrap();
            assert_eq!(json["chrono"], json["time"], "{json}");
            // Read back: truncated to the microsecond, as in a hash.
            let back: Both = serde_json::from_value(json.clone()).unwrap();
            let micros = nanos.div_euclid(1000);
            assert_eq!(back.chrono.timestamp_subsec_nanos() % 1000, 0);
            assert_eq!(back.time.unix_timestamp_nanos() % 1000, 0);
            let back_micros = back.time.unix_timestamp_nanos() / 1000;
            assert_eq!(i128::from(back.chrono.timestamp_micros()), back_micros);
            if micros.abs() < 1 << 33 {
                assert_eq!(back_micros, micros);
                // The same number (serde_json writes `-1e-6` for `-0.000001`).
                let number = json["time"].as_f64().unwrap();
                assert_eq!(number, text.parse::<f64>().unwrap());
                if micros.abs() > 1_000_000 {
                    assert_eq!(json["time"].to_string(), text);
                }
            } else {
                // Beyond 2242: the double at or before the value.
                assert!(back_micros <= micros && micros - back_micros < 31, "{json}");
            }
        }
    }
}
