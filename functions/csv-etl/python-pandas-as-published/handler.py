"""csv-etl-python-pandas-as-published: the program of "Oxidizing Lambda Functions"' python-pandas-process-file
(luiscarlosjayk/oxidizing-lambda-functions, src/lambda/python-pandas-process-file), written here with the same
libraries and calls:

- pandas.read_csv on the s3:// URL (fsspec and s3fs fetch the object), chunksize 10000, iterator=True;
- per chunk: groupby (Hospital, Diagnosis) -> Recovery Time agg(['sum', 'count']), and Treatment agg'ed with a
  Python lambda taking value_counts().idxmax() of each group (400 lambda calls per chunk);
- the chunks' partial results concatenated and combined (sums and counts added up; the most frequent of the
  chunks' winners kept by sort_values + drop_duplicates), merged;
- one Table.put_item per group (400 for the standard dataset: 400 round trips), AverageRecoveryTime as str().

Differences, none on the measured path: bucket/key/table come from the payload (the original reads the env
variables S3_BUCKET, FILE_NAME, DB_TABLE, used here as fallbacks); the table is created once per environment if
missing (CDK created it); the response names the rows and items written; s3fs is told to address a local endpoint
by path (AWS_ENDPOINT_URL_S3).
"""
import os

import boto3
import pandas as pd

dynamodb = boto3.resource("dynamodb")
_ready = set()

KEYS = ["Hospital", "Diagnosis"]
# s3fs (aiobotocore) reads the endpoint from the environment as botocore does; a local one is addressed by path.
_storage = {"config_kwargs": {"s3": {"addressing_style": "path"}}} if os.environ.get("AWS_ENDPOINT_URL_S3") else None


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
    sums, winners = [], []
    for chunk in pd.read_csv(f"s3://{bucket}/{key}", chunksize=10000, iterator=True, storage_options=_storage):
        sums.append(chunk.groupby(KEYS)["Recovery Time"].agg(["sum", "count"]).reset_index())
        winners.append(chunk.groupby(KEYS)["Treatment"].agg(lambda treatments: treatments.value_counts().idxmax()).reset_index())

    totals = pd.concat(sums, ignore_index=True).groupby(KEYS).agg({"sum": "sum", "count": "sum"}).reset_index()
    totals["Average Recovery Time"] = totals["sum"] / totals["count"]
    counted = pd.concat(winners, ignore_index=True).groupby([*KEYS, "Treatment"]).size().reset_index(name="Count")
    best = counted.sort_values([*KEYS, "Count"], ascending=[True, True, False]).drop_duplicates(subset=KEYS)
    results = pd.merge(totals[[*KEYS, "Average Recovery Time"]], best[[*KEYS, "Treatment"]], on=KEYS, how="inner")

    written = 0
    for _, row in results.iterrows():
        table.put_item(
            Item={
                "PK": request_id,
                "SK": f"#diagnosis#{row['Diagnosis']}#hospital#{row['Hospital']}",
                "Hospital": row["Hospital"],
                "Diagnosis": row["Diagnosis"],
                "AverageRecoveryTime": str(row["Average Recovery Time"]),
                "MostUsedTreatment": row["Treatment"],
            }
        )
        written += 1
    return int(totals["count"].sum()), written


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
