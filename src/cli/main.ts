import { loadProjectConfig } from '../config/load.js';
import { isLambenchError, LambenchError } from '../errors.js';
import { useProjectConfig } from './args.js';

export { runDelegated } from './delegate.js';

type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const commands: Record<string, Command> = {
  invoke: {
    summary: 'Invoke a function once on the local engine',
    run: async (argv) => (await import('./commands/invoke.js')).invokeCommand(argv),
  },
  serve: {
    summary: 'Serve the Lambda (and S3, DynamoDB) APIs on 127.0.0.1 until interrupted',
    run: async (argv) => (await import('./commands/serve.js')).serveCommand(argv),
  },
  run: {
    summary: 'Run a classic Lambda experiment (cpu, launch, csv-etl, fanout, all) and write its report',
    run: async (argv) => (await import('./commands/run.js')).runCommand(argv),
  },
  tune: {
    summary: 'Run a function across memory sizes and recommend one (PowerTuning, locally or on AWS)',
    run: async (argv) => (await import('./commands/tune.js')).tuneCommand(argv),
  },
  predict: {
    summary: 'Predict the memory curve from a few probes (duration model; --validate runs the full sweep)',
    run: async (argv) => (await import('./commands/predict.js')).predictCommand(argv),
  },
  compare: {
    summary: 'Put several tune results on one chart and table',
    run: async (argv) => (await import('./commands/compare.js')).compareCommand(argv),
  },
  check: {
    summary:
      'Regression gate: measure again (or read a run) and fail when a size got significantly worse than a baseline',
    run: async (argv) => (await import('./commands/check.js')).checkCommand(argv),
  },
  plan: {
    summary:
      'Cost and cold starts at your traffic from a tune result: on-demand, arm64, provisioned, Managed Instances',
    run: async (argv) => (await import('./commands/plan.js')).planCommand(argv),
  },
  data: {
    summary: 'Generate an experiment dataset into the embedded S3 (csv-etl --rows N)',
    run: async (argv) => (await import('./commands/data.js')).dataCommand(argv),
  },
  deploy: {
    summary: 'Package a function and create or update it on AWS Lambda (--target aws --role ARN)',
    run: async (argv) => (await import('./commands/deploy.js')).deployCommand(argv),
  },
  destroy: {
    summary: 'Delete a function from AWS Lambda (--target aws)',
    run: async (argv) => (await import('./commands/deploy.js')).destroyCommand(argv),
  },
  doctor: {
    summary: 'Show the isolation driver and runtimes found, and what is missing',
    run: async (argv) => (await import('./commands/doctor.js')).doctorCommand(argv),
  },
  config: {
    summary: 'Print the configuration lambench.config.ts|mjs|json gives each command, and which file it came from',
    run: async (argv) => (await import('./commands/config.js')).configCommand(argv),
  },
  functions: {
    summary: 'List the built-in and project functions',
    run: async (argv) => (await import('./commands/functions.js')).functionsCommand(argv),
  },
};

function help(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `lambench — a serverless performance lab\n\nUsage: lambench <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

/** Exit codes: 0 ok, 1 failed (AWS error, runtime problem), 2 bad input, 130 interrupted. */
export function exitCodeFor(error: unknown): number {
  if (!isLambenchError(error)) return 1;
  if (error.code === 'INTERRUPTED') return 130;
  if (
    ['INVALID_ARGUMENT', 'INVALID_MANIFEST', 'INVALID_TEMPLATE', 'INVALID_CONFIG', 'FUNCTION_NOT_FOUND'].includes(
      error.code,
    )
  )
    return 2;
  if (error.code === 'AWS' && 'statusCode' in error && (error.statusCode as number) < 500) return 2;
  return 1;
}

export function formatError(error: unknown): string {
  if (error instanceof LambenchError) {
    const type = 'awsType' in error ? `${String(error.awsType)}: ` : '';
    return `error: ${type}${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`;
  }
  return `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`error: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    const { argv: commandArgv, configFile, noConfig } = takeConfigFlags(rest);
    // lambench.config.* in the working directory (or --config FILE): flag defaults for this command (args.ts).
    useProjectConfig(name, noConfig ? undefined : await loadProjectConfig(process.cwd(), configFile));
    return await command.run(commandArgv);
  } catch (error) {
    process.stderr.write(formatError(error));
    return exitCodeFor(error);
  }
}

/** `--config FILE` and `--no-config` belong to every command, so they are taken out before its own flags are read. */
function takeConfigFlags(argv: string[]): { argv: string[]; configFile?: string; noConfig: boolean } {
  const out: string[] = [];
  let configFile: string | undefined;
  let noConfig = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '--no-config') noConfig = true;
    else if (arg === '--config') {
      configFile = argv[++i];
      if (!configFile)
        throw new LambenchError('INVALID_ARGUMENT', '--config needs a file, e.g. --config ci.config.json.');
    } else if (arg.startsWith('--config=')) configFile = arg.slice('--config='.length);
    else out.push(arg);
  }
  return { argv: out, ...(configFile ? { configFile } : {}), noConfig };
}
