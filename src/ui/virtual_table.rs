//! A table in its own scroll box that renders only the rows in view (and a few around) once
//! it has more than [`RENDER_ALL_MAX`]: a dependency file's 4,271 edges rendered whole took
//! the browser hundreds of ms to build and lay out (BENCHMARKS.md). Spacer rows stand for
//! the rest, so the scroll bar is true; rows have one height ([`ROW_HEIGHT_PX`], which the
//! CSS of `.virtual-table` keeps). The table carries `data-rows` (all its rows) and
//! `aria-rowcount`; each rendered row should carry its `aria-rowindex` ([`aria_row_index`]).

use super::hooks::use_element_size;
use spanorama_core::layout::rows_in_view;
use yew::prelude::*;

/// Tables of up to this many rows are rendered whole.
pub const RENDER_ALL_MAX: usize = 500;

/// The height of a body row, CSS px (`.virtual-table tbody tr`).
pub const ROW_HEIGHT_PX: f64 = 24.0;

/// Rows rendered beyond the view on each side.
const OVERSCAN_ROWS: usize = 10;

#[derive(Properties, PartialEq)]
pub struct VirtualTableProps {
    pub id: AttrValue,
    /// Classes of the scroll box and of the table (`virtual-table` is added).
    #[prop_or(AttrValue::Static("graph-table-box"))]
    pub box_class: AttrValue,
    #[prop_or(AttrValue::Static("graph-table"))]
    pub class: AttrValue,
    pub caption: AttrValue,
    /// The header row.
    pub head: Html,
    /// How many body rows there are, and the one at an index (0-based).
    pub rows: usize,
    pub row: Callback<usize, Html>,
}

/// The `aria-rowindex` of body row `i` (1-based, after the header row).
pub fn aria_row_index(i: usize) -> String {
    (i + 2).to_string()
}

#[function_component(VirtualTable)]
pub fn virtual_table(props: &VirtualTableProps) -> Html {
    let box_ref = use_node_ref();
    let size = use_element_size(box_ref.clone());
    let scroll_top = use_state_eq(|| 0.0);
    let onscroll = {
        let (scroll_top, box_ref) = (scroll_top.clone(), box_ref.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = box_ref.cast::<web_sys::Element>() {
                scroll_top.set(el.scroll_top() as f64);
            }
        })
    };
    let shown = if props.rows <= RENDER_ALL_MAX {
        0..props.rows
    } else {
        // Until the box is measured, the window's height: the box is never taller, and a
        // first render that already covers the view makes the measurement change nothing.
        let view = size.map_or_else(window_height, |(_, h)| h);
        rows_in_view(props.rows, ROW_HEIGHT_PX, *scroll_top, view, OVERSCAN_ROWS)
    };
    let spacer = |rows: usize| {
        (rows > 0).then(|| {
            let style = format!("height: {}px", rows as f64 * ROW_HEIGHT_PX);
            html! { <tr class="spacer" aria-hidden="true" {style}><td colspan="99"></td></tr> }
        })
    };
    html! {
        <div class={props.box_class.clone()} ref={box_ref} {onscroll}>
            <table id={props.id.clone()} class={classes!(props.class.to_string(), "virtual-table")} data-rows={props.rows.to_string()}
                aria-rowcount={(props.rows + 1).to_string()}>
                if !props.caption.is_empty() {
                    <caption>{ props.caption.clone() }</caption>
                }
                <thead>{ props.head.clone() }</thead>
                <tbody>
                    { spacer(shown.start) }
                    { for shown.clone().map(|i| props.row.emit(i)) }
                    { spacer(props.rows - shown.end) }
                </tbody>
            </table>
        </div>
    }
}

fn window_height() -> f64 {
    web_sys::window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(1000.0)
}
