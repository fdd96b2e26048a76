//! [`ToArgs`] for standard types.

use bytes::Bytes;

use super::ToArgs;
use crate::Cmd;
use crate::cmd::Defect;

impl ToArgs for str {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(self.as_bytes());
    }
}

impl ToArgs for String {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(self.as_bytes());
    }
}

impl ToArgs for Bytes {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(self);
    }
}

impl<T: ToArgs + ?Sized> ToArgs for &T {
    fn write_args(&self, cmd: &mut Cmd) {
        (**self).write_args(cmd);
    }
}

impl<T: ToArgs> ToArgs for [T] {
    fn write_args(&self, cmd: &mut Cmd) {
        T::write_slice_args(self, cmd);
    }
}

impl<T: ToArgs> ToArgs for Vec<T> {
    fn write_args(&self, cmd: &mut Cmd) {
        T::write_slice_args(self, cmd);
    }
}

impl<T: ToArgs, const N: usize> ToArgs for [T; N] {
    fn write_args(&self, cmd: &mut Cmd) {
        T::write_slice_args(self, cmd);
    }
}

impl<T: ToArgs> ToArgs for Option<T> {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(value) = self {
            value.write_args(cmd);
        }
    }
}

impl ToArgs for u8 {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(itoa::Buffer::new().format(*self).as_bytes());
    }

    /// A run of bytes is binary data, not a list of small numbers.
    fn write_slice_args(items: &[u8], cmd: &mut Cmd) {
        cmd.push_bytes(items);
    }
}

macro_rules! integer_to_args {
    ($($t:ty)*) => {$(
        impl ToArgs for $t {
            fn write_args(&self, cmd: &mut Cmd) {
                cmd.push_bytes(itoa::Buffer::new().format(*self).as_bytes());
            }
        }
    )*};
}

integer_to_args!(i8 i16 i32 i64 i128 isize u16 u32 u64 u128 usize);

impl ToArgs for bool {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(if *self { b"1" } else { b"0" });
    }
}

/// NaN is refused when the command is sent (no Redis command takes it as
/// a number); infinities are `inf` and `-inf`.
impl ToArgs for f64 {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.is_nan() {
            cmd.refuse(Defect::NotANumber);
        }
        cmd.push_bytes(format_double(*self).as_bytes());
    }
}

impl ToArgs for f32 {
    fn write_args(&self, cmd: &mut Cmd) {
        // Through f32's own Display: widening first would send 0.1f32 as
        // 0.10000000149011612.
        if self.is_nan() {
            cmd.refuse(Defect::NotANumber);
        }
        let text = if self.is_finite() {
            self.to_string()
        } else {
            format_double(f64::from(*self))
        };
        cmd.push_bytes(text.as_bytes());
    }
}

/// The text of a double in a form Redis parses (and that Redis itself uses
/// for infinities and NaN): Rust's shortest round-trip decimal for finite
/// values, `inf`, `-inf` and `nan` otherwise (Rust would write `NaN`).
pub(super) fn format_double(value: f64) -> String {
    if value.is_nan() {
        "nan".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_owned()
    } else {
        value.to_string()
    }
}

macro_rules! tuple_to_args {
    ($($name:ident $index:tt)+) => {
        impl<$($name: ToArgs),+> ToArgs for ($($name,)+) {
            fn write_args(&self, cmd: &mut Cmd) {
                $(self.$index.write_args(cmd);)+
            }
        }
    };
}

tuple_to_args!(A 0);
tuple_to_args!(A 0 B 1);
tuple_to_args!(A 0 B 1 C 2);
tuple_to_args!(A 0 B 1 C 2 D 3);
tuple_to_args!(A 0 B 1 C 2 D 3 E 4);
tuple_to_args!(A 0 B 1 C 2 D 3 E 4 F 5);

/// No arguments: for a list that is empty (a script called without keys,
/// `eval(script, (), ())`).
impl ToArgs for () {
    fn write_args(&self, _: &mut Cmd) {}
}
