//! The page's state: the core's [`AppState`] and its reducer behind Yew's `use_reducer`.

pub use spanorama_core::state::*;
use std::ops::Deref;
use std::rc::Rc;
use yew::Reducible;

/// [`AppState`] as Yew's reducer state (`impl Reducible` must live in this crate).
#[derive(Clone, Default, PartialEq)]
pub struct PageState(AppState);

impl PageState {
    /// The state at start-up, showing `view` in `scheme`.
    pub fn new(view: View, scheme: spanorama_core::theme::Scheme) -> Self {
        PageState(AppState {
            view,
            scheme,
            ..AppState::default()
        })
    }
}

impl Deref for PageState {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl Reducible for PageState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // The benchmark reads a search's time from this measure.
        let _timing = matches!(action, Action::Search(_) | Action::SelectTrace(_))
            .then(|| super::Measure::new("spanorama:search"));
        Rc::new(PageState(self.0.reduce(action)))
    }
}
