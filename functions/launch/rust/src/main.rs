//! launch-rust: process start → first `date` subprocess, first → second (Karl Roberts 2017).
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Milliseconds since this process started, from /proc (start time in clock ticks vs uptime).
fn process_age_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let start_ticks: f64 = after.split_whitespace().nth(19).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0);
    (uptime - start_ticks / 100.0) * 1000.0
}

fn run_date() -> Result<(), Error> {
    Command::new("date").stdout(Stdio::null()).status()?;
    Ok(())
}

async fn handler(_event: LambdaEvent<Value>) -> Result<Value, Error> {
    let first = Instant::now();
    run_date()?;
    let first_ms = first.elapsed().as_secs_f64() * 1000.0;
    let launch_ms = process_age_ms();
    let second = Instant::now();
    run_date()?;
    let subsequent_ms = second.elapsed().as_secs_f64() * 1000.0;
    Ok(json!({ "launchMs": launch_ms, "firstSubprocessMs": first_ms, "subsequentMs": subsequent_ms }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
