//! Every warning text in one place: what a span's own warning says in the detail panel, and
//! the counted lines that sum warnings up for a file (the import summary) or a trace (the
//! page's messages).

use super::store::{SpanWarning, Store, UNKNOWN_SERVICE};
use super::tree::TreeWarning;
use super::units::format_counted;

/// What a summary line counts.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Noun {
    Span,
    Id,
}

/// The kinds of warnings, in the order summaries list them.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum WarningKind {
    NoServiceName,
    OpaqueId,
    PaddedId,
    EndBeforeStart,
    NoEndTime,
    InProgress,
    FromSource,
    UnreadableField,
    MissingParent,
    DuplicateId,
    ParentCycle,
    OwnParent,
    OutsideParent,
}

/// The summary line of each kind: what is counted, and the words after the count (`{e}`
/// is replaced by the first example, when the kind has one).
const SUMMARIES: [(WarningKind, Noun, &str); 13] = [
    (
        WarningKind::NoServiceName,
        Noun::Span,
        "without a service name: shown as \"unknown_service\"",
    ),
    (
        WarningKind::OpaqueId,
        Noun::Id,
        "that are not hex (e.g. \"{e}\"): shown as written",
    ),
    (
        WarningKind::PaddedId,
        Noun::Id,
        "shorter than full width: left-padded with zeros",
    ),
    (
        WarningKind::EndBeforeStart,
        Noun::Span,
        "ending before they start: duration set to 0",
    ),
    (
        WarningKind::NoEndTime,
        Noun::Span,
        "without an end time: drawn open-ended",
    ),
    (
        WarningKind::InProgress,
        Noun::Span,
        "still in progress when recorded (no end time yet): drawn open-ended",
    ),
    (
        WarningKind::FromSource,
        Noun::Span,
        "with warnings from the exporter (e.g. \"{e}\")",
    ),
    (
        WarningKind::UnreadableField,
        Noun::Span,
        "with a field that could not be read (e.g. {e}): kept as written",
    ),
    (
        WarningKind::MissingParent,
        Noun::Span,
        "whose parent is not in the loaded data: shown as extra roots",
    ),
    (
        WarningKind::DuplicateId,
        Noun::Span,
        "with a span id used earlier in the trace",
    ),
    (
        WarningKind::ParentCycle,
        Noun::Span,
        "cut out of parent cycles: shown as roots",
    ),
    (
        WarningKind::OwnParent,
        Noun::Span,
        "naming themselves as parent: shown as roots",
    ),
    (
        WarningKind::OutsideParent,
        Noun::Span,
        "starting before or ending after their parent (clock skew or async work)",
    ),
];

/// One line per kind of warning among `warnings` (kind, example), in the table's order:
/// how many, and what was done about them.
pub fn summarise<'a>(warnings: impl IntoIterator<Item = (WarningKind, &'a str)>) -> Vec<String> {
    let mut counts = [(0u64, ""); SUMMARIES.len()];
    for (kind, example) in warnings {
        if let Some(i) = SUMMARIES.iter().position(|(k, _, _)| *k == kind) {
            if counts[i].0 == 0 {
                counts[i].1 = example;
            }
            counts[i].0 += 1;
        }
    }
    SUMMARIES
        .iter()
        .zip(counts)
        .filter(|(_, (n, _))| *n > 0)
        .map(|((_, noun, words), (n, example))| {
            let counted = match noun {
                Noun::Span => format_counted(n, "span", "spans"),
                Noun::Id => format_counted(n, "id", "ids"),
            };
            format!("{counted} {}", words.replace("{e}", example))
        })
        .collect()
}

impl SpanWarning {
    /// Its kind, and the example a summary quotes ("" for none).
    pub fn kind(&self) -> (WarningKind, &str) {
        match self {
            SpanWarning::NoServiceName => (WarningKind::NoServiceName, ""),
            SpanWarning::OpaqueId { text, .. } => (WarningKind::OpaqueId, text),
            SpanWarning::PaddedId { .. } => (WarningKind::PaddedId, ""),
            SpanWarning::EndBeforeStart => (WarningKind::EndBeforeStart, ""),
            SpanWarning::NoEndTime => (WarningKind::NoEndTime, ""),
            SpanWarning::InProgress => (WarningKind::InProgress, ""),
            SpanWarning::FromSource(text) => (WarningKind::FromSource, text),
            SpanWarning::UnreadableField { field, .. } => (WarningKind::UnreadableField, field),
        }
    }

