/**
 * The estate's contracts, as a Java team would keep them in a shared `shop-api` jar: the Dubbo
 * interfaces (Java names, version, declared parameter types) and the order event on RocketMQ.
 * A Java service implementing or calling these needs nothing from Node.
 */
import type { DubboServiceDefinition } from '@silk/platform-sdk/dubbo';

export const STORAGE_SERVICE: DubboServiceDefinition = {
  interface: 'dev.silk.shop.api.StorageService',
  version: '1.0.0',
  methods: {
    /** Takes `count` units of a product off its stock; answers the unit price. */
    deduct: { parameterTypes: ['java.lang.String', 'int'], returnType: 'java.math.BigDecimal' },
  },
};

export const ACCOUNT_SERVICE: DubboServiceDefinition = {
  interface: 'dev.silk.shop.api.AccountService',
  version: '1.0.0',
  methods: {
    /** Debits a user's balance; answers the balance left. */
    debit: { parameterTypes: ['java.lang.String', 'java.math.BigDecimal'], returnType: 'java.math.BigDecimal' },
  },
};

/**
 * Refusals a provider throws for a business reason. Plain JDK classes, so a Java consumer
 * without our classes on its classpath still deserializes them; the message says which.
 */
export const BUSINESS_EXCEPTION = 'java.lang.IllegalStateException';
export const INSUFFICIENT_STOCK = 'insufficient stock';
export const INSUFFICIENT_BALANCE = 'insufficient balance';
export const UNKNOWN_PRODUCT = 'unknown product';

/** Order events: a TRANSACTION topic, so an event exists exactly when its order committed. */
export const ORDER_EVENTS_TOPIC = 'shop-order-events';
export const ORDER_CREATED_TAG = 'ORDER_CREATED';

export interface OrderCreatedEvent {
  orderId: string;
  userId: string;
  commodityCode: string;
  count: number;
  /** Decimal string, two places. */
  money: string;
  createdAt: string;
}

/** Money as integer cents, so sums never drift; DECIMAL(12,2) columns on both sides. */
export function toCents(value: string | number): number {
  const s = typeof value === 'number' ? value.toFixed(2) : value;
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) throw new TypeError(`'${s}' is not an amount of money with at most two decimals`);
  const [whole, frac = ''] = s.replace('-', '').split('.');
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return s.startsWith('-') ? -cents : cents;
}

export function fromCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
