//! Every file of the shared real-world corpus (`../shared/corpus/`, see its `SOURCES.tsv`)
//! either loads with exactly the expected shape, or, for formats Spanorama does not read yet,
//! is refused with a message that names the file. Skips (with a note) when the corpus is not
//! there, e.g. in a checkout of the repository on its own.

use spanorama_core::import::import;
use spanorama_core::model::{build_traces, TreeWarning};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Folders whose files must load, with the format they must be detected as.
const READABLE: &[(&str, &str)] = &[
    ("otlp", "OTLP JSON"),
    ("jaeger", "Jaeger JSON"),
    ("jaeger-es", "Jaeger JSON"),
    ("zipkin2", "Zipkin v2 JSON"),
    ("xray", "AWS X-Ray JSON"),
    ("datadog", "Datadog JSON"),
    ("newrelic", "New Relic JSON"),
    ("jaeger-proto", "Jaeger api_v2 protobuf-JSON"),
    ("zipkin1", "Zipkin v1 JSON"),
];

struct Expected {
    file: &'static str,
    format: &'static str,
    spans: usize,
    traces: usize,
    /// Root count of each trace, sorted.
    roots: &'static [u32],
    max_depth: u32,
    missing_parents: usize,
    duplicate_ids: usize,
    errors: u32,
}

/// Shorthand for one table row, so each file fits on one line.
#[allow(clippy::too_many_arguments)]
const fn e(
    file: &'static str,
    format: &'static str,
    spans: usize,
    traces: usize,
    roots: &'static [u32],
    max_depth: u32,
    missing_parents: usize,
    duplicate_ids: usize,
    errors: u32,
) -> Expected {
    Expected {
        file,
        format,
        spans,
        traces,
        roots,
        max_depth,
        missing_parents,
        duplicate_ids,
        errors,
    }
}

