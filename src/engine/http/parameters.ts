import { invalidParameter } from '../../errors.js';
import { AWS_RUNTIMES, Constraints, checkRetiredRuntime, checkVariables, rules } from '../constraints.js';

/**
 * Each control-plane operation's parameters checked as AWS checks them (Lambda API reference), before lambench
 * looks at them: what AWS accepts passes (e.g. any handler without whitespace), what it refuses gets its error.
 */

type Body = Record<string, unknown>;

const variablesOf = (body: Body) => (body.Environment as { Variables?: unknown } | undefined)?.Variables;
const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function configuration(c: Constraints, body: Body): void {
  c.string('role', body.Role, rules.role);
  c.oneOf('runtime', body.Runtime, AWS_RUNTIMES);
  c.string('handler', body.Handler, rules.handler);
  c.string('description', body.Description, rules.description);
  c.integer('timeout', body.Timeout, 1, 900);
  c.integer('memorySize', body.MemorySize, 128, 10_240);
  c.string('revisionId', body.RevisionId, rules.revisionId);
  if (body.EphemeralStorage !== undefined) {
    const size = (body.EphemeralStorage as { Size?: unknown } | null)?.Size;
    if (c.required('ephemeralStorage.size', size)) c.integer('ephemeralStorage.size', size, 512, 10_240);
  }
  const variables = variablesOf(body);
  if (isMap(variables)) c.variableKeys(variables);
}

/** The service's rules, checked once the model's constraints hold. */
function serviceRules(body: Body): void {
  checkRetiredRuntime(body.Runtime);
  const variables = variablesOf(body);
  if (isMap(variables)) checkVariables(variables);
}

export function checkFunctionRef(name: string): void {
  const c = new Constraints();
  c.string('functionName', name, rules.functionName);
  c.check();
}

export function checkCreateFunction(body: Body): void {
  const c = new Constraints();
  if (c.required('functionName', body.FunctionName)) c.string('functionName', body.FunctionName, rules.functionName);
  c.required('role', body.Role);
  c.required('code', body.Code);
  c.oneOf('packageType', body.PackageType, ['Zip', 'Image']);
  c.architectures(body.Architectures);
  configuration(c, body);
  c.check();
  if (body.PackageType !== 'Image' && (body.Runtime === undefined || body.Handler === undefined)) {
    throw invalidParameter(
      'Runtime and Handler are mandatory parameters for functions created with deployment packages.',
    );
  }
  serviceRules(body);
}

export function checkUpdateConfiguration(name: string, body: Body): void {
  const c = new Constraints();
  c.string('functionName', name, rules.functionName);
  configuration(c, body);
  c.check();
  serviceRules(body);
}

export function checkUpdateCode(name: string, body: Body): void {
  const c = new Constraints();
  c.string('functionName', name, rules.functionName);
  c.architectures(body.Architectures);
  c.string('revisionId', body.RevisionId, rules.revisionId);
  c.check();
}

export function checkPublishVersion(name: string, body: Body): void {
  const c = new Constraints();
  c.string('functionName', name, rules.functionName);
  c.string('description', body.Description, rules.description);
  c.string('codeSha256', body.CodeSha256, {});
  c.check();
}

export function checkAlias(name: string, body: Body, creating: boolean): void {
  const c = new Constraints();
  c.string('functionName', name, rules.functionName);
  if (!creating || c.required('name', body.Name)) c.string('name', body.Name, rules.aliasName);
  if (!creating || c.required('functionVersion', body.FunctionVersion)) {
    c.string('functionVersion', body.FunctionVersion, rules.version);
  }
  c.string('description', body.Description, rules.description);
  c.check();
}

export function checkConcurrency(name: string, body: Body): void {
  const c = new Constraints();
  c.string('functionName', name, rules.functionName);
  if (c.required('reservedConcurrentExecutions', body.ReservedConcurrentExecutions)) {
    c.integer('reservedConcurrentExecutions', body.ReservedConcurrentExecutions, 0);
  }
  c.check();
}
