//! How much free space each read is offered.

use bytes::BytesMut;

/// The free space offered to a read when nothing says more is coming.
pub(crate) const MIN_READ_RESERVE: usize = 16 * 1024;
/// The most a streaming reply's reads grow to: eight times the minimum, so a
/// 100 KB reply takes one to three reads rather than seven.
pub(crate) const MAX_READ_RESERVE: usize = 128 * 1024;

/// Sizes the room made before each read of one connection.
///
/// The room doubles while reads keep filling it (large replies are streaming
/// in) and halves when one does not, so a connection back to small replies
/// soon keeps small buffers again.
///
/// For the rest of a large bulk payload the buffer grows with what has
/// arrived (doubling) until the peer has sent an eighth of its claim, then
/// reserves the whole remainder at once: a 512 MB reply is copied at most a
/// fraction of its size and never held twice, while a false length claim costs
/// at most eight times the bytes the peer really sent.
#[derive(Debug)]
pub(crate) struct ReadReserve {
    step: usize,
}

impl ReadReserve {
    pub(crate) fn new() -> Self {
        ReadReserve {
            step: MIN_READ_RESERVE,
        }
    }

    /// Makes room in `rbuf` for the next read, given what the decoder says is
    /// still missing; returns the room there is.
    pub(crate) fn prepare(&self, rbuf: &mut BytesMut, needed: Option<usize>) -> usize {
        let want = match needed {
            // Exactly the rest of a huge payload, also when it is small: padding
            // its last bytes to a full step would double the whole buffer.
            Some(rest) if rest <= rbuf.len().saturating_mul(8) => {
                if rbuf.len() < MAX_READ_RESERVE {
                    rest.max(self.step)
                } else {
                    rest
                }
            }
            Some(_) => rbuf.len().max(self.step),
            None => self.step,
        };
        rbuf.reserve(want);
        rbuf.capacity() - rbuf.len()
    }

    /// Notes that a read offered `room` bytes took `read` of them.
    pub(crate) fn record(&mut self, read: usize, room: usize) {
        self.step = if read >= room {
            (self.step * 2).min(MAX_READ_RESERVE)
        } else {
            (self.step / 2).max(MIN_READ_RESERVE)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;
    use crate::resp::Decoder;

    #[test]
    fn a_length_claim_alone_reserves_little() {
        let mut rbuf = BytesMut::from(&b"$500000000\r\nabc"[..]);
        ReadReserve::new().prepare(&mut rbuf, Some(500_000_000));
        assert!(
            rbuf.capacity() < 1024 * 1024,
            "reserved {}",
            rbuf.capacity()
        );
    }

    #[test]
    fn a_large_payload_arriving_in_reads_ends_in_a_buffer_of_its_own_size() {
        let total = 64 * 1024 * 1024;
        let mut rbuf = BytesMut::new();
        rbuf.extend_from_slice(format!("${total}\r\n").as_bytes());
        let mut decoder = Decoder::new(crate::resp::Limits::default());
        let reserve = ReadReserve::new();
        let mut largest = 0;
        let value = loop {
            if let Some(value) = decoder.decode(&mut rbuf).expect("valid frame") {
                break value;
            }
            reserve.prepare(&mut rbuf, decoder.bytes_needed());
            largest = largest.max(rbuf.capacity());
            // A read fills at most the free space, as a socket read does.
            let missing = decoder.bytes_needed().unwrap_or(2);
            let n = (rbuf.capacity() - rbuf.len()).min(1 << 20).min(missing);
            if missing <= 2 {
                rbuf.extend_from_slice(&b"\r\n"[..n]);
            } else {
                rbuf.extend_from_slice(&vec![b'x'; n.min(missing - 2)]);
            }
        };
        let Value::BulkString(bytes) = value else {
            panic!("not a bulk string")
        };
        assert_eq!(bytes.len(), total);
        // Never held twice its size, not even for the final CRLF.
        assert!(
            largest < total + total / 8,
            "the buffer grew to {largest} bytes"
        );
    }

    #[test]
    fn the_rest_of_a_payload_that_is_really_arriving_is_reserved_at_once() {
        let mut rbuf = BytesMut::from(&vec![b'x'; 8 * 1024 * 1024][..]);
        let rest = 56 * 1024 * 1024;
        ReadReserve::new().prepare(&mut rbuf, Some(rest));
        assert!(rbuf.capacity() >= rbuf.len() + rest);
        // Exactly what is needed, not a doubling beyond it.
        assert!(rbuf.capacity() < 2 * (rbuf.len() + rest));
    }

    #[test]
    fn reads_that_fill_the_buffer_get_more_room_and_short_ones_less() {
        let mut reserve = ReadReserve::new();
        let mut rbuf = BytesMut::new();
        let mut offered = Vec::new();
        for _ in 0..6 {
            let room = reserve.prepare(&mut rbuf, None);
            offered.push(room);
            reserve.record(room, room);
            rbuf.clear();
        }
        assert!(offered.windows(2).all(|w| w[0] <= w[1]), "{offered:?}");
        assert!(offered[0] >= MIN_READ_RESERVE && offered[5] >= MAX_READ_RESERVE);
        assert!(offered[5] < 2 * MAX_READ_RESERVE, "{offered:?}");
        for _ in 0..3 {
            reserve.record(10, MAX_READ_RESERVE);
        }
        assert_eq!(reserve.step, MIN_READ_RESERVE);
    }
}
