"""The csv-etl output side, identical for every Python implementation: items as functions/csv-etl/README.md
defines them, written with BatchWriteItem in batches of 25, retrying UnprocessedItems with backoff."""
import os
import time

import boto3
from botocore.config import Config

_s3_config = Config(s3={"addressing_style": "path"}) if os.environ.get("AWS_ENDPOINT_URL_S3") else None
s3 = boto3.client("s3", config=_s3_config)
dynamodb = boto3.client("dynamodb")


def read_object(event):
    bucket, key = event.get("bucket"), event.get("key")
    if not bucket or not key:
        raise ValueError('The payload needs "bucket" and "key" of the CSV object in S3.')
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    if not body.strip():
        raise ValueError(f"s3://{bucket}/{key} is empty: it needs at least the header line.")
    return body


def format_average(total, count):
    micro = (2 * total * 1_000_000 + count) // (2 * count)
    whole, fraction = divmod(micro, 1_000_000)
    fraction = f"{fraction:06d}".rstrip("0")
    return f"{whole}.{fraction}" if fraction else f"{whole}"


def ensure_table(table):
    try:
        dynamodb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except dynamodb.exceptions.ResourceInUseException:
        pass
    dynamodb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def write_items(table, pk, groups):
    """groups: iterable of (hospital, diagnosis, total, count, most_used_treatment)."""
    items = [
        {
            "PK": {"S": pk},
            "SK": {"S": f"#diagnosis#{d}#hospital#{h}"},
            "AverageRecoveryTime": {"N": format_average(int(total), int(count))},
            "Diagnosis": {"S": d},
            "Hospital": {"S": h},
            "MostUsedTreatment": {"S": t},
        }
        for h, d, total, count, t in groups
    ]
    for start in range(0, len(items), 25):
        pending = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        attempt = 0
        while pending:
            if attempt > 8:
                raise RuntimeError(f"DynamoDB kept {len(pending)} items unprocessed after 8 retries")
            if attempt:
                time.sleep(min(2.0, 0.025 * 2**attempt))
            out = dynamodb.batch_write_item(RequestItems={table: pending})
            pending = out.get("UnprocessedItems", {}).get(table, [])
            attempt += 1
    return len(items)
