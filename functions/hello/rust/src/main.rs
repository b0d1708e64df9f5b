//! hello-rust: sleeps, allocates and echoes what it is asked to (same contract as hello-node).
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, context) = event.into_parts();
    let sleep_ms = payload.get("sleepMs").and_then(Value::as_f64).unwrap_or(0.0);
    let allocate_mb = payload.get("allocateMB").and_then(Value::as_f64).unwrap_or(0.0);
    if sleep_ms < 0.0 || allocate_mb < 0.0 {
        return Err("sleepMs and allocateMB must be numbers >= 0".into());
    }
    // vec![byte; n] with a non-zero byte writes every page: the memory is resident, not just reserved.
    let retained: Vec<Vec<u8>> = (0..allocate_mb as usize).map(|i| vec![(i % 255 + 1) as u8; 1 << 20]).collect();
    if sleep_ms > 0.0 {
        tokio::time::sleep(std::time::Duration::from_micros((sleep_ms * 1000.0) as u64)).await;
    }
    Ok(json!({
        "echo": payload.get("echo").cloned().unwrap_or(Value::Null),
        "sleptMs": sleep_ms,
        "allocatedMB": retained.len(),
        "memoryLimitInMB": context.env_config.memory,
        "requestId": context.request_id,
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
