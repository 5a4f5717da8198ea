//! The Discord door's metrics (the engine's are in `newsbot_core::telemetry`).

/// Discord REST calls that failed, by HTTP `status` (`none` for transport errors).
pub const DISCORD_REST_ERRORS: &str = "newsbot_discord_rest_errors_total";
/// 1 while the Discord gateway is connected.
pub const GATEWAY_CONNECTED: &str = "newsbot_gateway_connected";

/// Counts one failed Discord REST call.
pub fn discord_rest_error(status: Option<u16>) {
    let status = status.map_or_else(|| "none".to_string(), |s| s.to_string());
    metrics::counter!(DISCORD_REST_ERRORS, "status" => status).increment(1);
}

pub fn gateway_connected(up: bool) {
    metrics::gauge!(GATEWAY_CONNECTED).set(if up { 1.0 } else { 0.0 });
}
