// Types for model-server.mjs (kept in JavaScript so the golden-file recorder runs on plain node).
import type { IncomingHttpHeaders } from 'node:http';

export type Api = 'openai' | 'anthropic' | 'gemini';

/** What the model says, in API-neutral terms; each wire format renders it its own way. */
export interface Reply {
  /** Assistant text: a message item, a text block or a text part. */
  text?: string;
  /** Tool calls, after the text. */
  toolCalls?: { name: string; arguments?: Record<string, unknown>; id?: string }[];
  /** Token counts to report; estimated from the request and the reply when absent. */
  usage?: { input?: number; output?: number; cached?: number; reasoning?: number };
  /** Model name to report; by default the one the request named. */
  model?: string;
  /** An HTTP error instead of an answer, with the API's error body around `error`. */
  status?: number;
  error?: string;
  /** The whole error body, when the API's usual one will not do. */
  errorBody?: unknown;
}

export interface RecordedRequest {
  /** undefined for paths no API has (kind 'other'). */
  api: Api | undefined;
  kind: 'model' | 'count' | 'other';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when it is not JSON. */
  body: any;
  model: string | undefined;
  stream: boolean;
  /** Text of the last user turn, whatever the API (see lastUserText). */
  prompt: string;
  at: number;
  /** The reply the server gave, once a rule answered. */
  reply?: Reply;
}

export interface Rule {
  /** Only requests of this API (default: any). */
  api?: Api;
  /** Only requests this accepts (default: any). */
  when?: (request: RecordedRequest) => boolean;
  /** How many requests the rule answers (default 1; Infinity for always). */
  times?: number;
  /** A fixed reply, or one computed per request; a promise lets a test hold the reply back. */
  reply: Reply | ((request: RecordedRequest) => Reply | Promise<Reply>);
}

export interface ProxyAttempt {
  method: string;
  target: string;
}

export interface ModelServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** Model requests no rule answered (each got an HTTP 500). */
  unmatched: RecordedRequest[];
  /** Attempts to use the server as a proxy to somewhere else (refused with 403). */
  proxyAttempts: ProxyAttempt[];
  /** Rules are tried in the order added; the first that accepts a request and is not used up answers it. */
  addRules(...rules: (Rule | Rule[])[]): void;
  pendingRules(): Rule[];
  modelRequests(api?: Api): RecordedRequest[];
  close(): Promise<void>;
}

export function startModelServer(options?: { rules?: Rule[]; port?: number }): Promise<ModelServer>;

export function lastUserText(api: Api, body: unknown): string;

/** A codex config.toml pointing codex at the server at `url`, with outside traffic switched off. */
export function offlineCodexConfig(url: string): string;
