import { format } from 'node:util';

/** The request id the console prefixes lines with; AWS prints "undefined" outside an invocation. */
export const logState = { requestId: undefined as string | undefined };

const LEVELS = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' } as const;

/** console.* lines as AWS's Node.js runtime prints them: `<ISO time>\t<request id>\t<LEVEL>\t<message>`. */
export function patchConsole(): void {
  for (const [method, level] of Object.entries(LEVELS)) {
    const stream = level === 'INFO' || level === 'DEBUG' ? process.stdout : process.stderr;
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) => {
      const message =
        method === 'trace'
          ? `Trace: ${format(...args)}\n${new Error().stack?.split('\n').slice(2).join('\n')}`
          : format(...args);
      stream.write(`${new Date().toISOString()}\t${logState.requestId}\t${level}\t${message}\n`);
    };
  }
}
