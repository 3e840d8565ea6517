//! Credits: a ledger per organization, prices per feature from configuration, the checks
//! that refuse work the balance cannot pay for, the charges when work completes, and
//! Stripe checkout for top-ups. Billing is off by default (self-hosters); sandbox
//! applications are never charged.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use verifyd_core::billing::{format_credits, parse_credits, UNITS_PER_DOLLAR};
use verifyd_core::ids::OrgId;
use verifyd_core::session::Session;
use verifyd_core::status::SessionStatus;
use verifyd_core::tenant::{Application, Environment};
use verifyd_core::workflow::{Feature, WorkflowSpec};
use verifyd_core::{CoreError, CreditScope, FieldErrors};

use crate::{ServiceError, ServiceResult, Services};

/// Smallest top-up, in dollars (contract §1.4).
pub const MIN_TOP_UP_DOLLARS: i64 = 50;

/// Billing configuration.
#[derive(Debug, Clone)]
pub struct BillingSettings {
    /// When false (the default) nothing is checked or charged.
    pub enabled: bool,
    /// Price of one run per feature wire name (`OCR`, `FACE_MATCH`…), in ten-thousandths
    /// of a dollar.
    pub prices: BTreeMap<String, i64>,
    /// Stripe secret key; top-up answers 400 when absent.
    pub stripe_secret_key: Option<String>,
    /// Stripe API base URL.
    pub stripe_api_url: String,
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            prices: Feature::ALL
                .into_iter()
                .map(|f| {
                    let units = (f.default_price() * UNITS_PER_DOLLAR as f64).round() as i64;
                    (f.as_str().to_owned(), units)
                })
                .collect(),
            stripe_secret_key: None,
            stripe_api_url: "https://api.stripe.com".to_owned(),
        }
    }
}

impl BillingSettings {
    /// Parses configured prices (`{"OCR": "0.20", …}`) over the defaults.
    pub fn with_prices(mut self, prices: &BTreeMap<String, String>) -> Result<Self, String> {
        for (feature, amount) in prices {
            let feature = Feature::parse(feature)
                .ok_or_else(|| format!("billing_prices: unknown feature {feature}"))?;
            let units = parse_credits(amount).ok_or_else(|| {
                format!(
                    "billing_prices.{}: {amount:?} is not a decimal amount",
                    feature.as_str()
                )
            })?;
            self.prices.insert(feature.as_str().to_owned(), units);
        }
        Ok(self)
    }

    /// The price of one run of `feature`.
    pub fn price(&self, feature: Feature) -> i64 {
        self.prices.get(feature.as_str()).copied().unwrap_or(0)
    }

    /// The price of a session on this workflow.
    pub fn session_price(&self, spec: &WorkflowSpec) -> i64 {
        spec.feature_list().into_iter().map(|f| self.price(f)).sum()
    }

    fn applies_to(&self, environment: Environment) -> bool {
        self.enabled && environment == Environment::Live
    }
}

/// A validated top-up request.
#[derive(Debug, Clone, PartialEq)]
pub struct TopUp {
    /// The amount in cents (the body's `amount_in_dollars` is a number of dollars).
    pub amount_cents: i64,
    /// Where Stripe sends the payer after paying.
    pub success_url: String,
    /// Where Stripe sends the payer after cancelling.
    pub cancel_url: String,
}

impl TopUp {
    /// Validates the body.
    pub fn parse(body: &Map<String, Value>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let dollars = match body.get("amount_in_dollars") {
            None | Some(Value::Null) => {
                errors.add("amount_in_dollars", "This field is required.");
                None
            }
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        let amount = match dollars {
            Some(d) if !d.is_finite() || d > 1e9 => {
                errors.add("amount_in_dollars", "A valid number is required.");
                None
            }
            Some(d) if d < MIN_TOP_UP_DOLLARS as f64 => {
                errors.add(
                    "amount_in_dollars",
                    format!("Ensure this value is greater than or equal to {MIN_TOP_UP_DOLLARS}."),
                );
                None
            }
            Some(d) => Some((d * 100.0).round() as i64),
            None => {
                if body.get("amount_in_dollars").is_some_and(|v| !v.is_null()) {
                    errors.add("amount_in_dollars", "A valid number is required.");
                }
                None
            }
        };
        let mut url = |key: &str| match body.get(key) {
            None | Some(Value::Null) => {
                errors.add(key, "This field is required.");
                String::new()
            }
            Some(Value::String(u)) if u.starts_with("https://") || u.starts_with("http://") => {
                u.clone()
            }
            Some(_) => {
                errors.add(key, "Enter a valid URL.");
                String::new()
            }
        };
        let success_url = url("success_url");
        let cancel_url = url("cancel_url");
        match amount {
            Some(amount_cents) if errors.is_empty() => Ok(Self {
                amount_cents,
                success_url,
                cancel_url,
            }),
            _ => Err(errors),
        }
    }
}

impl Services {
    /// `GET /v3/billing/balance/`.
    pub async fn balance(&self, app: &Application) -> ServiceResult<Value> {
        let balance = self.store.credit_balance(app.org_id).await?;
        Ok(json!({
            "balance": format_credits(balance),
            "auto_refill_enabled": false,
            "auto_refill_amount": null,
            "auto_refill_threshold": null,
        }))
    }

