//! Typed identifiers. On the wire they are the contract's UUID strings; inside the code a
//! session id cannot be passed where an application id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random identifier.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// An organization (the customer account that owns applications).
    OrgId
);
uuid_id!(
    /// An application: the tenant boundary every API resource belongs to.
    AppId
);
uuid_id!(
    /// A console user account.
    AccountId
);
uuid_id!(
    /// A verification workflow.
    WorkflowId
);
uuid_id!(
    /// A verification session.
    SessionId
);
uuid_id!(
    /// A list (blocklist, allowlist or custom list).
    ListId
);
uuid_id!(
    /// One entry of a list.
    ListEntryId
);
uuid_id!(
    /// A questionnaire.
    QuestionnaireId
);
uuid_id!(
    /// A user aggregated by vendor_data (the contract's `didit_internal_id`).
    UserId
);
