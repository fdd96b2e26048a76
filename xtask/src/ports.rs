//! Free loopback ports, picked at run time so the servers never clash with anything else.

use std::net::TcpListener;

use crate::error::{Context, Result, bail};

/// Redis cluster nodes also listen on `port + 10000` for the cluster bus.
pub const CLUSTER_BUS_OFFSET: u16 = 10000;

/// Hands out distinct free ports; they stay bound (so none is handed out twice) until this is
/// dropped, which must happen right before the servers bind them.
#[derive(Debug, Default)]
pub struct Ports {
    held: Vec<TcpListener>,
}

impl Ports {
    /// A port nothing listens on.
    pub fn pick(&mut self) -> Result<u16> {
        let listener = bind(0)?;
        let port = listener
            .local_addr()
            .context(|| "reading the address of a bound socket".to_string())?
            .port();
        self.held.push(listener);
        Ok(port)
    }

    /// A port whose cluster bus port is free too.
    pub fn pick_cluster(&mut self) -> Result<u16> {
        for _ in 0..200 {
            let port = self.pick()?;
            let Some(bus) = port.checked_add(CLUSTER_BUS_OFFSET) else {
                continue;
            };
            if let Ok(listener) = bind(bus) {
                self.held.push(listener);
                return Ok(port);
            }
        }
        bail!("found no free port P with P+{CLUSTER_BUS_OFFSET} free for the cluster bus")
    }
}

fn bind(port: u16) -> Result<TcpListener> {
    TcpListener::bind(("127.0.0.1", port)).context(|| format!("binding 127.0.0.1:{port}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_distinct_and_bus_ports_fit() -> Result<()> {
        let mut ports = Ports::default();
        let mut seen = Vec::new();
        for _ in 0..6 {
            let port = ports.pick_cluster()?;
            assert!(port.checked_add(CLUSTER_BUS_OFFSET).is_some());
            seen.push(port);
        }
        seen.push(ports.pick()?);
        let count = seen.len();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), count);
        Ok(())
    }
}
