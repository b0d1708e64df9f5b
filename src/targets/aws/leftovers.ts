import { LambenchError } from '../../errors.js';

/** Something cleanup could not remove or restore, with why and the AWS CLI command that does it by hand. */
export type Leftover =
  | { kind: 'alias'; functionName: string; alias: string; cause: string }
  | { kind: 'version'; functionName: string; version: string; cause: string }
  | {
      kind: 'configuration';
      functionName: string;
      memoryMB: number;
      /** Whether the original had environment variables (never printed: they may hold secrets). */
      hadVariables: boolean;
      variable: string;
      cause: string;
    };

function describe(leftover: Leftover, region: string): string {
  const cli = `aws lambda --region ${region}`;
  switch (leftover.kind) {
    case 'alias':
      return `alias ${leftover.alias} of ${leftover.functionName} (${leftover.cause})\n    ${cli} delete-alias --function-name ${leftover.functionName} --name ${leftover.alias}`;
    case 'version':
      return `version ${leftover.version} of ${leftover.functionName} (${leftover.cause})\n    ${cli} delete-function --function-name ${leftover.functionName} --qualifier ${leftover.version}`;
    case 'configuration': {
      const command = `${cli} update-function-configuration --function-name ${leftover.functionName} --memory-size ${leftover.memoryMB}`;
      return leftover.hadVariables
        ? `the configuration of ${leftover.functionName}, not restored to ${leftover.memoryMB} MB (${leftover.cause})\n    ${command}\n    and remove ${leftover.variable} from its environment variables if present (console: Configuration → Environment variables)`
        : `the configuration of ${leftover.functionName}, not restored to ${leftover.memoryMB} MB without environment variables (${leftover.cause})\n    ${command} --environment 'Variables={}'`;
    }
  }
}

/** One error listing everything left behind; code AWS, so the command exits 1. */
export function leftoversError(leftovers: Leftover[], region: string): LambenchError {
  return new LambenchError(
    'AWS',
    `cleanup left ${leftovers.length === 1 ? 'this' : 'these'} behind on AWS Lambda (${region}):\n${leftovers
      .map((l) => `  ${describe(l, region)}`)
      .join('\n')}`,
    'Run the commands above once the cause is fixed (with the same credentials), or remove them in the console.',
  );
}

export function causeOf(error: unknown): string {
  const e = error as { awsType?: string; name?: string; message?: string };
  const type = e.awsType ?? e.name;
  return type && type !== 'Error' && type !== 'LambenchError'
    ? `${type}: ${e.message ?? ''}`
    : (e.message ?? String(error));
}
