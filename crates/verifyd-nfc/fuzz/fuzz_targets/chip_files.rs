//! Fuzzes every parser that sees bytes from a reading app or a trust-store file: EF.SOD, the
//! data groups, master lists, CRLs and certificate files, and the whole verification over a
//! fuzzed SOD and data groups. The first byte picks the parser, so one corpus covers all.
//! Beyond "never panics" it checks the invariants the service relies on: a parsed image is
//! JPEG or JPEG 2000, and a verification of garbage is never Approved.
#![no_main]

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use verifyd_nfc::{
    authenticate, verify_chip, ChipRead, DataGroup, Dg1, Dg11, Dg12, Dg14, Dg15, Dg2, Dg7,
    ImageFormat, NfcStatus, Sod, TrustStore,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Some(at) = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).single() else { return };
    let today = at.date_naive();
    match selector % 10 {
        0 => {
            let _ = Sod::parse(rest);
        }
        1 => {
            let _ = Dg1::parse(rest, today);
        }
        2 => {
            if let Ok(dg2) = Dg2::parse(rest) {
                assert_eq!(ImageFormat::sniff(&dg2.image.data), Some(dg2.image.format));
            }
        }
        3 => {
            let _ = Dg7::parse(rest);
            let _ = Dg11::parse(rest);
            let _ = Dg12::parse(rest);
        }
        4 => {
            let _ = Dg14::parse(rest);
            let _ = Dg15::parse(rest);
        }
        5 => {
            let _ = TrustStore::new().add_master_list(rest, "fuzz");
        }
        6 => {
            let mut store = TrustStore::new();
            let _ = store.add_certificates(rest, "fuzz");
            let _ = store.add_crl(rest);
        }
        7 => {
            // The SOD and one data group from the same input, split at the second byte.
            let split = usize::from(rest.first().copied().unwrap_or(0)) * 8;
            let (sod, dg) = rest.split_at(split.min(rest.len()));
            let groups = BTreeMap::from([(DataGroup::DG1, dg.to_vec())]);
            let report = authenticate(sod, &groups, &TrustStore::new(), at);
            assert!(!report.passed(), "no trust store, yet passed");
        }
        _ => {
            let mut chip = ChipRead::default();
            chip.sod = rest.to_vec();
            chip.data_groups.insert(DataGroup::DG1, rest.to_vec());
            chip.data_groups.insert(DataGroup::DG2, rest.to_vec());
            let verification = verify_chip(&chip, &TrustStore::new(), at);
            assert_ne!(verification.status(), NfcStatus::Approved);
            let _ = serde_json_free(&verification);
        }
    }
});

/// Builds the element (what the service serialises) without depending on serde_json here.
fn serde_json_free(v: &verifyd_nfc::NfcVerification) -> usize {
    v.element().warnings.len()
}
