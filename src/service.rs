//! The operator's window: `--metrics-addr` serves `/metrics` (Prometheus text, rendered by
//! metrics-exporter-prometheus from what `newsbot_core::telemetry` counts) and `/healthz`
//! on a small tiny_http thread, so `chat` needs no async runtime for it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// What `/healthz` reports: healthy once the index is open and, when `serve` runs, the
/// gateway is connected.
#[derive(Debug, Default)]
pub struct Health {
    pub index_open: AtomicBool,
    /// `None` outside `serve`: nothing to wait for.
    pub gateway: Option<Arc<AtomicBool>>,
}

impl Health {
    pub fn for_serve(gateway: Arc<AtomicBool>) -> Health {
        Health {
            index_open: AtomicBool::new(false),
            gateway: Some(gateway),
        }
    }

    /// `Ok` when healthy, else what is still missing.
    pub fn check(&self) -> std::result::Result<(), &'static str> {
        if !self.index_open.load(Ordering::Relaxed) {
            return Err("index not open yet");
        }
        match &self.gateway {
            Some(g) if !g.load(Ordering::Relaxed) => Err("gateway not connected"),
            _ => Ok(()),
        }
    }
}

/// The address `--metrics-addr` names. A bare port binds 127.0.0.1, so metrics are never
/// reachable from outside unless the operator writes another address.
pub fn parse_addr(text: &str) -> std::result::Result<SocketAddr, String> {
    let text = text.trim();
    let full = match text.strip_prefix(':').unwrap_or(text).parse::<u16>() {
        Ok(port) => format!("127.0.0.1:{port}"),
        Err(_) => text.to_string(),
    };
    full.parse().map_err(|_| {
        format!("{text:?} is not an address; use HOST:PORT such as 127.0.0.1:9100, or a port")
    })
}

/// Answers one request path: (status, content type, body).
fn respond(path: &str, health: &Health, metrics: &PrometheusHandle) -> (u16, &'static str, String) {
    match path.split('?').next().unwrap_or_default() {
        "/metrics" => (200, "text/plain; version=0.0.4", metrics.render()),
        "/healthz" => match health.check() {
            Ok(()) => (200, "text/plain", "ok\n".into()),
            Err(why) => (503, "text/plain", format!("unavailable: {why}\n")),
        },
        _ => (
            404,
            "text/plain",
            "not found; try /metrics or /healthz\n".into(),
        ),
    }
}

/// Installs the Prometheus recorder and serves it on `addr` until the process ends. Says
/// where on stderr (with the real port when `addr` asked for port 0).
pub fn start(addr: SocketAddr, health: Arc<Health>) -> Result<()> {
    let handle = PrometheusBuilder::new()
        .set_buckets(&[
            0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
        ])
        .context("metric buckets")?
        .install_recorder()
        .context("installing the metrics recorder")?;
    let server = tiny_http::Server::http(addr).map_err(|e| {
        crate::error::UserError(format!(
            "--metrics-addr {addr}: cannot listen: {e}; pick another address or port"
        ))
    })?;
    let bound = server
        .server_addr()
        .to_ip()
        .map_or_else(|| addr.to_string(), |a| a.to_string());
    eprintln!("metrics on http://{bound}/metrics, health on http://{bound}/healthz");
    std::thread::Builder::new()
        .name("metrics".into())
        .spawn(move || {
            for request in server.incoming_requests() {
                let (status, kind, body) = respond(request.url(), &health, &handle);
                let header =
                    tiny_http::Header::from_bytes("Content-Type", kind).expect("static header");
                let response = tiny_http::Response::from_string(body)
                    .with_status_code(status)
                    .with_header(header);
                if let Err(e) = request.respond(response) {
                    tracing::debug!("metrics response: {e}");
                }
            }
        })
        .context("starting the metrics thread")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_port_binds_loopback_only() {
        assert_eq!(parse_addr("9100").unwrap().to_string(), "127.0.0.1:9100");
        assert_eq!(parse_addr(":9100").unwrap().to_string(), "127.0.0.1:9100");
        assert_eq!(
            parse_addr("0.0.0.0:9100").unwrap().to_string(),
            "0.0.0.0:9100"
        );
        assert!(parse_addr("localhost").is_err());
    }

    #[test]
    fn health_waits_for_the_index_and_the_gateway() {
        let gateway = Arc::new(AtomicBool::new(false));
        let h = Health::for_serve(gateway.clone());
        assert_eq!(h.check(), Err("index not open yet"));
        h.index_open.store(true, Ordering::Relaxed);
        assert_eq!(h.check(), Err("gateway not connected"));
        gateway.store(true, Ordering::Relaxed);
        assert_eq!(h.check(), Ok(()));
        let chat = Health::default();
        chat.index_open.store(true, Ordering::Relaxed);
        assert_eq!(chat.check(), Ok(()));
    }

    #[test]
    fn unknown_paths_are_404_and_health_is_503_until_ready() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let h = Health::default();
        assert_eq!(respond("/healthz", &h, &handle).0, 503);
        h.index_open.store(true, Ordering::Relaxed);
        assert_eq!(respond("/healthz", &h, &handle).0, 200);
        assert_eq!(respond("/nope", &h, &handle).0, 404);
        assert_eq!(respond("/metrics?x=1", &h, &handle).0, 200);
    }
}
