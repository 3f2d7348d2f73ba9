use super::*;

fn jaeger() -> Backend {
    Backend::parse("jaeger:http://localhost:16686/").unwrap()
}

fn search(service: &str) -> Search {
    Search {
        service: service.to_string(),
        limit: 20,
        ..Search::default()
    }
}

/// 2026-01-01T00:00:00Z in ms.
const NOW_MS: i64 = 1_767_225_600_000;

#[test]
fn backends_parse_from_their_link_form_and_back() {
    let b = jaeger();
    assert_eq!(b.kind, BackendKind::Jaeger);
    assert_eq!(b.base, "http://localhost:16686");
    assert_eq!(b.to_param(), "jaeger:http://localhost:16686");
    let t = Backend::parse(" Tempo:https://tempo.example/prefix ").unwrap();
    assert_eq!(
        (t.kind, t.base.as_str()),
        (BackendKind::Tempo, "https://tempo.example/prefix")
    );
    assert_eq!(Backend::parse(&t.to_param()).unwrap(), t);
    assert!(Backend::parse("zipkin:ftp://x")
        .unwrap_err()
        .contains("http://"));
    assert!(Backend::parse("lightstep:http://x")
        .unwrap_err()
        .contains("jaeger:"));
    assert!(Backend::parse("jaeger:http://")
        .unwrap_err()
        .contains("no host"));
    assert!(Backend::parse("jaeger:http://x/?a=b")
        .unwrap_err()
        .contains("without ?"));
    assert!(Backend::parse("").is_err());
}

#[test]
fn trace_urls_escape_the_id_and_follow_each_api() {
    assert_eq!(
        jaeger().trace_url(" abc123 "),
        "http://localhost:16686/api/traces/abc123"
    );
    assert_eq!(
        jaeger().trace_fallback_url("abc").unwrap(),
        "http://localhost:16686/api/v3/traces/abc"
    );
    assert_eq!(
        jaeger().trace_url("a/b?c"),
        "http://localhost:16686/api/traces/a%2Fb%3Fc"
    );
    let tempo = Backend::new(BackendKind::Tempo, "http://t:3200").unwrap();
    assert_eq!(tempo.trace_url("ff"), "http://t:3200/api/traces/ff");
    assert_eq!(tempo.trace_fallback_url("ff"), None);
    let zipkin = Backend::new(BackendKind::Zipkin, "http://z:9411").unwrap();
    assert_eq!(zipkin.trace_url("ff"), "http://z:9411/api/v2/trace/ff");
}

#[test]
fn name_lists_have_their_endpoints() {
    let zipkin = Backend::new(BackendKind::Zipkin, "http://z:9411").unwrap();
    let tempo = Backend::new(BackendKind::Tempo, "http://t:3200").unwrap();
    assert_eq!(
        jaeger().services_url(),
        "http://localhost:16686/api/services"
    );
    assert_eq!(zipkin.services_url(), "http://z:9411/api/v2/services");
    assert_eq!(
        tempo.services_url(),
        "http://t:3200/api/search/tag/service.name/values"
    );
    assert_eq!(
        jaeger().operations_url("my svc/1").unwrap(),
        "http://localhost:16686/api/services/my%20svc%2F1/operations"
    );
    assert_eq!(
        zipkin.operations_url("front end").unwrap(),
        "http://z:9411/api/v2/spans?serviceName=front%20end"
    );
    assert_eq!(tempo.operations_url("x"), None);
}

#[test]
fn dependencies_are_asked_in_ms_where_there_are_any() {
    let zipkin = Backend::new(BackendKind::Zipkin, "http://z:9411").unwrap();
    assert_eq!(
        jaeger().dependencies_url(NOW_MS, 86_400_000).unwrap(),
        format!("http://localhost:16686/api/dependencies?endTs={NOW_MS}&lookback=86400000")
    );
    assert_eq!(
        zipkin.dependencies_url(5, 6).unwrap(),
        "http://z:9411/api/v2/dependencies?endTs=5&lookback=6"
    );
    let tempo = Backend::new(BackendKind::Tempo, "http://t:3200").unwrap();
    assert_eq!(tempo.dependencies_url(5, 6), None);
}

