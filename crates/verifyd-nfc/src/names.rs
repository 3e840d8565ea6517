//! Distinguished-name comparison as RFC 5280 §7.1 asks for it.
//!
//! A Document Signer certificate's issuer is meant to equal its CSCA's subject, but issuers do
//! not always encode the two alike (a PrintableString in one, a UTF8String in the other; case
//! or spacing). Comparing bytes would reject genuine documents, so string attributes are
//! compared after case folding and whitespace collapsing. The comparison only *selects*
//! candidate CSCAs: trust comes from the signature check that follows.

use der::asn1::{Ia5StringRef, PrintableStringRef, TeletexStringRef, Utf8StringRef};
use der::{Any, Tagged};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::name::{Name, RelativeDistinguishedName};

/// True when `a` and `b` name the same entity.
pub(crate) fn same_name(a: &Name, b: &Name) -> bool {
    a == b || (a.0.len() == b.0.len() && a.0.iter().zip(b.0.iter()).all(|(x, y)| same_rdn(x, y)))
}

fn same_rdn(x: &RelativeDistinguishedName, y: &RelativeDistinguishedName) -> bool {
    x.0.len() == y.0.len()
        && x.0
            .iter()
            .all(|ax| y.0.iter().any(|ay| same_attribute(ax, ay)))
}

fn same_attribute(x: &AttributeTypeAndValue, y: &AttributeTypeAndValue) -> bool {
    x.oid == y.oid
        && match (folded(&x.value), folded(&y.value)) {
            (Some(a), Some(b)) => a == b,
            _ => x.value.tag() == y.value.tag() && x.value.value() == y.value.value(),
        }
}

/// A string attribute, lower-cased with runs of whitespace made one space.
fn folded(value: &Any) -> Option<String> {
    let text: String = if let Ok(s) = value.decode_as::<Utf8StringRef<'_>>() {
        s.as_str().to_owned()
    } else if let Ok(s) = value.decode_as::<PrintableStringRef<'_>>() {
        s.as_str().to_owned()
    } else if let Ok(s) = value.decode_as::<Ia5StringRef<'_>>() {
        s.as_str().to_owned()
    } else if let Ok(s) = value.decode_as::<TeletexStringRef<'_>>() {
        s.as_str().to_owned()
    } else {
        return None;
    };
    Some(
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
    )
}
