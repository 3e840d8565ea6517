//! The crate's errors: bad input from a caller ([`PhoneError`], [`EmailError`]) is kept apart
//! from data that failed to load ([`DataError`]), which is an operator's problem.

use thiserror::Error;

/// A list, database or rule file that could not be loaded.
#[derive(Debug, Error)]
pub enum DataError {
    /// A list line that is not a valid entry.
    #[error("{list}: line {line}: not a valid entry: {entry:?}")]
    BadEntry {
        /// The list's name.
        list: String,
        /// 1-based line number.
        line: usize,
        /// The offending text.
        entry: String,
    },
    /// A MaxMind DB file that does not open.
    #[error("{name}: not a readable MaxMind database: {source}")]
    Mmdb {
        /// The database's name or path.
        name: String,
        /// The reader's error.
        #[source]
        source: maxminddb::MaxMindDbError,
    },
    /// A file that could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The User-Agent rules did not compile.
    #[error("user-agent rules: {0}")]
    UserAgentRules(String),
}

/// Why a phone number was refused (the standalone APIs answer 400 with the message).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    /// Not a phone number at all, or no country can be told for it.
    #[error("Enter a valid phone number in E.164 format (for example +14155552671).")]
    Unparseable,
    /// A number the numbering plan of its country does not allow.
    #[error("The phone number is not a valid number for its country.")]
    Invalid,
    /// The `country_code` hint is not an ISO 3166 code.
    #[error("Enter a valid ISO 3166 country code.")]
    UnknownCountry,
}

/// Why an email address was refused (400 on the standalone APIs).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    /// Not an address (`email_address`'s RFC 5321/5322 rules, without display names or
    /// domain literals).
    #[error("Enter a valid email address.")]
    Invalid,
}
