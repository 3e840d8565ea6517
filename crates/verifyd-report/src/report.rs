//! The report's content: which parts of a decision go where, in what words.
//!
//! Everything is read from the decision JSON by key, never deserialised into a fixed struct, so a
//! field this crate has not heard of cannot fail the render and a feature array added later still
//! shows up (in a generic section). Known features get a curated list of key fields first; the
//! remaining plain fields follow so nothing a reviewer might look for is silently dropped.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::layout::{Cell, Doc, Rgb, CONTENT_W, INK, MARGIN_X, MUTED};
use crate::text::Font;
use crate::ReportImage;

/// Safety valve against absurd inputs (an AML list of thousands of hits is capped separately).
pub(crate) const MAX_PAGES: usize = 400;
/// AML hits listed per screening, best matches first.
const MAX_HITS: usize = 100;
/// Rows in any generic list (breaches, validations, answers...).
const MAX_ROWS: usize = 200;

const GREEN: Rgb = (0.09, 0.56, 0.27);
const RED: Rgb = (0.80, 0.15, 0.15);
const AMBER: Rgb = (0.83, 0.50, 0.02);
const BLUE: Rgb = (0.15, 0.39, 0.85);
const PURPLE: Rgb = (0.45, 0.25, 0.78);
const GREY: Rgb = (0.45, 0.48, 0.53);

/// Colour for a session or feature status (the contract's exact strings; unknown ones are grey).
pub(crate) fn status_color(status: &str) -> Rgb {
    match status {
        "Approved" => GREEN,
        "Declined" => RED,
        "In Review" => AMBER,
        "Resubmitted" | "Resub Requested" => PURPLE,
        "In Progress" | "Awaiting User" => BLUE,
        _ => GREY,
    }
}

fn severity_color(log_type: &str) -> Rgb {
    match log_type.to_ascii_lowercase().as_str() {
        "error" => RED,
        "warning" => AMBER,
        "information" | "info" => BLUE,
        _ => GREY,
    }
}

/// A feature array the report knows how to present.
struct Spec {
    key: &'static str,
    title: &'static str,
    /// Dotted paths to the key fields, with their labels.
    fields: &'static [(&'static str, &'static str)],
}

const SPECS: &[Spec] = &[
    Spec {
        key: "id_verifications",
        title: "Identity document",
        fields: &[
            ("document_type", "Document type"),
            ("document_number", "Document number"),
            ("first_name", "First name"),
            ("last_name", "Last name"),
            ("full_name", "Full name"),
            ("date_of_birth", "Date of birth"),
            ("expiration_date", "Expiry date"),
            ("date_of_issue", "Date of issue"),
            ("issuing_state", "Issuing state"),
            ("nationality", "Nationality"),
            ("gender", "Sex"),
            ("age", "Age"),
            ("personal_number", "Personal number"),
            ("place_of_birth", "Place of birth"),
            ("address", "Address"),
        ],
    },
    Spec {
        key: "nfc_verifications",
        title: "NFC chip",
        fields: &[
            ("chip_authenticated", "Chip authenticated"),
            ("authenticity.sod_integrity", "SOD integrity"),
            ("authenticity.dg_integrity", "Data group integrity"),
            ("is_nfc_skipped", "Skipped"),
            ("skip_reason", "Skip reason"),
            ("chip_data.document_number", "Document number"),
            ("chip_data.first_name", "First name"),
            ("chip_data.last_name", "Last name"),
            ("chip_data.birth_date", "Date of birth"),
            ("chip_data.expiration_date", "Expiry date"),
            ("chip_data.nationality", "Nationality"),
            ("chip_data.issuing_country", "Issuing country"),
        ],
    },
    Spec {
        key: "liveness_checks",
        title: "Liveness",
        fields: &[
            ("method", "Method"),
            ("score", "Score"),
            ("age_estimation", "Estimated age"),
            ("face_quality", "Face quality"),
        ],
    },
    Spec {
        key: "face_matches",
        title: "Face match",
        fields: &[
            ("score", "Similarity score"),
            ("source_image_session_id", "Reference session"),
        ],
    },
    Spec {
        key: "aml_screenings",
        title: "AML screening",
        fields: &[
            ("total_hits", "Total hits"),
            ("entity_type", "Entity type"),
            ("score", "Score"),
            ("screened_data.full_name", "Screened name"),
            ("screened_data.date_of_birth", "Screened date of birth"),
            ("screened_data.nationality", "Screened nationality"),
            ("pep_detected", "PEP detected"),
            ("sanctions_detected", "Sanctions detected"),
            ("adverse_media_detected", "Adverse media detected"),
            ("is_ongoing_monitoring_enabled", "Ongoing monitoring"),
        ],
    },
    Spec {
        key: "phone_verifications",
        title: "Phone",
        fields: &[
            ("full_number", "Phone number"),
            ("country_name", "Country"),
            ("carrier.name", "Carrier"),
            ("carrier.type", "Line type"),
            ("is_disposable", "Disposable"),
            ("is_virtual", "Virtual"),
            ("verification_method", "Verification method"),
            ("verification_attempts", "Attempts"),
            ("verified_at", "Verified at"),
        ],
    },
    Spec {
        key: "email_verifications",
        title: "Email",
        fields: &[
            ("email", "Email"),
            ("is_breached", "Found in breaches"),
            ("is_disposable", "Disposable"),
            ("is_undeliverable", "Undeliverable"),
            ("verification_attempts", "Attempts"),
            ("verified_at", "Verified at"),
        ],
    },
    Spec {
        key: "poa_verifications",
        title: "Proof of address",
        fields: &[
            ("document_type", "Document type"),
            ("issuer", "Issuer"),
            ("issue_date", "Issue date"),
            ("name_on_document", "Name on document"),
            ("poa_formatted_address", "Address"),
            ("poa_address", "Address (as printed)"),
            ("issuing_state", "Issuing state"),
            ("document_language", "Language"),
            ("name_match_score_id_verification", "Name match vs ID"),
        ],
    },
    Spec {
        key: "ip_analyses",
        title: "IP and device",
        fields: &[
            ("ip_address", "IP address"),
            ("ip_country", "Country"),
            ("ip_city", "City"),
            ("isp", "ISP"),
            ("organization", "Organisation"),
            ("is_vpn_or_tor", "VPN or Tor"),
            ("is_data_center", "Data centre"),
            ("platform", "Platform"),
            ("os_family", "Operating system"),
            ("browser_family", "Browser"),
            ("device_brand", "Device brand"),
            ("device_model", "Device model"),
        ],
    },
    Spec {
        key: "database_validations",
        title: "Database validation",
        fields: &[
            ("match_type", "Match"),
            ("validation_type", "Validation type"),
            ("issuing_state", "Issuing state"),
            ("match_score", "Match score"),
            ("screened_data.first_name", "Screened first name"),
            ("screened_data.last_name", "Screened last name"),
            ("screened_data.document_number", "Screened document number"),
        ],
    },
    Spec {
        key: "questionnaire_responses",
        title: "Questionnaire",
        fields: &[("title", "Questionnaire"), ("version", "Version")],
    },
];

