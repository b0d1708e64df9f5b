// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are CloudFormation's ${…}, not JavaScript's.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeGlobals, readTemplate } from './functions.js';
import { parseParameterOverrides } from './parameters.js';
import { parseTemplateText } from './yaml.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lambench-template-'));
  await mkdir(path.join(dir, 'src'));
  await writeFile(path.join(dir, 'src', 'app.py'), 'def handler(e, c):\n    return 1\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const write = async (text: string) => {
  const file = path.join(dir, `t-${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return file;
};

describe('CloudFormation YAML', () => {
  it('turns every short tag into its long form, in scalar, list and map positions', () => {
    const t = parseTemplateText(
      [
        'A: !Ref X',
        'B: !Sub "${AWS::Region}-x"',
        'C: !GetAtt R.Arn',
        'D: !If [Cond, 1, 2]',
        'E: !Sub ["a${b}", { b: !Ref Y }]',
        'F: !Join [",", [a, !Select [0, !Split ["/", "p/q"]]]]',
        'G: !GetAtt [R, Outputs.Name]',
        'H: !Base64 text',
      ].join('\n'),
      't.yaml',
    );
    expect(t).toEqual({
      A: { Ref: 'X' },
      B: { 'Fn::Sub': '${AWS::Region}-x' },
      C: { 'Fn::GetAtt': ['R', 'Arn'] },
      D: { 'Fn::If': ['Cond', 1, 2] },
      E: { 'Fn::Sub': ['a${b}', { b: { Ref: 'Y' } }] },
      F: { 'Fn::Join': [',', ['a', { 'Fn::Select': [0, { 'Fn::Split': ['/', 'p/q'] }] }]] },
      G: { 'Fn::GetAtt': ['R', 'Outputs.Name'] },
      H: { 'Fn::Base64': 'text' },
    });
  });

  it('names the line of a tag CloudFormation does not have, and reads JSON templates too', () => {
    expect(() => parseTemplateText('A: 1\nB: !Reff X\n', 't.yaml')).toThrow(/t\.yaml:2: unknown tag !Reff/);
    expect(parseTemplateText('{"Resources": {"A": {"Ref": "B"}}}', 't.json')).toEqual({
      Resources: { A: { Ref: 'B' } },
    });
  });
});

describe('--parameter-overrides', () => {
  it("takes both of SAM's forms, quoted values and several arguments", () => {
    expect(parseParameterOverrides('Stage=prod Size=512')).toEqual({ Stage: 'prod', Size: '512' });
    expect(parseParameterOverrides(['ParameterKey=Stage,ParameterValue=prod', 'Msg="hello world"', "Q='a=b'"])).toEqual(
      { Stage: 'prod', Msg: 'hello world', Q: 'a=b' },
    );
    expect(() => parseParameterOverrides('Stage')).toThrow(/"Stage" is not Key=Value/);
  });
});

describe('Globals', () => {
  it('merges maps (the function wins), appends lists (globals first), replaces scalars', () => {
    expect(
      mergeGlobals(
        { Timeout: 10, Layers: ['A'], Environment: { Variables: { X: '1', Y: '2' } } },
        { Timeout: 5, Layers: ['B'], Environment: { Variables: { Y: '3' } } },
      ),
    ).toEqual({ Timeout: 5, Layers: ['A', 'B'], Environment: { Variables: { X: '1', Y: '3' } } });
  });
});

describe('readTemplate', () => {
  it('resolves parameters, conditions, !Sub with variables, !FindInMap and skips functions whose condition is false', async () => {
    const file = await write(`
Parameters:
  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }
  Size: { Type: Number, Default: 256 }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
Mappings:
  Sizes: { prod: { Mem: 1024 }, dev: { Mem: 128 } }
Globals:
  Function:
    Runtime: python3.12
    Environment: { Variables: { SHARED: yes-shared } }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      MemorySize: !FindInMap [Sizes, !Ref Stage, Mem]
      Timeout: !If [IsProd, 30, !Ref AWS::NoValue]
      Environment:
        Variables:
          A: !Sub ['\${Name}-\${Stage}', { Name: svc }]
          B: !Join ['-', [!Ref AWS::AccountId, !Ref AWS::StackName]]
          C: !If [NotProd, dev-only, !Ref AWS::NoValue]
  OnlyInProd:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties: { CodeUri: src/, Handler: app.handler }
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      MemorySize: !Ref Size
      Code: { ZipFile: "exports.handler = async () => 1;" }
`);
    const dev = await readTemplate(file);
    expect(dev.functions.map((f) => f.logicalId)).toEqual(['Fn', 'Plain']);
    const fn = dev.functions[0];
    expect(fn?.manifest).toMatchObject({ runtime: 'python3.12', memorySize: 128, timeout: 3 });
    expect(fn?.manifest.environment).toEqual({
      SHARED: 'yes-shared',
      A: 'svc-dev',
      B: '123456789012-local',
      C: 'dev-only',
    });
    expect(fn?.codeDir).toBe(path.join(dir, 'src'));
    // Globals are SAM's: an AWS::Lambda::Function does not get them.
    expect(dev.functions[1]?.manifest).toMatchObject({ runtime: 'nodejs22.x', memorySize: 256 });
    expect(dev.functions[1]?.inline).toEqual({ file: 'index.js', text: 'exports.handler = async () => 1;' });

    const prod = await readTemplate(file, { parameterOverrides: { Stage: 'prod' } });
    expect(prod.functions.map((f) => f.logicalId)).toEqual(['Fn', 'OnlyInProd', 'Plain']);
    expect(prod.functions[0]?.manifest).toMatchObject({ memorySize: 1024, timeout: 30 });
    expect(prod.functions[0]?.manifest.environment).not.toHaveProperty('C');
    await expect(readTemplate(file, { parameterOverrides: { Stage: 'qa' } })).rejects.toThrow(
      /Stage is "qa", not one of its AllowedValues \(dev, prod\)/,
    );
    await expect(readTemplate(file, { parameterOverrides: { Stag: 'prod' } })).rejects.toThrow(
      /names Stag, which is not in Parameters/,
    );
  });

  it("applies sam local's --env-vars to declared variables only, a function's own entry winning", async () => {
    const file = await write(`
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: python3.12, Environment: { Variables: { X: x, Y: y } } }
  B:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: python3.12, Environment: { Variables: { X: x } } }