    /// The warning in words a user understands.
    pub fn message(&self) -> String {
        match self {
            SpanWarning::NoServiceName => {
                format!("no service name in the file; shown as \"{UNKNOWN_SERVICE}\"")
            }
            SpanWarning::OpaqueId { field, text } => {
                format!("{field} \"{text}\" is not hex; it was mapped to a number for linking")
            }
            SpanWarning::PaddedId { field, text } => format!(
                "{field} \"{text}\" was shorter than full width and was left-padded with zeros"
            ),
            SpanWarning::EndBeforeStart => {
                "end time is before start time; duration set to 0".into()
            }
            SpanWarning::NoEndTime => "no end time in the file; drawn open-ended".into(),
            SpanWarning::FromSource(text) => format!("exporter warning: {text}"),
            SpanWarning::InProgress => {
                "still in progress when it was recorded (no end time yet); drawn open-ended".into()
            }
            SpanWarning::UnreadableField { field, reason } => {
                format!("{field} could not be read ({reason}); kept as written")
            }
        }
    }
}

impl TreeWarning {
    /// Its kind (tree warnings quote no example).
    pub fn kind(&self) -> (WarningKind, &'static str) {
        let kind = match self {
            TreeWarning::MissingParent(_) => WarningKind::MissingParent,
            TreeWarning::DuplicateId => WarningKind::DuplicateId,
            TreeWarning::OwnParent => WarningKind::OwnParent,
            TreeWarning::ParentCycle => WarningKind::ParentCycle,
            TreeWarning::OutsideParent => WarningKind::OutsideParent,
        };
        (kind, "")
    }

    /// The warning in words a user understands.
    pub fn message(&self, store: &Store) -> String {
        match self {
            TreeWarning::MissingParent(id) => format!(
                "parent span {} is not in the loaded data; shown as an extra root",
                store.span_id_display(*id)
            ),
            TreeWarning::DuplicateId => {
                "another span in this trace has the same span id; children attach to the first one"
                    .into()
            }
            TreeWarning::OwnParent => "the span names itself as its parent; shown as a root".into(),
            TreeWarning::ParentCycle => {
                "its parents form a cycle that leads back to it; the cycle was cut here".into()
            }
            TreeWarning::OutsideParent => {
                "starts before or ends after its parent (clock skew or asynchronous work)".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_count_each_kind_once_in_table_order_with_the_first_example() {
        let warnings = [
            SpanWarning::FromSource("clock skew adjusted".into()),
            SpanWarning::NoServiceName,
            SpanWarning::FromSource("second".into()),
            SpanWarning::OpaqueId {
                field: "span id",
                text: "abc-1".into(),
            },
        ];
        let lines = summarise(warnings.iter().map(SpanWarning::kind));
        assert_eq!(
            lines,
            [
                "1 span without a service name: shown as \"unknown_service\"",
                "1 id that are not hex (e.g. \"abc-1\"): shown as written",
                "2 spans with warnings from the exporter (e.g. \"clock skew adjusted\")",
            ]
        );
    }

    #[test]
    fn every_kind_has_one_summary() {
        for (i, (kind, _, _)) in SUMMARIES.iter().enumerate() {
            assert_eq!(SUMMARIES.iter().position(|(k, _, _)| k == kind), Some(i));
        }
        let tree = [
            TreeWarning::DuplicateId,
            TreeWarning::OutsideParent,
            TreeWarning::DuplicateId,
        ];
        assert_eq!(
            summarise(tree.iter().map(TreeWarning::kind)),
            [
                "2 spans with a span id used earlier in the trace",
                "1 span starting before or ending after their parent (clock skew or async work)",
            ]
        );
    }
}
