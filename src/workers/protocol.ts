/**
 * The typed message protocol between the UI thread and compute workers.
 *
 * A worker serves a *job map*: for each job type, its request, result and progress types. The
 * client sends `run` and `cancel`; the worker answers with `progress` (≤ 10 Hz), then exactly one
 * `result` or `error` per job id, and may broadcast `event`s (backend ready, device lost, fallback).
 * Typed arrays in payloads and results are transferred, not copied.
 */
import { asInputError, isInputError } from '../engine/util/errors';

/** Declares one job type: what it takes, what it returns, what it reports while running. */
export interface JobSpec<Req = unknown, Res = unknown, Prog = unknown> {
  request: Req;
  result: Res;
  progress: Prog;
}

/** A map from job type names to their specs. */
export type JobMap = { [type: string]: JobSpec };

/** Messages from the client to the worker. */
export type ToWorker =
  { kind: 'run'; id: number; type: string; payload: unknown } | { kind: 'cancel'; id: number; reason: string };

/** An error as it crosses the boundary: its class name is kept so callers can tell cancel from failure. */
export interface WireError {
  name: string;
  message: string;
  /** True when the error is the user's input (an {@link InputError} on the worker's side). */
  input?: boolean;
}

/** Messages from the worker to the client. */
export type FromWorker =
  | { kind: 'progress'; id: number; progress: unknown }
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: WireError }
  | { kind: 'event'; event: unknown };

/** The part of Worker / DedicatedWorkerGlobalScope / MessagePort that the protocol needs. */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener?(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

/** Converts any thrown value into a {@link WireError} with a one-line message. */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message.split('\n')[0], input: isInputError(err) };
  return { name: 'Error', message: String(err).split('\n')[0] };
}

/** Rebuilds an Error from the wire, keeping its class name. */
export function fromWireError(wire: WireError): Error {
  if (wire.input) return asInputError(wire.name, wire.message);
  const err = new Error(wire.message);
  err.name = wire.name;
  return err;
}
