//! Naming what a client or producer span calls when nothing in the data answered it, from
//! the span's attributes, the way Grafana Tempo's service graphs name their "virtual" nodes
//! (`modules/generator/processor/servicegraphs`), with the older OpenTelemetry conventions
//! and the other formats' keys mapped onto the same rules:
//!
//! - a database call (`db.system`, `db.system.name`, `db.name`, `db.namespace`; Datadog
//!   `db.type`; New Relic `db.instance` or `category: datastore`): `peer.service`, then the
//!   server's address, then the peer's network address (with its port), then the database
//!   name, then the database system;
//! - a messaging call (a producer span, or `messaging.system`): the system and the
//!   destination (`kafka orders`), else the peer's name;
//! - any other client call: `peer.service`, the server's address, the URL's host, the peer's
//!   network address.
//!
//! The server's address is `server.address`, or the older `net.peer.name`, Datadog's
//! `out.host`, New Relic's `peer.hostname`. The network address is `network.peer.address`
//! (`net.peer.ip`, New Relic `peer.address`) with `network.peer.port` (`net.peer.port`).
//! Zipkin's `remoteEndpoint.serviceName` and X-Ray's remote subsegments arrive as
//! `peer.service` (the importers map them).

use crate::model::{Interner, Span, SpanKind, Store, StrId, Value};

/// What a node is.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
pub enum NodeKind {
    Service,
    Database,
    Messaging,
    External,
}

impl NodeKind {
    /// Lower-case name (the page's `data-kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Service => "service",
            NodeKind::Database => "database",
            NodeKind::Messaging => "messaging",
            NodeKind::External => "external",
        }
    }
}

/// The kind of an AWS X-Ray service graph node by its `Type` (`AWS::DynamoDB::Table`,
/// `remote`, `client`, `AWS::EC2::Instance`…); a service when the file gives none.
pub(super) fn kind_of_type(kind: &str) -> NodeKind {
    const DATABASES: [&str; 5] = [
        "AWS::DynamoDB",
        "AWS::RDS",
        "Database::",
        "AWS::ElastiCache",
        "AWS::DocDB",
    ];
    const QUEUES: [&str; 5] = [
        "AWS::SQS",
        "AWS::SNS",
        "AWS::Kinesis",
        "AWS::Events",
        "AWS::MQ",
    ];
    const COMPUTE: [&str; 6] = [
        "AWS::EC2",
        "AWS::ECS",
        "AWS::EKS",
        "AWS::Lambda",
        "AWS::ElasticBeanstalk",
        "AWS::AppRunner",
    ];
    let is = |prefixes: &[&str]| prefixes.iter().any(|p| kind.starts_with(p));
    if kind.is_empty() || is(&COMPUTE) {
        NodeKind::Service
    } else if is(&DATABASES) {
        NodeKind::Database
    } else if is(&QUEUES) {
        NodeKind::Messaging
    } else {
        NodeKind::External
    }
}

/// Keys that make a span a database call.
const DATABASE: [&str; 6] = [
    "db.system",
    "db.system.name",
    "db.name",
    "db.namespace",
    "db.type",
    "db.instance",
];
/// Keys naming the server, in order of precedence.
const SERVER: [&str; 5] = [
    "peer.service",
    "server.address",
    "net.peer.name",
    "out.host",
    "peer.hostname",
];
/// Keys naming the peer's network address, and its port.
const NETWORK: [&str; 3] = ["network.peer.address", "net.peer.ip", "peer.address"];
const PORT: [&str; 2] = ["network.peer.port", "net.peer.port"];
/// Database names, then systems, in order of precedence.
const DATABASE_NAME: [&str; 5] = [
    "db.namespace",
    "db.name",
    "db.instance",
    "db.system.name",
    "db.system",
];
/// Messaging destinations.
const DESTINATION: [&str; 3] = [
    "messaging.destination.name",
    "messaging.destination",
    "messaging.kafka.topic",
];
/// Keys holding a URL.
const URL: [&str; 3] = ["url.full", "http.url", "http.request.url"];

/// The interned ids of the keys the rules read (`None`: no attribute has that key).
pub(super) struct PeerKeys {
    database: Vec<StrId>,
    server: Vec<StrId>,
    network: Vec<StrId>,
    port: Vec<StrId>,
    database_name: Vec<StrId>,
    destination: Vec<StrId>,
    url: Vec<StrId>,
    messaging_system: Option<StrId>,
    category: Option<StrId>,
    xray_inferred: Option<StrId>,
}

