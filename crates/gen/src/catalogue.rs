//! The made-up online shop the generator draws traces from: twenty services that serve shop
//! requests and a nightly batch job (`order-sync`), the operations each one serves, and which
//! operations each one calls. Calls are written as `"<service> <operation>"` (`*` in front:
//! once per item of a loop) and resolved to indices once per generator run.
//!
//! Operation names follow OpenTelemetry conventions: `GET /api/cart` (HTTP server route),
//! `cart.CartService/GetCart` (gRPC), `SELECT orders` (database), `redis GET` (cache),
//! `kafka.produce orders` / `kafka.consume orders` (messaging).

/// Implementation language of a service: picks SDK attributes and exception styles.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Lang {
    Go,
    Java,
    Python,
    Node,
    DotNet,
    Rust,
}

impl Lang {
    /// Value of `telemetry.sdk.language`.
    pub fn sdk_language(self) -> &'static str {
        match self {
            Lang::Go => "go",
            Lang::Java => "java",
            Lang::Python => "python",
            Lang::Node => "nodejs",
            Lang::DotNet => "dotnet",
            Lang::Rust => "rust",
        }
    }

    /// Value of `telemetry.sdk.version` for this language's SDK.
    pub fn sdk_version(self) -> &'static str {
        match self {
            Lang::Go => "1.28.0",
            Lang::Java => "1.39.0",
            Lang::Python => "1.25.0",
            Lang::Node => "1.24.1",
            Lang::DotNet => "1.9.0",
            Lang::Rust => "0.23.0",
        }
    }
}

/// What a service is: application code, or infrastructure whose spans are leaves.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ServiceKind {
    App,
    Postgres,
    Redis,
    Kafka,
}

/// How an operation is reached, which decides its span kind and attributes.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Proto {
    /// HTTP server route, e.g. `GET /api/cart`.
    Http {
        method: &'static str,
        route: &'static str,
    },
    /// gRPC method, e.g. `cart.CartService/GetCart`.
    Grpc {
        service: &'static str,
        method: &'static str,
    },
    /// SQL statement on a table (`SELECT orders`).
    Sql {
        operation: &'static str,
        table: &'static str,
    },
    /// Redis command (`redis GET`).
    Redis { command: &'static str },
    /// Publishing to a Kafka topic.
    Produce { topic: &'static str },
    /// Processing a message from a Kafka topic.
    Consume { topic: &'static str },
    /// In-process work (`compute totals`).
    Internal,
}

struct ServiceDef {
    name: &'static str,
    lang: Lang,
    kind: ServiceKind,
    version: &'static str,
    ops: &'static [OpDef],
    /// In-process steps with calls of their own (loop bodies such as `map line item`).
    steps: &'static [OpDef],
    /// Plain in-process work: leaves, or a few of the handler's database queries.
    internals: &'static [&'static str],
}

struct OpDef {
    name: &'static str,
    /// `"<service> <operation>"`; a leading `*` marks a call made once per item of a loop
    /// (N+1 queries, per-item RPCs, one message per batch), which may repeat up to the
    /// fan-out limit.
    calls: &'static [&'static str],
    /// SQL text for database operations.
    statement: &'static str,
}

