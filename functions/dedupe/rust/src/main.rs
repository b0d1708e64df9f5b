//! dedupe-rust: download every object under a prefix, SHA-256 them on threads, count the distinct ones.
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::time::Instant;

async fn handler(s3: &aws_sdk_s3::Client, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let payload = event.payload;
    let bucket = payload.get("bucket").and_then(Value::as_str).ok_or("The payload needs \"bucket\" (and optionally \"prefix\").")?;
    let prefix = payload.get("prefix").and_then(Value::as_str).unwrap_or("");
    let workers = payload.get("workers").and_then(Value::as_u64).unwrap_or(2).clamp(1, 64) as usize;
    let started = Instant::now();
    let listed = s3.list_objects_v2().bucket(bucket).prefix(prefix).send().await?;
    let keys: Vec<String> = listed.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect();
    // One task per object, as the other implementations download in parallel.
    let tasks: Vec<_> = keys
        .iter()
        .map(|key| {
            let (s3, bucket, key) = (s3.clone(), bucket.to_string(), key.clone());
            tokio::spawn(async move {
                let object = s3.get_object().bucket(bucket).key(key).send().await?;
                Ok::<Vec<u8>, Error>(object.body.collect().await?.into_bytes().to_vec())
            })
        })
        .collect();
    let mut files = Vec::with_capacity(tasks.len());
    for task in tasks {
        files.push(task.await??);
    }
    let download_ms = started.elapsed().as_secs_f64() * 1000.0;
    let shares: Vec<Vec<Vec<u8>>> = (0..workers).map(|w| files.iter().skip(w).step_by(workers).cloned().collect()).collect();
    let handles: Vec<_> = shares
        .into_iter()
        .map(|share| std::thread::spawn(move || share.iter().map(|f| format!("{:x}", Sha256::digest(f))).collect::<Vec<_>>()))
        .collect();
    let hashes: Vec<String> = handles.into_iter().flat_map(|h| h.join().expect("worker panicked")).collect();
    let unique = hashes.iter().collect::<HashSet<_>>().len();
    Ok(json!({
        "mode": "threads", "workers": workers, "files": files.len(), "unique": unique, "duplicates": files.len() - unique,
        "bytes": files.iter().map(Vec::len).sum::<usize>(), "downloadMs": download_ms.round(),
        "elapsedMs": (started.elapsed().as_secs_f64() * 1000.0).round(),
    }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    let s3_config = aws_sdk_s3::config::Builder::from(&config).force_path_style(std::env::var("AWS_ENDPOINT_URL_S3").is_ok()).build();
    let s3 = aws_sdk_s3::Client::from_conf(s3_config);
    lambda_runtime::run(service_fn(|event| handler(&s3, event))).await
}
