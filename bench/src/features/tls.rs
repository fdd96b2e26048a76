//! `tls_seq` and `tls_conc64`: redis-core over TLS against the same client over plain TCP on
//! the same server (Redis 7.0 of the test servers, which listens on both), and `tls_seq`
//! against `redis-benchmark --tls` with the same certificates. The server is found in the
//! servers file that `cargo xtask servers up` writes (`--servers-env`, or the
//! `REDIS_SERVERS_ENV` variable): `REDIS7`, `REDIS7_TLS`, `TLS_CA`, `TLS_CLIENT_CERT`,
//! `TLS_CLIENT_KEY`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use redis_core::{Config, TlsConfig};

use crate::clients::{Ours, Result};
use crate::data::Data;
use crate::workload::{Limit, Sample, Workload, measure, prefill};

/// Where the TLS rows connect: one server's plain and TLS ports, and the certificates.
#[derive(Debug, Clone)]
pub struct TlsServer {
    plain: String,
    tls: String,
    ca: String,
    cert: String,
    key: String,
}

impl TlsServer {
    /// Reads the servers file (`NAME=value` lines).
    pub fn from_servers_env(path: &Path) -> Result<TlsServer> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading the servers file {}: {e}", path.display()))?;
        let entries: HashMap<&str, &str> = text
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(name, value)| (name.trim(), value.trim()))
            .collect();
        let get = |name: &str| {
            entries
                .get(name)
                .map(|value| (*value).to_owned())
                .ok_or_else(|| format!("{} names no {name}", path.display()))
        };
        Ok(TlsServer {
            plain: get("REDIS7")?,
            tls: get("REDIS7_TLS")?,
            ca: get("TLS_CA")?,
            cert: get("TLS_CLIENT_CERT")?,
            key: get("TLS_CLIENT_KEY")?,
        })
    }

    fn plain_url(&self) -> String {
        format!("redis://{}", self.plain)
    }

    /// The TLS port, trusting the test CA and showing the client certificate (mutual TLS).
    fn tls_config(&self, resp: u8) -> Result<Config> {
        let tls = TlsConfig::new()
            .with_ca_file(&self.ca)?
            .with_client_cert_files(&self.cert, &self.key)?;
        Ok(crate::clients::ours_config(&format!("redis://{}", self.tls), resp)?.with_tls(tls))
    }
}

/// The clients of the TLS rows, connected once.
pub struct TlsRow {
    server: TlsServer,
    tls: Ours,
    plain: Ours,
    data: Arc<Data>,
}

impl TlsRow {
    /// Connects both clients and writes the workloads' keys (through the plain one).
    pub async fn new(server: &TlsServer, resp: u8) -> Result<TlsRow> {
        let tls = Ours::connect_with(server.tls_config(resp)?).await?;
        let mut plain = Ours::connect(&server.plain_url(), resp).await?;
        let data = Arc::new(Data::new());
        prefill(&mut plain, &data).await?;
        Ok(TlsRow {
            server: server.clone(),
            tls,
            plain,
            data,
        })
    }

    /// One run of `workload` for `column`: `tls`, `plain` or `redis-benchmark-tls`.
    pub async fn measure(
        &self,
        workload: Workload,
        column: &str,
        warmup: Limit,
        limit: Limit,
    ) -> Result<Sample> {
        match column {
            "tls" => measure(workload, &self.tls, &self.data, warmup, limit).await,
            "plain" => measure(workload, &self.plain, &self.data, warmup, limit).await,
            _ => {
                let (host, port) =
                    self.server.tls.rsplit_once(':').ok_or_else(|| {
                        format!("REDIS7_TLS {:?} is not host:port", self.server.tls)
                    })?;
                let (host, port) = (host.to_owned(), port.parse::<u16>()?);
                let tls: Vec<String> = [
                    "--tls",
                    "--cacert",
                    &self.server.ca,
                    "--cert",
                    &self.server.cert,
                    "--key",
                    &self.server.key,
                ]
                .iter()
                .map(|arg| (*arg).to_owned())
                .collect();
                let duration = limit.duration;
                let sample = tokio::task::spawn_blocking(move || {
                    crate::redis_benchmark::measure(&host, port, workload, duration, &tls)
                        .map_err(|e| e.to_string())
                })
                .await??;
                sample.ok_or_else(|| {
                    format!("redis-benchmark has no {} line", workload.name()).into()
                })
            }
        }
    }
}
