//! Start-up warm-up of the trace view. Browsers compile a WebAssembly function the first
//! time it is called; the trace view's components (waterfall, overview, detail panel, trace
//! list, export buttons), the model hand-over decoder and the search are large functions, so
//! the first trace shown used to pay for their compilation in the task that showed it
//! (~40 ms at 1M spans, measured with Chromium's `wasm.CompileLazy` trace events). Here they
//! run once, on a tiny generated trace, in a Yew root that is never attached to the page
//! (nothing shows, no element ids are taken), while the user is still choosing a file. The
//! loading bar renders there too, and a scratch state goes through a load's actions. Then
//! the view is rendered again for a few dozen rounds and a 400-span model's hand-over is
//! decoded 40 times, a few times a task, so that rendering, drawing and decoding run code the
//! browser has already optimised (it optimises a function only after it has run for a
//! while). A load asked for meanwhile stops the rounds.

use super::detail::DetailPanel;
use super::export::ExportButton;
use super::trace_list::TraceList;
use super::waterfall::Waterfall;
use super::{FileList, Shared};
use crate::gen::{warm_up_trace, Format};
use crate::model::wire::{Decoder, Encoder, PART_BYTES};
use crate::model::{build_traces, find_spans, Store, Trace};
use crate::theme::Palette;
use gloo::timers::future::TimeoutFuture;
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// Spans in the warm-up trace.
const SPANS: usize = 40;

thread_local! {
    /// How long the warm-up view took to render and draw (ms), once it has.
    static WARM_MS: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// The warm-up's duration in ms (`window.spanoramaStats().viewWarmMs`), `None` before it ran.
pub fn warm_ms() -> Option<f64> {
    WARM_MS.with(|w| w.get())
}

/// Waits `delay_ms` (so the first paint comes first), renders the warm-up view in a
/// detached root, lets its effects and the overview's rebuild run, then unmounts it.
pub fn start(delay_ms: u32) {
    yew::platform::spawn_local(async move {
        TimeoutFuture::new(delay_ms).await;
        let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("div").ok())
        else {
            return;
        };
        let started = super::now_ms();
        let Some((store, traces)) = model() else {
            return;
        };
        tier_up(&store, &traces);
        if let Some(copy) = model() {
            warm_load_flow(copy);
        }
        let props = WarmUpProps {
            store: Shared::new(store),
            traces: Shared::new(traces),
            round: 0,
        };
        let (store, traces) = (props.store.clone(), props.traces.clone());
        let mut handle = yew::Renderer::<WarmUp>::with_root_and_props(root.clone(), props).render();
        // Renders and effects (the waterfall's first draw) run in the next tasks.
        TimeoutFuture::new(0).await;
        warm_layout(&root);
        for round in 1..=RENDER_ROUNDS {
            TimeoutFuture::new(0).await;
            if super::import_client::load_requested() {
                break;
            }
            handle.update(WarmUpProps {
                store: store.clone(),
                traces: traces.clone(),
                round,
            });
        }
        TimeoutFuture::new(0).await;
        if !super::import_client::load_requested() {
            warm_decode().await;
        }
        WARM_MS.with(|w| w.set(Some(super::now_ms() - started)));
        TimeoutFuture::new(2_000).await;
        handle.destroy();
    });
}

/// Lays out a copy of the warm-up view once, hidden and off-screen, with its ids removed (so
/// nothing the page or its tests look up by id is doubled), then removes it. The browser's
/// first layout of this markup (matching the fonts it uses, the detail panel's monospace
/// ids among them) otherwise fell on the user's first click on a span: measured in Chromium,
/// the first detail panel's layout took 9.6-25 ms without this and 3.1-5.8 ms with it (the
/// next ones 1-2 ms).
fn warm_layout(root: &web_sys::Element) {
    use wasm_bindgen::JsCast;
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    let Some(copy) = root
        .clone_node_with_deep(true)
        .ok()
        .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    if let Ok(with_ids) = copy.query_selector_all("[id]") {
        for i in 0..with_ids.length() {
            let element = with_ids
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok());
            if let Some(element) = element {
                let _ = element.remove_attribute("id");
            }
        }
    }
    let _ = copy.set_attribute("aria-hidden", "true");
    let _ = copy.set_attribute(
        "style",
        "position:fixed;left:-10000px;top:0;width:1200px;height:800px;display:flex;\
         visibility:hidden;pointer-events:none;overflow:hidden",
    );
    if body.append_child(&copy).is_ok() {
        let _ = copy.offset_height(); // style and layout now
        copy.remove();
    }
}

/// Calls of each function in [`tier_up`].
const TIER_UP_CALLS: usize = 1_500;

/// Runs the functions that the page applies once to a whole loaded model (visible rows,
/// search) many times on the warm-up trace. A browser first runs a wasm
/// function with a quick baseline compiler and optimises it only once it has run for a
/// while; run once a load, these would stay unoptimised, and at a million spans the
/// baseline code of the visible rows alone took ~30 ms of the task that shows the trace.
fn tier_up(store: &Store, traces: &[Trace]) {
    let Some(trace) = traces.first() else {
        return;
    };
    let folded = BTreeSet::from([1u32]);
    let mut total = 0usize;
    for _ in 0..TIER_UP_CALLS {
        total += crate::layout::visible_rows(trace, &BTreeSet::new()).len();
        total += crate::layout::visible_rows(trace, &folded).len();
    }
    for _ in 0..TIER_UP_CALLS / 10 {
        total += find_spans(store, trace, "get").len();
    }
    std::hint::black_box(total);
}

