//! The handle on the edge between the label column and the timeline (`#label-resizer`):
//! drag it, or focus it and press ←/→, to make the names wider or narrower. The width is
//! remembered in `localStorage`.

use yew::prelude::*;

/// The `localStorage` key of the chosen width.
const STORAGE_KEY: &str = "spanorama-label-width";

/// ←/→ move the edge by this much, CSS px.
const KEY_STEP_PX: f64 = 16.0;

/// The width the user chose last, if any.
pub fn remembered() -> Option<f64> {
    crate::ui::remembered(STORAGE_KEY)?.parse().ok()
}

fn remember(width: f64) {
    crate::ui::remember(STORAGE_KEY, &format!("{width:.0}"));
}

#[derive(Properties, PartialEq)]
pub struct ResizerProps {
    /// The label column's width now, CSS px.
    pub width_px: f64,
    /// Asks for a new width (the geometry keeps it within bounds).
    pub onresize: Callback<f64>,
}

#[function_component(Resizer)]
pub fn resizer(props: &ResizerProps) -> Html {
    // The pointer's x and the width when the drag began.
    let drag = use_mut_ref(|| None::<(f64, f64)>);
    let onpointerdown = {
        let (drag, width) = (drag.clone(), props.width_px);
        Callback::from(move |e: PointerEvent| {
            if let Some(el) = e.target_dyn_into::<web_sys::Element>() {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            e.prevent_default();
            *drag.borrow_mut() = Some((e.client_x() as f64, width));
        })
    };
    let onpointermove = {
        let (drag, onresize) = (drag.clone(), props.onresize.clone());
        Callback::from(move |e: PointerEvent| {
            if let Some((x0, w0)) = *drag.borrow() {
                onresize.emit(w0 + e.client_x() as f64 - x0);
            }
        })
    };
    let onpointerup = {
        let (drag, width) = (drag.clone(), props.width_px);
        Callback::from(move |_: PointerEvent| {
            if drag.borrow_mut().take().is_some() {
                remember(width);
            }
        })
    };
    let onkeydown = {
        let (onresize, width) = (props.onresize.clone(), props.width_px);
        Callback::from(move |e: KeyboardEvent| {
            let by = match e.key().as_str() {
                "ArrowLeft" => -KEY_STEP_PX,
                "ArrowRight" => KEY_STEP_PX,
                _ => return,
            };
            e.prevent_default();
            e.stop_propagation();
            onresize.emit(width + by);
            remember(width + by);
        })
    };
    html! {
        <div id="label-resizer" class="label-resizer" role="separator" aria-orientation="vertical"
            aria-label="Width of the names" aria-valuenow={format!("{:.0}", props.width_px)} tabindex="0"
            style={format!("left:{:.0}px", props.width_px - 3.0)}
            {onpointerdown} {onpointermove} {onpointerup} {onkeydown}></div>
    }
}
