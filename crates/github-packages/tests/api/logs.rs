//! Capturing the client's log lines in a test, deterministically.
//!
//! tracing caches per call site whether anyone is interested, process-wide,
//! so a subscriber set for one test thread misses events whenever another
//! thread decided the interest first. Instead, one subscriber is installed
//! for the whole test process, says "always interested", and hands each
//! event to the capture of the thread it happens on (a `#[tokio::test]`
//! runs the client on the test's own thread), or drops it.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, Once};

use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber, span};

thread_local! {
    static CURRENT: RefCell<Option<Arc<Mutex<Vec<String>>>>> = const { RefCell::new(None) };
}

/// The log lines emitted on this thread while the capture lives, as
/// `LEVEL field=value …`.
pub struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
}

impl Capture {
    pub fn start() -> Self {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            tracing::subscriber::set_global_default(Router)
                .expect("no other global subscriber in this test binary");
        });
        let lines = Arc::new(Mutex::new(Vec::new()));
        CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(&lines)));
        Self { lines }
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        CURRENT.with(|current| current.borrow_mut().take());
    }
}

struct Router;

struct Fields(String);

impl tracing::field::Visit for Fields {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl Subscriber for Router {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        CURRENT.with(|current| {
            if let Some(lines) = current.borrow().as_ref() {
                let mut fields = Fields(format!("{} ", event.metadata().level()));
                event.record(&mut fields);
                lines.lock().unwrap().push(fields.0);
            }
        });
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}
