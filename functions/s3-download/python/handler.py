import os
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

_config = Config(s3={"addressing_style": "path"}, max_pool_connections=64) if os.environ.get("AWS_ENDPOINT_URL_S3") else Config(max_pool_connections=64)
s3 = boto3.client("s3", config=_config)


def handler(event, context):
    """s3-download (Marchusness/lambda-performance): list, then each GetObject in its own thread."""
    bucket = event.get("bucket")
    if not bucket:
        raise ValueError('The payload needs "bucket" (and optionally "prefix").')
    read_body = event.get("readBody", True)
    started = time.perf_counter()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=event.get("prefix", "")).get("Contents", [])]

    def fetch(key):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        if not read_body:
            body.close()
            return 0
        return len(body.read())

    with ThreadPoolExecutor(max_workers=max(1, len(keys))) as pool:
        sizes = list(pool.map(fetch, keys))
    return {"objects": len(keys), "bytes": sum(sizes), "readBody": read_body, "elapsedMs": round((time.perf_counter() - started) * 1000)}
