import os
import subprocess
import time

_invocations = 0


def _process_age_ms():
    """Time since this process started, from /proc (the interpreter's own clock starts later)."""
    with open("/proc/self/stat") as f:
        start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000


def handler(event, context):
    global _invocations
    _invocations += 1
    first = time.perf_counter()
    subprocess.run(["date"], stdout=subprocess.DEVNULL, check=True)
    after_first = time.perf_counter()
    launch = _process_age_ms()
    subprocess.run(["date"], stdout=subprocess.DEVNULL, check=True)
    after_second = time.perf_counter()
    return {
        "coldProcess": _invocations == 1,
        "launchMs": round(launch, 2),
        "firstSubprocessMs": round((after_first - first) * 1000, 2),
        "subsequentMs": round((after_second - after_first) * 1000, 2),
    }
