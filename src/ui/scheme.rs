//! Light or dark. The page follows the system's `prefers-color-scheme` until the user picks
//! one with the toggle (`#theme-toggle`); the pick is remembered in `localStorage`. The
//! scheme is the state's (`AppState::scheme`: the canvases paint with its colours) and the
//! document's `data-theme` (the CSS's custom properties follow it).

use super::state::{Action, PageState};
use spanorama_core::theme::Scheme;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The `localStorage` key of the user's pick.
const STORAGE_KEY: &str = "spanorama-scheme";

const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

/// What the user picked, if anything.
fn picked() -> Option<Scheme> {
    Scheme::from_name(&super::remembered(STORAGE_KEY)?)
}

fn system() -> Scheme {
    let dark = web_sys::window()
        .and_then(|w| w.match_media(DARK_QUERY).ok().flatten())
        .is_some_and(|m| m.matches());
    if dark {
        Scheme::Dark
    } else {
        Scheme::Light
    }
}

/// The scheme to start in: the user's pick, else the system's.
pub fn initial() -> Scheme {
    picked().unwrap_or_else(system)
}

/// Keeps the document's `data-theme` in step with the state, and the state with the system
/// while the user has picked nothing.
#[hook]
pub fn use_scheme(state: &UseReducerHandle<PageState>) {
    use_effect_with(state.scheme, |&scheme| {
        let root = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element());
        if let Some(root) = root {
            let _ = root.set_attribute("data-theme", scheme.name());
        }
    });
    let dispatch = state.dispatcher();
    use_effect_with((), move |_| {
        let query = web_sys::window().and_then(|w| w.match_media(DARK_QUERY).ok().flatten());
        let listener = Closure::<dyn FnMut()>::new(move || {
            if picked().is_none() {
                dispatch.dispatch(Action::SetScheme(system()));
            }
        });
        if let Some(q) = &query {
            let _ = q.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(q) = &query {
                let _ = q.remove_event_listener_with_callback(
                    "change",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct SchemeToggleProps {
    pub state: UseReducerHandle<PageState>,
}

/// The toggle: switches to the other scheme and remembers the pick.
#[function_component(SchemeToggle)]
pub fn scheme_toggle(props: &SchemeToggleProps) -> Html {
    let scheme = props.state.scheme;
    let onclick = {
        let dispatch = props.state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            let next = scheme.toggled();
            super::remember(STORAGE_KEY, next.name());
            dispatch.dispatch(Action::SetScheme(next));
        })
    };
    let dark = scheme == Scheme::Dark;
    let (icon, title) = if dark {
        ("☀", "Switch to the light theme")
    } else {
        ("☾", "Switch to the dark theme")
    };
    html! {
        <button id="theme-toggle" class="theme-toggle" aria-pressed={dark.to_string()} aria-label="Dark theme" {title} {onclick}>
            { icon }
        </button>
    }
}