// How these figures were derived: independently of the Rust importer, by a Python 3 script
// (json module only) run once over the corpus, applying the rules of the corpus's
// FORMATS.md sections 1 and 2:
//
// * spans   = OTLP: the objects in `resourceSpans[*].scopeSpans[*].spans` (also `batches`
//             instead of `resourceSpans`, `instrumentationLibrarySpans` instead of
//             `scopeSpans`, and the same inside a top-level `result`), summed over every
//             JSON value in the file (JSON Lines). Jaeger: the objects in `spans` of every
//             trace of `{"data": [trace]}`, of a bare trace object, or of an array of traces;
//             for a bare array of span objects (`spanID` at top level), those objects.
// * ids     = hex of any case read as a number (so case and leading zeros do not matter);
//             base64 of 8 or 16 bytes decoded; anything else compared as text; all-zero or
//             empty means "none".
// * traces  = number of distinct trace ids among the spans.
// * parent  = OTLP `parentSpanId`. Jaeger: the first `CHILD_OF` reference whose `traceID`
//             is the span's own, else the first such `FOLLOWS_FROM`, else `parentSpanID`.
// * roots   = per trace, spans with no parent, plus spans whose parent id is not among the
//             trace's span ids, plus spans that name themselves as parent; listed sorted.
// * missing_parents = spans whose parent id is not among their trace's span ids.
// * duplicate_ids   = per trace, with spans ordered by (start time, position in file), the
//             spans whose id was already used by an earlier span.
// * max_depth = the longest chain of parent links (first span with an id owns it), root = 0.
// * errors  = OTLP `status.code` 2 or "STATUS_CODE_ERROR"; Jaeger tag `error` true or
//             "true", or tag `otel.status_code` "ERROR".
//
// The importer agreed with every figure on the first comparison, so no rule needed a
// second look.
//
// The Zipkin v2 rows (`zipkin2/`) come from a second Python 3 script (json and base64 modules
// only), `tools/corpus-zipkin2-figures.py`, written apart from the Rust importer from
// FORMATS.md section 4 and the rules of Zipkin's `Trace.merge` / `SpanNode`:
//
// * spans   = the objects with `traceId` (or `trace_id`) and `id` in the file's array, in its
//             nested arrays, in a proto3 `{"spans": [...]}`, or the file's single object;
//             minus the partial reports merged away (below).
// * ids     = hex up to the full width read as a number (short ids left-padded), else base64.
// * shared  = `shared: true`, or a `SERVER` span whose (trace, id) has a non-shared `CLIENT`.
// * merged  = a span with neither `kind` nor `duration` whose (trace, id) is also used by a
//             span that has one of them, and whose service is that span's (or is missing),
//             joins the first such span in file order (timestamp and parent taken when the
//             target has none, error and annotations combined) and is not counted.
// * re-id   = when a (trace, id) keeps a non-shared span, each shared span with that id gets
//             a new unique id and the id as its parent; any other span whose parent is that
//             id and whose service is the shared span's then has the shared span as parent.
// * start   = `timestamp`, else the earliest annotation, else the start of the nearest
//             ancestor that has one of those, else the trace's earliest such start.
// * errors  = spans with a tag `error` (any value but JSON false).
// * traces, roots, missing_parents, duplicate_ids, max_depth: as above, on the result.
//
// Here too the importer agreed with every figure on the first comparison.
//
// The AWS X-Ray rows (`xray/`) come from `tools/corpus-xray-figures.py` (json module only,
// sharing the zipkin2 script's shape()), written apart from the Rust importer from FORMATS.md
// section 6:
//
// * spans   = every segment document (objects with an `id`: one per JSON value in the file,
//             the values of a list, after a daemon header, or the JSON strings of
//             `Traces[].Segments[].Document` and `TraceSegmentDocuments`), plus every object
//             in its `subsegments` lists at any depth.
// * ids     = `1-<8 hex>-<24 hex>` trace ids read as the number of their 32 hex digits;
//             subsegments take their segment's trace; segment ids are hex.
// * parent  = a subsegment's enclosing node; a segment's `parent_id`, if any.
// * errors  = spans with `fault`, `error` or `throttle` true.
// * traces, roots, missing_parents, duplicate_ids, max_depth: as above.
//
// The importer agreed with every figure on the first comparison. In words: the CLI's
// batch-get-traces output is one trace of three spans (Scorekeep > DynamoDB subsegment >
// the inferred DynamoDB segment whose parent_id is that subsegment); the Go SDK dump nests
// 18 nodes 5 levels deep with 5 faults; the independent subsegment and the segment with a
// parent_id name parents that are not in their files (one missing parent each).
//
// The Datadog rows (`datadog/`) come from `tools/corpus-datadog-figures.py` (json module only;
// Python reads JSON integers exactly), written apart from the Rust importer from FORMATS.md
// section 7:
//
// * spans   = the objects of the file's array and of the arrays in it (each inner array is a
//             chunk; spans straight in the outer array form one chunk).
// * ids     = numbers, or strings of decimal digits; `parent_id` 0 or absent = no parent.
// * traces  = distinct (high << 64 | trace_id), high being the span's `trace_id_high`, else its
//             `meta["_dd.p.tid"]` (hex), else that of the first span with the same `trace_id`
//             in its chunk, else in the file, else 0.
// * start   = `start` (ns); errors = spans with `error` not 0.
//
// The New Relic row (`newrelic/`) comes from `tools/corpus-newrelic-figures.py`, from
// FORMATS.md section 8: the `spans` of every batch; `id`, `trace.id`, `timestamp` at the
// span's top level or in its `attributes` (`trace.id` and `timestamp` falling back to the
// batch's `common` block); `parent.id` in `attributes`; ids compared as hex numbers when hex,
// else as text; errors = `error` true or a non-empty `error.message`.
//
// Both scripts take traces, roots, missing parents, duplicate ids and depth from the
// `shape` function of the Zipkin v2 script (the rules above). The importers agreed with every
// figure on the first comparison.
//
// The Zipkin v1 rows (`zipkin1/`) come from `tools/corpus-zipkin1-figures.py` (json module
// only), written from FORMATS.md section 5 and Zipkin's `V1SpanConverter`: each v1 span object
// is split into one v2 span per service that reported it (`cs`/`cr` a client, `sr`/`ss` a
// server, in the service of the annotation's endpoint; what has no endpoint goes to the first
// one), timed by its `timestamp`/`duration` or else by its core annotations (client cs → cr,
// server sr → ss), a server side without `timestamp` being shared; the v2 spans are then
// shaped by the Zipkin v2 rules above (the script reuses the v2 script's functions for that).
// Errors: a binary annotation `error` (any value but false) or an annotation `error`.
// Service: the endpoint's, else the value of an `lc` binary annotation.
//
// The Jaeger api_v2 protobuf-JSON rows (`jaeger-proto/`) come from
// `tools/corpus-jaegerproto-figures.py` (json, base64 and calendar modules only), written from
// FORMATS.md section 3 and jaeger-idl's `model.proto`: spans are the objects with `spanId` in
// `spans` lists (also inside `result`, `batch`, `batches`, arrays, JSON Lines); ids base64
// (hex read as a number); the parent is the first CHILD_OF reference (the type may be a
// number, and is CHILD_OF when absent) in the span's own trace, else the first FOLLOWS_FROM
// one; starts are RFC 3339 to the nanosecond; errors as for Jaeger above (tag `error` with
// vBool true or vStr "true", or `otel.status_code` "ERROR"); the rest as above. The file
// named `jaeger-thrift-domain_01.json` is api_v2 JSON too (base64 ids, RFC 3339 times), the
// JSON side of Jaeger's thrift converter fixture, and loads as such. `jaeger-domain_01.json`
// is the span data of `jaeger/jaeger-ui_01.json` in the other spelling, and its figures are
// the same.
const EXPECTED: &[Expected] = &[
    e(
        "jaeger-proto/jaeger-domain_01.json",
        "Jaeger api_v2 protobuf-JSON",
        5,
        1,
        &[2],
        2,
        0,
        1,
        1,
    ),
    e(
        "jaeger-proto/jaeger-integration-v1-example_trace.json",
        "Jaeger api_v2 protobuf-JSON",
        5,
        1,
        &[5],
        0,
        0,
        0,
        0,
    ),
    e(
        "jaeger-proto/jaeger-integration-v1-log_tags_trace.json",
        "Jaeger api_v2 protobuf-JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "jaeger-proto/jaeger-integration-v1-process_tags_trace.json",
        "Jaeger api_v2 protobuf-JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "jaeger-proto/jaeger-thrift-domain_01.json",
        "Jaeger api_v2 protobuf-JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin1/otelcol-zipkin_v1_error_batch.json",
        "Zipkin v1 JSON",
        2,
        1,
        &[2],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin1/otelcol-zipkin_v1_local_component.json",
        "Zipkin v1 JSON",
        2,
        1,
        &[2],
        0,
        2,
        0,
        0,
    ),
    e(
        "zipkin1/otelcol-zipkin_v1_multiple_batches.json",
        "Zipkin v1 JSON",
        5,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "zipkin1/otelcol-zipkin_v1_notimestamp.json",
        "Zipkin v1 JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin1/otelcol-zipkin_v1_single_batch.json",
        "Zipkin v1 JSON",
        5,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "zipkin1/zipkin-bench-span-client.json",
        "Zipkin v1 JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin1/zipkin-bench-span-local.json",
        "Zipkin v1 JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin1/zipkin-bench-span-rpc-ipv6.json",
        "Zipkin v1 JSON",
        2,
        1,
        &[1],
        1,
        1,
        0,
        0,
    ),
    e(
        "zipkin1/zipkin-bench-span-rpc.json",
        "Zipkin v1 JSON",
        2,
        1,
        &[1],
        1,
        1,
        0,
        0,
    ),
    e(
        "datadog/datadog-agent-trace1-uint64.json",
        "Datadog JSON",
        9,
        1,
        &[1],
        1,
        1,
        0,
        5,
    ),
    e(
        "datadog/ddpy-aiokafka-send-failure.json",
        "Datadog JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        1,
    ),
    e(
        "datadog/ddpy-django-asgi-500.json",
        "Datadog JSON",
        30,
        1,
        &[1],
        11,
        0,
        0,
        2,
    ),
    e(
        "datadog/ddpy-efd-faulty-session.json",
        "Datadog JSON",
        51,
        46,
        &[
            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        ],
        2,
        0,
        0,
        0,
    ),
    e(
        "datadog/ddpy-flask-otel-distributed.json",
        "Datadog JSON",
        12,
        1,
        &[1],
        5,
        0,
        0,
        0,
    ),
    e(
        "datadog/ddpy-pubsub-span-links.json",
        "Datadog JSON",
        3,
        2,
        &[1, 1],
        1,
        0,
        0,
        0,
    ),
    e(
        "datadog/ddpy-trace-stats-top-level.json",
        "Datadog JSON",
        60,
        30,
        &[
            1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
            1,
        ],
        1,
        0,
        0,
        0,
    ),
    e(
        "datadog/testagent-distributed-same-payload.json",
        "Datadog JSON",
        4,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "newrelic/nr-java-sdk-integrationtest-payload.json",
        "New Relic JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "jaeger-es/jaeger-es_01.json",
        "Jaeger JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        1,
    ),
    e(
        "jaeger-es/jaeger-es_01_string_tags.json",
        "Jaeger JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        1,
    ),
    e(
        "jaeger/jaeger-anonymizer-trace_success-spanarray.json",
        "Jaeger JSON",
        2,
        1,
        &[1],
        1,
        1,
        0,
        1,
    ),
    e(
        "jaeger/jaeger-ui_01.json",
        "Jaeger JSON",
        5,
        1,
        &[2],
        2,
        0,
        1,
        1,
    ),
    e(
        "jaeger/jaegerui-TraceGraph-testTrace.json",
        "Jaeger JSON",
        11,
        1,
        &[1],
        3,
        0,
        0,
        1,
    ),
    e(
        "jaeger/jaegerui-childLongerThanParent.json",
        "Jaeger JSON",
        2,
        1,
        &[1],
        1,
        0,
        0,
        0,
    ),
    e(
        "jaeger/jaegerui-genaiTestTrace.json",
        "Jaeger JSON",
        57,
        1,
        &[1],
        7,
        0,
        0,
        1,
    ),
    e(
        "jaeger/jaegerui-oltp2jaeger-multi-out.json",
        "Jaeger JSON",
        4,
        1,
        &[1],
        2,
        0,
        0,
        0,
    ),
    e(
        "jaeger/jaegerui-otlp2jaeger-out.json",
        "Jaeger JSON",
        2,
        1,
        &[2],
        0,
        2,
        1,
        0,
    ),
    e(
        "jaeger/jaegerui-overlappingChildrenLongerThanParent.json",
        "Jaeger JSON",
        4,
        1,
        &[1],
        1,
        0,
        0,
        0,
    ),
    e(
        "jaeger/jaegerui-sameValueDifferentTags-4roots.json",
        "Jaeger JSON",
        4,
        1,
        &[4],
        0,
        0,
        1,
        0,
    ),
    e(
        "jaeger/jaegerui-spanAmongEachOtherGroupedAndSpans.json",
        "Jaeger JSON",
        17,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "jaeger/jaegerui-testTraceNormal.json",
        "Jaeger JSON",
        5,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "jaeger/observatorium-jaeger-v2-warnings.json",
        "Jaeger JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "otlp/jaeger-apiv3-FindTraces-snapshot.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        1,
    ),
    e(
        "otlp/jaeger-apiv3-GetTrace-snapshot.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        1,
    ),
    e(
        "otlp/jaeger-cassandra-otel_traces_01.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        1,
    ),
    e(
        "otlp/jaeger-integration-example_trace.json",
        "OTLP JSON",
        5,
        1,
        &[5],
        0,
        0,
        0,
        0,
    ),
    e(
        "otlp/jaeger-integration-link_attributes_trace.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "otlp/jaeger-integration-scope_attributes_trace.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "otlp/jaeger-memory-otel_traces_01.json",
        "OTLP JSON",
        4,
        2,
        &[2, 2],
        0,
        4,
        0,
        4,
    ),
    e(
        "otlp/jaeger-pr9263-hotrod-n_plus_one_full_serial.json",
        "OTLP JSON",
        40,
        1,
        &[1],
        3,
        0,
        0,
        3,
    ),
    e(
        "otlp/jaeger-pr9263-oteldemo-error_timeout_masked.json",
        "OTLP JSON",
        26,
        1,
        &[1],
        9,
        0,
        0,
        1,
    ),
    e(
        "otlp/jaeger-pr9263-sibling_errors.json",
        "OTLP JSON",
        6,
        1,
        &[1],
        2,
        0,
        0,
        5,
    ),
    e(
        "otlp/jaegerui-otlp2jaeger-in-error.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "otlp/jaegerui-otlp2jaeger-in.json",
        "OTLP JSON",
        2,
        1,
        &[2],
        0,
        2,
        1,
        0,
    ),
    e(
        "otlp/jaegerui-otlp2jaeger-multi-in-combined.json",
        "OTLP JSON",
        4,
        1,
        &[1],
        2,
        0,
        0,
        0,
    ),
    e(
        "otlp/jaegerui-otlp2jaeger-multi-in-ndjson.json",
        "OTLP JSON",
        4,
        1,
        &[1],
        2,
        0,
        0,
        0,
    ),
    e(
        "otlp/observatorium-jaeger-v3-result.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "otlp/observatorium-tempo-batches-response.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "otlp/proto-examples-trace.json",
        "OTLP JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin2/benchmark-zipkin2-chinese.json",
        "Zipkin v2 JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        1,
    ),
    e(
        "zipkin2/jaeger-zipkin_proto3_json_01.json",
        "Zipkin v2 JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin2/jaeger-zipkin_v1_merged_spans.json",
        "Zipkin v2 JSON",
        2,
        1,
        &[1],
        1,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/jaeger-zipkin_v2_01.json",
        "Zipkin v2 JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin2/jaeger-zipkin_v2_02.json",
        "Zipkin v2 JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/jaeger-zipkin_v2_03.json",
        "Zipkin v2 JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "zipkin2/lens-ascend.json",
        "Zipkin v2 JSON",
        8,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/lens-envoy.json",
        "Zipkin v2 JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/lens-malformed-kong.json",
        "Zipkin v2 JSON",
        7,
        1,
        &[1],
        2,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/lens-messaging-kafka.json",
        "Zipkin v2 JSON",
        28,
        1,
        &[1],
        4,
        0,
        0,
        3,
    ),
    e(
        "zipkin2/lens-messaging.json",
        "Zipkin v2 JSON",
        4,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/lens-messaging2.json",
        "Zipkin v2 JSON",
        11,
        1,
        &[7],
        2,
        6,
        0,
        0,
    ),
    e(
        "zipkin2/lens-netflix.json",
        "Zipkin v2 JSON",
        6,
        1,
        &[1],
        4,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/lens-simple-db-p6.json",
        "Zipkin v2 JSON",
        5,
        1,
        &[1],
        1,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/lens-skew.json",
        "Zipkin v2 JSON",
        4,
        1,
        &[1],
        3,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/lens-smartthings-mobile-web-install.json",
        "Zipkin v2 JSON",
        957,
        1,
        &[1],
        38,
        0,
        0,
        2,
    ),
    e(
        "zipkin2/lens-smartthings-oauth-authorization.json",
        "Zipkin v2 JSON",
        175,
        1,
        &[1],
        32,
        0,
        0,
        2,
    ),
    e(
        "zipkin2/lens-yelp.json",
        "Zipkin v2 JSON",
        16,
        1,
        &[1],
        4,
        0,
        0,
        0,
    ),
    e(
        "zipkin2/otelcol-zipkinreceiver-sample1.json",
        "Zipkin v2 JSON",
        9,
        1,
        &[9],
        0,
        9,
        8,
        0,
    ),
    e(
        "xray/awscli-batch-get-traces.json",
        "AWS X-Ray JSON",
        3,
        1,
        &[1],
        2,
        0,
        0,
        0,
    ),
    e(
        "xray/contrib-ddbSample-nested-fault.json",
        "AWS X-Ray JSON",
        18,
        1,
        &[1],
        5,
        0,
        0,
        5,
    ),
    e(
        "xray/contrib-indepSubsegment.json",
        "AWS X-Ray JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "xray/contrib-minInProgress.json",
        "AWS X-Ray JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
    e(
        "xray/contrib-segmentWithParentId-noEndTime.json",
        "AWS X-Ray JSON",
        1,
        1,
        &[1],
        0,
        1,
        0,
        0,
    ),
    e(
        "xray/contrib-serverSample-udp-datagram.json",
        "AWS X-Ray JSON",
        1,
        1,
        &[1],
        0,
        0,
        0,
        0,
    ),
];

/// The corpus folder, or `None` (after printing why the test is skipped).
fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        // Straight to stderr, past the test harness's output capture, so the note shows.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: corpus folder {} not found; the corpus tests need the shared corpus next \
             to the repository",
            dir.display()
        );
        None
    }
}

