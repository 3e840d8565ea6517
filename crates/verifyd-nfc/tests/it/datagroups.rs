//! Data-group parsers over generated files, and the chip images.

use chrono::NaiveDate;
use verifyd_nfc::{
    verify_chip, DataGroup, Dg1, Dg11, Dg12, Dg14, Dg15, Dg2, Dg7, EcCurve, Finding, ImageFormat,
    KeyDescription, NfcStatus, SecurityInfo,
};

use crate::chip::{self, genuine, now, Document, Issuer};
use crate::pki::{tlv, Hash, Scheme};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn dg1_mrz_in_every_layout() {
    let today = now().date_naive();
    let td3 = Dg1::parse(&chip::dg1(&chip::specimen_mrz()), today).unwrap();
    assert!(td3.mrz.is_valid());
    assert_eq!(td3.mrz.document_number, "L898902C3");
    assert_eq!(td3.mrz.given_names, "ANNA MARIA");
    assert_eq!(td3.mrz.birth_date, Some(date(1974, 8, 12)));

    let mut td1 = chip::specimen_mrz();
    td1.format = mrz::Format::Td1;
    td1.document_code = "ID".into();
    td1.optional_data_2 = "X1".into();
    let parsed = Dg1::parse(&chip::dg1(&td1), today).unwrap();
    assert_eq!(parsed.mrz.format, mrz::Format::Td1);
    assert_eq!(parsed.mrz.optional_data_2, "X1");

    let mut td2 = chip::specimen_mrz();
    td2.format = mrz::Format::Td2;
    td2.document_code = "IR".into();
    td2.optional_data = String::new();
    assert_eq!(
        Dg1::parse(&chip::dg1(&td2), today).unwrap().mrz.format,
        mrz::Format::Td2
    );

    assert!(Dg1::parse(&tlv(0x61, &tlv(0x5F1F, b"P<UTO")), today).is_err());
    assert!(Dg1::parse(&tlv(0x75, &[]), today).is_err());
}

#[test]
fn dg2_jpeg_portrait_decodes() {
    let dg2 = Dg2::parse(&chip::dg2()).unwrap();
    assert_eq!(dg2.image.format, ImageFormat::Jpeg);
    assert_eq!((dg2.width, dg2.height, dg2.faces), (40, 50, 1));
    let rgb = dg2.image.decode().unwrap();
    assert_eq!(rgb.dimensions(), (40, 50));
    // JPEG is lossy: the gradient's corner is close to its source value.
    let px = rgb.get_pixel(20, 20);
    assert!(
        (i32::from(px[0]) - 80).abs() < 12 && (i32::from(px[1]) - 60).abs() < 12,
        "{px:?}"
    );
}

#[test]
fn dg2_jpeg2000_portrait_decodes_losslessly() {
    let dg2 = Dg2::parse(&chip::dg2_with(chip::JP2, 24, 32, 1)).unwrap();
    assert_eq!(dg2.image.format, ImageFormat::Jpeg2000);
    assert_eq!(dg2.image.format.mime_type(), "image/jp2");
    let rgb = dg2.image.decode().unwrap();
    assert_eq!(rgb.dimensions(), (24, 32));
    for (x, y) in [(0, 0), (5, 7), (23, 31)] {
        let expected = [(x * 10 % 256) as u8, (y * 8 % 256) as u8, 128];
        assert_eq!(rgb.get_pixel(x, y).0, expected, "({x},{y})");
    }
}

#[test]
fn dg2_rejects_what_it_cannot_read() {
    // Not a facial record.
    let bad = tlv(0x75, &tlv(0x7F61, &tlv(0x7F60, &tlv(0x5F2E, b"XYZ\0"))));
    assert!(Dg2::parse(&bad).is_err());
    // A facial record whose image is neither JPEG nor JPEG 2000.
    assert!(Dg2::parse(&chip::dg2_with(b"GIF89a", 1, 1, 0)).is_err());
    // A record length running past the block.
    let mut record = chip::facial_record(&chip::jpeg(8, 8), 8, 8, 0);
    record[14..18].copy_from_slice(&u32::MAX.to_be_bytes());
    let dg = tlv(0x75, &tlv(0x7F61, &tlv(0x7F60, &tlv(0x5F2E, &record))));
    assert!(Dg2::parse(&dg).is_err());
    // ISO/IEC 39794-5 blocks are reported as unsupported, not misread.
    let newer = tlv(
        0x75,
        &tlv(0x7F61, &tlv(0x7F60, &tlv(0x7F2E, &tlv(0xA1, &[0])))),
    );
    assert!(Dg2::parse(&newer)
        .unwrap_err()
        .to_string()
        .contains("39794"));
    // A corrupt JPEG parses (the bytes are the chip's) but does not decode.
    let mut jpeg = chip::jpeg(16, 16);
    jpeg.truncate(40);
    let dg2 = Dg2::parse(&chip::dg2_with(&jpeg, 16, 16, 0)).unwrap();
    assert!(dg2.image.decode().is_err());
}

