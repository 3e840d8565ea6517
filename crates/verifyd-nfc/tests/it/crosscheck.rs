//! Chip against document: the MRZ in the photo and the printed fields.

use chrono::NaiveDate;
use verifyd_nfc::crosscheck::{
    compare_mrz, compare_printed, inconsistency_warning, ComparedField, PrintedFields,
};
use verifyd_nfc::{Dg1, Dg11, Dg12, Severity};

use crate::chip;

fn mrz_of(fields: &mrz::MrzFields) -> mrz::Mrz {
    Dg1::parse(&chip::dg1(fields), chip::now().date_naive())
        .unwrap()
        .mrz
}

#[test]
fn same_mrz_has_no_differences() {
    let chip_mrz = mrz_of(&chip::specimen_mrz());
    let lines = mrz::generate(&chip::specimen_mrz()).unwrap();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let photo = mrz::parse(&refs, mrz::Mode::Tolerant, chip::now().date_naive()).unwrap();
    assert_eq!(compare_mrz(&chip_mrz, &photo), vec![]);
    assert_eq!(inconsistency_warning(&[]), None);
}

#[test]
fn every_differing_mrz_field_is_listed() {
    let chip_mrz = mrz_of(&chip::specimen_mrz());
    let mut other = chip::specimen_mrz();
    other.document_number = "X12345678".into();
    other.birth_date = NaiveDate::from_ymd_opt(1975, 8, 12);
    other.sex = mrz::Sex::Male;
    other.given_names = "ANNA".into();
    let diffs = compare_mrz(&chip_mrz, &mrz_of(&other));
    let fields: Vec<ComparedField> = diffs.iter().map(|d| d.field).collect();
    assert_eq!(
        fields,
        [
            ComparedField::GivenNames,
            ComparedField::DocumentNumber,
            ComparedField::BirthDate,
            ComparedField::Sex
        ]
    );
    assert_eq!(diffs[1].chip, "L898902C3");
    assert_eq!(diffs[1].document, "X12345678");
    assert_eq!(diffs[2].chip, "740812");
    let warning = inconsistency_warning(&diffs).unwrap();
    assert_eq!(warning.risk, "DATA_INCONSISTENT");
    assert_eq!(warning.log_type, Severity::Error);
    assert!(warning.long_description.contains("document_number"));
    assert_eq!(
        warning.additional_data.unwrap()["differences"][3]["document"],
        "M"
    );
}

#[test]
fn printed_fields_compare_after_folding() {
    let dg11 = Dg11::parse(&chip::dg11()).unwrap();
    let dg12 = Dg12::parse(&chip::dg12()).unwrap();
    let printed = PrintedFields {
        surname: Some("Eriksson".into()),
        given_names: Some("Anna-Maria".into()),
        date_of_birth: NaiveDate::from_ymd_opt(1974, 8, 12),
        address: Some("12 rue des Ecoles, Zenith, Utopia".into()),
        date_of_issue: NaiveDate::from_ymd_opt(2024, 4, 16),
        issuing_authority: Some("Passport Office Zenith".into()),
        ..PrintedFields::default()
    };
    assert_eq!(compare_printed(Some(&dg11), Some(&dg12), &printed), vec![]);

    let wrong = PrintedFields {
        place_of_birth: Some("Erewhon".into()),
        date_of_issue: NaiveDate::from_ymd_opt(2023, 4, 16),
        ..printed
    };
    let diffs = compare_printed(Some(&dg11), Some(&dg12), &wrong);
    let fields: Vec<ComparedField> = diffs.iter().map(|d| d.field).collect();
    assert_eq!(
        fields,
        [ComparedField::PlaceOfBirth, ComparedField::DateOfIssue]
    );
    // Fields the chip does not have are not compared.
    assert_eq!(compare_printed(None, None, &wrong), vec![]);
}
