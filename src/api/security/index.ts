/** The security layer of the HTTP app (see docs/security.md). */
export { browserAuth, metricsAuth } from './area-auth';
export { auditEntryFor, auditRequests } from './audit-requests';
export { BOARD_PATH, bullBoardRouter } from './bull-board';
export { BROWSER_AREAS, securityHeaders } from './headers';
export { jsonBody, jsonDepth, jsonProblem, MAX_JSON_DEPTH, requireJsonContent, unsafeChar, urlGuard } from './input-guards';
export { presentedToken, rateLimiter } from './rate-limit';
export {
  API_POLICY,
  BOARD_POLICY,
  enforcePolicy,
  matchPattern,
  matchPolicy,
  requiredRole,
  type PolicyMatch,
  type PolicyRule,
} from './route-policy';
export { crossOriginProblem, sameOriginGuard } from './same-origin';