/// Takes a scratch state through what a load does to the page's state (start, progress,
/// the model arriving, a search and a step through its matches), so that the reducer's
/// load path is compiled before the first real load (Chromium traces of a first load showed
/// the page compiling ~70 functions of the load flow on the spot, ~9 ms).
fn warm_load_flow((store, traces): (Store, Vec<Trace>)) {
    use super::state::{Action, AppState, LoadedModel};
    use yew::Reducible;
    let services = store.services();
    let state = Rc::new(AppState::default())
        .reduce(Action::StartLoading {
            id: 1,
            sources: vec!["warm-up".into()],
            started_ms: super::now_ms(),
        })
        .reduce(Action::Progress(warm_progress()))
        .reduce(Action::FinishLoading {
            id: 1,
            model: Some(LoadedModel {
                store,
                traces,
                selected: Some(0),
                services,
            }),
            errors: Vec::new(),
        })
        .reduce(Action::Search("get".into()))
        .reduce(Action::SearchStep(1));
    std::hint::black_box(state);
}

/// Progress as the worker reports it while reading a file.
fn warm_progress() -> super::state::LoadProgress {
    super::state::LoadProgress {
        id: 1,
        source: "warm-up".into(),
        phase: "reading".into(),
        done: 1e6,
        total: 2e6,
        spans: 100,
    }
}

/// The warm-up model, taken through the same encode/decode hand-over as a real load.
fn model() -> Option<(Store, Vec<Trace>)> {
    decode(&hand_over(SPANS)?)
}

/// The hand-over of the model of a `spans`-span warm-up trace, in parts of 16 KB (a part's
/// buffer has room for its whole limit: 1 MB parts grew the page's memory, which never
/// shrinks, by a megabyte or more).
fn hand_over(spans: usize) -> Option<Vec<Vec<u8>>> {
    let bytes = warm_up_trace(Format::Otlp, spans).into_bytes();
    let store = crate::import::import("warm-up", &bytes).ok()?;
    drop(bytes);
    let traces = build_traces(&store);
    let mut encoder = Encoder::new(&store, &traces, PART_BYTES / 16);
    Some(std::iter::from_fn(|| encoder.next_part()).collect())
}

fn decode(parts: &[Vec<u8>]) -> Option<(Store, Vec<Trace>)> {
    let mut decoder = Decoder::new();
    for part in parts {
        decoder.push(part).ok()?;
    }
    Some(decoder.finish())
}

/// Times the warm-up view is rendered again (another span selected each time), so that
/// rendering (Yew's reconciliation, the detail panel, the waterfall's drawing) runs
/// optimised code by the first load.
const RENDER_ROUNDS: u32 = 30;

/// Spans of the generated model whose hand-over the page decodes
/// [`DECODE_ROUNDS`] times, [`DECODE_ROUNDS_PER_TASK`] a task. Small, so that the page's
/// memory (which never shrinks) hardly grows: a 1,500-span model grew it by 2.3 MB, which
/// a 100,000-span trace's model did not reuse.
const DECODE_SPANS: usize = 400;
const DECODE_ROUNDS: usize = 40;
const DECODE_ROUNDS_PER_TASK: usize = 8;

/// Decodes the hand-over of a generated model several times, a few times a task, so
/// that the decoder runs optimised code by the first load. A browser optimises a wasm
/// function once it has run for a while; left to the first load, the decoder was optimised
/// during it (~30 ms of compiling on a background thread, competing with the load on a
/// two-core machine; seen with V8's `--trace-wasm-compilation-times`).
async fn warm_decode() {
    let Some(parts) = hand_over(DECODE_SPANS) else {
        return;
    };
    for round in 0..DECODE_ROUNDS {
        if round % DECODE_ROUNDS_PER_TASK == 0 {
            TimeoutFuture::new(0).await;
            if super::import_client::load_requested() {
                return;
            }
        }
        if std::hint::black_box(decode(&parts)).is_none() {
            return;
        }
    }
}

#[derive(Properties, PartialEq)]
struct WarmUpProps {
    store: Shared<Store>,
    traces: Shared<Vec<Trace>>,
    round: u32,
}

#[function_component(WarmUp)]
fn warm_up(props: &WarmUpProps) -> Html {
    let (store, traces) = (props.store.clone(), props.traces.clone());
    let derived = use_memo((), |_| {
        let palette = Palette::for_services(store.services().iter().map(|s| store.strings.get(*s)));
        let matches = traces
            .first()
            .map(|t| find_spans(&store, t, "get"))
            .unwrap_or_default();
        (Rc::new(palette), Shared::new(matches))
    });
    let (palette, matches) = (*derived).clone();
    // Two traces in the list, so that it renders.
    let listed = Shared::new(traces.iter().chain(traces.iter()).cloned().collect());
    let collapsed = Rc::new(BTreeSet::from([1u32]));
    let span = 1 + props.round % 3;
    html! {
        <>
            <FileList store={store.clone()} />
            <TraceList store={store.clone()} traces={listed} selected={Some(0)}
                onselect={Callback::noop()} />
            <ExportButton store={store.clone()} traces={traces.clone()} trace_index={Some(0)}
                id="warm-up-export" label="" title="" />
            <Waterfall store={store.clone()} traces={traces.clone()} trace_index={0}
                {collapsed} {palette} selected_span={Some(span)} {matches} reveal={span}
                onselect={Callback::noop()} ontoggle={Callback::noop()}
                assumed_size={Some((1200.0, 700.0))} />
            <DetailPanel {store} {traces} trace_index={0} {span}
                onselect={Callback::noop()} />
            <super::LoadingBar loading={vec![super::state::Loading {
                id: 1,
                sources: vec!["warm-up".into()],
                started_ms: 0.0,
                progress: Some(warm_progress()),
            }]} oncancel={Callback::noop()} />
        </>
    }
}