const fn op(name: &'static str, calls: &'static [&'static str]) -> OpDef {
    OpDef {
        name,
        calls,
        statement: "",
    }
}

const fn sql(name: &'static str, statement: &'static str) -> OpDef {
    OpDef {
        name,
        calls: &[],
        statement,
    }
}

const VALIDATE: &str = "auth auth.AuthService/Validate";
const CONVERT: &str = "currency currency.CurrencyService/Convert";
const GET_PRICES: &str = "pricing pricing.PricingService/GetPrices";
const GET_USER: &str = "user user.UserService/GetUser";
const REDIS_GET: &str = "redis redis GET";

/// In-process work that waits on something outside the shop, with its own time range in
/// milliseconds (other work takes what its kind takes; see `shape.rs`).
const SLOW_WORK: &[(&str, f64, f64)] = &[
    // The marketplace's REST API, one page of orders per request.
    ("order-sync fetch orders page", 80.0, 600.0),
    ("email smtp send", 20.0, 250.0),
    // The card network.
    ("payment authorize card", 40.0, 400.0),
    ("recommendation score candidates", 5.0, 45.0),
];

/// Entry points of batch jobs (besides every frontend route, which serves shop requests).
const JOBS: &[&str] = &["order-sync POST /jobs/marketplace-sync"];

const SERVICES: &[ServiceDef] = &[
    ServiceDef {
        name: "frontend",
        lang: Lang::Node,
        kind: ServiceKind::App,
        version: "2.14.0",
        ops: &[
            op("GET /", &["api-gateway GET /api/products", "api-gateway GET /api/recommendations", "api-gateway GET /api/ads"]),
            op("GET /product/{id}", &["api-gateway GET /api/products/{id}", "api-gateway GET /api/recommendations", "api-gateway GET /api/reviews/{id}", "api-gateway GET /api/ads"]),
            op("GET /cart", &["api-gateway GET /api/cart", "api-gateway GET /api/recommendations"]),
            op("POST /cart/checkout", &["api-gateway GET /api/cart", "api-gateway POST /api/checkout"]),
            op("GET /search", &["api-gateway GET /api/search", "api-gateway GET /api/ads"]),
        ],
        steps: &[],
        internals: &["render page", "load session", "resolve feature flags"],
    },
    ServiceDef {
        name: "api-gateway",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "1.31.2",
        ops: &[
            op("GET /api/products", &[VALIDATE, "search search.SearchService/ListProducts", GET_PRICES, CONVERT]),
            op("GET /api/products/{id}", &[VALIDATE, "search search.SearchService/GetProduct", "inventory inventory.InventoryService/GetStock", GET_PRICES]),
            op("GET /api/recommendations", &[VALIDATE, "recommendation recommendation.RecommendationService/ListRecommendations"]),
            op("GET /api/ads", &["ad ad.AdService/GetAds"]),
            op("GET /api/reviews/{id}", &["review GET /reviews/{productId}"]),
            op("GET /api/cart", &[VALIDATE, "cart GET /cart/{userId}"]),
            op("POST /api/checkout", &[VALIDATE, "checkout checkout.CheckoutService/PlaceOrder"]),
            op("GET /api/search", &[VALIDATE, "search search.SearchService/Search"]),
        ],
        steps: &[],
        internals: &["route request", "rate limit check"],
    },
    ServiceDef {
        name: "auth",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "3.2.0",
        ops: &[
            op("auth.AuthService/Validate", &[REDIS_GET, GET_USER]),
            op("auth.AuthService/IssueToken", &[REDIS_GET, "postgres SELECT api_clients"]),
        ],
        steps: &[],
        internals: &["verify jwt", "load signing keys"],
    },
    ServiceDef {
        name: "user",
        lang: Lang::Java,
        kind: ServiceKind::App,
        version: "5.0.3",
        ops: &[
            op("user.UserService/GetUser", &["postgres SELECT users", REDIS_GET]),
            op("user.UserService/GetAddress", &["postgres SELECT addresses"]),
            op("user.UserService/ListOrders", &["postgres SELECT orders", REDIS_GET]),
            op("user.UserService/GetPreferences", &["postgres SELECT user_preferences", REDIS_GET]),
        ],
        steps: &[],
        internals: &["map user profile"],
    },
    ServiceDef {
        name: "cart",
        lang: Lang::DotNet,
        kind: ServiceKind::App,
        version: "1.8.1",
        ops: &[
            // One price lookup per cart line: the N+1 pattern.
            op("GET /cart/{userId}", &["redis redis HGETALL", "*pricing pricing.PricingService/GetPrices"]),
            op("cart.CartService/EmptyCart", &["redis redis DEL"]),
        ],
        steps: &[],
        internals: &["deserialize cart", "merge guest cart"],
    },
    ServiceDef {
        name: "checkout",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "4.6.0",
        ops: &[
            op(
                "checkout.CheckoutService/PlaceOrder",
                &[
                    "cart GET /cart/{userId}",
                    "user user.UserService/GetAddress",
                    "postgres SELECT orders",
                    "*inventory inventory.InventoryService/Reserve",
                    CONVERT,
                    "shipping shipping.ShippingService/GetQuote",
                    "payment payment.PaymentService/Charge",
                    "shipping shipping.ShippingService/ShipOrder",
                    "postgres INSERT orders",
                    "kafka kafka.produce orders",
                    "cart cart.CartService/EmptyCart",
                ],
            ),
            // An order that arrives from a marketplace: no cart, line items mapped one by one.
            op(
                "checkout.CheckoutService/ImportOrder",
                &[
                    "*checkout map line item",
                    GET_USER,
                    CONVERT,
                    "shipping shipping.ShippingService/GetQuote",
                    "payment payment.PaymentService/Charge",
                    "shipping shipping.ShippingService/ShipOrder",
                    "postgres INSERT orders",
                    "kafka kafka.produce orders",
                ],
            ),
        ],
        steps: &[op(
            "map line item",
            &["search search.SearchService/GetProduct", "inventory inventory.InventoryService/Reserve", GET_PRICES],
        )],
        internals: &["validate order", "compute totals", "prepare order items"],
    },
    ServiceDef {
        name: "payment",
        lang: Lang::Node,
        kind: ServiceKind::App,
        version: "2.3.7",
        ops: &[op("payment.PaymentService/Charge", &[CONVERT, "postgres INSERT payments", "kafka kafka.produce payments"])],
        steps: &[],
        internals: &["fraud check", "authorize card"],
    },
    ServiceDef {
        name: "inventory",
        lang: Lang::Java,
        kind: ServiceKind::App,
        version: "1.12.0",
        ops: &[
            op("inventory.InventoryService/GetStock", &["postgres SELECT stock", REDIS_GET]),
            op("inventory.InventoryService/Reserve", &["postgres SELECT stock", "postgres UPDATE stock"]),
        ],
        steps: &[],
        internals: &["check warehouse"],
    },
    ServiceDef {
        name: "shipping",
        lang: Lang::Rust,
        kind: ServiceKind::App,
        version: "0.9.4",
        ops: &[
            op("shipping.ShippingService/GetQuote", &[CONVERT, "postgres SELECT shipping_rates"]),
            op("shipping.ShippingService/ShipOrder", &["postgres INSERT shipments", "kafka kafka.produce shipments"]),
        ],
        steps: &[],
        internals: &["compute parcel size", "pick carrier"],
    },
    ServiceDef {
        name: "recommendation",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "0.21.0",
        ops: &[
            op(
                "recommendation.RecommendationService/ListRecommendations",
                &["search search.SearchService/ListProducts", GET_USER, REDIS_GET],
            ),
            // Learns co-purchases from every order.
            op("kafka.consume orders", &["redis redis ZINCRBY", "postgres INSERT purchase_events"]),
        ],
        steps: &[],
        internals: &["load model features", "score candidates"],
    },
    ServiceDef {
        name: "search",
        lang: Lang::Java,
        kind: ServiceKind::App,
        version: "7.4.1",
        ops: &[
            op("search.SearchService/Search", &["postgres SELECT products", REDIS_GET, GET_PRICES, "*inventory inventory.InventoryService/GetStock"]),
            op("search.SearchService/ListProducts", &["postgres SELECT products", REDIS_GET]),
            op("search.SearchService/GetProduct", &["postgres SELECT products", REDIS_GET]),
        ],
        steps: &[],
        internals: &["parse query", "rank results"],
    },
    ServiceDef {
        name: "notification",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "1.5.2",
        ops: &[
            op("kafka.consume orders", &["email POST /send", GET_USER]),
            op("kafka.consume shipments", &["email POST /send", GET_USER, "review POST /invitations"]),
        ],
        steps: &[],
        internals: &["render template", "resolve recipients"],
    },
    ServiceDef {
        name: "email",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "1.1.0",
        ops: &[op("POST /send", &["postgres INSERT email_log", "user user.UserService/GetPreferences"])],
        steps: &[],
        internals: &["render template", "smtp send"],
    },
    ServiceDef {
        name: "pricing",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "2.0.5",
        ops: &[op("pricing.PricingService/GetPrices", &[CONVERT, "redis redis MGET", "postgres SELECT prices"])],
        steps: &[],
        internals: &["apply discounts"],
    },
    ServiceDef {
        name: "currency",
        lang: Lang::Node,
        kind: ServiceKind::App,
        version: "1.4.0",
        ops: &[op("currency.CurrencyService/Convert", &[REDIS_GET])],
        steps: &[],
        internals: &["load rates"],
    },
    ServiceDef {
        name: "ad",
        lang: Lang::Java,
        kind: ServiceKind::App,
        version: "1.0.9",
        ops: &[
            op("ad.AdService/GetAds", &[REDIS_GET, "postgres SELECT ads"]),
            // Conversion tracking: which ad led to the order.
            op("kafka.consume orders", &["postgres INSERT ad_conversions"]),
        ],
        steps: &[],
        internals: &["select ads"],
    },
    ServiceDef {
        name: "review",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "0.8.3",
        ops: &[
            // One author lookup per review: the N+1 pattern.
            op("GET /reviews/{productId}", &["postgres SELECT reviews", "*user user.UserService/GetUser", REDIS_GET]),
            op("POST /invitations", &["postgres INSERT review_invitations", GET_USER]),
        ],
        steps: &[],
        internals: &["aggregate ratings"],
    },
    ServiceDef {
        // A nightly job that pulls orders from the marketplaces the shop sells on: for each
        // marketplace, each seller account, each time window, page through the orders and
        // publish each page in batches; a consumer imports every order of a batch.
        name: "order-sync",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "0.7.2",
        ops: &[
            op("POST /jobs/marketplace-sync", &["postgres SELECT marketplaces", "*order-sync sync marketplace", "postgres INSERT sync_runs"]),
            op("kafka.consume marketplace-orders", &["*checkout checkout.CheckoutService/ImportOrder", "postgres UPDATE sync_runs"]),
        ],
        steps: &[
            op("sync marketplace", &["auth auth.AuthService/IssueToken", "*order-sync sync seller account"]),
            op("sync seller account", &["postgres SELECT sync_cursors", "*order-sync sync time window", "postgres UPDATE sync_cursors"]),
            op("sync time window", &["*order-sync fetch orders page"]),
            op("fetch orders page", &["redis redis SET", "*kafka kafka.produce marketplace-orders"]),
        ],
        internals: &["load job config", "acquire job lock"],
    },
    ServiceDef {
        name: "postgres",
        lang: Lang::Go,
        kind: ServiceKind::Postgres,
        version: "16.2",
        ops: &[
            sql("SELECT users", "SELECT id, name, email FROM users WHERE id = $1"),
            sql("SELECT addresses", "SELECT street, city, zip, country FROM addresses WHERE user_id = $1"),
            sql("SELECT orders", "SELECT id, status, total FROM orders WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20"),
            sql("INSERT orders", "INSERT INTO orders (id, user_id, total, currency) VALUES ($1, $2, $3, $4)"),
            sql("INSERT payments", "INSERT INTO payments (order_id, amount, currency, status) VALUES ($1, $2, $3, $4)"),
            sql("SELECT stock", "SELECT sku, quantity FROM stock WHERE sku = ANY($1)"),
            sql("UPDATE stock", "UPDATE stock SET quantity = quantity - $1 WHERE sku = $2 AND quantity >= $1"),
            sql("SELECT shipping_rates", "SELECT carrier, rate FROM shipping_rates WHERE zone = $1"),
            sql("INSERT shipments", "INSERT INTO shipments (order_id, carrier, tracking_id) VALUES ($1, $2, $3)"),
            sql("SELECT products", "SELECT id, name, description, price_cents FROM products WHERE category = $1 LIMIT 50"),
            sql("INSERT email_log", "INSERT INTO email_log (recipient, template, sent_at) VALUES ($1, $2, now())"),
            sql("SELECT prices", "SELECT sku, price_cents, currency FROM prices WHERE sku = ANY($1)"),
            sql("SELECT ads", "SELECT id, text, url FROM ads WHERE context = $1"),
            sql("SELECT reviews", "SELECT rating, body, author_id FROM reviews WHERE product_id = $1"),
            sql("SELECT user_preferences", "SELECT channel, opted_in FROM user_preferences WHERE user_id = $1"),
            sql("SELECT api_clients", "SELECT client_id, secret_ref, scopes FROM api_clients WHERE name = $1"),
            sql("INSERT purchase_events", "INSERT INTO purchase_events (user_id, sku, order_id, at) VALUES ($1, $2, $3, now())"),
            sql("INSERT ad_conversions", "INSERT INTO ad_conversions (ad_id, order_id, value_cents) VALUES ($1, $2, $3)"),
            sql("INSERT review_invitations", "INSERT INTO review_invitations (order_id, user_id, send_after) VALUES ($1, $2, $3)"),
            sql("SELECT marketplaces", "SELECT id, name, api_base FROM marketplaces WHERE enabled"),
            sql("INSERT sync_runs", "INSERT INTO sync_runs (job, started_at, status) VALUES ($1, now(), $2)"),
            sql("UPDATE sync_runs", "UPDATE sync_runs SET imported = imported + $1 WHERE id = $2"),
            sql("SELECT sync_cursors", "SELECT cursor, synced_until FROM sync_cursors WHERE account_id = $1"),
            sql("UPDATE sync_cursors", "UPDATE sync_cursors SET cursor = $1, synced_until = $2 WHERE account_id = $3"),
        ],
        steps: &[],
        internals: &[],
    },
    ServiceDef {
        name: "redis",
        lang: Lang::Go,
        kind: ServiceKind::Redis,
        version: "7.2.4",
        ops: &[
            sql("redis GET", "GET"),
            sql("redis HGETALL", "HGETALL"),
            sql("redis DEL", "DEL"),
            sql("redis MGET", "MGET"),
            sql("redis SET", "SET"),
            sql("redis ZINCRBY", "ZINCRBY"),
        ],
        steps: &[],
        internals: &[],
    },
    ServiceDef {
        name: "kafka",
        lang: Lang::Java,
        kind: ServiceKind::Kafka,
        version: "3.7.0",
        ops: &[
            // A topic's calls are its consumer groups.
            op(
                "kafka.produce orders",
                &["notification kafka.consume orders", "recommendation kafka.consume orders", "ad kafka.consume orders"],
            ),
            op("kafka.produce shipments", &["notification kafka.consume shipments"]),
            op("kafka.produce payments", &[]),
            op("kafka.produce marketplace-orders", &["order-sync kafka.consume marketplace-orders"]),
        ],
        steps: &[],
        internals: &[],
    },
];

/// One service of the catalogue.
#[derive(Clone, Debug)]
pub struct Service {
    pub name: &'static str,
    pub lang: Lang,
    pub kind: ServiceKind,
    pub version: &'static str,
    /// Operations it serves (indices into [`Catalogue::ops`]).
    pub ops: Vec<u16>,
    /// Its in-process steps that have calls of their own (indices into [`Catalogue::ops`]).
    pub steps: Vec<u16>,
    /// Its plain in-process operations (indices into [`Catalogue::ops`]).
    pub internals: Vec<u16>,
}

/// One call on an operation's list.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Call {
    /// The callee (index into [`Catalogue::ops`]).
    pub op: u16,
    /// Made once per item of a loop (written `*` in the tables): may repeat.
    pub per_item: bool,
}

