//! What the user asks to load, turned into [`Source`]s for the import worker: picked or
//! dropped files, and URLs (`?url=`, the URL field, bundled examples).

use super::state::View;
use crate::worker::protocol::Source;

/// A URL as the user typed it, resolved against the page (so `examples/x.json` works from
/// any page path; the worker fetches from its own location). `None` for blank input.
pub fn url_source(input: &str) -> Option<Source> {
    let name = input.trim().to_string();
    if name.is_empty() {
        return None;
    }
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten());
    let absolute = base
        .and_then(|b| web_sys::Url::new_with_base(&name, &b).ok())
        .map(|u| u.href())
        .unwrap_or_else(|| name.clone());
    Some(Source::Url {
        name,
        url: absolute,
        backend: None,
    })
}

/// The `url` query parameter of the page, if any.
pub fn url_from_query() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("url").filter(|u| !u.trim().is_empty())
}

/// The view the page's URL fragment names (`#view=graph`), if any.
pub fn view_in_fragment() -> Option<View> {
    let hash = web_sys::window()?.location().hash().ok()?;
    View::from_fragment(&hash)
}
