//! `Delivery<E>`: what a worker's handler is given.

use redis_core::commands::StreamId;

/// One entry handed to a [`Worker`](super::Worker)'s handler: the entry's
/// id, how many times it has been delivered, and its decoded value.
///
/// Delivery is at least once: an entry whose handler failed, or whose
/// worker died before acknowledging it, comes again, with a higher
/// [`deliveries`](Delivery::deliveries). A handler that must not act twice
/// checks the id first (see [`Processed`](super::Processed)).
///
/// ```
/// use redis_om::Delivery;
/// use redis_om::core::commands::StreamId;
/// let delivery = Delivery::new(StreamId::new(1, 0), 1, "charge 42");
/// assert_eq!(delivery.deliveries(), 1);
/// assert_eq!(*delivery.value(), "charge 42");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery<E> {
    id: StreamId,
    deliveries: u64,
    value: E,
}

impl<E> Delivery<E> {
    /// A delivery of `value` as entry `id`, delivered `deliveries` times
    /// (for tests of handlers; a worker makes its own).
    ///
    /// ```
    /// let d = redis_om::Delivery::new(redis_om::core::commands::StreamId::new(1, 0), 2, ());
    /// assert_eq!(d.deliveries(), 2);
    /// ```
    pub fn new(id: StreamId, deliveries: u64, value: E) -> Self {
        Delivery {
            id,
            deliveries,
            value,
        }
    }

    /// The entry's id.
    ///
    /// ```
    /// # use redis_om::core::commands::StreamId;
    /// let d = redis_om::Delivery::new(StreamId::new(7, 1), 1, ());
    /// assert_eq!(d.id(), StreamId::new(7, 1));
    /// ```
    pub fn id(&self) -> StreamId {
        self.id
    }

    /// How many times the entry has been delivered to the group, this time
    /// included: 1 the first time, more after failures, restarts and claims
    /// (the server's count, so it survives the worker).
    ///
    /// ```
    /// # use redis_om::core::commands::StreamId;
    /// let d = redis_om::Delivery::new(StreamId::new(7, 1), 3, ());
    /// let last_chance = d.deliveries() >= 3;
    /// # assert!(last_chance);
    /// ```
    pub fn deliveries(&self) -> u64 {
        self.deliveries
    }

    /// The entry's value.
    ///
    /// ```
    /// # use redis_om::core::commands::StreamId;
    /// let d = redis_om::Delivery::new(StreamId::new(7, 1), 1, 5_u32);
    /// assert_eq!(*d.value(), 5);
    /// ```
    pub fn value(&self) -> &E {
        &self.value
    }

    /// The entry's value, taken.
    ///
    /// ```
    /// # use redis_om::core::commands::StreamId;
    /// let d = redis_om::Delivery::new(StreamId::new(7, 1), 1, String::from("x"));
    /// let value: String = d.into_value();
    /// # assert_eq!(value, "x");
    /// ```
    pub fn into_value(self) -> E {
        self.value
    }
}
