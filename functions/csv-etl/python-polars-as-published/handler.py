"""csv-etl-python-polars-as-published: the program of "Oxidizing Lambda Functions"' python-polars-process-file
(luiscarlosjayk/oxidizing-lambda-functions, src/lambda/python-polars-process-file), written here with the same
libraries and calls:

- boto3's download_fileobj of the whole object into a NamedTemporaryFile (boto3's managed, threaded transfer);
- polars' read_csv_batched over that file, batch_size 10000, one batch at a time (next_batches(1));
- per batch: group_by (Hospital, Diagnosis) -> sum and count of Recovery Time, and the mode() of Treatment;
- the batches' partial results concatenated and combined (sums and counts added up; the most frequent of the
  batches' modes kept, sorted by count descending, first per group);
- one Table.put_item per group (400 for the standard dataset: 400 round trips), AverageRecoveryTime as str().

Differences, none on the measured path: bucket/key/table come from the payload (the original reads the env
variables S3_BUCKET, FILE_NAME, DB_TABLE, used here as fallbacks); the table is created once per environment if
missing (CDK created it); the response names the rows and items written. pl.len() stands for pl.count(), its
deprecated alias in the original.
"""
import os
import tempfile

import boto3
import polars as pl
from botocore.config import Config

# As published: a default client and resource (path-style only so that a local endpoint's buckets resolve).
_s3_config = Config(s3={"addressing_style": "path"}) if os.environ.get("AWS_ENDPOINT_URL_S3") else None
s3_client = boto3.client("s3", config=_s3_config)
dynamodb = boto3.resource("dynamodb")
_ready = set()

KEYS = ["Hospital", "Diagnosis"]


def handler(event, context):
    event = event or {}
    bucket = event.get("bucket") or os.environ.get("S3_BUCKET")
    key = event.get("key") or os.environ.get("FILE_NAME")
    table_name = event.get("table") or os.environ.get("DB_TABLE") or "csv-etl-results"
    if not bucket or not key:
        raise ValueError("bucket and key (or S3_BUCKET and FILE_NAME) are required")
    ensure_table(table_name)
    rows, written = process(bucket, key, table_name, context.aws_request_id)
    return {"rows": rows, "itemsWritten": written, "table": table_name, "pk": context.aws_request_id}


def process(bucket, key, table_name, request_id):
    table = dynamodb.Table(table_name)
    with tempfile.NamedTemporaryFile(delete=False, suffix=".csv") as downloaded:
        path = downloaded.name
        s3_client.download_fileobj(Bucket=bucket, Key=key, Fileobj=downloaded)

    sums, modes = [], []
    reader = pl.read_csv_batched(path, batch_size=10000)
    while True:
        batches = reader.next_batches(1)
        if not batches:
            break
        for batch in batches:
            sums.append(batch.group_by(KEYS).agg(pl.col("Recovery Time").sum().alias("sum"), pl.col("Recovery Time").count().alias("count")))
            modes.append(batch.group_by(KEYS).agg(pl.col("Treatment").mode().alias("most_frequent_treatment")))

    totals = (
        pl.concat(sums)
        .group_by(KEYS)
        .agg(pl.col("sum").sum().alias("total_sum"), pl.col("count").sum().alias("total_count"))
        .with_columns((pl.col("total_sum") / pl.col("total_count")).alias("Average Recovery Time"))
    )
    best = (
        pl.concat(modes)
        .group_by([*KEYS, "most_frequent_treatment"])
        .agg(pl.len().alias("Count"))
        .sort(by=[*KEYS, "Count"], descending=[False, False, True])
        .unique(subset=KEYS, keep="first")
    )
    results = totals.join(best[[*KEYS, "most_frequent_treatment"]], on=KEYS, how="inner")

    written = 0
    for row in results.iter_rows(named=True):
        table.put_item(
            Item={
                "PK": request_id,
                "SK": f"#diagnosis#{row['Diagnosis']}#hospital#{row['Hospital']}",
                "Hospital": row["Hospital"],
                "Diagnosis": row["Diagnosis"],
                "AverageRecoveryTime": str(row["Average Recovery Time"]),
                "MostUsedTreatment": row["most_frequent_treatment"],
            }
        )
        written += 1
    os.remove(path)
    return int(totals.get_column("total_count").sum() or 0), written


def ensure_table(table_name):
    """CreateTable if missing, then wait until ACTIVE: once per environment, outside what the original did."""
    if table_name in _ready:
        return
    client = dynamodb.meta.client
    try:
        client.create_table(
            TableName=table_name,
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except client.exceptions.ResourceInUseException:
        pass
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    _ready.add(table_name)