fn ids(strings: &Interner, keys: &[&str]) -> Vec<StrId> {
    keys.iter().filter_map(|k| strings.lookup(k)).collect()
}

impl PeerKeys {
    pub(super) fn new(strings: &Interner) -> Self {
        PeerKeys {
            database: ids(strings, &DATABASE),
            server: ids(strings, &SERVER),
            network: ids(strings, &NETWORK),
            port: ids(strings, &PORT),
            database_name: ids(strings, &DATABASE_NAME),
            destination: ids(strings, &DESTINATION),
            url: ids(strings, &URL),
            messaging_system: strings.lookup("messaging.system"),
            category: strings.lookup("category"),
            xray_inferred: strings.lookup("aws.xray.inferred"),
        }
    }

    /// The name and kind of what `span` calls, if its attributes say.
    pub(super) fn peer_of(&self, store: &Store, span: &Span) -> Option<(String, NodeKind)> {
        let attrs = Attrs { store, span };
        let kind = self.kind_of(store, span);
        let name = match kind {
            NodeKind::Database => self.database_peer(&attrs),
            NodeKind::Messaging => self.messaging_peer(&attrs),
            _ => self.other_peer(&attrs),
        }?;
        Some((name, kind))
    }

    /// What kind of thing a span's attributes say it calls (or, for an X-Ray inferred
    /// segment, is).
    pub(super) fn kind_of(&self, store: &Store, span: &Span) -> NodeKind {
        let attrs = Attrs { store, span };
        if span.kind == SpanKind::Producer
            || span.kind == SpanKind::Consumer
            || attrs.has(self.messaging_system)
        {
            NodeKind::Messaging
        } else if self.database.iter().any(|&k| attrs.has(Some(k)))
            || attrs
                .text(self.category)
                .is_some_and(|c| c.eq_ignore_ascii_case("datastore"))
        {
            NodeKind::Database
        } else {
            NodeKind::External
        }
    }

    /// Whether `span` is an X-Ray inferred segment (a node drawn for a downstream call).
    pub(super) fn is_inferred(&self, store: &Store, span: &Span) -> bool {
        let attrs = Attrs { store, span };
        matches!(attrs.value(self.xray_inferred), Some(Value::Bool(true)))
    }

    fn database_peer(&self, a: &Attrs) -> Option<String> {
        a.first_text(&self.server)
            .or_else(|| self.network_peer(a))
            .or_else(|| a.first_text(&self.database_name))
    }

    fn messaging_peer(&self, a: &Attrs) -> Option<String> {
        let system = a.text(self.messaging_system);
        match (system, a.first_text(&self.destination)) {
            (Some(system), Some(destination)) => Some(format!("{system} {destination}")),
            (system, _) => a.first_text(&self.server).or(system),
        }
    }

    fn other_peer(&self, a: &Attrs) -> Option<String> {
        a.first_text(&self.server)
            .or_else(|| a.first_text(&self.url).and_then(|u| url_host(&u)))
            .or_else(|| self.network_peer(a))
    }

    /// `address:port`, or the address alone.
    fn network_peer(&self, a: &Attrs) -> Option<String> {
        let address = a.first_text(&self.network)?;
        match a.first_text(&self.port) {
            Some(port) if !address.contains(':') => Some(format!("{address}:{port}")),
            _ => Some(address),
        }
    }
}

/// A span's attributes, looked up by interned key.
struct Attrs<'a> {
    store: &'a Store,
    span: &'a Span,
}

impl Attrs<'_> {
    fn value(&self, key: Option<StrId>) -> Option<Value> {
        let key = key?;
        self.store
            .attrs
            .get(self.span.attrs.range())?
            .iter()
            .find(|a| a.key() == key)
            .map(|a| a.unpack().value)
    }

    fn has(&self, key: Option<StrId>) -> bool {
        self.value(key).is_some()
    }

    /// The value as text, if it is not empty.
    fn text(&self, key: Option<StrId>) -> Option<String> {
        let text = self.value(key)?.display(&self.store.strings);
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_string())
    }

    fn first_text(&self, keys: &[StrId]) -> Option<String> {
        keys.iter().find_map(|&k| self.text(Some(k)))
    }
}

/// The host (with its port) of a URL: `https://api.stripe.com:443/v1/x` → `api.stripe.com:443`.
pub(super) fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    (!host.is_empty()).then(|| host.to_string())
}
