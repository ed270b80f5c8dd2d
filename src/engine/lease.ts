/**
 * Leases on steps and occurrence claims: who holds them, and when a holder is provably gone. A holder is gone when
 * its lease has expired, or — with an exclusive journal (the embedded one: its folder lock or its memory belong to
 * this process alone) — when it is another process: that process can no longer write, so its work is taken over at
 * once instead of after the lease.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** This process: `host#pid#random` (the random part tells a reused pid apart). */
export const PROCESS_ID = `${hostname()}#${process.pid}#${randomBytes(4).toString('hex')}`;

/** Default lease: short, because a running step renews it (a third of the lease apart) while it works. */
export const DEFAULT_LEASE_MS = 60_000;

export interface LeaseHolder {
  readonly owner?: string;
  readonly process?: string;
  /** ISO-8601 UTC. */
  readonly until?: string;
}

export interface LeaseView {
  readonly exclusive: boolean;
  readonly processId: string;
  readonly now: Date;
}

/** The holder can no longer act: its lease expired, or it is another process of an exclusive journal. */
export function holderGone(holder: LeaseHolder, view: LeaseView): boolean {
  if (holder.until === undefined || Date.parse(holder.until) < view.now.getTime()) return true;
  return view.exclusive && holder.process !== view.processId;
}

/** Whether the holder is gone only because the journal is exclusive (its lease still runs): a takeover. */
export function goneBeforeExpiry(holder: LeaseHolder, view: LeaseView): boolean {
  return holderGone(holder, view) && holder.until !== undefined && Date.parse(holder.until) >= view.now.getTime();
}