    /// Adds credits to an organization (the `verifyd credits grant` admin command); returns
    /// the new balance.
    pub async fn grant_credits(&self, org: OrgId, units: i64) -> ServiceResult<i64> {
        if !self.store.organization_exists(org).await? {
            return Err(CoreError::NotFound(format!("Organization {org} does not exist.")).into());
        }
        self.store
            .add_credits(org, units, "grant", None, self.clock.now())
            .await?;
        Ok(self.store.credit_balance(org).await?)
    }

    /// Refuses a session the organization's credits cannot pay for (400, contract §0).
    pub async fn require_session_credits(
        &self,
        app: &Application,
        spec: &WorkflowSpec,
    ) -> ServiceResult<()> {
        let billing = &self.settings.billing;
        if !billing.applies_to(app.environment) {
            return Ok(());
        }
        let price = billing.session_price(spec);
        if self.store.credit_balance(app.org_id).await? < price {
            return Err(CoreError::InsufficientCredits(CreditScope::Session).into());
        }
        Ok(())
    }

    /// Refuses a standalone check the credits cannot pay for (403); returns its price.
    pub async fn require_request_credits(
        &self,
        app: &Application,
        feature: Feature,
    ) -> ServiceResult<i64> {
        let billing = &self.settings.billing;
        if !billing.applies_to(app.environment) {
            return Ok(0);
        }
        let price = billing.price(feature);
        if self.store.credit_balance(app.org_id).await? < price {
            return Err(CoreError::InsufficientCredits(CreditScope::Standalone).into());
        }
        Ok(price)
    }

    /// Charges a completed standalone request (once per request id).
    pub async fn charge_request(
        &self,
        app: &Application,
        price: i64,
        request_id: &str,
    ) -> ServiceResult<()> {
        if price > 0 && self.settings.billing.applies_to(app.environment) {
            self.store
                .add_credits(
                    app.org_id,
                    -price,
                    "request",
                    Some(request_id),
                    self.clock.now(),
                )
                .await?;
        }
        Ok(())
    }

    /// Charges a session that reached a decision (Approved, Declined, In Review), once per
    /// session: resubmissions and reviewer changes are not charged again. Called from
    /// [`Services::transition`]; failures are logged there, never undo the status change.
    pub async fn charge_completed_session(&self, session: &Session) -> ServiceResult<()> {
        let billing = &self.settings.billing;
        let decided = matches!(
            session.status,
            SessionStatus::Approved | SessionStatus::Declined | SessionStatus::InReview
        );
        if !decided
            || !billing.applies_to(session.environment)
            || session.shared_from_session.is_some()
        {
            return Ok(());
        }
        let Some(app) = self.store.application(session.app_id).await? else {
            return Ok(());
        };
        let spec = self.session_spec(session).await?;
        let price = billing.session_price(&spec);
        if price > 0 {
            self.store
                .add_credits(
                    app.org_id,
                    -price,
                    "session",
                    Some(&session.id.to_string()),
                    self.clock.now(),
                )
                .await?;
        }
        Ok(())
    }

