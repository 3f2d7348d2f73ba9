//! A dialog over the page (the shortcut list, the help, the trace-context inspector): a veil
//! that closes it when clicked outside, Escape closes it too, and focus moves into it (to
//! `focus`, else the close button) so Escape reaches it and Tab stays near it.

use web_sys::HtmlElement;
use yew::prelude::*;

/// Whether a toolbar button's dialog or panel is open; `toggle` is the button's click,
/// `close` the dialog's.
pub struct Opening {
    pub open: bool,
    pub toggle: Callback<MouseEvent>,
    pub close: Callback<()>,
}

#[hook]
pub fn use_opening() -> Opening {
    let open = use_state(|| false);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |()| open.set(false))
    };
    Opening {
        open: *open,
        toggle,
        close,
    }
}

#[derive(Properties, PartialEq)]
pub struct DialogProps {
    /// The dialog's element id; its close button is `{id}-close`.
    pub id: AttrValue,
    pub title: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    pub onclose: Callback<()>,
    /// What gets the focus on opening; the close button when `None`.
    #[prop_or_default]
    pub focus: Option<NodeRef>,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Dialog)]
pub fn dialog(props: &DialogProps) -> Html {
    let close = {
        let onclose = props.onclose.clone();
        Callback::from(move |_: MouseEvent| onclose.emit(()))
    };
    let onkeydown = {
        let onclose = props.onclose.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                onclose.emit(());
            }
        })
    };
    let keep = Callback::from(|e: MouseEvent| e.stop_propagation());
    let close_ref = use_node_ref();
    {
        let target = props.focus.clone().unwrap_or_else(|| close_ref.clone());
        use_effect_with((), move |_| {
            if let Some(el) = target.cast::<HtmlElement>() {
                let _ = el.focus();
            }
        });
    }
    html! {
        <div class="shortcuts-veil" onclick={close.clone()} {onkeydown}>
            <div id={props.id.clone()} class={classes!("shortcuts", props.class.clone())} role="dialog"
                aria-label={props.title.clone()} onclick={keep}>
                <h2>{ props.title.clone() }</h2>
                { props.children.clone() }
                <button id={format!("{}-close", props.id)} ref={close_ref} onclick={close}>{"Close"}</button>
            </div>
        </div>
    }
}
