//! csv-etl-rust-as-published: the program of "Oxidizing Lambda Functions"' rust-process-file
//! (luiscarlosjayk/oxidizing-lambda-functions, src/lambda/rust-process-file), rewritten here with the same crates
//! and the same calls, so that a comparison with its published PowerTuning curves holds the program constant:
//! - GetObject, then the whole body collected into one buffer (`ByteStream::collect`);
//! - quick-csv over that buffer (header skipped), each row decoded into `(String, String, String, f64)`;
//! - a HashMap from (hospital, diagnosis) to (sum as f64, count, treatment → count);
//! - average = sum / count written with f64's Display, most used treatment by `max_by_key` (ties: whichever the
//!   HashMap yields last among the maxima, as in the original);
//! - one BatchWriteItem per 25 items, sent one after another, UnprocessedItems not retried.
//!
//! Differences, none on the measured path: bucket/key/table come from the payload (the original reads the env
//! variables S3_BUCKET, FILE_NAME, DB_TABLE, used here as fallbacks); the table is created once per environment
//! if missing (CDK created it); the response names the rows and items written; a row that does not decode fails
//! the invocation (the original panicked on a CSV read error and logged rows that did not decode).
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, PutRequest, ScalarAttributeType,
    WriteRequest,
};
use lambda_runtime::{service_fn, tracing, Error, LambdaEvent};
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio::sync::Mutex;

type Groups = HashMap<(String, String), (f64, usize, HashMap<String, usize>)>;

struct Summary {
    hospital: String,
    diagnosis: String,
    average: f64,
    treatment: String,
}

fn setting(payload: &Value, field: &str, env: &str) -> Option<String> {
    payload.get(field).and_then(Value::as_str).map(str::to_string).or_else(|| std::env::var(env).ok())
}

async fn aggregate(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Result<(Vec<Summary>, usize), Error> {
    let object = s3.get_object().bucket(bucket).key(key).send().await.map_err(|e| {
        tracing::error!({ %e }, "GetObject failed");
        Error::from(format!("could not read s3://{bucket}/{key}: {e}"))
    })?;
    let bytes = object.body.collect().await?.into_bytes();
    let mut groups: Groups = HashMap::new();
    let mut rows = 0usize;
    for row in quick_csv::Csv::from_reader(&bytes[..]).has_header(true) {
        let (hospital, diagnosis, treatment, days) = row?.decode::<(String, String, String, f64)>()?;
        let group = groups.entry((hospital, diagnosis)).or_insert_with(|| (0.0, 0, HashMap::new()));
        group.0 += days;
        group.1 += 1;
        *group.2.entry(treatment).or_insert(0) += 1;
        rows += 1;
    }
    let summaries = groups
        .into_iter()
        .map(|((hospital, diagnosis), (sum, count, treatments))| Summary {
            hospital,
            diagnosis,
            average: sum / count as f64,
            treatment: treatments.into_iter().max_by_key(|(_, n)| *n).map(|(t, _)| t).unwrap_or_default(),
        })
        .collect();
    Ok((summaries, rows))
}

async fn store(db: &aws_sdk_dynamodb::Client, table: &str, pk: &str, summaries: &[Summary]) -> Result<usize, Error> {
    for batch in summaries.chunks(25) {
        let mut requests = Vec::with_capacity(batch.len());
        for s in batch {
            let put = PutRequest::builder()
                .item("PK", AttributeValue::S(pk.to_string()))
                .item("SK", AttributeValue::S(format!("#diagnosis#{}#hospital#{}", s.diagnosis, s.hospital)))
                .item("Hospital", AttributeValue::S(s.hospital.clone()))
                .item("Diagnosis", AttributeValue::S(s.diagnosis.clone()))
                .item("MostUsedTreatment", AttributeValue::S(s.treatment.clone()))
                .item("AverageRecoveryTime", AttributeValue::N(s.average.to_string()))
                .build()?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        db.batch_write_item().request_items(table, requests).send().await?;
    }
    Ok(summaries.len())
}

/// CreateTable if missing, then wait until ACTIVE: once per environment, outside what the original did.
async fn ensure_table(db: &aws_sdk_dynamodb::Client, ready: &Mutex<Vec<String>>, table: &str) -> Result<(), Error> {
    let mut done = ready.lock().await;
    if done.iter().any(|t| t == table) {
        return Ok(());
    }
    let attribute = |name: &str| AttributeDefinition::builder().attribute_name(name).attribute_type(ScalarAttributeType::S).build();
    let created = db
        .create_table()
        .table_name(table)
        .attribute_definitions(attribute("PK")?)
        .attribute_definitions(attribute("SK")?)
        .key_schema(KeySchemaElement::builder().attribute_name("PK").key_type(KeyType::Hash).build()?)
        .key_schema(KeySchemaElement::builder().attribute_name("SK").key_type(KeyType::Range).build()?)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    if let Err(error) = created {
        if !error.as_service_error().map(|e| e.is_resource_in_use_exception()).unwrap_or(false) {
            return Err(error.into());
        }
    }
    for _ in 0..60 {
        let described = db.describe_table().table_name(table).send().await?;
        if described.table().and_then(|t| t.table_status()).map(|s| s.as_str() == "ACTIVE").unwrap_or(false) {
            done.push(table.to_string());
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    Err("table did not become ACTIVE".into())
}

async fn handler(
    s3: &aws_sdk_s3::Client,
    db: &aws_sdk_dynamodb::Client,
    ready: &Mutex<Vec<String>>,
    event: LambdaEvent<Value>,
) -> Result<Value, Error> {
    let (payload, context) = event.into_parts();
    let bucket = setting(&payload, "bucket", "S3_BUCKET").ok_or("bucket (or S3_BUCKET) is missing")?;
    let key = setting(&payload, "key", "FILE_NAME").ok_or("key (or FILE_NAME) is missing")?;
    let table = setting(&payload, "table", "DB_TABLE").unwrap_or_else(|| "csv-etl-results".to_string());
    ensure_table(db, ready, &table).await?;
    let (summaries, rows) = aggregate(s3, &bucket, &key).await?;
    let written = store(db, &table, &context.request_id, &summaries).await?;
    tracing::info!("File processed successfully");
    Ok(json!({ "rows": rows, "itemsWritten": written, "table": table, "pk": context.request_id }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    // As published: JSON lines at INFO, without time, target or span (CloudWatch adds the time).
    tracing::subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::INFO)
        .with_current_span(false)
        .without_time()
        .with_target(false)
        .init();
    let config = aws_config::load_from_env().await;
    // A local S3 endpoint (AWS_ENDPOINT_URL_S3) is addressed by path, as every lambench workload does.
    let s3_config = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(std::env::var("AWS_ENDPOINT_URL_S3").is_ok())
        .build();
    let s3 = aws_sdk_s3::Client::from_conf(s3_config);
    let db = aws_sdk_dynamodb::Client::new(&config);
    let ready = Mutex::new(Vec::new());
    lambda_runtime::run(service_fn(|event| handler(&s3, &db, &ready, event))).await
}