    /// Starts a Stripe Checkout session for a top-up. Crediting the ledger on payment needs
    /// Stripe's `checkout.session.completed` webhook, which is not wired yet: grant the
    /// credits with `verifyd credits grant` meanwhile.
    pub async fn top_up(&self, app: &Application, request: TopUp) -> ServiceResult<Value> {
        let Some(secret) = self.settings.billing.stripe_secret_key.clone() else {
            return Err(CoreError::Rejected(
                "Top-up is not configured on this server (no stripe_secret_key); ask the \
                 administrator to grant credits with `verifyd credits grant`."
                    .to_owned(),
            )
            .into());
        };
        let cents = request.amount_cents.to_string();
        let org = app.org_id.to_string();
        let form: Vec<(&str, &str)> = vec![
            ("mode", "payment"),
            ("success_url", &request.success_url),
            ("cancel_url", &request.cancel_url),
            ("client_reference_id", &org),
            ("metadata[organization_id]", &org),
            ("line_items[0][quantity]", "1"),
            ("line_items[0][price_data][currency]", "usd"),
            ("line_items[0][price_data][unit_amount]", &cents),
            (
                "line_items[0][price_data][product_data][name]",
                "verifyd credits",
            ),
        ];
        let url = format!(
            "{}/v1/checkout/sessions",
            self.settings.billing.stripe_api_url.trim_end_matches('/')
        );
        let response = reqwest::Client::new()
            .post(url)
            .bearer_auth(secret)
            .form(&form)
            .timeout(std::time::Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| ServiceError::unavailable("payment provider", e))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| ServiceError::unavailable("payment provider", e))?;
        if !status.is_success() {
            return Err(ServiceError::unavailable(
                "payment provider",
                format!("Stripe answered {status}: {body}"),
            ));
        }
        Ok(json!({
            "checkout_session_id": body.get("id"),
            "checkout_session_url": body.get("url"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::services;
    use verifyd_core::status::SessionStatus as Status;

    #[tokio::test]
    async fn sessions_are_checked_and_charged_once() {
        let dir = tempfile::tempdir().unwrap();
        let billing = BillingSettings {
            enabled: true,
            ..BillingSettings::default()
        };
        let services = services(dir.path(), billing, None).await;
        let creds = services
            .create_standalone_application("paying", Environment::Live)
            .await
            .unwrap();
        let app = creds.app;
        let workflow = services
            .create_workflow(app.id, &obj(json!({"workflow_type": "kyc"})))
            .await
            .unwrap();
        let price = services.settings.billing.session_price(&workflow.spec);
        assert!(price > 0);
        let body = obj(json!({"workflow_id": workflow.id}));
        let refused = services.create_session(&app, &body).await.unwrap_err();
        assert!(matches!(
            refused,
            ServiceError::Core(CoreError::InsufficientCredits(CreditScope::Session))
        ));
        services.grant_credits(app.org_id, 3 * price).await.unwrap();
        let session = services.create_session(&app, &body).await.unwrap().session;
        let session = services
            .transition(session, Status::InProgress, "status_change", None, "test")
            .await
            .unwrap();
        assert_eq!(
            services.store.credit_balance(app.org_id).await.unwrap(),
            3 * price
        );
        let session = services
            .transition(session, Status::InReview, "status_change", None, "test")
            .await
            .unwrap();
        assert_eq!(
            services.store.credit_balance(app.org_id).await.unwrap(),
            2 * price
        );
        // A reviewer's later decision is not a second charge.
        services
            .transition(session, Status::Approved, "review", None, "test")
            .await
            .unwrap();
        assert_eq!(
            services.store.credit_balance(app.org_id).await.unwrap(),
            2 * price
        );
        let balance = services.balance(&app).await.unwrap();
        assert_eq!(balance["balance"], json!(format_credits(2 * price)));
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn prices_come_from_defaults_and_config() {
        let settings = BillingSettings::default();
        assert_eq!(settings.price(Feature::Ocr), 2000);
        let mut configured = BTreeMap::new();
        configured.insert("ocr".to_owned(), "0.5".to_owned());
        let settings = settings.with_prices(&configured).unwrap_or_default();
        assert_eq!(settings.price(Feature::Ocr), 5000);
        let mut bad = BTreeMap::new();
        bad.insert("TELEPATHY".to_owned(), "1".to_owned());
        assert!(BillingSettings::default().with_prices(&bad).is_err());
    }

    #[test]
    fn top_up_bodies() {
        let ok = TopUp::parse(&obj(json!({"amount_in_dollars": 50,
            "success_url": "https://a.example/ok", "cancel_url": "https://a.example/no"})));
        assert_eq!(ok.map(|t| t.amount_cents).ok(), Some(5000));
        let ok = TopUp::parse(&obj(json!({"amount_in_dollars": "75.5",
            "success_url": "https://a.example/ok", "cancel_url": "https://a.example/no"})));
        assert_eq!(ok.map(|t| t.amount_cents).ok(), Some(7550));
        let errors = TopUp::parse(&obj(json!({"amount_in_dollars": 49}))).unwrap_err();
        assert_eq!(
            errors.0["amount_in_dollars"],
            vec!["Ensure this value is greater than or equal to 50."]
        );
        assert_eq!(errors.0["success_url"], vec!["This field is required."]);
        assert!(TopUp::parse(&obj(json!({"amount_in_dollars": "lots"}))).is_err());
    }
}
