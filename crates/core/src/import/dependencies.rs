//! Dependency files: calls between services over a period, without their spans, for the
//! service graph.
//!
//! * **Jaeger dependency links** (`/api/dependencies?endTs=&lookback=` of the query service,
//!   and what Jaeger UI's "Download" of its DAG saves): `{"data": [link…]}` or a bare array
//!   of `{"parent", "child", "callCount"}` (a `source` field is ignored). Counts only.
//! * **Zipkin dependency links** (`/api/v2/dependencies?endTs=&lookback=`): the same bare
//!   array, with `errorCount` (failed calls) when the server counted any; read by the same
//!   importer.
//! * **AWS X-Ray service graph** (`aws xray get-service-graph`): `Services[]`, each with its
//!   `ReferenceId`, `Name`, `Type` (`AWS::DynamoDB::Table`, `remote`, `client`, …) and
//!   `Edges[]` to other services' `ReferenceId`s, with `SummaryStatistics` (`TotalCount`;
//!   `ErrorStatistics.TotalCount` and `FaultStatistics.TotalCount` are failed calls) and a
//!   `ResponseTimeHistogram` of `{Value (seconds), Count}` from which p50/p95/p99 are taken.
//!   Ignored: per-service statistics and histograms, aliases, times.
//!
//! Both are small (a thousand services is a large map), so they are read with serde.
//! Links without a name at either end are left out with a file warning.

use super::{first_byte, has_key, Importer, Sniff, StoreBuilder};
use crate::model::Dependency;
use serde::Deserialize;

pub const JAEGER: Importer = Importer {
    name: "Jaeger dependency links",
    sniff: sniff_jaeger,
    parse: parse_jaeger,
    looks_for: "[{\"parent\", \"child\", \"callCount\"}] or {\"data\": [...]}",
};

pub const XRAY: Importer = Importer {
    name: "AWS X-Ray service graph",
    sniff: sniff_xray,
    parse: parse_xray,
    looks_for: "{\"Services\": [{\"ReferenceId\", \"Name\", \"Edges\"}]}",
};

fn sniff_jaeger(head: &[u8]) -> Sniff {
    let json = matches!(first_byte(head), Some(b'[') | Some(b'{'));
    if json && has_key(head, "callCount") && has_key(head, "parent") && has_key(head, "child") {
        Sniff::Yes
    } else {
        Sniff::No
    }
}

fn sniff_xray(head: &[u8]) -> Sniff {
    if first_byte(head) == Some(b'{') && has_key(head, "Services") && has_key(head, "ReferenceId") {
        Sniff::Yes
    } else {
        Sniff::No
    }
}

