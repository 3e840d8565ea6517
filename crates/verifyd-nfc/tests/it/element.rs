//! The contract element built from a verification.

use serde_json::{json, Value};
use verifyd_nfc::{verify_chip, NfcStatus, ReportedOutcome, TrustStore};

use crate::chip::{genuine, now};
use crate::pki::Hash;

#[test]
fn approved_element_has_the_contract_fields() {
    let (issuer, _, mut read) = genuine();
    read.reader.chip_authentication = ReportedOutcome::Succeeded;
    let v = verify_chip(&read, &issuer.trust(), now());
    let element = serde_json::to_value(v.element()).unwrap();
    assert_eq!(element["status"], "Approved");
    assert_eq!(element["is_nfc_skipped"], false);
    assert_eq!(element["skip_reason"], Value::Null);
    assert_eq!(element["chip_authenticated"], true);
    assert_eq!(element["chip_authentication"], "SUCCEEDED");
    assert_eq!(element["active_authentication"], "NOT_PERFORMED");
    assert_eq!(
        element["chip_data"],
        json!({
            "document_type": "Passport",
            "issuing_country": "UTO",
            "document_number": "L898902C3",
            "expiration_date": "2034-04-15",
            "first_name": "ANNA MARIA",
            "last_name": "ERIKSSON",
            "birth_date": "1974-08-12",
            "gender": "F",
            "nationality": "UTO",
            "address": "12 RUE DES ÉCOLES, ZENITH, UTOPIA",
            "place_of_birth": "ZENITH, UTOPIA",
        })
    );
    assert_eq!(
        element["authenticity"],
        json!({"sod_integrity": true, "dg_integrity": true, "chain_trusted": true})
    );
    let summary = &element["certificate_summary"];
    assert_eq!(summary["subject"], crate::chip::DS_NAME);
    assert_eq!(summary["issuer"], crate::chip::CSCA_NAME);
    assert_eq!(summary["serial_number"], "0DC5");
    assert_eq!(summary["not_valid_before"], "2024-01-01T12:00:00Z");
    assert_eq!(summary["not_valid_after"], "2034-12-31T12:00:00Z");
    assert_eq!(element["warnings"], json!([]));
    assert!(v.portrait().unwrap().decode().is_ok());
    assert!(v.signature().is_none());
}

#[test]
fn declined_element_carries_the_typed_warning() {
    let (issuer, _, mut read) = genuine();
    read.data_groups
        .get_mut(&verifyd_nfc::DataGroup::DG2)
        .unwrap()[40] ^= 0xFF;
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(v.status(), NfcStatus::Declined);
    let element = serde_json::to_value(v.element()).unwrap();
    assert_eq!(element["status"], "Declined");
    assert_eq!(element["chip_authenticated"], false);
    assert_eq!(element["authenticity"]["sod_integrity"], true);
    assert_eq!(element["authenticity"]["dg_integrity"], false);
    assert_eq!(
        element["warnings"],
        json!([{
            "risk": "NFC_CHIP_FAILED",
            "feature": "NFC",
            "additional_data": {"reason": "DATA_GROUP_HASH_MISMATCH", "data_group": "DG2"},
            "log_type": "error",
            "short_description": "DG2 altered",
            "long_description": "The hash of DG2 differs from the one the issuer signed: the chip data was altered.",
        }])
    );
}

#[test]
fn review_element_when_no_trust_store_is_configured() {
    let (_, _, read) = genuine();
    let element = verify_chip(&read, &TrustStore::new(), now()).element();
    assert_eq!(element.status, NfcStatus::InReview);
    let warning = &element.warnings[0];
    assert_eq!(warning.risk, "NFC_CHIP_FAILED");
    assert_eq!(serde_json::to_value(warning.log_type).unwrap(), "warning");
    assert_eq!(
        warning.additional_data.as_ref().unwrap()["reason"],
        "TRUST_STORE_EMPTY"
    );
    assert!(!element.authenticity.sod_integrity && element.authenticity.dg_integrity);
}

#[test]
fn malformed_sod_element() {
    let (issuer, doc, _) = genuine();
    let v = verify_chip(
        &doc.read(vec![0x77, 0x03, 0x30, 0x01]),
        &issuer.trust(),
        now(),
    );
    let element = v.element();
    assert_eq!(element.status, NfcStatus::Declined);
    assert_eq!(element.certificate_summary, None);
    assert_eq!(
        element.warnings[0].additional_data.as_ref().unwrap()["reason"],
        "MALFORMED_SOD"
    );
    // The chip's data is still read, for the reviewer, but nothing vouches for it.
    assert_eq!(
        element.chip_data.document_number.as_deref(),
        Some("L898902C3")
    );
    assert!(!element.authenticity.dg_integrity);
    let _ = Hash::Sha256;
}

#[test]
fn chip_read_debug_shows_sizes_not_data() {
    let (_, _, read) = genuine();
    let shown = format!("{read:?}");
    assert!(shown.contains("DG1"), "{shown}");
    assert!(
        !shown.contains("76, 56, 57"),
        "raw MRZ bytes leaked: {shown}"
    );
}
