/**
 * Header filters: Add/Set/Remove on the request sent upstream and on the response sent back,
 * and SecureHeaders with Spring Cloud Gateway's default values (SecureHeadersProperties),
 * each switchable off by `disable` and overridable by name.
 */
import { text } from '../route/args.js';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Args } from '../route/args.js';
import type { FilterFactory, GatewayFilter } from './filter.js';
import { expand } from './filter.js';

const NAME_VALUE = { fieldOrder: ['name', 'value'] } as const;

function append(headers: Record<string, unknown>, name: string, value: string): void {
  const old = headers[name];
  headers[name] = old === undefined ? value : Array.isArray(old) ? [...(old as string[]), value] : [text(old), value];
}

function requestHeader(name: string, op: 'add' | 'set' | 'remove') {
  return (args: Args): GatewayFilter => {
    const header = args.required('name').toLowerCase();
    const value = op === 'remove' ? '' : (args.str('value') ?? '');
    return {
      name,
      run(ex, next) {
        if (op === 'remove') delete ex.headers[header];
        else if (op === 'set') ex.headers[header] = expand(value, ex.uriVariables);
        else append(ex.headers, header, expand(value, ex.uriVariables));
        return next();
      },
    };
  };
}

function responseHeader(name: string, op: 'add' | 'set' | 'remove') {
  return (args: Args): GatewayFilter => {
    const header = args.required('name').toLowerCase();
    const value = op === 'remove' ? '' : (args.str('value') ?? '');
    return {
      name,
      run(ex, next) {
        const v = expand(value, ex.uriVariables);
        ex.responseEdits.push((h: OutgoingHttpHeaders) => {
          if (op === 'remove') delete h[header];
          else if (op === 'set') h[header] = v;
          else append(h, header, v);
        });
        return next();
      },
    };
  };
}

/** SecureHeadersProperties' defaults, by header; `disable` takes names in lower case. */
export const SECURE_HEADER_DEFAULTS: Readonly<Record<string, string>> = {
  'x-xss-protection': '1 ; mode=block',
  'strict-transport-security': 'max-age=631138519',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self' https:; font-src 'self' https: data:; img-src 'self' https: data:; object-src 'none'; script-src https:; style-src 'self' https: 'unsafe-inline'",
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
};

// The property names that override each header's value in the filter's args.
const SECURE_HEADER_PROPS: Readonly<Record<string, string>> = {
  'x-xss-protection': 'xssProtectionHeader',
  'strict-transport-security': 'strictTransportSecurity',
  'x-frame-options': 'frameOptions',
  'x-content-type-options': 'contentTypeOptions',
  'referrer-policy': 'referrerPolicy',
  'content-security-policy': 'contentSecurityPolicy',
  'x-download-options': 'downloadOptions',
  'x-permitted-cross-domain-policies': 'permittedCrossDomainPolicies',
};

export const HEADER_FILTERS: Readonly<Record<string, FilterFactory>> = {
  AddRequestHeader: { ...NAME_VALUE, build: requestHeader('AddRequestHeader', 'add') },
  SetRequestHeader: { ...NAME_VALUE, build: requestHeader('SetRequestHeader', 'set') },
  RemoveRequestHeader: { fieldOrder: ['name'], build: requestHeader('RemoveRequestHeader', 'remove') },
  AddResponseHeader: { ...NAME_VALUE, build: responseHeader('AddResponseHeader', 'add') },
  SetResponseHeader: { ...NAME_VALUE, build: responseHeader('SetResponseHeader', 'set') },
  RemoveResponseHeader: { fieldOrder: ['name'], build: responseHeader('RemoveResponseHeader', 'remove') },
  SecureHeaders: {
    fieldOrder: [],
    build(args) {
      const disabled = new Set(args.list('disable').map((d) => d.toLowerCase()));
      const headers: [string, string][] = [];
      for (const [h, v] of Object.entries(SECURE_HEADER_DEFAULTS))
        if (!disabled.has(h)) headers.push([h, args.str(SECURE_HEADER_PROPS[h]!) ?? v]);
      const edit = (out: OutgoingHttpHeaders): void => {
        for (const [h, v] of headers) if (out[h] === undefined) out[h] = v;
      };
      return {
        name: 'SecureHeaders',
        run(ex, next) {
          ex.responseEdits.push(edit);
          return next();
        },
      };
    },
  },
};
