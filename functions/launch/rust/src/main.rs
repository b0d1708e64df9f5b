//! launch-rust: process start → first `date` subprocess, first → second (Karl Roberts 2017).
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

/// When main() began: a native binary reaches main within a fraction of a millisecond of exec, and /proc's
/// start time only has 10 ms resolution, too coarse for Rust.
static STARTED: OnceLock<Instant> = OnceLock::new();

fn run_date() -> Result<(), Error> {
    Command::new("date").stdout(Stdio::null()).status()?;
    Ok(())
}

async fn handler(_event: LambdaEvent<Value>) -> Result<Value, Error> {
    let first = Instant::now();
    run_date()?;
    let first_ms = first.elapsed().as_secs_f64() * 1000.0;
    let launch_ms = STARTED.get().map(|t| t.elapsed().as_secs_f64() * 1000.0).unwrap_or(0.0);
    let second = Instant::now();
    run_date()?;
    let subsequent_ms = second.elapsed().as_secs_f64() * 1000.0;
    Ok(json!({ "launchMs": launch_ms, "firstSubprocessMs": first_ms, "subsequentMs": subsequent_ms }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    STARTED.get_or_init(Instant::now);
    lambda_runtime::run(service_fn(handler)).await
}
