export { renderPlanHtml } from './html.js';
export { ASSUMPTIONS, type PlanOption, type PlanOptions, type PlanResult, planTraffic } from './plan.js';
export { planHeadline, plannedMonthly, renderPlanTable } from './table.js';
export { MONTH_SECONDS, parseTraffic, type Traffic } from './traffic.js';
