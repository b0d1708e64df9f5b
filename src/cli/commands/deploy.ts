import path from 'node:path';
import { createLocalEngine, resolveFunctionArgument } from '../../engine/index.js';
import { LambenchError } from '../../errors.js';
import { deployFunction, destroyFunction } from '../../targets/aws/deploy.js';
import { packageFunction } from '../../targets/aws/package.js';
import { confirmRegion, regionConfig } from '../../targets/aws/region.js';
import { AwsTarget } from '../../targets/aws/target.js';
import { parse, requirePositional } from '../args.js';
import { abortOnSignal } from '../target.js';

const DEPLOY_USAGE =
  'lambench deploy <function|folder> --target aws [--role ARN] [--name NAME] [--region REGION] [--json]';
const DESTROY_USAGE = 'lambench destroy <name|arn> --target aws [--region REGION]';

function requireAws(target: string | undefined, usage: string): void {
  if (target !== 'aws') {
    throw new LambenchError('INVALID_ARGUMENT', 'deploy and destroy act on AWS: pass --target aws.', `Usage: ${usage}`);
  }
}

/** Packages a lambench function (bundle, pip folder or Rust bootstrap) and creates or updates it on AWS Lambda. */
export async function deployCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      target: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    DEPLOY_USAGE,
  );
  requireAws(values.target, DEPLOY_USAGE);
  const ref = requirePositional(positionals, 0, 'the function to deploy', DEPLOY_USAGE);
  const target = new AwsTarget(regionConfig(undefined, values.region));
  // Before building: a missing region should not cost a cargo build first.
  await confirmRegion(target.client).catch((error: unknown) => {
    target.client.destroy();
    throw error;
  });
  const engine = await createLocalEngine({ isolation: 'none' });
  try {
    const fn = engine.functions.resolve(await resolveFunctionArgument(engine, ref));
    const zip = await packageFunction(fn, path.resolve('.lambench', 'cache'));
    // Ctrl-C while waiting for AWS ends the wait (exit 130); during the build above it ends the process as usual.
    const interrupt = abortOnSignal();
    const { created, configuration } = await deployFunction(target.client, fn, zip, {
      ...(values.role ? { role: values.role } : {}),
      ...(values.name ? { name: values.name } : {}),
      signal: interrupt.signal,
    }).finally(() => interrupt.dispose());
    const summary = {
      function: configuration.FunctionName,
      arn: configuration.FunctionArn,
      created,
      zipBytes: zip.length,
    };
    process.stdout.write(
      values.json
        ? `${JSON.stringify(summary)}\n`
        : `${created ? 'created' : 'updated'} ${summary.arn} (${zip.length} bytes zipped)\n`,
    );
    return 0;
  } finally {
    target.client.destroy();
    await engine.close();
  }
}

export async function destroyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { target: { type: 'string' }, region: { type: 'string' } },
    DESTROY_USAGE,
  );
  requireAws(values.target, DESTROY_USAGE);
  const name = requirePositional(positionals, 0, 'the function to delete', DESTROY_USAGE);
  const target = new AwsTarget(regionConfig(name, values.region));
  try {
    await confirmRegion(target.client);
    await destroyFunction(target.client, name);
    process.stdout.write(`deleted ${name}\n`);
    return 0;
  } finally {
    target.client.destroy();
  }
}
