/**
 * The provider's access log, as Dubbo's AccessLogFilter writes it (`accesslog="true"` or a
 * file path on a service): one line per invocation, taken when the call arrives —
 *
 *   [2026-11-27 10:00:00.123] 127.0.0.1:53412 -> 127.0.0.1:20880 - group/com.foo.Api:1.0.0 find(java.lang.String,int) ["a",1]
 *
 * `true` sends each line to the provider's logger under `dubbo.accesslog.<interface>` (the
 * logger name Java uses, so log routing rules carry over); a path appends the lines to that
 * file. Arguments are JSON as Java's fastjson prints them: longs beyond 2^53 as numbers,
 * byte[] as base64, BigDecimal as its digits.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { BigDecimal } from './java-values.js';

export type AccessLogSetting = boolean | string;

export interface AccessLogEntry {
  time: Date;
  remote: string;
  local: string;
  service: string;
  version?: string | undefined;
  group?: string | undefined;
  method: string;
  parameterTypes: readonly string[];
  args: readonly unknown[];
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function stamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** JSON of the arguments; a value JSON cannot hold is printed as Java would show it, never thrown. */
function argsJson(args: readonly unknown[]): string {
  const bigs: string[] = [];
  try {
    const text = JSON.stringify(args, (_k, v: unknown) => {
      if (typeof v === 'bigint') return `@@silk-big-${bigs.push(v.toString()) - 1}@@`;
      if (v instanceof BigDecimal) return `@@silk-big-${bigs.push(v.value) - 1}@@`;
      if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data))
        return Buffer.from((v as { data: number[] }).data).toString('base64');
      return v;
    });
    return text.replace(/"@@silk-big-(\d+)@@"/g, (_m, i: string) => bigs[Number(i)]!);
  } catch {
    return '[unprintable arguments]';
  }
}

export function accessLogLine(e: AccessLogEntry): string {
  const key = `${e.group ? `${e.group}/` : ''}${e.service}${e.version ? `:${e.version}` : ''}`;
  const args = e.args.length > 0 ? argsJson(e.args) : '';
  return `[${stamp(e.time)}] ${e.remote} -> ${e.local} - ${key} ${e.method}(${e.parameterTypes.join(',')}) ${args}`;
}

export interface AccessLogSink {
  write(entry: AccessLogEntry): void;
  close(): Promise<void>;
}

export function accessLogSink(
  setting: AccessLogSetting | undefined,
  log: ((obj: Record<string, unknown>, msg: string) => void) | undefined,
): AccessLogSink | undefined {
  if (setting === undefined || setting === false || setting === 'false' || setting === '') return undefined;
  if (setting === true || setting === 'true' || setting === 'default') {
    const info = log ?? ((_o: Record<string, unknown>, msg: string) => console.log(msg));
    return {
      write: (e) => info({ logger: `dubbo.accesslog.${e.service}` }, accessLogLine(e)),
      close: () => Promise.resolve(),
    };
  }
  let stream: WriteStream | undefined;
  return {
    write: (e) => {
      stream ??= createWriteStream(setting, { flags: 'a' });
      stream.write(`${accessLogLine(e)}\n`);
    },
    close: () => new Promise((resolve) => (stream ? stream.end(resolve) : resolve())),
  };
}