/// `folder/file` names of the files in one corpus folder, sorted.
fn files_in(corpus: &Path, folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus.join(folder))
        .unwrap_or_else(|e| panic!("{folder}: {e}"))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().to_string())
        .map(|name| format!("{folder}/{name}"))
        .collect();
    names.sort();
    names
}

#[derive(Debug, PartialEq)]
struct Shape {
    format: String,
    spans: usize,
    traces: usize,
    roots: Vec<u32>,
    max_depth: u32,
    missing_parents: usize,
    duplicate_ids: usize,
    errors: u32,
}

fn shape_of(name: &str, bytes: &[u8]) -> Shape {
    let store = import(name, bytes).unwrap_or_else(|e| panic!("{e}"));
    let traces = build_traces(&store);
    // The file panel's count (made while importing) agrees with the trees.
    assert_eq!(store.files[0].trace_count, traces.len(), "{name}");
    let mut roots: Vec<u32> = traces.iter().map(|t| t.root_count).collect();
    roots.sort_unstable();
    let count = |f: fn(&TreeWarning) -> bool| {
        traces
            .iter()
            .flat_map(|t| t.warnings.iter())
            .filter(|(_, w)| f(w))
            .count()
    };
    Shape {
        format: store.files[0].format.clone(),
        spans: store.spans.len(),
        traces: traces.len(),
        roots,
        max_depth: traces
            .iter()
            .flat_map(|t| t.depth.iter().copied())
            .max()
            .unwrap_or(0),
        missing_parents: count(|w| matches!(w, TreeWarning::MissingParent(_))),
        duplicate_ids: count(|w| matches!(w, TreeWarning::DuplicateId)),
        errors: traces.iter().map(|t| t.error_count).sum(),
    }
}

