//! The made-up online shop the generator draws traces from: twenty services, the operations
//! each one serves, and which operations each one calls. Calls are written as
//! `"<service> <operation>"` and resolved to indices once per generator run.
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
    internals: &'static [&'static str],
}

struct OpDef {
    name: &'static str,
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
        internals: &["route request", "rate limit check"],
    },
    ServiceDef {
        name: "auth",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "3.2.0",
        ops: &[op("auth.AuthService/Validate", &[REDIS_GET, GET_USER])],
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
        ],
        internals: &["map user profile"],
    },
    ServiceDef {
        name: "cart",
        lang: Lang::DotNet,
        kind: ServiceKind::App,
        version: "1.8.1",
        ops: &[
            op("GET /cart/{userId}", &["redis redis HGETALL", GET_PRICES]),
            op("cart.CartService/EmptyCart", &["redis redis DEL"]),
        ],
        internals: &["deserialize cart", "merge guest cart"],
    },
    ServiceDef {
        name: "checkout",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "4.6.0",
        ops: &[op(
            "checkout.CheckoutService/PlaceOrder",
            &[
                "cart GET /cart/{userId}",
                "user user.UserService/GetAddress",
                "postgres SELECT orders",
                "inventory inventory.InventoryService/Reserve",
                CONVERT,
                "shipping shipping.ShippingService/GetQuote",
                "payment payment.PaymentService/Charge",
                "shipping shipping.ShippingService/ShipOrder",
                "postgres INSERT orders",
                "kafka kafka.produce orders",
                "cart cart.CartService/EmptyCart",
            ],
        )],
        internals: &["validate order", "compute totals", "prepare order items"],
    },
    ServiceDef {
        name: "payment",
        lang: Lang::Node,
        kind: ServiceKind::App,
        version: "2.3.7",
        ops: &[op("payment.PaymentService/Charge", &[CONVERT, "postgres INSERT payments", "kafka kafka.produce payments"])],
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
        internals: &["compute parcel size", "pick carrier"],
    },
    ServiceDef {
        name: "recommendation",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "0.21.0",
        ops: &[op(
            "recommendation.RecommendationService/ListRecommendations",
            &["search search.SearchService/ListProducts", GET_USER, REDIS_GET],
        )],
        internals: &["load model features", "score candidates"],
    },
    ServiceDef {
        name: "search",
        lang: Lang::Java,
        kind: ServiceKind::App,
        version: "7.4.1",
        ops: &[
            op("search.SearchService/Search", &["postgres SELECT products", REDIS_GET, GET_PRICES, "inventory inventory.InventoryService/GetStock"]),
            op("search.SearchService/ListProducts", &["postgres SELECT products", REDIS_GET]),
            op("search.SearchService/GetProduct", &["postgres SELECT products", REDIS_GET]),
        ],
        internals: &["parse query", "rank results"],
    },
    ServiceDef {
        name: "notification",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "1.5.2",
        ops: &[
            op("kafka.consume orders", &["email POST /send", GET_USER]),
            op("kafka.consume shipments", &["email POST /send", GET_USER]),
        ],
        internals: &["render template", "resolve recipients"],
    },
    ServiceDef {
        name: "email",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "1.1.0",
        ops: &[op("POST /send", &["postgres INSERT email_log"])],
        internals: &["render template", "smtp send"],
    },
    ServiceDef {
        name: "pricing",
        lang: Lang::Go,
        kind: ServiceKind::App,
        version: "2.0.5",
        ops: &[op("pricing.PricingService/GetPrices", &[CONVERT, "redis redis MGET", "postgres SELECT prices"])],
        internals: &["apply discounts"],
    },
    ServiceDef {
        name: "currency",
        lang: Lang::Node,
        kind: ServiceKind::App,
        version: "1.4.0",
        ops: &[op("currency.CurrencyService/Convert", &[REDIS_GET])],
        internals: &["load rates"],
    },
    ServiceDef {
        name: "ad",
        lang: Lang::Java,
        kind: ServiceKind::App,
        version: "1.0.9",
        ops: &[op("ad.AdService/GetAds", &[REDIS_GET, "postgres SELECT ads"])],
        internals: &["select ads"],
    },
    ServiceDef {
        name: "review",
        lang: Lang::Python,
        kind: ServiceKind::App,
        version: "0.8.3",
        ops: &[op("GET /reviews/{productId}", &["postgres SELECT reviews", GET_USER, REDIS_GET])],
        internals: &["aggregate ratings"],
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
        ],
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
        ],
        internals: &[],
    },
    ServiceDef {
        name: "kafka",
        lang: Lang::Java,
        kind: ServiceKind::Kafka,
        version: "3.7.0",
        ops: &[
            op("kafka.produce orders", &["notification kafka.consume orders"]),
            op("kafka.produce shipments", &["notification kafka.consume shipments"]),
            op("kafka.produce payments", &[]),
        ],
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
    /// Its in-process operations (indices into [`Catalogue::ops`]).
    pub internals: Vec<u16>,
}

