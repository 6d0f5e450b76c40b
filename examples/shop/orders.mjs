/**
 * The demo shop's orders: what its order system would answer. Alice (the shopper the demo signs
 * in) has three recent orders; two more belong to shoppers who are not signed in, found by order
 * number and email. Dates are relative to the moment the demo starts, so "arriving Thursday" stays
 * true whenever it runs. The order bot (examples/order-bot) reads them through `ordersOf` and
 * `findOrder`, as a brand's bot would query its own order system.
 */
import { PRODUCTS } from './catalog.mjs';

const DAY = 24 * 60 * 60 * 1000;
const product = (id) => PRODUCTS.find((p) => p.id === id).name;

/**
 * @typedef {{ number: string, userId: string | null, email: string, placedAt: string,
 *   items: string[], status: 'processing' | 'shipped' | 'delivered', carrier: string | null,
 *   trackingUrl: string | null, eta: string | null, deliveredAt: string | null }} Order
 */

/** @returns {Order[]} the orders as of `now`, newest first per shopper. */
export function demoOrders(now = Date.now()) {
  const at = (days) => new Date(now + days * DAY).toISOString();
  return [
    {
      number: 'NW-10482',
      userId: 'alice',
      email: 'alice@example.com',
      placedAt: at(-2),
      items: [product('rain-shell')],
      status: 'shipped',
      carrier: 'DHL',
      trackingUrl: 'https://www.dhl.com/global-en/home/tracking/tracking-parcel.html?tracking-id=JD014600006281234567',
      eta: at(2),
      deliveredAt: null,
    },
    {
      number: 'NW-10477',
      userId: 'alice',
      email: 'alice@example.com',
      placedAt: at(-1),
      items: [product('wool-beanie'), product('thermo-bottle')],
      status: 'processing',
      carrier: null,
      trackingUrl: null,
      eta: at(4),
      deliveredAt: null,
    },
    {
      number: 'NW-10391',
      userId: 'alice',
      email: 'alice@example.com',
      placedAt: at(-12),
      items: [product('trail-runner')],
      status: 'delivered',
      carrier: 'UPS',
      trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      eta: null,
      deliveredAt: at(-8),
    },
    {
      number: 'NW-10455',
      userId: null,
      email: 'sam@example.com',
      placedAt: at(-3),
      items: [product('day-pack')],
      status: 'shipped',
      carrier: 'DPD',
      trackingUrl: 'https://tracking.dpd.de/status/en_US/parcel/01234567890123',
      eta: at(1),
      deliveredAt: null,
    },
    {
      number: 'NW-10460',
      userId: null,
      email: 'li.wei@example.com',
      placedAt: at(-2),
      items: [product('city-sneaker')],
      status: 'processing',
      carrier: null,
      trackingUrl: null,
      eta: at(3),
      deliveredAt: null,
    },
  ];
}

/** An order number as shoppers type it ("nw 10482", "NW10482", "10482") in the shop's form. */
export const normalOrderNumber = (raw) => {
  const digits = String(raw).match(/\d{5}/)?.[0];
  return digits ? `NW-${digits}` : null;
};

/** The order system's answers, over a fixed list (a real shop would query its database). */
export function orderSystem(orders = demoOrders()) {
  return {
    /** A signed-in shopper's orders, newest first, at most `limit`. */
    ordersOf(userId, limit = 5) {
      return orders.filter((o) => o.userId === userId).sort((a, b) => b.placedAt.localeCompare(a.placedAt)).slice(0, limit);
    },
    /** The order with this number placed with this email (both as typed), or null. */
    findOrder(number, email) {
      const n = normalOrderNumber(number);
      const e = String(email).trim().toLowerCase();
      return orders.find((o) => o.number === n && o.email === e) ?? null;
    },
  };
}
