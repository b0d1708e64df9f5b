import asyncio
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import aioboto3
import boto3
from botocore.config import Config

_config = Config(max_pool_connections=400, retries={"max_attempts": 1}, read_timeout=900)
lambda_client = boto3.client("lambda", config=_config)


def _check(payload_bytes):
    body = json.loads(payload_bytes)
    if isinstance(body, dict) and body.get("errorType"):
        raise RuntimeError(f"invoked function failed: {body}")


async def _all_at_once(target, count, payload):
    """asyncio: every call at once on one aioboto3 client, results taken as they complete."""
    async with aioboto3.Session().client("lambda", config=_config) as client:
        async def one():
            out = await client.invoke(FunctionName=target, Payload=payload)
            _check(await out["Payload"].read())

        for done in asyncio.as_completed([one() for _ in range(count)]):
            await done


def _threadpool(target, count, payload, workers):
    """A pool of workers over one shared boto3 client."""
    def one(_):
        _check(lambda_client.invoke(FunctionName=target, Payload=payload)["Payload"].read())

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, range(count)))


def _hybrid(target, count, payload, threads):
    """Threads each running their share asynchronously."""
    shares = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    errors = []

    def run(share):
        try:
            asyncio.run(_all_at_once(target, share, payload))
        except Exception as exc:  # reported after join
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(s,)) for s in shares]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]


def handler(event, context):
    """Fan-out (Marchusness/lambda-performance): invoke `target` count times synchronously."""
    target = event.get("target", "hello-python")
    count = int(event.get("count", 390))
    sleep_ms = event.get("sleepMs", 1000)
    strategy = event.get("strategy", "asyncio")
    payload = json.dumps({"random_data": os.urandom(int(event.get("payloadKB", 1)) * 1024).hex(), "sleepMs": sleep_ms}).encode()
    started = time.perf_counter()
    if strategy == "asyncio":
        asyncio.run(_all_at_once(target, count, payload))
    elif strategy == "threadpool":
        _threadpool(target, count, payload, int(event.get("poolSize", 32)))
    elif strategy == "hybrid":
        _hybrid(target, count, payload, int(event.get("threads", 2)))
    else:
        raise ValueError(f"strategy must be asyncio, threadpool or hybrid, not {strategy}")
    elapsed = (time.perf_counter() - started) * 1000
    return {"strategy": strategy, "count": count, "payloadBytes": len(payload), "elapsedMs": round(elapsed), "overheadMs": round(elapsed - sleep_ms)}