#[derive(Deserialize)]
struct JaegerEnvelope {
    data: Vec<JaegerLink>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JaegerLink {
    #[serde(default)]
    parent: String,
    #[serde(default)]
    child: String,
    call_count: u64,
    /// Zipkin's failed calls.
    #[serde(default)]
    error_count: Option<u64>,
}

fn parse_jaeger(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let expected = |e: serde_json::Error| {
        format!("expected an array of {{\"parent\", \"child\", \"callCount\"}} links: {e}")
    };
    let links: Vec<JaegerLink> = if first_byte(bytes) == Some(b'[') {
        serde_json::from_slice(bytes).map_err(expected)?
    } else {
        serde_json::from_slice::<JaegerEnvelope>(bytes)
            .map_err(expected)?
            .data
    };
    let mut unnamed = 0;
    for link in links {
        if link.parent.trim().is_empty() || link.child.trim().is_empty() {
            unnamed += 1;
            continue;
        }
        push(
            b,
            (&link.parent, ""),
            (&link.child, ""),
            link.call_count,
            link.error_count,
            [0; 3],
        );
    }
    done(b, unnamed)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct XrayGraph {
    services: Vec<XrayService>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct XrayService {
    reference_id: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default, rename = "Type")]
    kind: Option<String>,
    #[serde(default)]
    edges: Vec<XrayEdge>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct XrayEdge {
    reference_id: i64,
    #[serde(default)]
    summary_statistics: Option<XrayStatistics>,
    #[serde(default)]
    response_time_histogram: Vec<XrayBucket>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct XrayStatistics {
    #[serde(default)]
    total_count: Option<u64>,
    #[serde(default)]
    error_statistics: Option<XrayCount>,
    #[serde(default)]
    fault_statistics: Option<XrayCount>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct XrayCount {
    #[serde(default)]
    total_count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct XrayBucket {
    value: f64,
    count: u64,
}

fn parse_xray(bytes: &[u8], b: &mut StoreBuilder) -> Result<(), String> {
    let graph: XrayGraph = serde_json::from_slice(bytes)
        .map_err(|e| format!("expected get-service-graph output (Services with Edges): {e}"))?;
    let name_of = |s: &XrayService| {
        s.name
            .clone()
            .or_else(|| s.names.first().cloned())
            .unwrap_or_default()
    };
    let by_id: std::collections::HashMap<i64, &XrayService> =
        graph.services.iter().map(|s| (s.reference_id, s)).collect();
    let mut unnamed = 0;
    for service in &graph.services {
        let parent = name_of(service);
        for edge in &service.edges {
            let child = by_id.get(&edge.reference_id).map(|s| (name_of(s), *s));
            let Some((child, target)) = child.filter(|(n, _)| !n.is_empty() && !parent.is_empty())
            else {
                unnamed += 1;
                continue;
            };
            let stats = edge.summary_statistics.as_ref();
            let histogram_calls: u64 = edge.response_time_histogram.iter().map(|h| h.count).sum();
            let calls = stats.and_then(|s| s.total_count).unwrap_or(histogram_calls);
            let errors = stats.map(|s| {
                let count = |c: &Option<XrayCount>| c.as_ref().map_or(0, |c| c.total_count);
                count(&s.error_statistics) + count(&s.fault_statistics)
            });
            let parent_type = service.kind.as_deref().unwrap_or("");
            let child_type = target.kind.as_deref().unwrap_or("");
            let latency = histogram_percentiles(&edge.response_time_histogram);
            push(
                b,
                (&parent, parent_type),
                (&child, child_type),
                calls,
                errors,
                latency,
            );
        }
    }
    done(b, unnamed)
}

/// p50, p95 and p99 (nearest rank) of a histogram of `{Value: seconds, Count}`, ns; 0 where
/// the histogram is empty.
fn histogram_percentiles(buckets: &[XrayBucket]) -> [i64; 3] {
    let mut sorted: Vec<(f64, u64)> = buckets
        .iter()
        .filter(|h| h.value.is_finite() && h.value >= 0.0)
        .map(|h| (h.value, h.count))
        .collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: u64 = sorted.iter().map(|h| h.1).sum();
    [50, 95, 99].map(|p| {
        let rank = (p * total).div_ceil(100).max(1);
        let mut seen = 0;
        sorted
            .iter()
            .find(|h| {
                seen += h.1;
                seen >= rank
            })
            .map_or(0, |h| (h.0 * 1e9).round() as i64)
    })
}

fn push(
    b: &mut StoreBuilder,
    (parent, parent_type): (&str, &str),
    (child, child_type): (&str, &str),
    calls: u64,
    errors: Option<u64>,
    latency_nanos: [i64; 3],
) {
    let dependency = Dependency {
        parent: b.intern(parent.trim()),
        child: b.intern(child.trim()),
        parent_type: b.intern(parent_type),
        child_type: b.intern(child_type),
        calls,
        errors,
        latency_nanos,
        file: 0,
    };
    b.store().dependencies.push(dependency);
}

/// Ends a file: `Err` when it gave no link, a warning for the `unnamed` ones left out.
fn done(b: &mut StoreBuilder, unnamed: usize) -> Result<(), String> {
    let links = |n: usize| crate::model::units::format_counted(n as u64, "link", "links");
    if b.store().dependencies.is_empty() {
        return Err(match unnamed {
            0 => "the file lists no dependency links".to_string(),
            n => format!("none of its {} names a service at both ends", links(n)),
        });
    }
    if unnamed > 0 {
        b.warn_file(format!(
            "{} without a service name at one end: left out",
            links(unnamed)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::import::import;
    use crate::model::Store;

    /// The links of a store as `parent > child: calls, errors, p50/p95/p99, types`.
    fn links(store: &Store) -> Vec<String> {
        let s = |id| store.strings.get(id);
        store
            .dependencies
            .iter()
            .map(|d| {
                let [p50, p95, p99] = d.latency_nanos;
                format!(
                    "{} > {}: {} {:?} {p50}/{p95}/{p99} {}|{}",
                    s(d.parent),
                    s(d.child),
                    d.calls,
                    d.errors,
                    s(d.parent_type),
                    s(d.child_type)
                )
            })
            .collect()
    }

    #[test]
    fn jaeger_links_load_bare_or_in_their_envelope() {
        let bare = br#"[{"parent":"a","child":"b","callCount":3},{"parent":"b","child":"c","callCount":1,"source":"jaeger"}]"#;
        let envelope = br#"{"data":[{"parent":"a","child":"b","callCount":3},{"parent":"b","child":"c","callCount":1}],"total":2,"errors":null}"#;
        for bytes in [&bare[..], &envelope[..]] {
            let store = import("deps.json", bytes).unwrap();
            assert_eq!(store.files[0].format, "Jaeger dependency links");
            assert_eq!(store.spans.len(), 0);
            assert_eq!(
                links(&store),
                ["a > b: 3 None 0/0/0 |", "b > c: 1 None 0/0/0 |"]
            );
        }
    }

    #[test]
    fn zipkin_links_carry_their_error_counts() {
        let zipkin = br#"[{"parent":"front","child":"cart","callCount":10,"errorCount":2},{"parent":"cart","child":"db","callCount":4}]"#;
        let store = import("dependencies", zipkin).unwrap();
        assert_eq!(
            links(&store),
            [
                "front > cart: 10 Some(2) 0/0/0 |",
                "cart > db: 4 None 0/0/0 |"
            ]
        );
    }

    #[test]
    fn jaeger_links_without_names_are_left_out_with_a_warning() {
        let store = import("deps.json", br#"[{"parent":"","child":"b","callCount":3},{"parent":"a","child":"b","callCount":2}]"#).unwrap();
        assert_eq!(links(&store), ["a > b: 2 None 0/0/0 |"]);
        assert_eq!(
            store.files[0].warnings,
            ["1 link without a service name at one end: left out"]
        );
        let e = import("deps.json", br#"[{"parent":"","child":"b","callCount":3}]"#).unwrap_err();
        assert!(
            e.message.contains("none of its 1 link names a service"),
            "{e}"
        );
        let e = import(
            "deps.json",
            br#"[{"parent":"a","child":"b","callCount":-3}]"#,
        )
        .unwrap_err();
        assert!(e.message.contains("line 1 column"), "{e}");
    }

    #[test]
    fn xray_service_graphs_carry_counts_errors_and_latency() {
        let graph = br#"{"Services": [
          {"ReferenceId": 0, "Name": "Scorekeep", "Names": ["Scorekeep"], "Type": "AWS::ElasticBeanstalk::Environment",
           "Edges": [{"ReferenceId": 1, "SummaryStatistics": {"OkCount": 96, "TotalCount": 100,
              "ErrorStatistics": {"ThrottleCount": 1, "OtherCount": 2, "TotalCount": 3},
              "FaultStatistics": {"OtherCount": 1, "TotalCount": 1}, "TotalResponseTime": 5.0},
              "ResponseTimeHistogram": [{"Value": 0.2, "Count": 5}, {"Value": 0.01, "Count": 90}, {"Value": 0.05, "Count": 5}]},
             {"ReferenceId": 7}]},
          {"ReferenceId": 1, "Names": ["scorekeep-state"], "Type": "AWS::DynamoDB::Table", "Edges": []}],
          "StartTime": 1.5e9, "EndTime": 1.5e9, "ContainsOldGroupVersions": false}"#;
        let store = import("graph.json", graph).unwrap();
        assert_eq!(store.files[0].format, "AWS X-Ray service graph");
        assert_eq!(
            links(&store),
            ["Scorekeep > scorekeep-state: 100 Some(4) 10000000/50000000/200000000 AWS::ElasticBeanstalk::Environment|AWS::DynamoDB::Table"]
        );
        assert_eq!(
            store.files[0].warnings,
            ["1 link without a service name at one end: left out"]
        );
    }
}