/// One operation of the catalogue.
#[derive(Clone, Debug)]
pub struct Op {
    pub service: u16,
    pub name: &'static str,
    pub proto: Proto,
    /// SQL text or Redis command for database operations.
    pub statement: &'static str,
    /// What this operation calls, in the order it calls them. For a Kafka topic: its
    /// consumer groups.
    pub calls: Vec<Call>,
    /// Time range of its own work in milliseconds, when it waits on something slow.
    pub slow_ms: Option<(f64, f64)>,
}

/// The resolved catalogue.
#[derive(Clone, Debug)]
pub struct Catalogue {
    pub services: Vec<Service>,
    pub ops: Vec<Op>,
    /// Calls that named an unknown service or operation (always empty; checked by a test).
    pub unresolved: Vec<&'static str>,
    /// Operations a trace can start with: every frontend route (shop requests), then the
    /// batch jobs ([`Catalogue::jobs`]).
    pub entries: Vec<u16>,
    /// The batch jobs among [`Catalogue::entries`].
    pub jobs: Vec<u16>,
}

fn proto_of(kind: ServiceKind, name: &'static str) -> Proto {
    match kind {
        ServiceKind::Postgres => {
            let (operation, table) = name.split_once(' ').unwrap_or((name, ""));
            Proto::Sql { operation, table }
        }
        ServiceKind::Redis => Proto::Redis {
            command: name.strip_prefix("redis ").unwrap_or(name),
        },
        ServiceKind::Kafka => Proto::Produce {
            topic: name.strip_prefix("kafka.produce ").unwrap_or(name),
        },
        ServiceKind::App => {
            if let Some(topic) = name.strip_prefix("kafka.consume ") {
                Proto::Consume { topic }
            } else if let Some((method, route)) = name.split_once(' ') {
                Proto::Http { method, route }
            } else if let Some((service, method)) = name.split_once('/') {
                Proto::Grpc { service, method }
            } else {
                Proto::Internal
            }
        }
    }
}

