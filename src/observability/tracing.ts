// OpenTelemetry tracing of a hub process. One tracer provider per process (tests start many hubs
// in one); spans that continue the W3C trace stored with a row (an outbox event, a webhook, a
// sync run); and the W3C headers of the span at hand, for rows and outbound messages. Spans are
// always made, so every id is real; they leave the process only when an OTLP endpoint is set.
import { randomBytes } from 'node:crypto';
import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  isValidTraceId,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Span as SdkSpan,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config.ts';

export { type Span, SpanKind, SpanStatusCode };

/** The W3C trace context of a span as stored with a row: its traceparent and tracestate. */
export interface TraceCarrier {
  traceparent?: string | null | undefined;
  tracestate?: string | null | undefined;
}

export interface StartSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** A stored trace context: its span becomes the parent. */
  parent?: TraceCarrier | undefined;
  /** The trace to continue when no parent is stored; neither: the span starts a new trace. */
  traceId?: string | null | undefined;
  /** Stored contexts the span is about besides its parent: the events of one batch, say. */
  links?: TraceCarrier[] | undefined;
}

/** The provider's processors, which can change after it is built (exporters added later, tests). */
class SpanProcessors implements SpanProcessor {
  readonly list: SpanProcessor[] = [];

  onStart(span: SdkSpan, parentContext: Context): void {
    for (const processor of this.list) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.list) processor.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.list.map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.list.map((processor) => processor.shutdown()));
  }
}

interface TracingState {
  provider: TracerProvider;
  tracer: Tracer;
  processors: SpanProcessors;
  exportingTo: Set<string>;
}

const propagator = new W3CTraceContextPropagator();
let state: TracingState | undefined;

/** Sets tracing up for this process; later calls only add an OTLP endpoint not yet exported to. */
export function setupTracing(options: TracingConfig): void {
  const current = state ?? initialise(options.serviceName);
  const url = options.otlpTracesUrl;
  if (!url || current.exportingTo.has(url)) return;
  current.exportingTo.add(url);
  current.processors.list.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
}

function initialise(serviceName: string): TracingState {
  const processors = new SpanProcessors();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [processors],
  });
  // The global tracer provider stays unset on purpose: pg-boss would trace its every poll with it.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  state = { provider, tracer: provider.getTracer('integration-hub'), processors, exportingTo: new Set() };
  return state;
}

function tracing(): TracingState {
  return state ?? initialise('integration-hub');
}

/** Adds a span processor to the process's provider (tests read spans this way); returns its removal. */
export function addSpanProcessor(processor: SpanProcessor): () => void {
  const { list } = tracing().processors;
  list.push(processor);
  return () => {
    const at = list.indexOf(processor);
    if (at >= 0) list.splice(at, 1);
  };
}

/** Sends the spans still buffered; gives up after the timeout rather than hold a shutdown. */
export async function flushTracing(timeoutMillis = 5_000): Promise<void> {
  await state?.provider.forceFlush({ timeoutMillis });
}

export function startSpan(name: string, options: StartSpanOptions = {}): Span {
  return tracing().tracer.startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links ? { links: spanLinks(options.links) } : {}),
    },
    parentContext(options),
  );
}

function spanLinks(carriers: TraceCarrier[]) {
  return carriers.flatMap((carrier) => {
    if (!carrier.traceparent) return [];
    const linked = trace.getSpanContext(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
    return linked ? [{ context: linked }] : [];
  });
}

function parentContext({ parent, traceId }: StartSpanOptions): Context {
  if (parent?.traceparent) {
    const extracted = propagator.extract(ROOT_CONTEXT, parent, defaultTextMapGetter);
    if (trace.getSpanContext(extracted)) return extracted;
  }
  if (!traceId || !isValidTraceId(traceId)) return ROOT_CONTEXT;
  const active = context.active();
  if (trace.getSpanContext(active)?.traceId === traceId) return active;
  // Only the trace id is known (a row from before spans were stored, or written outside a span):
  // the span joins that trace under a parent nobody recorded.
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: randomBytes(8).toString('hex'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** Runs work with the span as the current one: what it starts or stores belongs under the span. */
export function withSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}

/** Runs work in a new span, ended when the work settles; a throw marks the span failed. */
export async function inSpan<T>(
  name: string,
  options: StartSpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, options);
  try {
    return await withSpan(span, () => work(span));
  } catch (error) {
    markSpanFailed(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span failed with the kind of error only: messages may carry data that must not leave. */
export function markSpanFailed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  const type = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/** The W3C context of the current span if it belongs to `traceId`, for a row to store. */
export function currentTraceContext(traceId: string | null | undefined): TraceCarrier | undefined {
  if (!traceId) return undefined;
  const active = context.active();
  if (trace.getSpanContext(active)?.traceId !== traceId) return undefined;
  const carrier: TraceCarrier = {};
  propagator.inject(active, carrier, defaultTextMapSetter);
  return carrier;
}

/** Sets `traceparent` (and `tracestate`) of the current span on outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>): void {
  propagator.inject(context.active(), headers, defaultTextMapSetter);
}
