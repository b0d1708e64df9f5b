export { renderCsv } from './csv.js';
export { writeReportFolder } from './folder.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export {
  compareVisualizationUrl,
  decodeCompareVisualizationUrl,
  decodeVisualizationUrl,
  VISUALIZATION_BASE,
  visualizationUrl,
} from './visualization.js';