/// The services of [`SERVICES`] and their operations (served ones, steps, then plain
/// steps, service after service), without calls; and the definitions of the operations
/// that have call lists, by operation index, for [`resolve_calls`].
fn services_and_ops() -> (Vec<Service>, Vec<Op>, Vec<(u16, &'static OpDef)>) {
    let mut services = Vec::with_capacity(SERVICES.len());
    let mut ops: Vec<Op> = Vec::new();
    let mut defined: Vec<(u16, &'static OpDef)> = Vec::new();
    for (si, def) in SERVICES.iter().enumerate() {
        let mut service = Service {
            name: def.name,
            lang: def.lang,
            kind: def.kind,
            version: def.version,
            ops: Vec::new(),
            steps: Vec::new(),
            internals: Vec::new(),
        };
        for o in def.ops {
            let i = new_op(
                &mut ops,
                si,
                o.name,
                proto_of(def.kind, o.name),
                o.statement,
            );
            service.ops.push(i);
            defined.push((i, o));
        }
        for o in def.steps {
            let i = new_op(&mut ops, si, o.name, Proto::Internal, "");
            service.steps.push(i);
            defined.push((i, o));
        }
        for name in def.internals {
            let i = new_op(&mut ops, si, name, Proto::Internal, "");
            service.internals.push(i);
        }
        services.push(service);
    }
    (services, ops, defined)
}

/// Appends an operation of service `si` without calls; returns its index.
fn new_op(
    ops: &mut Vec<Op>,
    si: usize,
    name: &'static str,
    proto: Proto,
    statement: &'static str,
) -> u16 {
    ops.push(Op {
        service: si as u16,
        name,
        proto,
        statement,
        calls: Vec::new(),
        slow_ms: None,
    });
    ops.len() as u16 - 1
}

/// Fills the call lists of the `defined` operations from their `"<service> <operation>"`
/// texts; returns the texts that name no operation.
fn resolve_calls(ops: &mut [Op], defined: &[(u16, &'static OpDef)]) -> Vec<&'static str> {
    let mut unresolved = Vec::new();
    for &(idx, def) in defined {
        for call in def.calls {
            let per_item = call.starts_with('*');
            let found = call
                .trim_start_matches('*')
                .split_once(' ')
                .and_then(|(svc, name)| {
                    ops.iter()
                        .position(|op| op.name == name && SERVICES[op.service as usize].name == svc)
                });
            match found {
                Some(target) => ops[idx as usize].calls.push(Call {
                    op: target as u16,
                    per_item,
                }),
                None => unresolved.push(*call),
            }
        }
    }
    unresolved
}

impl Catalogue {
    /// Resolves the static tables. What cannot be resolved is listed in `unresolved`.
    pub fn new() -> Catalogue {
        let (services, mut ops, defined) = services_and_ops();
        let unresolved = resolve_calls(&mut ops, &defined);
        let mut catalogue = Catalogue {
            services,
            ops,
            unresolved,
            entries: Vec::new(),
            jobs: Vec::new(),
        };
        catalogue.resolve_slow_work();
        catalogue.resolve_jobs();
        catalogue.entries = catalogue
            .service_index("frontend")
            .and_then(|s| catalogue.services.get(s as usize))
            .map(|s| s.ops.clone())
            .unwrap_or_default();
        catalogue.entries.extend_from_slice(&catalogue.jobs);
        catalogue
    }

    /// Gives the operations named in [`SLOW_WORK`] their time range.
    fn resolve_slow_work(&mut self) {
        for &(name, lo, hi) in SLOW_WORK {
            let found = name
                .split_once(' ')
                .and_then(|(svc, op)| self.op_index(svc, op));
            match found {
                Some(i) => self.ops[i as usize].slow_ms = Some((lo, hi)),
                None => self.unresolved.push(name),
            }
        }
    }

    /// Lists the operations named in [`JOBS`] as the batch jobs.
    fn resolve_jobs(&mut self) {
        for job in JOBS {
            let found = job
                .split_once(' ')
                .and_then(|(svc, name)| self.op_index(svc, name));
            match found {
                Some(i) => self.jobs.push(i),
                None => self.unresolved.push(job),
            }
        }
    }

    /// Index of the service named `name`.
    pub fn service_index(&self, name: &str) -> Option<u16> {
        self.services
            .iter()
            .position(|s| s.name == name)
            .map(|i| i as u16)
    }

    /// Index of operation `name` of service `service`.
    pub fn op_index(&self, service: &str, name: &str) -> Option<u16> {
        let si = self.service_index(service)?;
        self.ops
            .iter()
            .position(|o| o.service == si && o.name == name)
            .map(|i| i as u16)
    }

    /// The entry point named `name` (see [`Catalogue::entries`]).
    pub fn entry_index(&self, name: &str) -> Option<u16> {
        self.entries
            .iter()
            .copied()
            .find(|&o| self.ops[o as usize].name == name)
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_resolves() {
        let c = Catalogue::new();
        assert!(c.unresolved.is_empty(), "{:?}", c.unresolved);
        assert_eq!(c.services.len(), 21);
        let checkout = c
            .op_index("checkout", "checkout.CheckoutService/PlaceOrder")
            .unwrap();
        assert_eq!(c.ops[checkout as usize].calls.len(), 11);
        assert!(matches!(
            c.ops[checkout as usize].proto,
            Proto::Grpc {
                method: "PlaceOrder",
                ..
            }
        ));
        let sel = c.op_index("postgres", "SELECT orders").unwrap();
        assert!(matches!(
            c.ops[sel as usize].proto,
            Proto::Sql {
                operation: "SELECT",
                table: "orders"
            }
        ));
        // Per-item calls are marked; steps are in-process.
        let import = c
            .op_index("checkout", "checkout.CheckoutService/ImportOrder")
            .unwrap();
        let first = c.ops[import as usize].calls[0];
        assert!(first.per_item);
        assert_eq!(c.ops[first.op as usize].proto, Proto::Internal);
        assert!(c.services[c.service_index("checkout").unwrap() as usize]
            .steps
            .contains(&first.op));
        // Entry points: the frontend routes, then the batch job.
        let job = c
            .op_index("order-sync", "POST /jobs/marketplace-sync")
            .unwrap();
        assert_eq!(c.jobs, vec![job]);
        assert_eq!(c.entries.len(), 6);
        assert_eq!(c.entries.last(), Some(&job));
        assert_eq!(
            c.entry_index("GET /cart"),
            c.op_index("frontend", "GET /cart")
        );
    }

    #[test]
    fn app_services_have_internal_work() {
        let c = Catalogue::new();
        for s in &c.services {
            assert_eq!(
                s.kind == ServiceKind::App,
                !s.internals.is_empty(),
                "{}",
                s.name
            );
        }
    }

    #[test]
    fn no_service_calls_itself_remotely() {
        // A client span and its server span in the same service with the same operation
        // would read as an operation nested in itself.
        let c = Catalogue::new();
        for op in &c.ops {
            for call in &op.calls {
                let callee = &c.ops[call.op as usize];
                assert!(
                    callee.service != op.service || callee.proto == Proto::Internal,
                    "{} calls {} remotely in its own service",
                    op.name,
                    callee.name
                );
            }
        }
    }
}