/// Display names for feature arrays that are rendered generically.
fn array_title(key: &str) -> String {
    if let Some(spec) = SPECS.iter().find(|s| s.key == key) {
        return spec.title.to_owned();
    }
    match key {
        "document_ai_documents" => "Document AI".to_owned(),
        "signatures" => "Signatures".to_owned(),
        "bank_verifications" => "Bank verification".to_owned(),
        "registry_checks" => "Company registry".to_owned(),
        "document_verifications" => "Company documents".to_owned(),
        "key_people_checks" => "Key people".to_owned(),
        other => humanize(other),
    }
}

/// Top-level arrays that are not feature results.
const NOT_FEATURES: &[&str] = &["features", "reviews", "warnings"];

/// Build the whole report into `doc`.
pub(crate) fn build(
    doc: &mut Doc,
    decision: &Value,
    images: &[ReportImage],
    generated_at: DateTime<Utc>,
) {
    let empty = Map::new();
    let d = decision.as_object().unwrap_or(&empty);
    title_block(doc, d);
    session_details(doc, d, generated_at);
    let features = feature_arrays(d);
    overview(doc, &features);
    warnings(doc, d, &features);
    image_section(doc, images);
    for (key, items) in &features {
        feature_section(doc, key, items);
        if doc.too_long() {
            return;
        }
    }
    reviews(doc, d);
    closing_notes(doc);
}

/// The top-level arrays holding feature results, in the contract's order, then unknown ones.
fn feature_arrays(d: &Map<String, Value>) -> Vec<(String, Vec<&Map<String, Value>>)> {
    let mut out = Vec::new();
    for spec in SPECS {
        if let Some(v) = d.get(spec.key) {
            let items = objects(v);
            if !items.is_empty() {
                out.push((spec.key.to_owned(), items));
            }
        }
    }
    for (key, v) in d {
        if SPECS.iter().any(|s| s.key == key) || NOT_FEATURES.contains(&key.as_str()) {
            continue;
        }
        let items = objects(v);
        if !items.is_empty() {
            out.push((key.clone(), items));
        }
    }
    out
}