#[test]
fn readable_folders_are_exactly_the_table() {
    let Some(corpus) = corpus() else { return };
    let mut on_disk: Vec<String> = READABLE
        .iter()
        .flat_map(|(folder, _)| files_in(&corpus, folder))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = EXPECTED.iter().map(|e| e.file.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "the corpus changed: add new files to EXPECTED (derive the figures independently)"
    );
    for e in EXPECTED {
        let folder = e.file.split('/').next().unwrap();
        let format = READABLE.iter().find(|(f, _)| *f == folder).unwrap().1;
        assert_eq!(e.format, format, "{}", e.file);
    }
}

#[test]
fn every_readable_file_has_the_expected_shape() {
    let Some(corpus) = corpus() else { return };
    let mut failures = Vec::new();
    for e in EXPECTED {
        let bytes = std::fs::read(corpus.join(e.file)).unwrap();
        let got = shape_of(e.file, &bytes);
        let want = Shape {
            format: e.format.to_string(),
            spans: e.spans,
            traces: e.traces,
            roots: e.roots.to_vec(),
            max_depth: e.max_depth,
            missing_parents: e.missing_parents,
            duplicate_ids: e.duplicate_ids,
            errors: e.errors,
        };
        if got != want {
            failures.push(format!("{}:\n  want {want:?}\n  got  {got:?}", e.file));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn detection_is_by_content_not_by_file_name() {
    let Some(corpus) = corpus() else { return };
    for e in EXPECTED {
        let bytes = std::fs::read(corpus.join(e.file)).unwrap();
        let store = import("upload.bin", &bytes).unwrap_or_else(|err| panic!("{}: {err}", e.file));
        assert_eq!(store.files[0].format, e.format, "{}", e.file);
        assert_eq!(store.files[0].name, "upload.bin");
        assert_eq!(store.spans.len(), e.spans, "{}", e.file);
    }
}

#[test]
fn every_other_file_is_refused_with_a_message_naming_it() {
    let Some(corpus) = corpus() else { return };
    let mut folders: Vec<String> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().to_string())
        .filter(|name| !READABLE.iter().any(|(f, _)| f == name) && name != "jaeger-deps")
        .collect();
    folders.sort();
    // What is left are files that are not distributed traces: Chrome profiles (Jaeger's
    // dependency links load, into the service graph: see below).
    assert!(folders.iter().any(|f| f == "chrome"), "chrome missing");
    let mut checked = 0;
    for folder in &folders {
        for name in files_in(&corpus, folder) {
            let bytes = std::fs::read(corpus.join(&name)).unwrap();
            let outcome = std::panic::catch_unwind(|| import(&name, &bytes));
            let result = outcome.unwrap_or_else(|_| panic!("{name}: the importer panicked"));
            let err = match result {
                Ok(store) => panic!(
                    "{name}: expected to be refused for now, but loaded as {} ({} spans); \
                     move its folder to READABLE with a table of expected figures",
                    store.files[0].format,
                    store.spans.len()
                ),
                Err(err) => err,
            };
            assert_eq!(err.file, name);
            assert!(!err.message.trim().is_empty(), "{name}: empty message");
            assert!(err.to_string().starts_with(&format!("{name}: ")), "{err}");
            let why = match folder.as_str() {
                "chrome" => "Chrome Trace Event",
                _ => "",
            };
            assert!(err.message.contains(why), "{err}");
            checked += 1;
        }
    }
    assert!(checked >= 9, "only {checked} files checked");
}

/// Jaeger's dependency files load as dependency links, with the links, services and calls
/// the file lists (counted here with a generic JSON reader), and draw as that many nodes and
/// edges.
#[test]
fn jaeger_dependency_files_load_as_links() {
    let Some(corpus) = corpus() else { return };
    let names = files_in(&corpus, "jaeger-deps");
    assert_eq!(names.len(), 2, "{names:?}");
    for name in names {
        let bytes = std::fs::read(corpus.join(&name)).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let list = value
            .get("data")
            .unwrap_or(&value)
            .as_array()
            .unwrap()
            .clone();
        let mut services = std::collections::BTreeSet::new();
        let mut pairs = std::collections::BTreeSet::new();
        let mut calls = 0;
        for link in &list {
            let (p, c) = (
                link["parent"].as_str().unwrap(),
                link["child"].as_str().unwrap(),
            );
            services.extend([p.to_string(), c.to_string()]);
            pairs.insert((p.to_string(), c.to_string()));
            calls += link["callCount"].as_u64().unwrap();
        }
        let store = import(&name, &bytes).unwrap();
        assert_eq!(store.files[0].format, "Jaeger dependency links", "{name}");
        assert_eq!(store.dependencies.len(), list.len(), "{name}");
        assert_eq!(
            store.dependencies.iter().map(|d| d.calls).sum::<u64>(),
            calls,
            "{name}"
        );
        let graph = spanorama_core::model::graph::ServiceGraphBuild::new(&store, [])
            .with_dependencies()
            .build();
        assert_eq!(graph.nodes.len(), services.len(), "{name}");
        assert_eq!(graph.edges.len(), pairs.len(), "{name}");
        assert_eq!(
            graph.edges.iter().map(|e| e.calls).sum::<u64>(),
            calls,
            "{name}"
        );
    }
}
