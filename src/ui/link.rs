//! Deep links: the page's URL fragment follows the view (`state::Link`: trace, span, zoom
//! window, search, view), so a copied link reopens it in a fresh page. Choosing another
//! trace or span adds a history entry, so back and forward step through selections; other
//! changes (search, zoom, view) replace the current one, the zoom once it has settled.
//! The query (`?url=`, `?backend=…&trace=…`: where the data came from) is kept.

use super::state::{Action, Link, PageState};
use gloo::events::EventListener;
use gloo::timers::callback::Timeout;
use spanorama_core::backend::Backend;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use yew::prelude::*;

/// The zoom is written to the URL this long after it last changed, ms (browsers limit how
/// often a page may rewrite its history).
const WINDOW_SETTLE_MS: u32 = 400;

/// What the URL is made from: the state's link and the waterfall's zoom window.
#[derive(Default)]
struct Keeper {
    link: Link,
    window: Option<(i64, i64)>,
    timer: Option<Timeout>,
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

impl Keeper {
    /// Writes the URL if it says something else: a new entry when `select` and the trace
    /// or span changed from one the URL named, else in place. Nothing while the state has
    /// no trace and the URL names one (a link waiting for its data).
    fn write(&self, select: bool) {
        let mut link = self.link.clone();
        link.window = self.window.filter(|_| link.trace.is_some());
        let shown = Link::parse(&location_hash());
        if link.trace.is_none() && shown.trace.is_some() {
            return;
        }
        let fragment = link.to_fragment();
        if fragment == location_hash().trim_start_matches('#') {
            return;
        }
        let moved = shown.trace.is_some() && (shown.trace != link.trace || shown.span != link.span);
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let base = format!(
            "{}{}",
            location.pathname().unwrap_or_default(),
            location.search().unwrap_or_default()
        );
        let url = if fragment.is_empty() {
            base
        } else {
            format!("{base}#{fragment}")
        };
        if let Ok(history) = window.history() {
            let _ = if select && moved {
                history.push_state_with_url(&JsValue::NULL, "", Some(&url))
            } else {
                history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
            };
        }
    }
}

/// Opens the URL's link at start-up and on back / forward, and keeps the URL in step with
/// the view. Returns what the waterfall calls with its zoom window (ns from the trace's
/// start; `None` unzoomed).
#[hook]
pub fn use_deep_link(state: &UseReducerHandle<PageState>) -> Callback<Option<(i64, i64)>> {
    let keeper = use_mut_ref(Keeper::default);
    {
        let dispatch = state.dispatcher();
        use_effect_with((), move |_| {
            dispatch.dispatch(Action::OpenLink(Link::parse(&location_hash())));
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "popstate", move |_| {
                    dispatch.dispatch(Action::OpenLink(Link::parse(&location_hash())));
                })
            });
            move || drop(listener)
        });
    }
    {
        let keeper = keeper.clone();
        use_effect_with(state.link(), move |link| {
            let mut k = keeper.borrow_mut();
            k.link = link.clone();
            k.write(true);
        });
    }
    Callback::from(move |window: Option<(i64, i64)>| on_window(&keeper, window))
}

/// The waterfall's zoom changed: written once it has settled.
fn on_window(keeper: &Rc<RefCell<Keeper>>, window: Option<(i64, i64)>) {
    let mut k = keeper.borrow_mut();
    if k.window == window {
        return;
    }
    k.window = window;
    let later = keeper.clone();
    k.timer = Some(Timeout::new(WINDOW_SETTLE_MS, move || {
        later.borrow().write(false)
    }));
}

/// Names in the page's URL (`?backend=<kind>:<url>&trace=<id>`, the fragment kept) the trace
/// just asked of a backend, so that the view's link ([`CopyLink`]) reopens it from there in
/// a fresh page; `None` takes them out. Other query parameters are kept.
pub fn set_backend_query(trace: Option<(&Backend, &str)>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    params.delete("backend");
    params.delete("trace");
    if let Some((backend, id)) = trace {
        params.append("backend", &backend.to_param());
        params.append("trace", id.trim());
    }
    let query = String::from(params.to_string());
    let url = format!(
        "{}{}{}{}",
        location.pathname().unwrap_or_default(),
        if query.is_empty() { "" } else { "?" },
        query,
        location.hash().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// Copies the page's URL (the link to this view) to the clipboard; the button says so.
#[function_component(CopyLink)]
pub fn copy_link() -> Html {
    let copied = use_state(|| false);
    let onclick = {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(window) = web_sys::window() else {
                return;
            };
            let href = window.location().href().unwrap_or_default();
            // navigator.clipboard.writeText(href), where the browser allows it.
            let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into());
            let write = clipboard.as_ref().ok().and_then(|c| {
                let f = js_sys::Reflect::get(c, &"writeText".into()).ok()?;
                wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(f).ok()
            });
            if let (Ok(c), Some(write)) = (clipboard, write) {
                let _ = write.call1(&c, &href.into());
            }
            copied.set(true);
            let copied = copied.clone();
            Timeout::new(2_000, move || copied.set(false)).forget();
        })
    };
    html! {
        <button id="copy-link" title="Copy a link to this view: trace, span, zoom and search" {onclick}>
            { if *copied { "Link copied" } else { "Copy link" } }
        </button>
    }
}