fn title_block(doc: &mut Doc, d: &Map<String, Value>) {
    doc.space(30.0);
    let y = doc_y(doc);
    doc.text_at(MARGIN_X, y, Font::Bold, 20.0, INK, "Verification report");
    let status = scalar(d.get("status")).unwrap_or_else(|| "Unknown".to_owned());
    let w = doc.measure(Font::Bold, 10.0, &status) + 16.0;
    doc.badge(
        MARGIN_X + CONTENT_W - w,
        y - 4.0,
        10.0,
        status_color(&status),
        &status,
    );
    let mut sub = Vec::new();
    if let Some(n) = scalar(d.get("session_number")) {
        sub.push(format!("Session #{n}"));
    }
    if let Some(id) = scalar(d.get("session_id")) {
        sub.push(id);
    }
    if !sub.is_empty() {
        doc.space(16.0);
        let y = doc_y(doc);
        doc.text_at(MARGIN_X, y, Font::Regular, 9.5, MUTED, &sub.join("  |  "));
    }
    doc.space(6.0);
}

/// The current cursor, for one-off lines positioned by hand.
fn doc_y(doc: &mut Doc) -> f32 {
    doc.cursor()
}

fn session_details(doc: &mut Doc, d: &Map<String, Value>, generated_at: DateTime<Utc>) {
    doc.heading("Session", 40.0);
    let mut kv: Vec<(String, String)> = Vec::new();
    let mut put = |label: &str, v: Option<String>| {
        kv.push((label.to_owned(), v.unwrap_or_else(|| "-".to_owned())));
    };
    put("Session ID", scalar(d.get("session_id")));
    put("Session number", scalar(d.get("session_number")));
    put("Vendor data", scalar(d.get("vendor_data")));
    put("Status", scalar(d.get("status")));
    let workflow = {
        let mut parts: Vec<String> = scalar(d.get("workflow_label"))
            .into_iter()
            .chain(scalar(d.get("workflow_id")))
            .collect();
        if let Some(v) = scalar(d.get("workflow_version")) {
            parts.push(format!("(version {v})"));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    };
    put("Workflow", workflow);
    put("Created", scalar(d.get("created_at")));
    if d.get("expires_at").is_some_and(|v| !v.is_null()) {
        put("Expires", scalar(d.get("expires_at")));
    }
    put("Environment", scalar(d.get("environment")));
    if let Some(kind) = scalar(d.get("session_kind")) {
        put("Session kind", Some(kind));
    }
    let features = d.get("features").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|f| match f {
                Value::Object(o) => scalar(o.get("feature")),
                other => scalar(Some(other)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    put("Features", features.filter(|s| !s.is_empty()));
    if let Some(src) = scalar(d.get("shared_from_session")) {
        put("Shared from session", Some(src));
    }
    put(
        "Report generated",
        Some(generated_at.format("%Y-%m-%d %H:%M UTC").to_string()),
    );
    doc.kv_grid(&kv);

    for (key, title) in [
        ("expected_details", "Expected details"),
        ("contact_details", "Contact details"),
        ("metadata", "Metadata"),
        ("resubmit_info", "Resubmission"),
    ] {
        if let Some(Value::Object(o)) = d.get(key) {
            let pairs = flatten(o, &[]);
            if !pairs.is_empty() {
                doc.subheading(title, None, 30.0);
                doc.kv_grid(&pairs);
            }
        }
    }
}

fn overview(doc: &mut Doc, features: &[(String, Vec<&Map<String, Value>>)]) {
    doc.heading("Checks", 40.0);
    if features.is_empty() {
        doc.paragraph(
            "No checks have run for this session.",
            Font::Regular,
            9.0,
            MUTED,
        );
        return;
    }
    let mut rows = Vec::new();
    for (key, items) in features {
        for item in items {
            let status = scalar(item.get("status")).unwrap_or_else(|| "-".to_owned());
            rows.push(vec![
                Cell {
                    text: array_title(key),
                    bold: true,
                    ..Cell::default()
                },
                Cell::plain(scalar(item.get("node_id")).unwrap_or_default()),
                Cell::colored(status.clone(), status_color(&status)),
                Cell::plain(summary(key, item)),
            ]);
        }
    }
    doc.table(
        &["Check", "Node", "Status", "Result"],
        &[18.0, 19.0, 12.0, 51.0],
        &rows,
    );
}

/// A one-line result for the overview table.
fn summary(key: &str, item: &Map<String, Value>) -> String {
    let get = |path: &str| lookup(item, path).and_then(|v| scalar(Some(v)));
    let join =
        |parts: Vec<Option<String>>| parts.into_iter().flatten().collect::<Vec<_>>().join(" | ");
    match key {
        "id_verifications" => {
            let name = get("full_name").or_else(|| {
                let n = join(vec![get("first_name"), get("last_name")]).replace(" | ", " ");
                (!n.is_empty()).then_some(n)
            });
            let doc_id =
                join(vec![get("document_type"), get("document_number")]).replace(" | ", " ");
            join(vec![
                Some(doc_id).filter(|s| !s.is_empty()),
                name,
                get("issuing_state"),
            ])
        }
        "liveness_checks" => join(vec![
            get("method"),
            get("score").map(|s| format!("score {s}")),
        ]),
        "face_matches" => join(vec![get("score").map(|s| format!("similarity {s}"))]),
        "aml_screenings" => {
            let hits = get("total_hits")
                .or_else(|| {
                    item.get("hits")
                        .and_then(Value::as_array)
                        .map(|a| a.len().to_string())
                })
                .unwrap_or_else(|| "0".to_owned());
            let top = sorted_hits(item).first().map(|h| {
                let name = hit_name(h);
                match hit_score(h) {
                    Some(s) => format!("top: {name} ({s})"),
                    None => format!("top: {name}"),
                }
            });
            join(vec![Some(format!("{hits} hits")), top])
        }
        "phone_verifications" => join(vec![
            get("full_number").or_else(|| get("phone_number")),
            get("carrier.type"),
            flag(item, "is_virtual", "virtual"),
            flag(item, "is_disposable", "disposable"),
        ]),
        "email_verifications" => join(vec![
            get("email"),
            flag(item, "is_breached", "breached"),
            flag(item, "is_disposable", "disposable"),
            flag(item, "is_undeliverable", "undeliverable"),
        ]),
        "poa_verifications" => join(vec![get("document_type"), get("issuer"), get("issue_date")]),
        "ip_analyses" => join(vec![
            get("ip_address"),
            get("ip_country"),
            flag(item, "is_vpn_or_tor", "VPN/Tor"),
            flag(item, "is_data_center", "data centre"),
        ]),
        "database_validations" => join(vec![get("match_type"), get("issuing_state")]),
        "nfc_verifications" => join(vec![
            get("chip_data.document_number"),
            get("authenticity.sod_integrity").map(|v| format!("SOD integrity {v}")),
            get("skip_reason"),
        ]),
        "questionnaire_responses" => join(vec![get("title")]),
        _ => flatten(item, SKIP_IN_SUMMARY)
            .into_iter()
            .take(3)
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(" | "),
    }
}

const SKIP_IN_SUMMARY: &[&str] = &["node_id", "status", "warnings"];

fn flag(item: &Map<String, Value>, key: &str, label: &str) -> Option<String> {
    (item.get(key) == Some(&Value::Bool(true))).then(|| label.to_owned())
}

/// One warning row, whichever element it was attached to.
struct Warning {
    code: String,
    feature: String,
    severity: String,
    description: String,
}

fn parse_warning(v: &Value, default_feature: &str) -> Option<Warning> {
    match v {
        Value::String(code) => Some(Warning {
            code: code.clone(),
            feature: default_feature.to_owned(),
            severity: String::new(),
            description: String::new(),
        }),
        Value::Object(o) => {
            let code = scalar(o.get("risk")).or_else(|| scalar(o.get("code")))?;
            let short = scalar(o.get("short_description"));
            let long = scalar(o.get("long_description"));
            let description = match (short, long) {
                (Some(s), Some(l)) if s != l => format!("{s}. {l}").replace("..", "."),
                (Some(s), _) => s,
                (None, Some(l)) => l,
                (None, None) => String::new(),
            };
            Some(Warning {
                code,
                feature: scalar(o.get("feature")).unwrap_or_else(|| default_feature.to_owned()),
                severity: scalar(o.get("log_type")).unwrap_or_default(),
                description,
            })
        }
        _ => None,
    }
}

fn warnings(
    doc: &mut Doc,
    d: &Map<String, Value>,
    features: &[(String, Vec<&Map<String, Value>>)],
) {
    let mut all: Vec<Warning> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut push = |w: Warning| {
        if seen.insert((w.code.clone(), w.feature.clone(), w.description.clone())) {
            all.push(w);
        }
    };
    for (key, items) in features {
        let feature = key_to_feature(key);
        for item in items {
            for w in item
                .get("warnings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(w) = parse_warning(w, &feature) {
                    push(w);
                }
            }
        }
    }
    for w in d
        .get("warnings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(w) = parse_warning(w, "") {
            push(w);
        }
    }
    doc.heading("Warnings", 30.0);
    if all.is_empty() {
        doc.paragraph("No warnings were raised.", Font::Regular, 9.0, MUTED);
        return;
    }
    // Errors first: they are what declined the session.
    let rank = |s: &str| match s.to_ascii_lowercase().as_str() {
        "error" => 0,
        "warning" => 1,
        "information" | "info" => 2,
        _ => 3,
    };
    all.sort_by_key(|w| rank(&w.severity));
    let rows: Vec<Vec<Cell>> = all
        .iter()
        .map(|w| {
            let sev = match w.severity.to_ascii_lowercase().as_str() {
                "" => "-".to_owned(),
                "information" => "INFO".to_owned(),
                other => other.to_uppercase(),
            };
            vec![
                Cell::colored(sev, severity_color(&w.severity)),
                Cell {
                    text: w.code.clone(),
                    bold: true,
                    ..Cell::default()
                },
                Cell::plain(w.feature.clone()),
                Cell::plain(w.description.clone()),
            ]
        })
        .collect();
    doc.table(
        &["Severity", "Code", "Feature", "Description"],
        &[9.0, 31.0, 20.0, 40.0],
        &rows,
    );
}

fn key_to_feature(key: &str) -> String {
    match key {
        "id_verifications" => "ID_VERIFICATION".to_owned(),
        "nfc_verifications" => "NFC".to_owned(),
        "liveness_checks" => "LIVENESS".to_owned(),
        "face_matches" => "FACEMATCH".to_owned(),
        "poa_verifications" => "PROOF_OF_ADDRESS".to_owned(),
        "phone_verifications" => "PHONE".to_owned(),
        "email_verifications" => "EMAIL".to_owned(),
        "aml_screenings" => "AML".to_owned(),
        "ip_analyses" => "IP_ANALYSIS".to_owned(),
        "database_validations" => "DATABASE_VALIDATION".to_owned(),
        "questionnaire_responses" => "QUESTIONNAIRE".to_owned(),
        other => other.to_uppercase(),
    }
}

fn image_section(doc: &mut Doc, images: &[ReportImage]) {
    if images.is_empty() {
        return;
    }
    doc.heading("Images", 150.0);
    let mut placed = Vec::new();
    let mut failed = Vec::new();
    for img in images {
        match crate::images::prepare(&img.bytes) {
            Ok(jpeg) => placed.push((img.label.clone(), doc.add_image(jpeg))),
            Err(why) => failed.push(format!("{}: not shown, {why}.", img.label)),
        }
    }
    if !placed.is_empty() {
        doc.image_row(&placed, 118.0);
    }
    for note in failed {
        doc.paragraph(&note, Font::Regular, 8.5, MUTED);
    }
}

fn feature_section(doc: &mut Doc, key: &str, items: &[&Map<String, Value>]) {
    let spec = SPECS.iter().find(|s| s.key == key);
    let title = array_title(key);
    // One result (the usual case): its status sits in the section heading. Several (a workflow
    // with two document nodes, say): one sub-heading each.
    let single = items.len() == 1;
    if single {
        let status = items.first().and_then(|i| scalar(i.get("status")));
        let node = items.first().and_then(|i| scalar(i.get("node_id")));
        doc.heading_with(
            &title,
            node.as_deref(),
            status.as_deref().map(|s| (s, status_color(s))),
            60.0,
        );
    } else {
        doc.heading(&title, 60.0);
    }
    for (i, item) in items.iter().enumerate() {
        if !single {
            let mut sub = format!("{title} {}", i + 1);
            if let Some(node) = scalar(item.get("node_id")) {
                sub = format!("{sub}  ({node})");
            }
            let status = scalar(item.get("status"));
            doc.subheading(&sub, status.as_deref().map(|s| (s, status_color(s))), 40.0);
        }
        let mut kv: Vec<(String, String)> = Vec::new();
        let mut used: Vec<&str> = vec!["node_id", "status", "warnings"];
        // Lists of objects get their own tables below.
        used.extend(
            item.iter()
                .filter(|(_, v)| v.as_array().is_some_and(|a| a.iter().any(Value::is_object)))
                .map(|(k, _)| k.as_str()),
        );
        if let Some(spec) = spec {
            for (path, label) in spec.fields {
                used.push(path.split('.').next().unwrap_or(path));
                let value = lookup(item, path).and_then(|v| scalar(Some(v)));
                // The document's fields are what a reviewer checks line by line: show gaps too.
                if value.is_some() || key == "id_verifications" {
                    kv.push(((*label).to_owned(), value.unwrap_or_else(|| "-".to_owned())));
                }
            }
            // Leftover fields, so nothing is silently dropped (non-Latin names live in
            // `extra_fields`, for one).
            kv.extend(flatten(item, &used));
        } else {
            kv = flatten(item, &used);
        }
        if !kv.is_empty() {
            doc.kv_grid(&kv);
        }
        match key {
            "aml_screenings" => aml_hits(doc, item),
            "email_verifications" => breaches(doc, item),
            "database_validations" => validations(doc, item),
            "questionnaire_responses" => answers(doc, item),
            _ => {}
        }
        lists_of_objects(doc, key, item);
        if doc.too_long() {
            return;
        }
    }
}

/// Nested arrays of objects not covered by a dedicated table: listed generically.
fn lists_of_objects(doc: &mut Doc, key: &str, item: &Map<String, Value>) {
    let handled: &[&str] = match key {
        "aml_screenings" => &["hits", "warnings"],
        "email_verifications" => &["breaches", "warnings"],
        "database_validations" => &["validations", "warnings"],
        "questionnaire_responses" => &["sections", "warnings"],
        _ => &["warnings"],
    };
    for (k, v) in item {
        if handled.contains(&k.as_str()) {
            continue;
        }
        let Some(arr) = v.as_array() else { continue };
        let objs: Vec<&Map<String, Value>> = arr.iter().filter_map(Value::as_object).collect();
        if objs.is_empty() {
            continue;
        }
        let rows: Vec<Vec<Cell>> = objs
            .iter()
            .take(MAX_ROWS)
            .enumerate()
            .map(|(i, o)| {
                let text = flatten(o, &[])
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                vec![Cell::plain((i + 1).to_string()), Cell::plain(text)]
            })
            .collect();
        doc.subheading(&humanize(k), None, 30.0);
        doc.table(&["#", "Details"], &[5.0, 95.0], &rows);
        more_note(doc, objs.len());
    }
}

fn more_note(doc: &mut Doc, total: usize) {
    if total > MAX_ROWS {
        doc.paragraph(
            &format!(
                "{} more entries are in the decision JSON.",
                total - MAX_ROWS
            ),
            Font::Regular,
            8.0,
            MUTED,
        );
    }
}

fn hit_name(h: &Map<String, Value>) -> String {
    ["caption", "name", "full_name", "matched_name"]
        .iter()
        .find_map(|k| scalar(h.get(*k)))
        .or_else(|| lookup(h, "properties.name").and_then(first_scalar))
        .unwrap_or_else(|| "(unnamed)".to_owned())
}

fn hit_score_value(h: &Map<String, Value>) -> Option<f64> {
    if let Some(s) = h.get("match_score").and_then(Value::as_f64) {
        return Some(s);
    }
    // The deprecated `score` is 0..1; show it on the same 0..100 scale as `match_score`.
    h.get("score")
        .and_then(Value::as_f64)
        .map(|s| if s <= 1.0 { s * 100.0 } else { s })
}

fn hit_score(h: &Map<String, Value>) -> Option<String> {
    hit_score_value(h).map(number)
}

fn sorted_hits(item: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    let mut hits: Vec<&Map<String, Value>> = item
        .get("hits")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    hits.sort_by(|a, b| {
        let (a, b) = (hit_score_value(a), hit_score_value(b));
        b.unwrap_or(f64::MIN)
            .partial_cmp(&a.unwrap_or(f64::MIN))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    hits
}

fn aml_hits(doc: &mut Doc, item: &Map<String, Value>) {
    let hits = sorted_hits(item);
    if hits.is_empty() {
        return;
    }
    let rows: Vec<Vec<Cell>> = hits
        .iter()
        .take(MAX_HITS)
        .enumerate()
        .map(|(i, h)| {
            let dob = lookup(h, "properties.birthDate")
                .and_then(first_scalar)
                .or_else(|| scalar(h.get("date_of_birth")));
            let country = lookup(h, "properties.country")
                .and_then(first_scalar)
                .or_else(|| scalar(h.get("country")));
            let details = [dob, country]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let mut sources: Vec<String> = h
                .get("datasets")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|v| scalar(Some(v))).collect())
                .unwrap_or_default();
            for k in ["source", "list_name", "lists"] {
                if let Some(s) = h.get(k).and_then(|v| scalar(Some(v))) {
                    sources.push(s);
                }
            }
            for k in ["sanction_matches", "pep_matches", "warning_matches"] {
                for m in h.get(k).and_then(Value::as_array).into_iter().flatten() {
                    if let Some(s) = m.get("list_name").and_then(|v| scalar(Some(v))) {
                        if !sources.contains(&s) {
                            sources.push(s);
                        }
                    }
                }
            }
            let review = scalar(h.get("review_status")).unwrap_or_default();
            let review_cell = match review.as_str() {
                "Confirmed Match" => Cell::colored(review, RED),
                "False Positive" => Cell::colored(review, GREEN),
                _ => Cell::plain(review),
            };
            vec![
                Cell::plain((i + 1).to_string()),
                Cell {
                    text: hit_name(h),
                    bold: true,
                    ..Cell::default()
                },
                Cell::plain(details),
                Cell::plain(hit_score(h).unwrap_or_default()),
                Cell::plain(scalar(h.get("risk_score")).unwrap_or_default()),
                Cell::plain(sources.join(", ")),
                review_cell,
            ]
        })
        .collect();
    doc.subheading(&format!("Hits ({})", hits.len()), None, 30.0);
    doc.table(
        &[
            "#",
            "Name",
            "Born / country",
            "Match",
            "Risk",
            "Source",
            "Review",
        ],
        &[4.0, 24.0, 15.0, 8.0, 7.0, 27.0, 15.0],
        &rows,
    );
    if hits.len() > MAX_HITS {
        doc.paragraph(
            &format!(
                "{} lower-scoring hits are not listed; the decision JSON has all of them.",
                hits.len() - MAX_HITS
            ),
            Font::Regular,
            8.0,
            MUTED,
        );
    }
}

fn breaches(doc: &mut Doc, item: &Map<String, Value>) {
    let list: Vec<&Map<String, Value>> = item
        .get("breaches")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    if list.is_empty() {
        return;
    }
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .take(MAX_ROWS)
        .map(|b| {
            let classes = b
                .get("data_classes")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| scalar(Some(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            vec![
                Cell::plain(scalar(b.get("name")).unwrap_or_default()),
                Cell::plain(scalar(b.get("domain")).unwrap_or_default()),
                Cell::plain(scalar(b.get("breach_date")).unwrap_or_default()),
                Cell::plain(classes),
            ]
        })
        .collect();
    doc.subheading(&format!("Breaches ({})", list.len()), None, 30.0);
    doc.table(
        &["Breach", "Domain", "Date", "Data exposed"],
        &[22.0, 22.0, 14.0, 42.0],
        &rows,
    );
    more_note(doc, list.len());
}

fn validations(doc: &mut Doc, item: &Map<String, Value>) {
    let list: Vec<&Map<String, Value>> = item
        .get("validations")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    if list.is_empty() {
        return;
    }
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .take(MAX_ROWS)
        .map(|v| {
            let fields = v
                .get("validation")
                .and_then(Value::as_object)
                .map(|o| {
                    flatten(o, &[])
                        .into_iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            vec![
                Cell::plain(
                    scalar(v.get("service_name"))
                        .or_else(|| scalar(v.get("service_id")))
                        .unwrap_or_default(),
                ),
                Cell::plain(
                    [
                        scalar(v.get("outcome_code")),
                        scalar(v.get("outcome_detail")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(": "),
                ),
                Cell::plain(fields),
            ]
        })
        .collect();
    doc.subheading("Sources checked", None, 30.0);
    doc.table(&["Source", "Outcome", "Fields"], &[28.0, 30.0, 42.0], &rows);
    more_note(doc, list.len());
}

fn answers(doc: &mut Doc, item: &Map<String, Value>) {
    let mut rows = Vec::new();
    for section in item
        .get("sections")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for q in section
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(q) = q.as_object() else { continue };
            let question = scalar(q.get("title")).unwrap_or_else(|| "(untitled)".to_owned());
            let answer = q
                .get("answer")
                .map(answer_text)
                .filter(|s| !s.is_empty())
                .or_else(|| scalar(q.get("value")))
                .unwrap_or_else(|| "-".to_owned());
            rows.push(vec![Cell::plain(question), Cell::plain(answer)]);
        }
    }
    if rows.is_empty() {
        return;
    }
    rows.truncate(MAX_ROWS);
    doc.subheading("Answers", None, 30.0);
    doc.table(&["Question", "Answer"], &[45.0, 55.0], &rows);
}

fn answer_text(v: &Value) -> String {
    match v {
        Value::Object(o) => ["value", "values", "text", "choices", "files"]
            .iter()
            .find_map(|k| scalar(o.get(*k)))
            .unwrap_or_else(|| {
                flatten(o, &[])
                    .into_iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        other => scalar(Some(other)).unwrap_or_default(),
    }
}

fn reviews(doc: &mut Doc, d: &Map<String, Value>) {
    let list: Vec<&Map<String, Value>> = d
        .get("reviews")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    doc.heading("Review history", 30.0);
    if list.is_empty() {
        doc.paragraph("No review activity recorded.", Font::Regular, 9.0, MUTED);
        return;
    }
    let rows: Vec<Vec<Cell>> = list
        .iter()
        .take(MAX_ROWS)
        .map(|r| {
            let new = scalar(r.get("new_status"));
            let change = match (scalar(r.get("old_status")), new.clone()) {
                (Some(old), Some(new)) => format!("{old} -> {new}"),
                (None, Some(new)) => new,
                (Some(old), None) => old,
                (None, None) => String::new(),
            };
            let action = scalar(r.get("action")).map(|a| humanize(&a));
            let what = [action, Some(change).filter(|c| !c.is_empty())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            let by = ["user", "reviewed_by", "actor"]
                .iter()
                .find_map(|k| scalar(r.get(*k)))
                .unwrap_or_default();
            let note = ["comment", "note", "decision_reason"]
                .iter()
                .filter_map(|k| scalar(r.get(*k)))
                .collect::<Vec<_>>()
                .join(" - ");
            let color = new.as_deref().map(status_color).unwrap_or(INK);
            vec![
                Cell::plain(scalar(r.get("created_at")).unwrap_or_default()),
                Cell::colored(what, color),
                Cell::plain(by),
                Cell::plain(note),
            ]
        })
        .collect();
    doc.table(
        &["When", "Change", "By", "Note"],
        &[16.0, 26.0, 24.0, 34.0],
        &rows,
    );
    more_note(doc, list.len());
}

fn closing_notes(doc: &mut Doc) {
    doc.space(14.0);
    let mut note = String::from(
        "This report is a rendering of the session's decision at the time shown in the footer. \
         The decision returned by the API remains the authoritative record.",
    );
    if doc.lossy {
        note.push_str(
            " Characters outside the report font's Latin set were transliterated or shown as '?'; \
             the decision holds the exact text.",
        );
    }
    doc.paragraph(&note, Font::Regular, 7.5, MUTED);
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

/// The objects in an array value (anything else has none).
fn objects(v: &Value) -> Vec<&Map<String, Value>> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

/// Follow a dotted path through nested objects.
fn lookup<'a>(o: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = o.get(parts.next()?)?;
    for p in parts {
        cur = cur.as_object()?.get(p)?;
    }
    Some(cur)
}

fn first_scalar(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => a.iter().find_map(|x| scalar(Some(x))),
        other => scalar(Some(other)),
    }
}

/// A JSON value as display text: strings trimmed, timestamps shortened, numbers tidied, booleans as
/// Yes/No, arrays of plain values joined. Objects, nulls and empty strings have no text.
pub(crate) fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => {
            let s = s.trim();
            if s.is_empty() {
                None
            } else {
                Some(timestamp(s).unwrap_or_else(|| s.to_owned()))
            }
        }
        Value::Number(n) => Some(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => number(f),
            _ => n.to_string(),
        }),
        Value::Bool(b) => Some(if *b { "Yes" } else { "No" }.to_owned()),
        Value::Array(a) => {
            let parts: Vec<String> = a
                .iter()
                .filter(|x| !x.is_object() && !x.is_array())
                .filter_map(|x| scalar(Some(x)))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Null | Value::Object(_) => None,
    }
}

/// Scores and the like: at most two decimals, no trailing zeros.
fn number(f: f64) -> String {
    if !f.is_finite() {
        return "-".to_owned();
    }
    if f.abs() >= 1e12 {
        return format!("{f:e}");
    }
    let s = format!("{f:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// RFC 3339 timestamps as "YYYY-MM-DD HH:MM UTC"; anything else (plain dates) is left alone.
fn timestamp(s: &str) -> Option<String> {
    if s.len() < 16
        || !s
            .as_bytes()
            .get(10)
            .is_some_and(|b| *b == b'T' || *b == b' ')
    {
        return None;
    }
    let t = DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_rfc3339(&s.replacen(' ', "T", 1)).ok())?;
    Some(
        t.with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
    )
}

fn is_media(key: &str, v: &Value) -> bool {
    let media_key = [
        "_image",
        "_video",
        "_url",
        "image",
        "video",
        "file",
        "thumbnail",
        "logo_path",
    ]
    .iter()
    .any(|s| key.ends_with(s));
    let url = v.as_str().is_some_and(|s| {
        s.starts_with("http://") || s.starts_with("https://") || s.starts_with("data:")
    });
    media_key || url
}

/// Plain fields of an object, nested objects flattened one level as "Parent child".
fn flatten(o: &Map<String, Value>, skip: &[&str]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in o {
        if skip.contains(&k.as_str()) || is_media(k, v) {
            continue;
        }
        match v {
            Value::Object(inner) => {
                for (k2, v2) in inner {
                    if is_media(k2, v2) {
                        continue;
                    }
                    if let Some(s) = scalar(Some(v2)) {
                        out.push((
                            format!("{} {}", humanize(k), humanize(k2).to_lowercase()),
                            s,
                        ));
                    }
                }
            }
            Value::Array(a) if a.iter().any(Value::is_object) => {
                let n = a.len();
                out.push((
                    humanize(k),
                    format!("{n} {}", if n == 1 { "entry" } else { "entries" }),
                ));
            }
            other => {
                if let Some(s) = scalar(Some(other)) {
                    out.push((humanize(k), s));
                }
            }
        }
    }
    out
}

/// "date_of_birth" -> "Date of birth", keeping acronyms upper case.
pub(crate) fn humanize(key: &str) -> String {
    let words: Vec<String> = key
        .split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            match lower.as_str() {
                "id" | "ip" | "aml" | "poa" | "nfc" | "pep" | "isp" | "url" | "os" | "mrz"
                | "vpn" | "kyc" | "kyb" | "sod" | "dg" | "iban" | "vat" => lower.to_uppercase(),
                _ if i == 0 => {
                    let mut c = lower.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                }
                _ => lower,
            }
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_format() {
        assert_eq!(scalar(Some(&Value::from(95.4))).as_deref(), Some("95.4"));
        assert_eq!(scalar(Some(&Value::from(true))).as_deref(), Some("Yes"));
        assert_eq!(
            scalar(Some(&Value::from("2026-06-09T12:26:54.328364Z"))).as_deref(),
            Some("2026-06-09 12:26 UTC")
        );
        assert_eq!(
            scalar(Some(&Value::from("1990-01-02"))).as_deref(),
            Some("1990-01-02")
        );
        assert_eq!(scalar(Some(&Value::Null)), None);
        assert_eq!(humanize("ip_country_code"), "IP country code");
    }
}
