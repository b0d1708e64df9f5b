/**
 * One table of handler-loading cases for Node.js runtime clients: the function's files, its handler string,
 * and what AWS answers (the result, or the error's type and message). handler-loading.test.ts runs it against
 * lambench's client and against AWS's own (aws-lambda-ric), so every expected answer is AWS's on this Node.
 *
 * Every case's folder lives inside a "type": "module" project that also has a node_modules: on AWS neither
 * exists above /var/task, so neither may change the answer.
 */
export interface HandlerCase {
  name: string;
  files: Record<string, string>;
  handler: string;
  event?: unknown;
  expect: { result: unknown } | { errorType: string; errorMessage: RegExp };
}

const cjs = (value: string) => `exports.handler = async () => ${JSON.stringify(value)};\n`;
const esm = (value: string) => `export const handler = async () => ${JSON.stringify(value)};\n`;

export const handlerCases: HandlerCase[] = [
  // What a normal Lambda zip holds: CommonJS handler.js, no package.json (the case).
  {
    name: 'CommonJS .js, no package.json',
    files: { 'handler.js': cjs('cjs') },
    handler: 'handler.handler',
    expect: { result: 'cjs' },
  },
  {
    name: 'module path with folders',
    files: { 'dir/sub/file.js': cjs('nested folder') },
    handler: 'dir/sub/file.handler',
    expect: { result: 'nested folder' },
  },
  {
    name: 'nested export path',
    files: { 'file.js': 'exports.a = { b: { handler: async () => "nested export" } };\n' },
    handler: 'file.a.b.handler',
    expect: { result: 'nested export' },
  },
  {
    name: 'folder path with a nested export',
    files: { 'lib/app.js': 'module.exports = { api: { get: async (e) => e.n * 2 } };\n' },
    handler: 'lib/app.api.get',
    event: { n: 21 },
    expect: { result: 42 },
  },
  // Precedence: extensionless, then .js, then .mjs, then .cjs.
  {
    name: 'extensionless file before .js',
    files: { index: cjs('extensionless'), 'index.js': cjs('.js') },
    handler: 'index.handler',
    expect: { result: 'extensionless' },
  },
  {
    name: '.js before .mjs',
    files: { 'index.js': cjs('.js'), 'index.mjs': esm('.mjs') },
    handler: 'index.handler',
    expect: { result: '.js' },
  },
  {
    name: '.mjs before .cjs',
    files: { 'index.mjs': esm('.mjs'), 'index.cjs': cjs('.cjs') },
    handler: 'index.handler',
    expect: { result: '.mjs' },
  },
  { name: '.cjs alone', files: { 'index.cjs': cjs('.cjs') }, handler: 'index.handler', expect: { result: '.cjs' } },
  {
    name: 'extensionless CommonJS under "type": "module"',
    files: { 'package.json': '{"type":"module"}', app: cjs('extensionless cjs') },
    handler: 'app.handler',
    expect: { result: 'extensionless cjs' },
  },
  // Package type: the nearest package.json inside the task root decides for .js.
  {
    name: '.js ES module under "type": "module"',
    files: { 'package.json': '{"type":"module"}', 'index.js': esm('esm .js') },
    handler: 'index.handler',
    expect: { result: 'esm .js' },
  },
  {
    name: '.js CommonJS under "type": "module"',
    files: { 'package.json': '{"type":"module"}', 'index.js': cjs('never') },
    handler: 'index.handler',
    expect: { errorType: 'ReferenceError', errorMessage: /^exports is not defined in ES module scope/ },
  },
  {
    name: '.js ES module under "type": "commonjs"',
    files: { 'package.json': '{"type":"commonjs"}', 'index.js': esm('never') },
    handler: 'index.handler',
    expect: { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: /^SyntaxError: Unexpected token 'export'/ },
  },
  {
    name: 'the nearest package.json in a subfolder wins',
    files: {
      'package.json': '{"type":"commonjs"}',
      'esm/package.json': '{"type":"module"}',
      'esm/index.js': esm('inner'),
    },
    handler: 'esm/index.handler',
    expect: { result: 'inner' },
  },
  {
    name: 'a node_modules folder ends the package.json search',
    files: { 'package.json': '{"type":"module"}', 'node_modules/app.js': cjs('inside node_modules') },
    handler: 'node_modules/app.handler',
    expect: { result: 'inside node_modules' },
  },
  {
    name: 'ES module syntax in a .js with no package.json (Node detects it)',
    files: { 'index.js': esm('detected') },
    handler: 'index.handler',
    expect: { result: 'detected' },
  },
  {
    name: 'an .mjs importing ES module syntax from a .js with no package.json',
    files: {
      'lib.js': 'export const value = "detected import";\n',
      'index.mjs': 'import { value } from "./lib.js";\nexport const handler = async () => value;\n',
    },
    handler: 'index.handler',
    expect: { result: 'detected import' },
  },
  {
    name: 'dots in a folder name',
    files: { 'v1.2/index.js': cjs('dotted folder') },
    handler: 'v1.2/index.handler',
    expect: { result: 'dotted folder' },
  },
  {
    name: 'an empty module name loads the folder (its index.js)',
    files: { 'index.js': cjs('folder index') },
    handler: '.handler',
    expect: { result: 'folder index' },
  },
  // default exports, top-level await, init failures.
  {
    name: 'CommonJS "default" export',
    files: { 'index.js': 'exports.default = async () => "cjs default";\n' },
    handler: 'index.default',
    expect: { result: 'cjs default' },
  },
  {
    name: 'ES module default export',
    files: { 'index.mjs': 'export default async () => "esm default";\n' },
    handler: 'index.default',
    expect: { result: 'esm default' },
  },
  {
    name: 'top-level await',
    files: {
      'index.mjs':
        'const v = await new Promise((r) => setTimeout(() => r("awaited"), 20));\nexport const handler = async () => v;\n',
    },
    handler: 'index.handler',
    expect: { result: 'awaited' },
  },
  {
    name: 'a rejection during top-level await',
    files: {
      'index.mjs':
        'class InitFailed extends Error { constructor(m) { super(m); this.name = "InitFailed"; } }\nawait Promise.reject(new InitFailed("no config"));\nexport const handler = async () => 1;\n',
    },
    handler: 'index.handler',
    expect: { errorType: 'InitFailed', errorMessage: /^no config$/ },
  },
  {
    name: 'an exception while loading',
    files: { 'index.js': 'throw new TypeError("bad init");\n' },
    handler: 'index.handler',
    expect: { errorType: 'TypeError', errorMessage: /^bad init$/ },
  },
  // Callback handlers.
  {
    name: 'callback handler',
    files: {
      'index.js':
        'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, event.v), 10); };\n',
    },
    handler: 'index.handler',
    event: { v: 'called back' },
    expect: { result: 'called back' },
  },
  {
    name: 'callback error',
    files: {
      'index.js': 'exports.handler = (event, context, callback) => callback(new RangeError("out of range"));\n',
    },
    handler: 'index.handler',
    expect: { errorType: 'RangeError', errorMessage: /^out of range$/ },
  },
  {
    // With the default (true) this would wait a minute for the timer; the harness gives up after 30 s.
    name: 'callbackWaitsForEmptyEventLoop = false answers without waiting for the event loop',
    files: {
      'index.js':
        'exports.handler = (event, context, callback) => { context.callbackWaitsForEmptyEventLoop = false; setTimeout(() => {}, 60000); callback(null, "did not wait"); };\n',
    },
    handler: 'index.handler',
    expect: { result: 'did not wait' },
  },
  {
    name: 'context.succeed',
    files: { 'index.js': 'exports.handler = (event, context) => { context.succeed("succeeded"); };\n' },
    handler: 'index.handler',
    expect: { result: 'succeeded' },
  },
  // AWS's runtime errors.
  {
    name: 'no dot in the handler',
    files: { 'index.js': cjs('never') },
    handler: 'core',
    expect: { errorType: 'Runtime.MalformedHandlerName', errorMessage: /^Bad handler$/ },
  },
  {
    name: '".." in the handler',
    files: { 'index.js': cjs('never') },
    handler: '../index.handler',
    expect: {
      errorType: 'Runtime.MalformedHandlerName',
      errorMessage:
        /^'\.\.\/index\.handler' is not a valid handler name\. Use absolute paths when specifying root directories in handler names\.$/,
    },
  },
  {
    name: 'a module that does not exist',
    files: { 'index.js': cjs('never') },
    handler: 'missing.handler',
    expect: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: /^Error: Cannot find module 'missing'\nRequire stack:\n- /,
    },
  },
  {
    name: 'a missing folder in the module path',
    files: { 'index.js': cjs('never') },
    // Not src/index.handler: the managed runtime's NODE_PATH ends in the task root, so its last resort, Node's own
    // resolution of 'index', would find ./index.js there (a custom runtime without NODE_PATH would not).
    handler: 'src/app.handler',
    expect: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: /^Error: Cannot find module 'app'\nRequire stack:\n- /,
    },
  },
  {
    name: 'an export that does not exist',
    files: { 'index.js': cjs('never') },
    handler: 'index.nothere',
    expect: { errorType: 'Runtime.HandlerNotFound', errorMessage: /^index\.nothere is undefined or not exported$/ },
  },
  {
    name: 'an empty export path',
    files: { 'index.js': cjs('never') },
    handler: 'index.',
    expect: { errorType: 'Runtime.HandlerNotFound', errorMessage: /^index\. is undefined or not exported$/ },
  },
  {
    name: 'an export that is not a function',
    files: { 'index.js': 'exports.handler = 42;\n' },
    handler: 'index.handler',
    expect: { errorType: 'Runtime.HandlerNotFound', errorMessage: /^index\.handler is not a function$/ },
  },
  {
    name: 'a syntax error in a .js file',
    files: { 'index.js': 'exports.handler = async () => {;\n' },
    handler: 'index.handler',
    expect: { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: /^SyntaxError: / },
  },
  {
    name: 'a syntax error in a .mjs file',
    files: { 'index.mjs': 'export const handler = async () => {;\n' },
    handler: 'index.handler',
    expect: { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: /^SyntaxError: / },
  },
  {
    name: 'require() in a .mjs file',
    files: { 'index.mjs': 'const fs = require("fs");\nexport const handler = async () => 1;\n' },
    handler: 'index.handler',
    expect: { errorType: 'ReferenceError', errorMessage: /^require is not defined in ES module scope/ },
  },
  // Only what the function ships resolves (the project around it has node_modules/leak).
  {
    name: 'CommonJS require of a package only the project has',
    files: { 'index.js': 'const leak = require("leak");\nexports.handler = async () => leak;\n' },
    handler: 'index.handler',
    expect: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: /^Error: Cannot find module 'leak'\nRequire stack:/,
    },
  },
  {
    name: 'ES import of a package only the project has',
    files: { 'index.mjs': 'import leak from "leak";\nexport const handler = async () => leak;\n' },
    handler: 'index.handler',
    expect: { errorType: 'Error', errorMessage: /^Cannot find package 'leak' imported from / },
  },
  {
    name: 'a package the function ships',
    files: {
      'node_modules/shipped/package.json': '{"name":"shipped","main":"main.js"}',
      'node_modules/shipped/main.js': 'module.exports = "shipped";\n',
      'index.mjs': 'import shipped from "shipped";\nexport const handler = async () => shipped;\n',
    },
    handler: 'index.handler',
    expect: { result: 'shipped' },
  },
];
