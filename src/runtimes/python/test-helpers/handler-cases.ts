/**
 * One table of Python handler-loading cases: the function's files, its handler string, and AWS's answer.
 * handler-loading.test.ts runs it against lambench's bootstrap.py and against AWS's awslambdaric.
 */
export interface PythonHandlerCase {
  name: string;
  files: Record<string, string>;
  handler: string;
  event?: unknown;
  expect: { result: unknown } | { errorType: string; errorMessage: RegExp };
}

const returning = (value: string) => `def handler(event, context):\n    return ${JSON.stringify(value)}\n`;

export const pythonHandlerCases: PythonHandlerCase[] = [
  {
    name: 'module.function',
    files: { 'app.py': returning('hello') },
    handler: 'app.handler',
    expect: { result: 'hello' },
  },
  {
    name: 'a package path with slashes',
    files: { 'pkg/sub/app.py': returning('slashes') },
    handler: 'pkg/sub/app.handler',
    expect: { result: 'slashes' },
  },
  {
    name: 'a package path with dots',
    files: { 'pkg/__init__.py': '', 'pkg/sub/__init__.py': '', 'pkg/sub/app.py': returning('dots') },
    handler: 'pkg.sub.app.handler',
    expect: { result: 'dots' },
  },
  {
    name: 'a sibling module imported from the task root',
    files: {
      'helper.py': 'VALUE = "from helper"\n',
      'app.py': 'import helper\n\ndef handler(e, c):\n    return helper.VALUE\n',
    },
    handler: 'app.handler',
    expect: { result: 'from helper' },
  },
  {
    name: 'the event and the context',
    files: {
      'app.py':
        'def handler(event, context):\n    return [event["n"] * 2, context.function_name, context.memory_limit_in_mb]\n',
    },
    handler: 'app.handler',
    event: { n: 21 },
    expect: { result: [42, 'fixture', '256'] },
  },
  {
    name: 'no dot in the handler',
    files: { 'app.py': returning('never') },
    handler: 'app',
    expect: {
      errorType: 'Runtime.MalformedHandlerName',
      errorMessage: /^Bad handler 'app': not enough values to unpack \(expected 2, got 1\)$/,
    },
  },
  {
    name: 'a module that does not exist',
    files: { 'app.py': returning('never') },
    handler: 'missing.handler',
    expect: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: /^Unable to import module 'missing': No module named 'missing'$/,
    },
  },
  {
    name: 'a module missing in a package path (named as the handler spells it)',
    files: { 'pkg/app.py': returning('never') },
    handler: 'pkg/other.handler',
    expect: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: /^Unable to import module 'pkg\/other': No module named 'pkg\.other'$/,
    },
  },
  {
    name: 'a dependency the function does not ship',
    files: { 'app.py': 'import not_shipped_anywhere\n\ndef handler(e, c):\n    return 1\n' },
    handler: 'app.handler',
    expect: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: /^Unable to import module 'app': No module named 'not_shipped_anywhere'$/,
    },
  },
  {
    // handler-loading.test.ts puts host_only.py in the user site-packages of the interpreter both clients run on.
    name: "a package only the host's interpreter has",
    files: { 'app.py': 'import host_only\n\ndef handler(e, c):\n    return host_only.VALUE\n' },
    handler: 'app.handler',
    expect: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: /^Unable to import module 'app': No module named 'host_only'$/,
    },
  },
  {
    name: 'a function that does not exist',
    files: { 'app.py': returning('never') },
    handler: 'app.nothere',
    expect: { errorType: 'Runtime.HandlerNotFound', errorMessage: /^Handler 'nothere' missing on module 'app'$/ },
  },
  {
    name: 'a function missing in a package path',
    files: { 'pkg/app.py': returning('never') },
    handler: 'pkg/app.nothere',
    expect: { errorType: 'Runtime.HandlerNotFound', errorMessage: /^Handler 'nothere' missing on module 'pkg\/app'$/ },
  },
  {
    name: 'a handler attribute that is None (found, fails when called)',
    files: { 'app.py': 'handler = None\n' },
    handler: 'app.handler',
    expect: { errorType: 'TypeError', errorMessage: /^'NoneType' object is not callable$/ },
  },
  {
    name: 'a built-in module as the handler module',
    files: { 'app.py': returning('never') },
    handler: 'sys.handler',
    expect: {
      errorType: 'Runtime.BuiltInModuleConflict',
      errorMessage: /^Cannot use built-in module sys as a handler module$/,
    },
  },
  {
    name: 'a syntax error',
    files: { 'app.py': 'def handler(event, context)\n    return 1\n' },
    handler: 'app.handler',
    expect: {
      errorType: 'Runtime.UserCodeSyntaxError',
      errorMessage: /^Syntax error in module 'app': .*\(app\.py, line 1\)$/,
    },
  },
  {
    name: 'an exception while importing',
    files: { 'app.py': 'raise RuntimeError("no config")\n' },
    handler: 'app.handler',
    expect: { errorType: 'RuntimeError', errorMessage: /^no config$/ },
  },
  {
    name: 'an empty module name',
    files: { 'app.py': returning('never') },
    handler: '.handler',
    expect: { errorType: 'ValueError', errorMessage: /^Empty module name$/ },
  },
  {
    name: 'an exception in the handler',
    files: { 'app.py': 'def handler(event, context):\n    raise ValueError("bad input")\n' },
    handler: 'app.handler',
    expect: { errorType: 'ValueError', errorMessage: /^bad input$/ },
  },
  {
    name: 'a result JSON cannot hold',
    files: { 'app.py': 'def handler(event, context):\n    return {1, 2}\n' },
    handler: 'app.handler',
    expect: {
      errorType: 'Runtime.MarshalError',
      errorMessage: /^Unable to marshal response: Object of type set is not JSON serializable$/,
    },
  },
];
