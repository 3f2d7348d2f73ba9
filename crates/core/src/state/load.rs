//! Loads in progress: what the import worker reports, and what a finished load hands over.

use super::AppState;
use crate::model::{Store, StrId, Trace};

/// One load request in progress.
#[derive(Clone, PartialEq, Debug)]
pub struct Loading {
    pub id: u32,
    /// File names or URLs, as the user gave them.
    pub sources: Vec<String>,
    /// The page's clock when the load started, ms.
    pub started_ms: f64,
    pub progress: Option<LoadProgress>,
}

/// The steps of a load in the import worker, in order.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum LoadPhase {
    /// Reading a file or a download (OTLP, Jaeger and Zipkin files are parsed meanwhile).
    Reading,
    /// Parsing what was read.
    Parsing,
    /// Building the span trees.
    Building,
    /// Handing the model over to the page.
    Sending,
}

impl LoadPhase {
    /// Every phase, in order.
    pub const ALL: [LoadPhase; 4] = [
        LoadPhase::Reading,
        LoadPhase::Parsing,
        LoadPhase::Building,
        LoadPhase::Sending,
    ];

    /// The phase's name in the worker protocol.
    pub fn name(self) -> &'static str {
        match self {
            LoadPhase::Reading => "reading",
            LoadPhase::Parsing => "parsing",
            LoadPhase::Building => "building",
            LoadPhase::Sending => "sending",
        }
    }

    /// The phase named `name` ([`LoadPhase::name`]).
    pub fn from_name(name: &str) -> Option<LoadPhase> {
        LoadPhase::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// What the import worker last said about a load.
#[derive(Clone, PartialEq, Debug)]
pub struct LoadProgress {
    pub id: u32,
    /// The source being read or parsed ("" while building trees or sending the model).
    pub source: String,
    pub phase: LoadPhase,
    /// Bytes read (or sent) so far, and the total when known (0 otherwise).
    pub done: f64,
    pub total: f64,
    /// Spans parsed so far.
    pub spans: u64,
}

/// The whole model after a load, as the worker built it.
pub struct LoadedModel {
    pub store: Store,
    pub traces: Vec<Trace>,
    /// The first trace with spans from the newly loaded files.
    pub selected: Option<usize>,
    /// `store.services()`, collected while the model was decoded.
    pub services: Vec<StrId>,
}

impl AppState {
    pub(super) fn progress(&mut self, progress: LoadProgress) {
        if let Some(l) = self.loading.iter_mut().find(|l| l.id == progress.id) {
            l.progress = Some(progress);
        }
    }

    pub(super) fn finish_loading(
        &mut self,
        id: u32,
        model: Option<Box<LoadedModel>>,
        errors: Vec<String>,
        finished_ms: f64,
    ) {
        let started_ms = self.end_load(id);
        self.errors.extend(errors);
        if let Some(model) = model {
            self.replace_model(*model);
            self.last_load_ms = started_ms.map(|t| finished_ms - t);
        }
    }

    pub(super) fn fail_loading(&mut self, id: u32, message: &str) {
        if let Some(l) = self.loading.iter().find(|l| l.id == id) {
            let failed: Vec<String> = l
                .sources
                .iter()
                .map(|s| format!("{s}: {message}"))
                .collect();
            self.errors.extend(failed);
        }
        self.end_load(id);
    }

    /// Ends load `id`; returns when it started.
    fn end_load(&mut self, id: u32) -> Option<f64> {
        let at = self.loading.iter().position(|l| l.id == id)?;
        Some(self.loading.remove(at).started_ms)
    }
}
