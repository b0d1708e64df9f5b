import { types } from 'node:util';

/**
 * The error body AWS's Node.js runtime posts to /invocation/{id}/error and /init/error. Node.js is the one AWS
 * runtime that calls the stack `trace` (and keeps its first line); Python's is `stackTrace`.
 */
export interface RuntimeErrorBody {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** Errors the runtime raises itself; AWS names them `Runtime.<ClassName>`. */
class RuntimeFailure extends Error {
  constructor(kind: string, message: string) {
    super(message);
    this.name = `Runtime.${kind}`;
  }
}

export const runtimeError = {
  importModule: (cause: unknown) => new RuntimeFailure('ImportModuleError', String(cause)),
  handlerNotFound: (message: string) => new RuntimeFailure('HandlerNotFound', message),
  malformedHandlerName: (message: string) => new RuntimeFailure('MalformedHandlerName', message),
  userCodeSyntax: (cause: unknown) => new RuntimeFailure('UserCodeSyntaxError', String(cause)),
  malformedStreamingHandler: (message: string) => new RuntimeFailure('MalformedStreamingHandler', message),
  invalidStreamingOperation: (message: string) => new RuntimeFailure('InvalidStreamingOperation', message),
  callbackHandlerDeprecated: (message: string) => new RuntimeFailure('CallbackHandlerDeprecated', message),
  unhandledPromiseRejection: (reason: unknown) => new RuntimeFailure('UnhandledPromiseRejection', String(reason)),
  nodeJsExit: () =>
    new RuntimeFailure(
      'NodeJsExit',
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    ),
};

function looksLikeError(value: unknown): value is Error {
  if (!value || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.message === 'string' &&
    typeof candidate.stack === 'string' &&
    candidate.name !== '' &&
    candidate.message !== '' &&
    candidate.stack !== ''
  );
}

/** As AWS: Errors by name/message/stack; anything else (`throw "x"`, callback("x")) by its JavaScript type. */
export function toErrorBody(error: unknown): RuntimeErrorBody {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      const e = error as Error;
      return {
        errorType: String(e.name).replaceAll('\x7F', '%7F'),
        errorMessage: String(e.message).replaceAll('\x7F', '%7F'),
        trace: String(e.stack ?? '')
          .replaceAll('\x7F', '%7F')
          .split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

/** The JSON AWS logs after "Invoke Error" / "Uncaught Exception": enumerable fields plus the split stack. */
export function formatForLog(error: unknown): string {
  const value = error instanceof Error ? error : new Error(String(error));
  try {
    return `\t${JSON.stringify(value, (_key, v) => {
      if (!(v instanceof Error)) return v;
      const out: Record<string, unknown> = {
        errorType: v.name,
        errorMessage: v.message,
        code: (v as NodeJS.ErrnoException).code,
        ...v,
      };
      if (typeof v.stack === 'string') out.stack = v.stack.split('\n');
      return out;
    })}`;
  } catch {
    return `\t${JSON.stringify(toErrorBody(value))}`;
  }
}
