import { format } from 'node:util';
import { formatForLog } from './errors.js';

/**
 * console.* as AWS's Node.js runtime patches it. Text format (the default): one stdout line per call,
 * `<ISO time>\t<request id>\t<LEVEL>\t<util.format(...)>`, with every '\n' in the record replaced by '\r' so
 * a multi-line message stays one log event. Outside an invocation the request id prints as "undefined", as on AWS.
 * AWS_LAMBDA_LOG_FORMAT=JSON and AWS_LAMBDA_LOG_LEVEL behave as AWS documents for advanced logging controls.
 */
export const logContext = { requestId: undefined as string | undefined, tenantId: undefined as string | undefined };

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
type Level = (typeof LEVELS)[number];
type Writer = (level: Level, args: unknown[]) => void;

const NEWLINES = /\n/g;

const writeText: Writer = (level, args) => {
  const line = `${new Date().toISOString()}\t${logContext.requestId}\t${level}\t${format(...args)}`;
  process.stdout.write(`${line.replace(NEWLINES, '\r')}\n`);
};

function errorFields(error: Error): Record<string, unknown> {
  return {
    errorType: error.constructor?.name ?? 'UnknownError',
    errorMessage: error.message,
    stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : error.stack,
  };
}

const writeJson: Writer = (level, args) => {
  const record: Record<string, unknown> = {
    timestamp: new Date().toISOString(),
    level,
    requestId: logContext.requestId,
  };
  if (logContext.tenantId != null) record.tenantId = logContext.tenantId;
  let line: string;
  if (args.length === 1) {
    record.message = args[0];
    try {
      line = JSON.stringify(record, (_key, value) =>
        value instanceof Error ? { ...errorFields(value), ...value } : value,
      );
    } catch {
      record.message = format(args[0]);
      line = JSON.stringify(record);
    }
  } else {
    record.message = format(...args);
    const error = args.find((arg): arg is Error => arg instanceof Error);
    if (error) Object.assign(record, errorFields(error));
    line = JSON.stringify(record);
  }
  process.stdout.write(`${line.replace(NEWLINES, '\r')}\n`);
};

let structuredError: (message: string, error: unknown) => void = () => {};

/** "Invoke Error", "Uncaught Exception": text format appends the error as JSON, JSON format logs the error. */
export function logError(message: string, error: unknown): void {
  structuredError(message, error);
}

export function patchConsole(env: NodeJS.ProcessEnv = process.env): void {
  const json = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  const write = json ? writeJson : writeText;
  const threshold = Math.max(0, LEVELS.indexOf((env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase() ?? 'TRACE') as Level));
  const method = (level: Level) =>
    LEVELS.indexOf(level) >= threshold ? (...args: unknown[]) => write(level, args) : () => {};
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  target.trace = method('TRACE');
  target.debug = method('DEBUG');
  target.info = method('INFO');
  target.log = target.info;
  target.warn = method('WARN');
  target.error = method('ERROR');
  target.fatal = (...args: unknown[]) => write('FATAL', args);
  structuredError = json
    ? (_message, error) => console.error(error instanceof Error ? error : new Error(String(error)))
    : (message, error) => console.error(message, formatForLog(error));
}
