import asyncio
import os
import time

import aioboto3
import boto3
from botocore.config import Config

_config = Config(s3={"addressing_style": "path"}, max_pool_connections=100) if os.environ.get("AWS_ENDPOINT_URL_S3") else Config(max_pool_connections=100)
s3 = boto3.client("s3", config=_config)


def serial(bucket, keys):
    return sum(len(s3.get_object_acl(Bucket=bucket, Key=k)["Grants"]) for k in keys)


async def in_executor(bucket, keys):
    loop = asyncio.get_running_loop()
    results = await asyncio.gather(*(loop.run_in_executor(None, lambda k=k: s3.get_object_acl(Bucket=bucket, Key=k)) for k in keys))
    return sum(len(r["Grants"]) for r in results)


async def with_aioboto3(bucket, keys):
    async with aioboto3.Session().client("s3", config=_config) as client:
        results = await asyncio.gather(*(client.get_object_acl(Bucket=bucket, Key=k) for k in keys))
    return sum(len(r["Grants"]) for r in results)


def handler(event, context):
    """api-calls (Trek10 2020, boto3 vs aioboto3): ListObjectsV2 + GetObjectAcl for every object."""
    bucket = event.get("bucket")
    if not bucket:
        raise ValueError('The payload needs "bucket" (and optionally "prefix").')
    mode = event.get("mode", "serial")
    started = time.perf_counter()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=event.get("prefix", "")).get("Contents", [])]
    if mode == "serial":
        grants = serial(bucket, keys)
    elif mode == "threads":
        grants = asyncio.run(in_executor(bucket, keys))
    elif mode == "aioboto3":
        grants = asyncio.run(with_aioboto3(bucket, keys))
    else:
        raise ValueError(f"mode must be serial, threads or aioboto3, not {mode}")
    return {"mode": mode, "objects": len(keys), "grants": grants, "elapsedMs": round((time.perf_counter() - started) * 1000)}
