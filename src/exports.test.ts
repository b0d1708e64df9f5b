import { expect, it } from 'vitest';
import * as lambench from './index.js';

it('keeps the public exports stable', () => {
  expect(Object.keys(lambench).sort()).toMatchInlineSnapshot(`
    [
      "AwsError",
      "AwsTarget",
      "DEFAULT_MEMORY_SIZES",
      "Engine",
      "LambenchError",
      "LocalTarget",
      "REGION_PRICES",
      "chooseBest",
      "costPer1M",
      "cpusForMemory",
      "createLambdaHandler",
      "createLocalEngine",
      "createS3Handler",
      "decodeVisualizationUrl",
      "describeIsolation",
      "detectDriver",
      "invocationCost",
      "main",
      "monthlyCost",
      "parseMemoryList",
      "parseReportLine",
      "renderCsv",
      "renderHtml",
      "renderMarkdown",
      "reportLine",
      "resolveFunctionArgument",
      "runtimeAdapters",
      "startDynamoDb",
      "startLambdaServer",
      "startLocalServices",
      "startS3Server",
      "summarize",
      "tune",
      "validatePlan",
      "visualizationUrl",
      "writeReportFolder",
    ]
  `);
});
