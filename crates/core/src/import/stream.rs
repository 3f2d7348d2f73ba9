//! Importing a file while it is still being read: the import worker hands every chunk it
//! has read to a [`StreamImport`], which parses the spans that are complete so far, so that
//! parsing overlaps the browser's reading of the file instead of starting when the last
//! chunk is in.
//!
//! Only a file whose format can be read piecewise is streamed: one that does not start
//! gzip-compressed and whose first [`SNIFF_BYTES`] are surest (the importer
//! [`import`](super::import) would try first) OTLP JSON (`otlp::Stream`) or Zipkin v2 JSON
//! (`zipkin::Stream`) in any layout (these are also the readers [`import`](super::import)
//! reads a whole file of these formats with; Zipkin's `ListOfSpans` object is one unit, so
//! its streaming stops when a chunk ends inside one), or Jaeger JSON as Jaeger UI and its
//! API write it, `{"data":[{"traceID":…,"spans":[…` (`jaeger::Stream`: the first trace's
//! spans as they come, the rest at the end). Anything else, or anything that stops a
//! streaming read part-way (another layout, a syntax error, invalid UTF-8), is read by
//! [`import`](super::import) when the file is complete, as it would be without streaming:
//! the same spans, warnings and error messages either way, which the tests check.
//!
//! A caller need not keep the whole file: what comes before [`StreamImport::needed_from`]
//! is parsed, and may be dropped ([`StreamImport::feed_at`], [`StreamImport::finish_at`]).
//! Should streaming stop after that, the import asks for the whole file again.

use super::{candidates, finish, gzip, import_with_progress, strip_bom, ImportError};
use super::{jaeger, otlp, zipkin, Importer};
use super::{StoreBuilder, SNIFF_BYTES};
use crate::model::Store;

/// A file being imported while it is read. Feed it the file's bytes so far after every chunk
/// ([`StreamImport::feed`], or [`StreamImport::feed_at`] without the parsed head), then the
/// whole file ([`StreamImport::finish`]) or its tail ([`StreamImport::finish_at`]).
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
    pub fn feed(&mut self, so_far: &[u8]) {
        self.feed_at(so_far, 0);
    }

    /// The first byte of the file the import still needs: everything before it is parsed,
    /// and a caller may drop it and pass the rest with its offset ([`StreamImport::feed_at`]).
    /// 0 until the format is known, and when the file is read whole at the end.
    pub fn needed_from(&self) -> usize {
        match &self.state {
            State::On { stream, bom } => bom + stream.resume_at(),
            _ => 0,
        }
    }

    /// True when streaming stopped after the caller dropped the file's head (the bytes
    /// before `offset`): the file must be read again whole ([`StreamImport::finish_at`]
    /// says so too), and nothing more of this read is needed.
    pub fn lost_head(&self, offset: usize) -> bool {
        self.needed_from() < offset
    }

    /// Parses what the file read so far adds, given as `bytes`: the file from byte `offset`
    /// (at most [`StreamImport::needed_from`], as it was after the previous call) up to what
    /// has arrived. Streaming may stop part-way after a caller dropped the file's head
    /// ([`StreamImport::lost_head`]).
    pub fn feed_at(&mut self, bytes: &[u8], offset: usize) {
        if matches!(self.state, State::Waiting) {
            if offset > 0 || bytes.len() < SNIFF_BYTES + 3 {
                return;
            }
            self.choose(bytes);
        }
        let State::On { stream, bom } = &mut self.state else {
            return;
        };
        let fed = match (*bom + stream.resume_at()).checked_sub(offset) {
            Some(from) if from <= bytes.len() => match utf8_prefix(&bytes[from..]) {
                Some(window) => stream.feed(&mut self.builder, window),
                None => false,
            },
            _ => false,
        };
        if !fed {
            self.give_up();
        }
    }

    /// Finishes the import with the whole file: the rest of a streamed read, or the whole
    /// file read by [`import_with_progress`].
    pub fn finish(mut self, bytes: &[u8]) -> Result<Store, ImportError> {
        match self.finish_streamed(bytes, 0) {
            Some(store) => Ok(store),
            None => self.import_whole(bytes),
        }
    }

    /// Finishes the import with the file's last bytes: `tail`, the file from byte `offset`
    /// (as for [`StreamImport::feed_at`]) to its end. `Err` gives the import back when the
    /// file must be read again whole (streaming stopped after its head was dropped): pass
    /// the whole file to [`StreamImport::finish`] then.
    pub fn finish_at(
        mut self,
        tail: &[u8],
        offset: usize,
    ) -> Result<Result<Store, ImportError>, Box<Self>> {
        if let Some(store) = self.finish_streamed(tail, offset) {
            return Ok(Ok(store));
        }
        if offset > 0 {
            self.give_up();
            return Err(Box::new(self));
        }
        Ok(self.import_whole(tail))
    }

    /// The rest of a streamed read, when the file is streamed and the read succeeds.
    fn finish_streamed(&mut self, tail: &[u8], offset: usize) -> Option<Store> {
        if matches!(self.state, State::Waiting) && offset == 0 {
            self.choose(tail);
        }
        let State::On { stream, bom } = std::mem::replace(&mut self.state, State::Off) else {
            return None;
        };
        let from = (bom + stream.resume_at()).checked_sub(offset)?;
        let window = std::str::from_utf8(tail.get(from..)?).ok()?;
        let imp = stream.importer();
        let read = stream.finish(&mut self.builder, window);
        if read.is_err() || self.builder.span_count() == 0 {
            return None;
        }
        let builder = std::mem::take(&mut self.builder);
        let len = (offset + tail.len()).saturating_sub(bom);
        Some(finish(builder, &self.file_name, imp, len))
    }

    /// The whole file read by [`import_with_progress`], as without streaming.
    fn import_whole(self, bytes: &[u8]) -> Result<Store, ImportError> {
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
