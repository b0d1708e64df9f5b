//! cpu-rust: identical work per worker (the same FNV-style loop as cpu-node and cpu-python), on threads.
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

fn checksum(iterations: u64) -> u32 {
    let mut x: u32 = 2166136261;
    for i in 0..iterations {
        x ^= (i & 0xff) as u32;
        x = x.wrapping_mul(16777619);
    }
    x
}

async fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let payload = event.payload;
    let iterations = payload.get("iterations").and_then(Value::as_u64).unwrap_or(10_000_000);
    let workers = payload.get("workers").and_then(Value::as_u64).unwrap_or(1);
    if !(1..=64).contains(&workers) {
        return Err("workers must be 1-64".into());
    }
    let started = std::time::Instant::now();
    let checksums: Vec<u32> = if workers == 1 {
        vec![checksum(iterations)]
    } else {
        let handles: Vec<_> = (0..workers).map(|_| std::thread::spawn(move || checksum(iterations))).collect();
        handles.into_iter().map(|h| h.join().expect("worker panicked")).collect()
    };
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(json!({
        "iterations": iterations, "workers": workers, "mode": "threads",
        "checksum": checksums[0], "checksums": checksums, "elapsedMs": (elapsed_ms * 100.0).round() / 100.0,
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