`);
    const read = await readTemplate(file, { envVars: { Parameters: { X: 'all', NEW: 'n' }, A: { Y: 'a-only' } } });
    expect(read.functions.map((f) => f.manifest.environment)).toEqual([{ X: 'all', Y: 'a-only' }, { X: 'all' }]);
  });

  it('names what cannot be resolved locally, and where', async () => {
    const base = (variables: string) => `
Parameters:
  NoDefault: { Type: String }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment: { Variables: { ${variables} } }
`;
    await expect(readTemplate(await write(base('X: 1')))).rejects.toThrow(
      /parameter NoDefault has no Default and no value was given/,
    );
    const given = { parameterOverrides: { NoDefault: 'v' } };
    await expect(readTemplate(await write(base('X: !ImportValue shared-vpc')), given)).rejects.toThrow(
      /Resources\.Fn\.Properties\.Environment\.Variables\.X: !ImportValue cannot be resolved locally/,
    );
    await expect(readTemplate(await write(base('X: !Ref Nowhere')), given)).rejects.toThrow(
      /Variables\.X: !Ref Nowhere cannot be resolved locally: no parameter, resource or pseudo parameter/,
    );
    await expect(readTemplate(await write(base('X: !Sub "${Api.RootResourceId}"')), given)).rejects.toThrow(
      /!GetAtt Api\.RootResourceId cannot be resolved locally: there is no resource Api/,
    );
    const layered = `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Layers: [arn:aws:lambda:us-east-1:123456789012:layer:shared:3]
`;
    await expect(readTemplate(await write(layered))).rejects.toThrow(
      /Layers\[0\]: layer arn:aws:lambda.* lives on AWS/,
    );
    const s3 = layered.replace('CodeUri: src/', 'CodeUri: s3://bucket/code.zip').replace(/ {6}Layers.*\n/, '');
    await expect(readTemplate(await write(s3))).rejects.toThrow(/CodeUri: code on S3 cannot be resolved locally/);
  });
});
