import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

_config = Config(s3={"addressing_style": "path"}, max_pool_connections=100) if os.environ.get("AWS_ENDPOINT_URL_S3") else Config(max_pool_connections=100)
s3 = boto3.client("s3", config=_config)


def _hash_all(files):
    return [hashlib.sha256(f).hexdigest() for f in files]


def _child(conn):
    conn.send(_hash_all(conn.recv()))
    conn.close()


def in_processes(shares):
    # Process + Pipe: Lambda has no /dev/shm, so Pool and Queue would fail there.
    pipes, procs = [], []
    for share in shares:
        parent, child = multiprocessing.Pipe()
        proc = multiprocessing.Process(target=_child, args=(child,))
        proc.start()
        parent.send(share)
        pipes.append(parent)
        procs.append(proc)
    hashes = [h for p in pipes for h in p.recv()]
    for proc in procs:
        proc.join()
    return hashes


def in_threads(shares):
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        return [h for hashes in pool.map(_hash_all, shares) for h in hashes]


def handler(event, context):
    """dedupe: download every object under a prefix, SHA-256 them across workers, count the distinct ones."""
    bucket = event.get("bucket")
    if not bucket:
        raise ValueError('The payload needs "bucket" (and optionally "prefix").')
    workers = int(event.get("workers", 2))
    mode = event.get("mode", "threads")
    if mode not in ("threads", "processes"):
        raise ValueError('mode must be "threads" or "processes"')
    started = time.perf_counter()
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=event.get("prefix", "")).get("Contents", [])]
    with ThreadPoolExecutor(max_workers=32) as pool:
        files = list(pool.map(lambda k: s3.get_object(Bucket=bucket, Key=k)["Body"].read(), keys))
    download_ms = (time.perf_counter() - started) * 1000
    shares = [files[w::workers] for w in range(workers)]
    hashes = (in_threads if mode == "threads" else in_processes)(shares)
    unique = len(set(hashes))
    return {
        "mode": mode, "workers": workers, "files": len(files), "unique": unique, "duplicates": len(files) - unique,
        "bytes": sum(len(f) for f in files), "downloadMs": round(download_ms), "elapsedMs": round((time.perf_counter() - started) * 1000),
    }