#[test]
fn jaeger_search_sends_go_durations_json_tags_and_microsecond_times() {
    let s = Search {
        operation: "GET /cart".to_string(),
        tags: "error=true http.status_code=500".to_string(),
        min_duration: "1.5s".to_string(),
        max_duration: "2m".to_string(),
        lookback: "2h".to_string(),
        ..search("frontend")
    };
    let url = jaeger().search_url(&s, NOW_MS).unwrap();
    let start_us = (NOW_MS - 7_200_000) * 1000;
    let end_us = NOW_MS * 1000;
    assert_eq!(
        url,
        format!(
            "http://localhost:16686/api/traces?service=frontend&operation=GET%20%2Fcart\
             &tags=%7B%22error%22%3A%22true%22%2C%22http.status_code%22%3A%22500%22%7D\
             &minDuration=1500ms&maxDuration=2m&start={start_us}&end={end_us}&lookback=2h&limit=20"
        )
    );
    assert!(jaeger()
        .search_url(&search(""), NOW_MS)
        .unwrap_err()
        .contains("service"));
}

#[test]
fn tempo_search_sends_logfmt_tags_or_traceql_and_seconds() {
    let tempo = Backend::new(BackendKind::Tempo, "http://t:3200").unwrap();
    let s = Search {
        operation: "GET /".to_string(),
        tags: "k=\"a b\"".to_string(),
        min_duration: "250".to_string(),
        ..search("shop")
    };
    let url = tempo.search_url(&s, NOW_MS).unwrap();
    let start = NOW_MS / 1000 - 3600;
    let end = NOW_MS / 1000 + 1;
    assert_eq!(
        url,
        format!(
            "http://t:3200/api/search?tags=service.name%3Dshop%20name%3D%22GET%20%2F%22%20k%3D%22a%20b%22\
             &minDuration=250ms&limit=20&start={start}&end={end}"
        )
    );
    let q = Search {
        traceql: "{ status = error }".to_string(),
        ..s
    };
    assert_eq!(
        tempo.search_url(&q, NOW_MS).unwrap(),
        format!("http://t:3200/api/search?q=%7B%20status%20%3D%20error%20%7D&limit=20&start={start}&end={end}")
    );
}

#[test]
fn zipkin_search_sends_microsecond_durations_and_an_annotation_query() {
    let zipkin = Backend::new(BackendKind::Zipkin, "http://z:9411").unwrap();
    let s = Search {
        tags: "error http.method=GET".to_string(),
        min_duration: "2ms".to_string(),
        lookback: "15m".to_string(),
        limit: 5000,
        ..search("frontend")
    };
    assert_eq!(
        zipkin.search_url(&s, NOW_MS).unwrap(),
        format!(
            "http://z:9411/api/v2/traces?serviceName=frontend\
             &annotationQuery=error%20and%20http.method%3DGET&minDuration=2000\
             &endTs={NOW_MS}&lookback=900000&limit=1000"
        )
    );
}

#[test]
fn bad_search_fields_are_named() {
    let bad = Search {
        min_duration: "soon".to_string(),
        ..search("a")
    };
    assert!(jaeger()
        .search_url(&bad, NOW_MS)
        .unwrap_err()
        .contains("minimum duration \"soon\""));
    let bad = Search {
        tags: "k=\"open".to_string(),
        ..search("a")
    };
    assert!(jaeger()
        .search_url(&bad, NOW_MS)
        .unwrap_err()
        .contains("closing quote"));
    assert!(parse_tags("=v").unwrap_err().contains("key"));
    assert_eq!(
        parse_tags(" a=1  b c=\"x y\" ").unwrap(),
        [
            ("a".into(), "1".into()),
            ("b".into(), String::new()),
            ("c".into(), "x y".into())
        ]
    );
}

#[test]
fn go_durations_use_the_largest_exact_unit() {
    assert_eq!(go_duration(250_000_000), "250ms");
    assert_eq!(go_duration(1_500), "1500ns");
    assert_eq!(go_duration(3_000), "3us");
    assert_eq!(go_duration(7_200_000_000_000), "2h");
    assert_eq!(go_duration(0), "0ns");
}