#[test]
fn oversized_images_are_refused_before_decoding() {
    // A JPEG 2000 header declaring 60000×60000 pixels.
    let mut huge = chip::JP2.to_vec();
    let siz = huge.windows(2).position(|w| w == [0xFF, 0x51]).unwrap();
    // SIZ: marker, Lsiz (2), Rsiz (2), Xsiz (4), Ysiz (4).
    huge[siz + 6..siz + 10].copy_from_slice(&60_000u32.to_be_bytes());
    huge[siz + 10..siz + 14].copy_from_slice(&60_000u32.to_be_bytes());
    let dg2 = Dg2::parse(&chip::dg2_with(&huge, 1, 1, 1)).unwrap();
    assert!(dg2.image.decode().is_err());
}

#[test]
fn dg7_signature_image() {
    let dg7 = Dg7::parse(&tlv(
        0x67,
        &[tlv(0x02, &[1]), tlv(0x5F43, &chip::jpeg(30, 10))].concat(),
    ))
    .unwrap();
    assert_eq!(dg7.image.format, ImageFormat::Jpeg);
    assert_eq!(dg7.image.decode().unwrap().dimensions(), (30, 10));
}

#[test]
fn dg11_and_dg12_details() {
    let dg11 = Dg11::parse(&chip::dg11()).unwrap();
    assert_eq!(dg11.full_name.as_deref(), Some("ERIKSSON<<ANNA<MARIA"));
    assert_eq!(
        dg11.name_parts(),
        Some(("ERIKSSON".to_owned(), "ANNA MARIA".to_owned()))
    );
    assert_eq!(dg11.full_date_of_birth, Some(date(1974, 8, 12)));
    assert_eq!(dg11.place_of_birth.as_deref(), Some("ZENITH, UTOPIA"));
    assert_eq!(
        dg11.permanent_address.as_deref(),
        Some("12 RUE DES ÉCOLES, ZENITH, UTOPIA")
    );
    assert_eq!(dg11.personal_number.as_deref(), Some("ZE184226B"));
    assert_eq!(dg11.other_names, ["ANNA<<ERIKSDOTTIR"]);

    let dg12 = Dg12::parse(&chip::dg12()).unwrap();
    assert_eq!(
        dg12.issuing_authority.as_deref(),
        Some("PASSPORT OFFICE ZENITH")
    );
    assert_eq!(dg12.date_of_issue, Some(date(2024, 4, 16)));
    assert_eq!(dg12.personalization_time.as_deref(), Some("20240416093000"));
    assert!(!dg12.has_document_images);

    // Latin-1 text from older chips is read, not rejected.
    let latin1 = Dg11::parse(&tlv(0x6B, &tlv(0x5F11, b"M\xDCNCHEN"))).unwrap();
    assert_eq!(latin1.place_of_birth.as_deref(), Some("MÜNCHEN"));
}

#[test]
fn dg14_and_dg15_keys() {
    let dg14 = Dg14::parse(&chip::dg14()).unwrap();
    assert!(dg14.supports_chip_authentication());
    assert!(dg14.security_infos.iter().any(|i| matches!(
        i,
        SecurityInfo::ChipAuthenticationPublicKey {
            key: KeyDescription::Ec {
                curve: EcCurve::P256
            },
            ..
        }
    )));
    assert!(dg14
        .security_infos
        .iter()
        .any(|i| matches!(i, SecurityInfo::ChipAuthentication { version: 1, .. })));
    let dg15 = Dg15::parse(&chip::dg15()).unwrap();
    assert_eq!(dg15.key, KeyDescription::Rsa { bits: 2048 });
    assert!(!dg15.subject_public_key_info.is_empty());
    assert!(Dg14::parse(&tlv(0x6E, &[0x30, 0x00])).is_err());
}

#[test]
fn signed_but_unreadable_group_goes_to_review() {
    // The issuer signed a DG12 we cannot parse: the hash matches, the content is unknown.
    let issuer = Issuer::utopia();
    let mut doc = Document::minimal();
    doc.groups.insert(12, tlv(0x6C, &[0x5F, 0x19, 0x05, b'A']));
    let sod = doc.sod(&issuer, Hash::Sha256, Scheme::Pkcs1(Hash::Sha256));
    let v = verify_chip(&doc.read(sod), &issuer.trust(), now());
    assert!(v.passive.passed());
    assert!(matches!(
        &v.findings[..],
        [Finding::DataGroupUnreadable { data_group, .. }] if *data_group == DataGroup::DG12
    ));
    assert_eq!(v.status(), NfcStatus::InReview);
}

#[test]
fn padding_after_a_data_group_is_neither_hashed_nor_parsed() {
    let (issuer, _, mut read) = genuine();
    read.data_groups
        .get_mut(&DataGroup::DG1)
        .unwrap()
        .extend_from_slice(&[0; 16]);
    let v = verify_chip(&read, &issuer.trust(), now());
    assert_eq!(v.findings, vec![]);
    assert_eq!(v.dg1.unwrap().mrz.document_number, "L898902C3");
}

#[test]
fn data_group_names() {
    assert_eq!(DataGroup::parse("DG14"), Some(DataGroup::DG14));
    assert_eq!(DataGroup::parse("dg2"), Some(DataGroup::DG2));
    assert_eq!(DataGroup::parse("17"), None);
    assert_eq!(DataGroup::new(0), None);
    assert_eq!(DataGroup::DG11.to_string(), "DG11");
}