/// One operation of the catalogue.
#[derive(Clone, Debug)]
pub struct Op {
    pub service: u16,
    pub name: &'static str,
    pub proto: Proto,
    /// SQL text or Redis command for database operations.
    pub statement: &'static str,
    /// Operations this one calls (indices into [`Catalogue::ops`]).
    pub calls: Vec<u16>,
}

/// The resolved catalogue.
#[derive(Clone, Debug)]
pub struct Catalogue {
    pub services: Vec<Service>,
    pub ops: Vec<Op>,
    /// Calls that named an unknown service or operation (always empty; checked by a test).
    pub unresolved: Vec<&'static str>,
    /// Per operation: spans in its subtree when it calls everything on its list once
    /// (client spans included). Steers big span budgets towards deep call graphs.
    pub natural_size: Vec<u32>,
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

impl Catalogue {
    /// Resolves the static tables.
    pub fn new() -> Catalogue {
        let mut services = Vec::with_capacity(SERVICES.len());
        let mut ops: Vec<Op> = Vec::new();
        for (si, def) in SERVICES.iter().enumerate() {
            let mut service = Service {
                name: def.name,
                lang: def.lang,
                kind: def.kind,
                version: def.version,
                ops: Vec::new(),
                internals: Vec::new(),
            };
            for o in def.ops {
                service.ops.push(ops.len() as u16);
                ops.push(Op {
                    service: si as u16,
                    name: o.name,
                    proto: proto_of(def.kind, o.name),
                    statement: o.statement,
                    calls: Vec::new(),
                });
            }
            for name in def.internals {
                service.internals.push(ops.len() as u16);
                ops.push(Op {
                    service: si as u16,
                    name,
                    proto: Proto::Internal,
                    statement: "",
                    calls: Vec::new(),
                });
            }
            services.push(service);
        }
        let mut unresolved = Vec::new();
        for (si, def) in SERVICES.iter().enumerate() {
            for (j, o) in def.ops.iter().enumerate() {
                let idx = services[si].ops[j] as usize;
                for call in o.calls {
                    let found = call.split_once(' ').and_then(|(svc, name)| {
                        ops.iter().position(|op| {
                            op.name == name && SERVICES[op.service as usize].name == svc
                        })
                    });
                    match found {
                        Some(target) => ops[idx].calls.push(target as u16),
                        None => unresolved.push(*call),
                    }
                }
            }
        }
        let natural_size = natural_sizes(&services, &ops);
        Catalogue {
            services,
            ops,
            unresolved,
            natural_size,
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
}

/// [`Catalogue::natural_size`] of every operation, children first (the call graph is a
/// small static DAG; a cycle, were one added, would count as size 1).
fn natural_sizes(services: &[Service], ops: &[Op]) -> Vec<u32> {
    const UNKNOWN: u32 = 0;
    let mut size = vec![UNKNOWN; ops.len()];
    let mut visiting = vec![false; ops.len()];
    // Iterative post-order over the call graph.
    for root in 0..ops.len() {
        let mut stack: Vec<(usize, bool)> = vec![(root, false)];
        while let Some((op, expanded)) = stack.pop() {
            if size[op] != UNKNOWN {
                continue;
            }
            if expanded {
                visiting[op] = false;
                let total: u32 = ops[op]
                    .calls
                    .iter()
                    .map(|&c| {
                        let callee = &ops[c as usize];
                        let remote = services[callee.service as usize].kind == ServiceKind::App;
                        size[c as usize].max(1) + u32::from(remote)
                    })
                    .sum();
                size[op] = 1 + total;
            } else if visiting[op] {
                size[op] = 1;
            } else {
                visiting[op] = true;
                stack.push((op, true));
                for &c in &ops[op].calls {
                    if size[c as usize] == UNKNOWN && !visiting[c as usize] {
                        stack.push((c as usize, false));
                    }
                }
            }
        }
    }
    size
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
        assert_eq!(c.services.len(), 20);
        let checkout = c
            .op_index("checkout", "checkout.CheckoutService/PlaceOrder")
            .unwrap();
        assert_eq!(c.ops[checkout as usize].calls.len(), 11);
        let size = |svc: &str, op: &str| c.natural_size[c.op_index(svc, op).unwrap() as usize];
        assert_eq!(size("postgres", "SELECT orders"), 1);
        assert_eq!(size("currency", "currency.CurrencyService/Convert"), 2);
        // Client span + Convert (2) + SELECT shipping_rates (1) + the server span itself.
        assert_eq!(
            size("shipping", "shipping.ShippingService/GetQuote"),
            1 + 3 + 1
        );
        assert!(size("checkout", "checkout.CheckoutService/PlaceOrder") > 40);
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
}
