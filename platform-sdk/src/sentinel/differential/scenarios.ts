/**
 * Every differential scenario, in the order the test runs them. Each is generated from a
 * fixed seed, so a failure replays exactly.
 */
import {
  errorCount,
  errorRatio,
  flowAndBreaker,
  longInFlight,
  slowRatio,
  slowRatioLongInterval,
} from './breaker-scenarios.js';
import {
  batchOverCount,
  batchZero,
  bucketEdges,
  clusterAndRegex,
  idleGaps,
  originShaping,
  relateChainThread,
  secondMetrics,
  threadByOrigin,
  warmUpColdFactor,
} from './flow-edge-scenarios.js';
import {
  chain,
  limitApp,
  qpsReject,
  rateLimiter,
  relate,
  threadGrade,
  warmUp,
  warmUpOdd,
  warmUpRateLimiter,
} from './flow-scenarios.js';
import {
  authority,
  authorityLists,
  paramCollections,
  paramFlow,
  paramLongDuration,
  paramRateLimiter,
  paramThread,
  systemScenarios,
} from './guard-scenarios.js';
import { formerDifferences, validationParity } from './known-differences.js';
import { reloadBreakers, reloadFlowUnchanged, reloadParams } from './reload-scenarios.js';
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
    warmUpColdFactor(5, 501),
    warmUpColdFactor(2, 502),
    rateLimiter(20, 500, 5),
    rateLimiter(100, 200, 6),
    batchOverCount(),
    batchZero(),
    originShaping(),
    relate(),
    chain(),
    relateChainThread(),
    limitApp(),
    clusterAndRegex(),
    idleGaps(),
    bucketEdges(),
    secondMetrics(),
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
    paramCollections(),
    authority(),
    authorityLists(),
    ...systemScenarios(),
    validationParity(),
    ...formerDifferences(),
    reloadFlowUnchanged(),
    reloadBreakers(),
    reloadParams(),
  ];
}
