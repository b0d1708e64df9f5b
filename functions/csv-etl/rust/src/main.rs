//! csv-etl-rust ("Oxidizing Lambda Functions"): stream the CSV from S3, aggregate per (hospital, diagnosis),
//! write 400 items to DynamoDB in batches of 25. Output rules: functions/csv-etl/README.md.
use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, PutRequest, ScalarAttributeType, WriteRequest};
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_runtime::{service_fn, Diagnostic, Error, LambdaEvent};
use serde_json::{json, Value};
use std::collections::HashMap;

/// An error with the type name the other implementations report (e.g. S3's NoSuchKey).
#[derive(Debug)]
struct Named(String, String);

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl std::error::Error for Named {}

fn diagnostic(error: Error) -> Diagnostic {
    match error.downcast_ref::<Named>() {
        Some(Named(kind, message)) => Diagnostic { error_type: kind.clone(), error_message: message.clone() },
        None => Diagnostic { error_type: "Error".to_string(), error_message: error.to_string() },
    }
}

#[derive(Default)]
struct Group {
    sum: i64,
    count: i64,
    treatments: HashMap<String, u64>,
}

#[derive(Default)]
struct Aggregator {
    groups: HashMap<(String, String), Group>,
    rows: u64,
    skipped: u64,
}

impl Aggregator {
    fn add(&mut self, line: &str) {
        let fields: Vec<&str> = line.split(',').collect();
        let valid = fields.len() == 4 && {
            let r = fields[3].strip_prefix('-').unwrap_or(fields[3]);
            !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit())
        };
        if !valid {
            self.skipped += 1;
            return;
        }
        self.rows += 1;
        let group = self.groups.entry((fields[0].to_string(), fields[1].to_string())).or_default();
        group.sum += fields[3].parse::<i64>().unwrap_or(0);
        group.count += 1;
        *group.treatments.entry(fields[2].to_string()).or_default() += 1;
    }
}

fn format_average(sum: i64, count: i64) -> String {
    let micro = (2 * sum as i128 * 1_000_000 + count as i128) / (2 * count as i128);
    let (whole, fraction) = (micro / 1_000_000, micro % 1_000_000);
    let fraction = format!("{:06}", fraction);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() { whole.to_string() } else { format!("{whole}.{fraction}") }
}

async fn ensure_table(db: &aws_sdk_dynamodb::Client, table: &str) -> Result<(), Error> {
    let created = db
        .create_table()
        .table_name(table)
        .attribute_definitions(AttributeDefinition::builder().attribute_name("PK").attribute_type(ScalarAttributeType::S).build()?)
        .attribute_definitions(AttributeDefinition::builder().attribute_name("SK").attribute_type(ScalarAttributeType::S).build()?)
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
        let table = db.describe_table().table_name(table).send().await?;
        if table.table().and_then(|t| t.table_status()).map(|s| s.as_str() == "ACTIVE").unwrap_or(false) {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
    Err("table did not become ACTIVE".into())
}

async fn write_items(db: &aws_sdk_dynamodb::Client, table: &str, items: Vec<HashMap<String, AttributeValue>>) -> Result<usize, Error> {
    let count = items.len();
    for batch in items.chunks(25) {
        let mut pending: Vec<WriteRequest> = batch
            .iter()
            .map(|item| WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(item.clone())).build().expect("item")).build())
            .collect();
        let mut attempt = 0u32;
        while !pending.is_empty() {
            if attempt > 8 {
                return Err(format!("DynamoDB kept {} items unprocessed after 8 retries", pending.len()).into());
            }
            if attempt > 0 {
                tokio::time::sleep(std::time::Duration::from_millis((25u64 << attempt).min(2000))).await;
            }
            let out = db.batch_write_item().request_items(table, pending).send().await?;
            pending = out.unprocessed_items().and_then(|u| u.get(table)).cloned().unwrap_or_default();
            attempt += 1;
        }
    }
    Ok(count)
}

async fn handler(s3: &aws_sdk_s3::Client, db: &aws_sdk_dynamodb::Client, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let (payload, context) = event.into_parts();
    let bucket = payload.get("bucket").and_then(Value::as_str).ok_or("The payload needs \"bucket\" and \"key\" of the CSV object in S3.")?;
    let key = payload.get("key").and_then(Value::as_str).ok_or("The payload needs \"bucket\" and \"key\" of the CSV object in S3.")?;
    let table = payload
        .get("table")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| std::env::var("TABLE_NAME").ok())
        .unwrap_or_else(|| "csv-etl-results".to_string());
    let table_ready = ensure_table(db, &table);
    let object = s3.get_object().bucket(bucket).key(key).send().await.map_err(|e| -> Error {
        match e.as_service_error() {
            Some(service) if service.is_no_such_key() => Box::new(Named("NoSuchKey".into(), format!("The specified key does not exist: {key}"))),
            _ => e.into(),
        }
    })?;
    let mut body = object.body;
    let mut aggregator = Aggregator::default();
    let mut carry: Vec<u8> = Vec::new();
    let mut header = true;
    while let Some(chunk) = body.try_next().await? {
        carry.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(offset) = carry[start..].iter().position(|&b| b == b'\n') {
            let end = start + offset;
            let line = std::str::from_utf8(&carry[start..end])?.trim_end_matches('\r');
            if header {
                header = false;
            } else if !line.is_empty() {
                aggregator.add(line);
            }
            start = end + 1;
        }
        carry.drain(..start);
    }
    // A last line without a newline: a row, or the header of a header-only file (0 rows, as everywhere else).
    if !carry.is_empty() {
        let line = std::str::from_utf8(&carry)?.trim_end_matches('\r');
        if header {
            header = false;
        } else if !line.is_empty() {
            aggregator.add(line);
        }
    }
    if header {
        return Err(format!("s3://{bucket}/{key} is empty: it needs at least the header line.").into());
    }
    let pk = context.request_id.clone();
    let items = aggregator
        .groups
        .iter()
        .map(|((hospital, diagnosis), g)| {
            let (best, _) = g
                .treatments
                .iter()
                .fold((String::new(), 0u64), |(bn, bc), (n, &c)| if c > bc || (c == bc && n < &bn) { (n.clone(), c) } else { (bn, bc) });
            HashMap::from([
                ("PK".to_string(), AttributeValue::S(pk.clone())),
                ("SK".to_string(), AttributeValue::S(format!("#diagnosis#{diagnosis}#hospital#{hospital}"))),
                ("AverageRecoveryTime".to_string(), AttributeValue::N(format_average(g.sum, g.count))),
                ("Diagnosis".to_string(), AttributeValue::S(diagnosis.clone())),
                ("Hospital".to_string(), AttributeValue::S(hospital.clone())),
                ("MostUsedTreatment".to_string(), AttributeValue::S(best)),
            ])
        })
        .collect();
    table_ready.await?;
    let written = write_items(db, &table, items).await?;
    Ok(json!({ "rows": aggregator.rows, "skippedRows": aggregator.skipped, "itemsWritten": written, "table": table, "pk": pk }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    // A local S3 endpoint (AWS_ENDPOINT_URL_S3) is addressed by path, as the other implementations do.
    let s3_config = aws_sdk_s3::config::Builder::from(&config).force_path_style(std::env::var("AWS_ENDPOINT_URL_S3").is_ok()).build();
    let s3 = aws_sdk_s3::Client::from_conf(s3_config);
    let db = aws_sdk_dynamodb::Client::new(&config);
    lambda_runtime::run(service_fn(|event| async { handler(&s3, &db, event).await.map_err(diagnostic) })).await
}