#[test]
fn names_come_from_each_apis_list_shape() {
    let jaeger = br#"{"data":["b","a","b"],"total":3,"limit":0,"offset":0,"errors":null}"#;
    assert_eq!(parse_names(jaeger).unwrap(), ["a", "b"]);
    let ops = br#"{"data":[{"name":"GET","spanKind":"server"},{"name":"PUT","spanKind":""}]}"#;
    assert_eq!(parse_names(ops).unwrap(), ["GET", "PUT"]);
    assert_eq!(parse_names(br#"["z","y",""]"#).unwrap(), ["y", "z"]);
    assert_eq!(parse_names(br#"{"tagValues":["s1"]}"#).unwrap(), ["s1"]);
    assert_eq!(
        parse_names(br#"{"tagValues":[{"type":"string","value":"s2"}]}"#).unwrap(),
        ["s2"]
    );
    assert_eq!(
        parse_names(br#"{"data":null}"#).unwrap(),
        Vec::<String>::new()
    );
    assert!(parse_names(b"<html>").is_err());
    assert!(parse_names(br#"{"other":1}"#).is_err());
}

#[test]
fn tempo_search_answers_give_trace_ids() {
    let answer = br#"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop","durationMs":12},{"traceID":"abc"}],"metrics":{"inspectedTraces":2}}"#;
    assert_eq!(
        parse_tempo_search(answer).unwrap(),
        ["2f3e0cee77ae5dc9c17ade3689eb2e54", "abc"]
    );
    assert_eq!(
        parse_tempo_search(br#"{"metrics":{}}"#).unwrap(),
        Vec::<String>::new()
    );
    assert!(parse_tempo_search(b"[1]").is_err());
    assert!(parse_tempo_search(b"nope").is_err());
}

#[test]
fn bodies_that_are_not_json_are_caught_by_their_start() {
    assert_eq!(check_json(b"  \n{\"data\":[]}"), Ok(()));
    assert_eq!(check_json(b"[]"), Ok(()));
    assert_eq!(
        check_json(b"<!doctype html>\n<html><head>").unwrap_err(),
        "<!doctype html><html><he"
    );
    assert_eq!(check_json(b"   ").unwrap_err(), "");
}

#[test]
fn failures_say_what_happened_and_what_to_change() {
    let b = jaeger();
    let url = b.trace_url("abc");
    let origin = "https://me.example";
    let unreachable = b.explain(&Failure::Unreachable, &url, None, origin);
    assert!(unreachable.contains("could not be reached") && unreachable.contains(&url));
    let cors = b.explain(&Failure::Cors, &url, None, origin);
    assert!(cors.contains("CORS"), "{cors}");
    assert!(
        cors.contains(
            "--query.additional-headers=\"Access-Control-Allow-Origin: https://me.example\""
        ),
        "{cors}"
    );
    let tempo = Backend::new(BackendKind::Tempo, "http://t:3200").unwrap();
    assert!(tempo
        .explain(&Failure::Cors, "u", None, origin)
        .contains("reverse proxy"));
    let zipkin = Backend::new(BackendKind::Zipkin, "http://z:9411").unwrap();
    assert!(zipkin
        .explain(&Failure::Cors, "u", None, origin)
        .contains("QUERY_ALLOWED_ORIGINS"));
    assert_eq!(
        b.explain(
            &Failure::Status(404, "Not Found".into()),
            &url,
            Some(" abc "),
            origin
        ),
        "trace abc not found in Jaeger at http://localhost:16686"
    );
    let status = b.explain(&Failure::Status(500, String::new()), &url, None, origin);
    assert_eq!(
        status,
        format!("Jaeger at http://localhost:16686 answered HTTP 500 for {url}")
    );
    let html = b.explain(&Failure::NotJson("<html>".into()), &url, None, origin);
    assert!(
        html.contains("not JSON") && html.contains("\"<html>\""),
        "{html}"
    );
}

#[test]
fn empty_answers_are_told_from_traces() {
    assert!(is_empty_answer(b" [] "));
    assert!(is_empty_answer(br#"{"data":[],"total":0,"errors":null}"#));
    assert!(is_empty_answer(br#"{"data":null}"#));
    assert!(is_empty_answer(br#"{"traces":[]}"#));
    assert!(!is_empty_answer(br#"[[]]"#));
    assert!(!is_empty_answer(br#"{"data":[{"traceID":"a"}]}"#));
    assert!(!is_empty_answer(br#"{"batches":[]}"#));
    assert!(!is_empty_answer(b"nope"));
    let b = jaeger();
    assert_eq!(
        b.explain(&Failure::Empty, "u", None, ""),
        "Jaeger at http://localhost:16686 found nothing for u"
    );
}
