/** AWS's error shape, as sent to /invocation/{id}/error and /init/error. */
export interface RuntimeError {
  errorType: string;
  errorMessage: string;
  stackTrace: string[];
}

export function toRuntimeError(error: unknown, errorType?: string): RuntimeError {
  if (error instanceof Error) {
    return {
      errorType: errorType ?? error.name ?? 'Error',
      errorMessage: error.message,
      stackTrace: (error.stack ?? '')
        .split('\n')
        .slice(1)
        .map((line) => line.trim()),
    };
  }
  // AWS reports a thrown non-Error by its JavaScript type, e.g. `throw "x"` → errorType "string".
  return { errorType: errorType ?? typeof error, errorMessage: String(error), stackTrace: [] };
}

/** An init failure that must be reported with one of the runtime's own error types. */
export class InitError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly original?: unknown,
  ) {
    super(message);
  }
}
