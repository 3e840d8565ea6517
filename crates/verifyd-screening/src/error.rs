//! The crate's single error type: import failures carry the list and the place that broke.

/// Errors from importing lists or labelled pair files.
#[derive(Debug, thiserror::Error)]
pub enum ScreeningError {
    /// Reading the input failed.
    #[error("reading {what}: {source}")]
    Io {
        /// Which input.
        what: &'static str,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// CSV syntax error.
    #[error("{what}: CSV error: {source}")]
    Csv {
        /// Which input.
        what: &'static str,
        /// Cause.
        #[source]
        source: csv::Error,
    },
    /// XML syntax error.
    #[error("{what}: XML error at byte {position}: {message}")]
    Xml {
        /// Which input.
        what: &'static str,
        /// Byte offset.
        position: u64,
        /// Parser message.
        message: String,
    },
    /// JSON syntax error.
    #[error("{what}: JSON error on line {line}: {source}")]
    Json {
        /// Which input.
        what: &'static str,
        /// 1-based line (JSON lines) or 0 for a whole document.
        line: usize,
        /// Cause.
        #[source]
        source: serde_json::Error,
    },
    /// Well-formed input that does not have the expected structure.
    #[error("{what}: {message}")]
    Format {
        /// Which input.
        what: &'static str,
        /// What is wrong.
        message: String,
    },
}
