import multiprocessing
import threading
import time


def checksum(iterations):
    """The same loop as cpu-node and cpu-rust: FNV-style, 32-bit."""
    x = 2166136261
    for i in range(iterations):
        x ^= i & 0xFF
        x = (x * 16777619) & 0xFFFFFFFF
    return x


def _child(iterations, conn):
    conn.send(checksum(iterations))
    conn.close()


def in_processes(iterations, workers):
    # Lambda has no /dev/shm, so Pool and Queue fail there; Process + Pipe is what AWS recommends.
    pipes, procs = [], []
    for _ in range(workers):
        parent, child = multiprocessing.Pipe()
        proc = multiprocessing.Process(target=_child, args=(iterations, child))
        proc.start()
        pipes.append(parent)
        procs.append(proc)
    results = [p.recv() for p in pipes]
    for proc in procs:
        proc.join()
    return results


def in_threads(iterations, workers):
    results = [None] * workers

    def work(index):
        results[index] = checksum(iterations)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def handler(event, context):
    iterations = int(event.get("iterations", 10_000_000))
    workers = int(event.get("workers", 1))
    mode = event.get("mode", "processes")
    if iterations < 0 or not 1 <= workers <= 64:
        raise ValueError("iterations must be >= 0 and workers 1-64")
    if mode not in ("processes", "threads"):
        raise ValueError('mode must be "processes" or "threads"')
    started = time.perf_counter()
    if workers == 1:
        checksums = [checksum(iterations)]
    else:
        checksums = (in_processes if mode == "processes" else in_threads)(iterations, workers)
    elapsed = (time.perf_counter() - started) * 1000
    return {"iterations": iterations, "workers": workers, "mode": mode, "checksum": checksums[0], "checksums": checksums, "elapsedMs": round(elapsed, 2)}
