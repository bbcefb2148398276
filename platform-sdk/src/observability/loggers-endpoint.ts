/**
 * `/actuator/loggers` in Spring Boot's shape, so Spring Boot Admin's logger page and scripts
 * written for Java services work on a Silk one:
 *
 *   GET  /actuator/loggers          {"levels":[...],"loggers":{"ROOT":{...},...},"groups":{}}
 *   GET  /actuator/loggers/{name}   {"configuredLevel":"DEBUG","effectiveLevel":"DEBUG"}; 404 when nothing names it
 *   POST /actuator/loggers/{name}   {"configuredLevel":"DEBUG"} sets it, {} or null clears it; 204
 *
 * A level set here holds until the logger's `logging.level.*` property changes (see LogLevels).
 */
import type { FastifyInstance } from 'fastify';
import { isSilkError } from '../core/index.js';
import { SPRING_LOG_LEVELS, type LogLevels } from './logging.js';

export function registerLoggersEndpoint(app: FastifyInstance, levels: LogLevels, base = '/actuator'): void {
  app.get(`${base}/loggers`, () => ({
    levels: SPRING_LOG_LEVELS,
    loggers: levels.describeAll(),
    groups: {},
  }));
  app.get(`${base}/loggers/:name`, (req, reply) => {
    const found = levels.describe((req.params as { name: string }).name);
    return found ?? reply.code(404).send();
  });
  app.post(`${base}/loggers/:name`, (req, reply) => {
    const { name } = req.params as { name: string };
    const body = (req.body ?? {}) as { configuredLevel?: unknown };
    const level = body.configuredLevel;
    if (level !== undefined && level !== null && typeof level !== 'string')
      return reply.code(400).send({ error: 'configuredLevel must be a level name or null' });
    try {
      levels.setLevel(name, level ?? null);
    } catch (err) {
      // Boot answers 400 to a level it cannot parse.
      if (isSilkError(err)) return reply.code(400).send({ error: err.message });
      throw err;
    }
    return reply.code(204).send();
  });
}
