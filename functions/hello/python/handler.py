import time

MiB = 1024 * 1024


def handler(event, context):
    sleep_ms = event.get("sleepMs", 0) or 0
    allocate_mb = event.get("allocateMB", 0) or 0
    if not isinstance(sleep_ms, (int, float)) or sleep_ms < 0:
        raise ValueError(f"sleepMs must be a number >= 0, got {sleep_ms!r}")
    if not isinstance(allocate_mb, (int, float)) or allocate_mb < 0:
        raise ValueError(f"allocateMB must be a number >= 0, got {allocate_mb!r}")
    # bytearray(n) zero-fills, which touches every page: the memory is resident, not just reserved.
    retained = [bytearray(MiB) for _ in range(int(allocate_mb))]
    if sleep_ms:
        time.sleep(sleep_ms / 1000)
    result = {
        "echo": event.get("echo"),
        "sleptMs": sleep_ms,
        "allocatedMB": len(retained),
        "memoryLimitInMB": int(context.memory_limit_in_mb),
        "requestId": context.aws_request_id,
    }
    del retained
    return result
