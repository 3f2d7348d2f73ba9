//! DOM hooks the canvas components share: an element's size as the browser lays it out,
//! and a wheel listener that may cancel the scroll.

use gloo::events::{EventListener, EventListenerOptions};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, WheelEvent};
use yew::prelude::*;

/// The client size of `node`'s element, CSS px, as a `ResizeObserver` last reported it;
/// None before its first report. The observer reports first right after the browser's
/// layout of a new element, before that frame is painted, so a first draw keyed on this
/// comes once, at the final size, in the first frame. (Measuring during the render instead
/// made the browser lay out a page still being built, at a size the rest of the render then
/// changed.) Observes the element there is when the component is first shown.
#[hook]
pub fn use_element_size(node: NodeRef) -> Option<(f64, f64)> {
    let measured = use_state_eq(|| None::<(f64, f64)>);
    {
        let measured = measured.clone();
        use_effect_with((), move |_| {
            let observer = node
                .cast::<HtmlElement>()
                .and_then(|el| observe_size(el, measured));
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    *measured
}

type Observer = (web_sys::ResizeObserver, Closure<dyn FnMut()>);

/// Reports `el`'s client size into `measured` whenever it changes (and is not empty).
fn observe_size(el: HtmlElement, measured: UseStateHandle<Option<(f64, f64)>>) -> Option<Observer> {
    let target = el.clone();
    let callback = Closure::<dyn FnMut()>::new(move || {
        let w = target.client_width() as f64;
        let h = target.client_height() as f64;
        if w > 0.0 && h > 0.0 {
            measured.set(Some((w, h)));
        }
    });
    let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
    observer.observe(&el);
    Some((observer, callback))
}

/// A wheel handler: gets the event, may call `preventDefault`.
pub type OnWheel = Rc<dyn Fn(&WheelEvent)>;

/// Calls `on_wheel` (the one of the latest render) for wheel events on `node`'s element.
/// Registered by hand, once, because it must be able to `preventDefault` (not passive).
#[hook]
pub fn use_wheel(node: NodeRef, on_wheel: OnWheel) {
    let latest = use_mut_ref(|| None::<OnWheel>);
    *latest.borrow_mut() = Some(on_wheel);
    use_effect_with((), move |_| {
        let listener = node
            .cast::<HtmlElement>()
            .map(|el| listen_wheel(&el, latest));
        move || drop(listener)
    });
}

fn listen_wheel(el: &HtmlElement, handler: Rc<RefCell<Option<OnWheel>>>) -> EventListener {
    EventListener::new_with_options(
        el,
        "wheel",
        EventListenerOptions::enable_prevent_default(),
        move |event| {
            let on_wheel = handler.borrow().clone();
            if let (Some(e), Some(on_wheel)) = (event.dyn_ref::<WheelEvent>(), on_wheel) {
                on_wheel(e);
            }
        },
    )
}
