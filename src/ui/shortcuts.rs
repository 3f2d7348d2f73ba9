//! Keys for the whole page (outside text fields): `/` finds, `n`/`N` step through matches,
//! `e`/`E` through errors, `c` shows the critical path, `?` lists every shortcut
//! (`#shortcuts`). Which key does what is `layout::input::page_key`.

use super::dialog::Dialog;
use super::state::{Action, PageState};
use gloo::events::EventListener;
use spanorama_core::layout::{page_key, PageKey, SHORTCUTS};
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent};
use yew::prelude::*;

/// Whether the key went to a text field (it types there, it is no shortcut).
fn typing(e: &KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Listens for the page's keys while the page is shown; `help` shows the list.
#[hook]
pub fn use_page_keys(state: &UseReducerHandle<PageState>, help: UseStateHandle<bool>) {
    let dispatch = state.dispatcher();
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let listener = document.map(|d| {
            EventListener::new(&d, "keydown", move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                if typing(e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                let Some(key) = page_key(&e.key()) else {
                    return;
                };
                e.prevent_default();
                match key {
                    PageKey::FocusSearch => focus_search(),
                    PageKey::NextMatch => dispatch.dispatch(Action::SearchStep(1)),
                    PageKey::PreviousMatch => dispatch.dispatch(Action::SearchStep(-1)),
                    PageKey::NextError => dispatch.dispatch(Action::ErrorStep(1)),
                    PageKey::PreviousError => dispatch.dispatch(Action::ErrorStep(-1)),
                    PageKey::ToggleCriticalPath => dispatch.dispatch(Action::ToggleCriticalPath),
                    PageKey::ToggleShortcuts => help.set(!*help),
                }
            })
        });
        move || drop(listener)
    });
}

fn focus_search() {
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("search-input"))
        .and_then(|el| el.dyn_into::<HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}

#[derive(Properties, PartialEq)]
pub struct ShortcutsProps {
    pub onclose: Callback<()>,
}

/// The list of every shortcut, in a dialog.
#[function_component(Shortcuts)]
pub fn shortcuts(props: &ShortcutsProps) -> Html {
    html! {
        <Dialog id="shortcuts" title="Keyboard shortcuts" onclose={props.onclose.clone()}>
            { shortcut_table() }
        </Dialog>
    }
}

/// Every shortcut and what it does.
pub fn shortcut_table() -> Html {
    html! {
        <table>
            { for SHORTCUTS.iter().map(|(keys, what)| html! {
                <tr><th><kbd>{ *keys }</kbd></th><td>{ *what }</td></tr>
            }) }
        </table>
    }
}
