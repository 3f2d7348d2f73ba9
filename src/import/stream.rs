//! Importing a file while it is still being read: the import worker hands every chunk it
//! has read to a [`StreamImport`], which parses the spans that are complete so far, so that
//! parsing overlaps the browser's reading of the file instead of starting when the last
//! chunk is in.
//!
//! Only a file whose format can be read piecewise is streamed: one that does not start
//! gzip-compressed and whose first [`SNIFF_BYTES`] are surest (the importer
//! [`import`](super::import) would try first) Zipkin v2 JSON laid out as a top-level array
//! of span objects (`zipkin::Stream`), or Jaeger JSON as Jaeger UI and its API write it,
//! `{"data":[{"traceID":…,"spans":[…` (`jaeger::Stream`: the first trace's spans as they
//! come, the rest at the end). Anything else, or anything that stops a streaming read
//! part-way (another layout, a syntax error, invalid UTF-8), is read by
//! [`import`](super::import) when the file is complete, as it would be without streaming:
//! the same spans, warnings and error messages either way, which the tests check.

use super::{candidates, finish, gzip, import_with_progress, strip_bom, ImportError};
use super::{jaeger, otlp, zipkin, Importer};
use super::{StoreBuilder, SNIFF_BYTES};
use crate::model::Store;

/// A file being imported while it is read. Feed it the file's bytes so far after every chunk
/// ([`StreamImport::feed`]), then the whole file ([`StreamImport::finish`]).
pub struct StreamImport<'p> {
    file_name: String,
    /// The file's size when known (0: unknown), to size the arenas for the rest.
    total: usize,
    builder: StoreBuilder<'p>,
    state: State,
}

enum State {
    /// Not enough read yet to tell the format.
    Waiting,
    /// Parsing; positions count from after the byte order mark, if any.
    On { stream: Format, bom: usize },
    /// Not streamed: read whole at the end.
    Off,
}

/// A format's streaming reader.
enum Format {
    Otlp(otlp::Stream),
    Zipkin(zipkin::Stream),
    Jaeger(jaeger::Stream),
}

impl Format {
    fn importer(&self) -> &'static Importer {
        match self {
            Format::Otlp(_) => &otlp::IMPORTER,
            Format::Zipkin(_) => &zipkin::IMPORTER,
            Format::Jaeger(_) => &jaeger::IMPORTER,
        }
    }

    fn resume_at(&self) -> usize {
        match self {
            Format::Otlp(stream) => stream.resume_at(),
            Format::Zipkin(stream) => stream.resume_at(),
            Format::Jaeger(stream) => stream.resume_at(),
        }
    }

    fn feed(&mut self, b: &mut StoreBuilder, window: &str) -> bool {
        match self {
            Format::Otlp(stream) => stream.feed(b, window, false),
            Format::Zipkin(stream) => stream.feed(b, window, false),
            Format::Jaeger(stream) => stream.feed(b, window, false),
        }
    }

    fn finish(self, b: &mut StoreBuilder, window: &str) -> Result<(), ()> {
        match self {
            Format::Otlp(stream) => stream.finish(b, window),
            Format::Zipkin(stream) => stream.finish(b, window),
            Format::Jaeger(stream) => stream.finish(b, window),
        }
    }
}

impl<'p> StreamImport<'p> {
    /// A streaming import of `file_name` (for messages and the file list) of `total` bytes
    /// (0: unknown), calling `on_progress` with the number of spans parsed so far.
    pub fn new(file_name: &str, total: usize, on_progress: &'p mut dyn FnMut(usize)) -> Self {
        StreamImport {
            file_name: file_name.to_string(),
            total,
            builder: StoreBuilder::with_progress(on_progress),
            state: State::Waiting,
        }
    }

    /// Sets the file's size, when it is known only once reading starts (a download's
    /// `Content-Length`); 0: unknown.
    pub fn expect_len(&mut self, total: usize) {
        self.total = total;
    }

    /// True while spans are read as the file arrives (false before the format is known,
    /// and when the file will be read whole at the end).
    pub fn is_streaming(&self) -> bool {
        matches!(self.state, State::On { .. })
    }

    /// Parses what `so_far` (the file's first bytes, growing from call to call) adds.
    // Not inlined: one copy for the worker's loads and its start-up warm-up (a copy
    // inlined into each would leave the loads' copy cold).
    #[inline(never)]
    pub fn feed(&mut self, so_far: &[u8]) {
        if matches!(self.state, State::Waiting) {
            if so_far.len() < SNIFF_BYTES + 3 {
                return;
            }
            self.choose(so_far);
        }
        let State::On { stream, bom } = &mut self.state else {
            return;
        };
        let input = &so_far[*bom..];
        let from = stream.resume_at().min(input.len());
        let fed = match utf8_prefix(&input[from..]) {
            Some(window) => stream.feed(&mut self.builder, window),
            None => false,
        };
        if !fed {
            self.give_up();
        }
    }

    /// Finishes the import with the whole file: the rest of a streamed read, or the whole
    /// file read by [`import_with_progress`].
    #[inline(never)]
    pub fn finish(mut self, bytes: &[u8]) -> Result<Store, ImportError> {
        if matches!(self.state, State::Waiting) {
            self.choose(bytes);
        }
        if let State::On { stream, bom } = self.state {
            let input = &bytes[bom..];
            let window = std::str::from_utf8(&input[stream.resume_at().min(input.len())..]);
            if let Ok(window) = window {
                let imp = stream.importer();
                let read = stream.finish(&mut self.builder, window);
                if read.is_ok() && self.builder.span_count() > 0 {
                    return Ok(finish(self.builder, &self.file_name, imp, input.len()));
                }
            }
        }
        let mut quiet = |_: usize| {};
        let on_progress = self.builder.into_progress().unwrap_or(&mut quiet);
        import_with_progress(&self.file_name, bytes, on_progress)
    }

    /// Decides from the file's head whether to stream it.
    fn choose(&mut self, so_far: &[u8]) {
        self.state = State::Off;
        if gzip::is_gzip(so_far) {
            return;
        }
        let input = strip_bom(so_far);
        let bom = so_far.len() - input.len();
        let head = &input[..input.len().min(SNIFF_BYTES)];
        let Some((_, first)) = candidates(head).first().copied() else {
            return;
        };
        let stream = if first.name == otlp::IMPORTER.name {
            Format::Otlp(otlp::Stream::new())
        } else if first.name == zipkin::IMPORTER.name {
            Format::Zipkin(zipkin::Stream::new(&mut self.builder))
        } else if first.name == jaeger::IMPORTER.name {
            Format::Jaeger(jaeger::Stream::new())
        } else {
            return;
        };
        self.builder.set_input_len(self.total.saturating_sub(bom));
        self.state = State::On { stream, bom };
    }

    /// Stops streaming: the spans read so far are dropped (their memory freed now), and the
    /// file is read whole at the end.
    fn give_up(&mut self) {
        self.state = State::Off;
        let builder = std::mem::take(&mut self.builder);
        if let Some(on_progress) = builder.into_progress() {
            self.builder = StoreBuilder::with_progress(on_progress);
        }
    }
}

/// The longest prefix of `bytes` that is UTF-8 text, when only the end is cut off in the
/// middle of a character (a chunk boundary); `None` when `bytes` is not UTF-8.
fn utf8_prefix(bytes: &[u8]) -> Option<&str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok(),
        Err(_) => None,
    }
}
