/** The `/dashboard` page: data loading, SVG charts, rendering and the router. */
export { loadDashboard, type DashboardData, type DashboardOptions, type DayStats, type QueueDepth } from './data';
export { renderDashboard } from './render';
export { dashboardRouter } from './router';
export { esc, stackedBars } from './svg';
