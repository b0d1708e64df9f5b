"""lambench's Python runtime client: AWS Lambda Runtime API 2018-06-01 with the standard library only.

Runs under the local engine and, as a custom runtime, on AWS. Handlers are `module.function` (dots or slashes
for packages), loaded from LAMBDA_TASK_ROOT, called with (event, context).
"""
import decimal
import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback

BASE = "/2018-06-01/runtime"


class Api:
    """One persistent HTTP/1.1 connection: the runtime has one request in flight at a time."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host, self.port = host or "127.0.0.1", int(port or 80)
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, BASE + path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                return response.status, response.headers, response.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise

    def post_error(self, path, error):
        body = json.dumps(error).encode()
        self.call("POST", path, body, {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error["errorType"]})


class LambdaContext:
    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        identity = headers.get("Lambda-Runtime-Cognito-Identity")
        client_context = headers.get("Lambda-Runtime-Client-Context")
        self.identity = json.loads(identity) if identity else None
        self.client_context = json.loads(client_context) if client_context else None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def error_of(exc, error_type=None):
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list([f for f in frames if f.filename != __file__]),
    }


class InitError(Exception):
    def __init__(self, error_type, message, stack_trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.stack_trace = stack_trace or []


def load_handler(task_root, handler):
    """AWS's rules (awslambdaric's _get_handler): errors name the module as the handler spells it."""
    try:
        module_path, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}")
    if module_path.split(".")[0] in sys.builtin_module_names:
        raise InitError("Runtime.BuiltInModuleConflict", f"Cannot use built-in module {module_path} as a handler module")
    sys.path.insert(0, task_root)
    try:
        module = importlib.import_module(module_path.replace("/", "."))
    except ImportError as exc:
        raise InitError("Runtime.ImportModuleError", f"Unable to import module '{module_path}': {exc}")
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]
        raise InitError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_path}': {exc}", trace)
    try:
        # A module attribute that exists is the handler, whatever it is (None fails when called, as on AWS).
        return getattr(module, function_name)
    except AttributeError:
        raise InitError("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_path}'")


class RequestIdFilter(logging.Filter):
    request_id = None

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


def setup_logging():
    """AWS's format: [LEVEL]\\t<time>Z\\t<request id>\\t<message>."""
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers = [handler]


class LambdaEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, decimal.Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def drop_host_site_packages():
    """AWS's interpreter has none of the developer's packages: the task root, the runtime's own (boto3, on
    PYTHONPATH as /var/runtime is there) and the standard library. So the host's site-packages go, user site too."""
    import site

    host = set(site.getsitepackages()) | {site.getusersitepackages()}
    sys.path[:] = [entry for entry in sys.path if entry not in host]


def main():
    api = Api(os.environ.get("AWS_LAMBDA_RUNTIME_API", ""))
    setup_logging()
    drop_host_site_packages()
    try:
        handler = load_handler(os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()), os.environ.get("_HANDLER", ""))
    except InitError as exc:
        error = {"errorMessage": str(exc), "errorType": exc.error_type, "requestId": "", "stackTrace": exc.stack_trace}
        print(f"[ERROR] {exc.error_type}: {exc}", flush=True)
        api.post_error("/init/error", error)
        sys.exit(1)
    except Exception as exc:  # the module raised while importing
        print(f"[ERROR] {type(exc).__name__}: {exc}", flush=True)
        api.post_error("/init/error", error_of(exc))
        sys.exit(1)
    while True:
        _, headers, body = api.call("GET", "/invocation/next")
        context = LambdaContext(headers)
        request_id = context.aws_request_id
        RequestIdFilter.request_id = request_id
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        try:
            event = json.loads(body) if body else {}
            result = handler(event, context)
            try:
                payload = json.dumps(result, cls=LambdaEncoder).encode()
            except (TypeError, ValueError) as exc:
                error = error_of(exc, "Runtime.MarshalError")
                error["errorMessage"] = f"Unable to marshal response: {exc}"
                error["requestId"] = request_id
                api.post_error(f"/invocation/{request_id}/error", error)
                continue
            api.call("POST", f"/invocation/{request_id}/response", payload, {"Content-Type": "application/json"})
        except Exception as exc:
            error = error_of(exc)
            error["requestId"] = request_id
            print(f"[ERROR] {error['errorType']}: {error['errorMessage']}", flush=True)
            api.post_error(f"/invocation/{request_id}/error", error)


if __name__ == "__main__":
    main()
