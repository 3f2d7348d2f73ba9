//! Deep links: what the page's URL fragment keeps of the view, so that a copied link
//! reopens it in a fresh page (`?url=` names what to load):
//! `#trace=<hex>&span=<hex>&t=<start>-<end>&q=<query>&view=graph`, with the zoom window `t`
//! in ns from the trace's start. Unknown keys and malformed values are ignored: a link
//! never fails, it shows what it can.

use super::View;
use crate::url::{decode, encode};

/// The view a link names. `None`s are left as they are when it is opened.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Link {
    pub view: Option<View>,
    /// Trace and span ids as the page shows them (hex, or the file's own text for ids that
    /// are not, such as X-Ray's).
    pub trace: Option<String>,
    pub span: Option<String>,
    /// The zoom window, ns from the trace's start.
    pub window: Option<(i64, i64)>,
    /// The span search.
    pub query: Option<String>,
}

impl Link {
    /// The link in a URL fragment (with or without its `#`).
    pub fn parse(fragment: &str) -> Link {
        let mut link = Link::default();
        for pair in fragment.trim_start_matches('#').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            match key {
                "view" => link.view = View::from_fragment(&format!("view={value}")),
                "trace" => link.trace = id_text(&value),
                "span" => link.span = id_text(&value),
                "t" => link.window = window(&value),
                "q" => link.query = Some(value).filter(|q| !q.is_empty()),
                _ => {}
            }
        }
        link
    }

    /// The fragment (without `#`; empty when there is nothing to keep). The waterfall,
    /// the default view, is left out.
    pub fn to_fragment(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.trace {
            parts.push(format!("trace={}", encode(t)));
        }
        if let Some(s) = &self.span {
            parts.push(format!("span={}", encode(s)));
        }
        if let Some((a, b)) = self.window {
            parts.push(format!("t={a}-{b}"));
        }
        if let Some(q) = &self.query {
            parts.push(format!("q={}", encode(q)));
        }
        if let Some(view) = self.view.filter(|v| *v != View::Waterfall) {
            parts.push(format!("view={}", view.name()));
        }
        parts.join("&")
    }
}

/// An id as the page shows it: letters, digits and `-_.:`, at most 128 of them.
fn id_text(value: &str) -> Option<String> {
    let v = value.trim();
    let ok = |b: u8| b.is_ascii_alphanumeric() || b"-_.:".contains(&b);
    (!v.is_empty() && v.len() <= 128 && v.bytes().all(ok)).then(|| v.to_string())
}

/// `<start>-<end>` in ns, `0 <= start < end`.
fn window(value: &str) -> Option<(i64, i64)> {
    let (a, b) = value.split_once('-')?;
    let (a, b) = (a.parse::<i64>().ok()?, b.parse::<i64>().ok()?);
    (0 <= a && a < b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_through_the_fragment() {
        let link = Link {
            view: Some(View::Graph),
            trace: Some("4bf92f3577b34da6a3ce929d0e0e4736".into()),
            span: Some("00f067aa0ba902b7".into()),
            window: Some((1_200_000, 3_400_000)),
            query: Some(r#"service:cart op:"GET /cart" -error & 100%"#.into()),
        };
        let fragment = link.to_fragment();
        assert!(fragment.starts_with(
            "trace=4bf92f3577b34da6a3ce929d0e0e4736&span=00f067aa0ba902b7&t=1200000-3400000&q="
        ));
        assert!(fragment.ends_with("&view=graph"));
        assert!(!fragment[fragment.find("q=").unwrap()..].contains(' '));
        assert_eq!(Link::parse(&fragment), link);
        assert_eq!(Link::parse(&format!("#{fragment}")), link);
        assert_eq!(Link::default().to_fragment(), "");
        let unicode = Link {
            query: Some("café ü".into()),
            ..Link::default()
        };
        assert_eq!(Link::parse(&unicode.to_fragment()), unicode);
    }

    #[test]
    fn odd_fragments_give_what_they_can() {
        let link = Link::parse("#trace=ABC&span=x%20y&t=5-2&q=%E&view=flame&other=1&view");
        assert_eq!(link.trace.as_deref(), Some("ABC"));
        assert_eq!((link.span, link.window, link.view), (None, None, None));
        assert_eq!(link.query.as_deref(), Some("%E"));
        assert_eq!(Link::parse("view=waterfall").view, Some(View::Waterfall));
        assert_eq!(Link::parse("t=-1-5").window, None);
        assert_eq!(
            Link::parse("t=0-99999999999").window,
            Some((0, 99_999_999_999))
        );
        assert_eq!(Link::parse(""), Link::default());
        let xray = Link::parse("trace=1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(
            xray.trace.as_deref(),
            Some("1-5759e988-bd862e3fe1be46a994272793")
        );
        assert_eq!(
            Link::parse("q=a%2"),
            Link {
                query: Some("a%2".into()),
                ..Link::default()
            }
        );
    }
}
