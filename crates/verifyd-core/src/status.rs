//! The ten session statuses and the transitions allowed between them (contract §3).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A verification session's status; the strings are exact and case-sensitive on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SessionStatus {
    /// Created; the user has not opened the link.
    #[serde(rename = "Not Started")]
    NotStarted,
    /// The user opened the link and is going through the steps.
    #[serde(rename = "In Progress")]
    InProgress,
    /// Finished, waiting for a human decision.
    #[serde(rename = "In Review")]
    InReview,
    /// Verified.
    Approved,
    /// Rejected.
    Declined,
    /// Sent back to the user to redo some steps.
    Resubmitted,
    /// Waiting on the user or on child sessions.
    #[serde(rename = "Awaiting User")]
    AwaitingUser,
    /// Started but not finished in time.
    Abandoned,
    /// Never started before the link expired.
    Expired,
    /// An approval whose validity ran out under the KYC expiration policy.
    #[serde(rename = "Kyc Expired")]
    KycExpired,
}

impl SessionStatus {
    /// Every status, in the contract's order.
    pub const ALL: [SessionStatus; 10] = [
        Self::NotStarted,
        Self::InProgress,
        Self::InReview,
        Self::Approved,
        Self::Declined,
        Self::Resubmitted,
        Self::AwaitingUser,
        Self::Abandoned,
        Self::Expired,
        Self::KycExpired,
    ];

    /// The exact wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "Not Started",
            Self::InProgress => "In Progress",
            Self::InReview => "In Review",
            Self::Approved => "Approved",
            Self::Declined => "Declined",
            Self::Resubmitted => "Resubmitted",
            Self::AwaitingUser => "Awaiting User",
            Self::Abandoned => "Abandoned",
            Self::Expired => "Expired",
            Self::KycExpired => "Kyc Expired",
        }
    }

    /// Whether the flow may move a session from `self` to `to` on its own (user progress,
    /// engines, the expiry sweeper). Reviewer decisions go through
    /// [`SessionStatus::reviewer_may_set`] instead.
    pub fn can_transition_to(self, to: SessionStatus) -> bool {
        use SessionStatus::*;
        matches!(
            (self, to),
            (NotStarted, InProgress)
                | (NotStarted, Expired)
                | (InProgress, Approved)
                | (InProgress, Declined)
                | (InProgress, InReview)
                | (InProgress, Abandoned)
                | (InProgress, AwaitingUser)
                | (InReview, Approved)
                | (InReview, Declined)
                | (InReview, Resubmitted)
                | (Approved, KycExpired)
                | (Approved, Declined)
                | (Approved, Resubmitted)
                | (Declined, Approved)
                | (Declined, Resubmitted)
                | (Resubmitted, InProgress)
                | (Resubmitted, Abandoned)
                | (AwaitingUser, InReview)
                | (AwaitingUser, Approved)
                | (AwaitingUser, Declined)
        )
    }

    /// The statuses a reviewer (the update-status API) may set.
    pub fn is_reviewer_target(self) -> bool {
        matches!(self, Self::Approved | Self::Declined | Self::Resubmitted)
    }

    /// The current statuses from which a reviewer may change a session (contract §3, DOCS).
    pub fn is_reviewable(self) -> bool {
        matches!(
            self,
            Self::Approved
                | Self::Declined
                | Self::InReview
                | Self::KycExpired
                | Self::Abandoned
                | Self::Resubmitted
        )
    }

    /// Whether the session still waits for the user (idempotent create reuses these).
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            Self::NotStarted | Self::InProgress | Self::Resubmitted | Self::AwaitingUser
        )
    }

    /// The finished outcomes a session can be shared from.
    pub fn is_shareable(self) -> bool {
        matches!(self, Self::Approved | Self::Declined | Self::InReview)
    }

    /// Whether the webhook for this status carries the decision document (contract §4.2).
    pub fn webhook_carries_decision(self) -> bool {
        matches!(
            self,
            Self::Approved | Self::Declined | Self::InReview | Self::Abandoned
        )
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of the ten statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown session status")]
pub struct UnknownStatus;

impl FromStr for SessionStatus {
    type Err = UnknownStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or(UnknownStatus)
    }
}

/// What a reviewer's request to set `target` on a session in `current` amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// Apply the change.
    Change,
    /// Same status as now: answer success, change nothing, emit nothing.
    NoOp,
}

impl SessionStatus {
    /// The update-status acceptance rules (contract §3): only Approved, Declined or
    /// Resubmitted may be set; only from a reviewable status; the same status is a no-op,
    /// except Resubmitted on a Resubmitted session, which is refused.
    pub fn reviewer_may_set(self, target: SessionStatus) -> Result<ReviewOutcome, String> {
        if !target.is_reviewer_target() {
            return Err(format!(
                "Invalid status. Allowed values are: Approved, Declined, Resubmitted. Got \"{target}\"."
            ));
        }
        if !self.is_reviewable() {
            return Err(format!(
                "Cannot update the status of a session that is \"{self}\"."
            ));
        }
        if self == target {
            return if target == Self::Resubmitted {
                Err("The new status is the same as the current status.".to_owned())
            } else {
                Ok(ReviewOutcome::NoOp)
            };
        }
        Ok(ReviewOutcome::Change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_strings_round_trip() {
        for status in SessionStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(status.as_str().parse::<SessionStatus>().unwrap(), status);
        }
        assert!("approved".parse::<SessionStatus>().is_err());
        assert!("Not Finished".parse::<SessionStatus>().is_err());
    }

    #[test]
    fn reviewer_rules_follow_the_contract() {
        use SessionStatus::*;
        assert!(NotStarted.reviewer_may_set(Approved).is_err());
        assert!(InProgress.reviewer_may_set(Declined).is_err());
        assert!(InReview.reviewer_may_set(InReview).is_err());
        assert_eq!(
            InReview.reviewer_may_set(Approved),
            Ok(ReviewOutcome::Change)
        );
        assert_eq!(Approved.reviewer_may_set(Approved), Ok(ReviewOutcome::NoOp));
        assert_eq!(
            Declined.reviewer_may_set(Resubmitted),
            Ok(ReviewOutcome::Change)
        );
        assert!(Resubmitted.reviewer_may_set(Resubmitted).is_err());
        assert_eq!(
            Abandoned.reviewer_may_set(Approved),
            Ok(ReviewOutcome::Change)
        );
        assert!(Expired.reviewer_may_set(Approved).is_err());
    }

    #[test]
    fn expiry_only_from_not_started() {
        use SessionStatus::*;
        assert!(NotStarted.can_transition_to(Expired));
        assert!(!InProgress.can_transition_to(Expired));
        assert!(InProgress.can_transition_to(Abandoned));
        assert!(!Approved.can_transition_to(InProgress));
    }
}
