/**
 * Every differential scenario, in the order the test runs them. Each is generated from a
 * fixed seed, so a failure replays exactly.
 */
import {
  batchOverCount,
  bucketEdges,
  chain,
  clusterAndRegex,
  idleGaps,
  limitApp,
  originShaping,
  qpsReject,
  rateLimiter,
  relate,
  relateChainThread,
  threadByOrigin,
  threadGrade,
  warmUp,
  warmUpOdd,
  warmUpRateLimiter,
} from './flow-scenarios.js';
import {
  authority,
  errorCount,
  errorRatio,
  flowAndBreaker,
  longInFlight,
  paramFlow,
  paramLongDuration,
  paramRateLimiter,
  paramThread,
  slowRatio,
  slowRatioLongInterval,
  systemScenarios,
} from './guard-scenarios.js';
import { validationParity } from './known-differences.js';
import type { Scenario } from './scenario.js';

export function differentialScenarios(): Scenario[] {
  return [
    qpsReject(1, 1),
    qpsReject(5, 2),
    qpsReject(20, 3),
    qpsReject(100, 4),
    qpsReject(2.5, 7),
    threadGrade(),
    threadByOrigin(),
    warmUp(),
    warmUpOdd(),
    warmUpRateLimiter(),
    rateLimiter(20, 500, 5),
    rateLimiter(100, 200, 6),
    batchOverCount(),
    originShaping(),
    relate(),
    chain(),
    relateChainThread(),
    limitApp(),
    clusterAndRegex(),
    idleGaps(),
    bucketEdges(),
    slowRatio(),
    slowRatioLongInterval(),
    errorRatio(),
    errorCount(),
    longInFlight(),
    flowAndBreaker(),
    paramFlow(),
    paramLongDuration(),
    paramRateLimiter(),
    paramThread(),
    authority(),
    ...systemScenarios(),
    validationParity(),
  ];
}
