"""The S3 contract's core, driven by boto3 with its default settings (flexible checksums included).

Usage: python boto3_conformance.py <endpoint>. Prints one JSON line of results; exits non-zero on the first failure.
"""
import hashlib
import io
import json
import os
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

endpoint = sys.argv[1]
s3 = boto3.client(
    "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t",
    config=Config(s3={"addressing_style": "path"}),
)
bucket = "boto3-conformance"
s3.create_bucket(Bucket=bucket)
results = {}

# PutObject from a stream with boto3's default checksum (CRC32, as a trailer on aws-chunked where it applies).
body = os.urandom(3 * 1024 * 1024)
s3.put_object(Bucket=bucket, Key="put.bin", Body=io.BytesIO(body))
got = s3.get_object(Bucket=bucket, Key="put.bin", ChecksumMode="ENABLED")
assert got["Body"].read() == body, "put_object round trip differs"
results["putChecksumCRC32"] = got.get("ChecksumCRC32")

# Multipart through the transfer manager (8 MB parts).
big = os.urandom(20 * 1024 * 1024)
s3.upload_fileobj(io.BytesIO(big), bucket, "multi.bin", Config=TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024))
data = s3.get_object(Bucket=bucket, Key="multi.bin")["Body"].read()
assert hashlib.sha256(data).digest() == hashlib.sha256(big).digest(), "multipart round trip differs"
results["multipartETag"] = s3.head_object(Bucket=bucket, Key="multi.bin")["ETag"]

# 1,500 keys page in two pages.
for i in range(1500):
    s3.put_object(Bucket=bucket, Key=f"many/{i:04d}", Body=b"x")
pages = [len(p.get("Contents", [])) for p in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="many/")]
assert pages == [1000, 500], f"pages {pages}"
results["pages"] = pages

# Ranges, ACLs, errors.
assert s3.get_object(Bucket=bucket, Key="put.bin", Range="bytes=-4")["Body"].read() == body[-4:], "suffix range"
s3.put_object(Bucket=bucket, Key="public.txt", Body=b"hi", ACL="public-read")
grants = sorted(g["Permission"] for g in s3.get_object_acl(Bucket=bucket, Key="public.txt")["Grants"])
assert grants == ["FULL_CONTROL", "READ"], f"grants {grants}"
try:
    s3.get_object(Bucket=bucket, Key="missing")
    raise AssertionError("NoSuchKey expected")
except s3.exceptions.NoSuchKey:
    results["noSuchKey"] = True
print(json.dumps(results))
