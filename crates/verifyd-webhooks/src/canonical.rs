//! Didit's canonical JSON: the exact bytes Python produces with
//! `json.dumps(shorten_floats(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
//!
//! `X-Signature-V2` is an HMAC over these bytes, so a single differing byte (a float printed
//! `1e-5` instead of `1e-05`, a key sorted by UTF-16 unit instead of code point, a `/` escaped)
//! makes every Python receiver reject the webhook. Everything here therefore follows CPython's
//! `json` encoder and `float.__repr__` rather than serde_json's own formatting.
//!
//! Values are first lowered into [`Json`], a small tree that can also hold what Python's
//! `json.loads` accepts but serde_json cannot (integers wider than 64 bits, overflowing floats,
//! lone surrogates), so the verifier canonicalises a received body exactly as Python would.

use std::fmt::Write as _;

use serde_json::Value;

/// A JSON value as Python's `json.loads` sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// An integer literal in Python's `str(int)` form (no leading zeros, `-0` normalised to `0`).
    Int(String),
    /// A float; may be infinite when a received literal overflowed (`1e400`).
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    /// Members in arrival order; keys are unique (a repeated key keeps its last value, as in a
    /// Python dict).
    Object(Vec<(String, Json)>),
}

/// Why a value has no canonical form (only possible for received bodies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotCanonical {
    /// A float overflowed to infinity; Python's `json.dumps(..., allow_nan=False)` raises.
    NonFinite,
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Json::Int(i.to_string())
                } else if let Some(u) = n.as_u64() {
                    Json::Int(u.to_string())
                } else {
                    // Without serde_json's `arbitrary_precision` every other number is an f64;
                    // serde_json never stores a non-finite one.
                    Json::Float(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::String(s) => Json::Str(s.clone()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Json::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Serialises `value` to Didit's canonical JSON (the `X-Signature-V2` message).
///
/// Equivalent to the Python SDK's `didit.webhooks.canonical_json`:
///
/// * object keys sorted by Unicode code point, recursively (serde_json's `preserve_order`
///   insertion order is ignored);
/// * no whitespace (`,` and `:` separators);
/// * strings: non-ASCII written as raw UTF-8; `"` `\` escaped, `\n \r \t \b \f` in short form,
///   other control characters below U+0020 as `\u00XX` (lowercase hex); `/`, U+007F, U+2028 and
///   U+2029 written as is;
/// * floats with an integral value become integers (`95.0` → `95`, `1e20` →
///   `100000000000000000000`), other floats are printed as Python's `repr` does (shortest
///   round-trip digits, exponent form only below `1e-4`, e.g. `1e-05`);
/// * integers, booleans and `null` as usual.
///
/// ```
/// use serde_json::json;
/// let body = json!({"z": 1, "score": 95.0, "name": "José", "tiny": 0.00001, "a": [0.1, true]});
/// assert_eq!(
///     verifyd_webhooks::canonical_json(&body),
///     r#"{"a":[0.1,true],"name":"José","score":95,"tiny":1e-05,"z":1}"#
/// );
/// ```
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    // A serde_json::Value holds no non-finite float, so this cannot fail.
    let _ = write_canonical(&Json::from(value), &mut out);
    out
}

/// Writes the canonical form of `value` to `out`.
pub(crate) fn write_canonical(value: &Json, out: &mut String) -> Result<(), NotCanonical> {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(true) => out.push_str("true"),
        Json::Bool(false) => out.push_str("false"),
        Json::Int(digits) => out.push_str(digits),
        Json::Float(f) => write_float(*f, out)?,
        Json::Str(s) => write_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        Json::Object(members) => {
            // Rust orders `str` by UTF-8 bytes, which is exactly Unicode code point order —
            // Python's `sorted()` on str keys. (JavaScript's default sort uses UTF-16 units and
            // differs for keys outside the BMP.)
            let mut sorted: Vec<&(String, Json)> = members.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (key, val)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_canonical(val, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Python's `json.encoder.py_encode_basestring` (ensure_ascii=False).
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{08}' => Some("\\b"),
            '\u{0c}' => Some("\\f"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match escape {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `shorten_floats` then `float.__repr__`.
fn write_float(f: f64, out: &mut String) -> Result<(), NotCanonical> {
    if !f.is_finite() {
        return Err(NotCanonical::NonFinite);
    }
    if f.fract() == 0.0 {
        out.push_str(&integral_f64_to_decimal(f));
    } else {
        out.push_str(&python_float_repr(f));
    }
    Ok(())
}

/// Python's `repr(float)` for a finite value.
///
/// Rust's `{:e}` gives the same shortest round-trip digits as CPython's `dtoa` mode 0; only the
/// layout differs. CPython writes fixed notation when the decimal exponent `e` (as in
/// `d.ddd × 10^e`) satisfies `-4 <= e < 16`, otherwise `d.ddde±XX` with at least two exponent
/// digits; fixed notation of an integral value ends in `.0`.
pub(crate) fn python_float_repr(f: f64) -> String {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let ndigits = digits.len() as i32;
    let mut out = String::new();
    if f.is_sign_negative() {
        out.push('-');
    }
    if !(-4..16).contains(&exp) {
        out.push_str(&digits[..1]);
        if ndigits > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exp.abs());
    } else {
        // Position of the decimal point counted from the first digit.
        let decpt = exp + 1;
        if decpt <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-decpt) as usize));
            out.push_str(&digits);
        } else if decpt >= ndigits {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (decpt - ndigits) as usize));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..decpt as usize]);
            out.push('.');
            out.push_str(&digits[decpt as usize..]);
        }
    }
    out
}

/// Exact decimal digits of a finite float with no fractional part (`int(f)` in Python).
pub(crate) fn integral_f64_to_decimal(f: f64) -> String {
    if f == 0.0 {
        return "0".to_owned(); // also -0.0: int(-0.0) == 0
    }
    let sign = if f < 0.0 { "-" } else { "" };
    let a = f.abs();
    if a < 9.0e18 {
        // Exact: an integral f64 below 2^63 converts to i64 without rounding.
        return format!("{sign}{}", a as i64);
    }
    // a = mantissa × 2^shift with shift > 0 here; multiply out in base 10^9 limbs.
    let bits = a.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let mantissa = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let mut shift = biased - 1075;
    const BASE: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = vec![
        mantissa % BASE,
        (mantissa / BASE) % BASE,
        mantissa / BASE / BASE,
    ];
    while shift > 0 {
        let step = shift.min(29);
        let mut carry = 0u64;
        for limb in limbs.iter_mut() {
            let v = (*limb << step) + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
        shift -= step;
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut out = String::from(sign);
    let mut iter = limbs.iter().rev();
    if let Some(first) = iter.next() {
        let _ = write!(out, "{first}");
    }
    for limb in iter {
        let _ = write!(out, "{limb:09}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_repr_matches_python_layout() {
        let cases: &[(f64, &str)] = &[
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (1.5e16, "1.5e+16"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456.789, "123456.789"),
            (-2.5, "-2.5"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (0.30000000000000004, "0.30000000000000004"),
            (-1.25e-7, "-1.25e-07"),
            (9999999999999998.0, "9999999999999998.0"),
            (1.0, "1.0"),
        ];
        for (f, want) in cases {
            assert_eq!(python_float_repr(*f), *want, "{f:e}");
        }
    }

    #[test]
    fn integral_floats_become_exact_integers() {
        assert_eq!(integral_f64_to_decimal(95.0), "95");
        assert_eq!(integral_f64_to_decimal(-0.0), "0");
        assert_eq!(integral_f64_to_decimal(1e20), "100000000000000000000");
        assert_eq!(integral_f64_to_decimal(-1.5e16), "-15000000000000000");
        assert_eq!(
            integral_f64_to_decimal(2f64.powi(63)),
            "9223372036854775808"
        );
        assert_eq!(integral_f64_to_decimal(1e23), "99999999999999991611392");
        // Python: int(1e300)
        assert_eq!(
            integral_f64_to_decimal(1e300),
            "1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160"
        );
    }

    #[test]
    fn strings_are_escaped_like_python() {
        let v = json!({"s": "a\"b\\c/d\n\r\t\u{08}\u{0c}\u{01}\u{1f}\u{7f}\u{2028}\u{2029}é日😀"});
        assert_eq!(
            canonical_json(&v),
            "{\"s\":\"a\\\"b\\\\c/d\\n\\r\\t\\b\\f\\u0001\\u001f\u{7f}\u{2028}\u{2029}é日😀\"}"
        );
    }

    #[test]
    fn keys_sorted_by_code_point_recursively() {
        // U+FF5E (BMP) sorts before U+1F600 by code point; UTF-16 order would reverse them.
        let v = json!({"😀": 1, "～": 2, "b": {"y": [], "x": {}}, "B": null, "a": false});
        assert_eq!(
            canonical_json(&v),
            "{\"B\":null,\"a\":false,\"b\":{\"x\":{},\"y\":[]},\"～\":2,\"😀\":1}"
        );
    }

    #[test]
    fn non_finite_has_no_canonical_form() {
        let mut out = String::new();
        assert_eq!(
            write_canonical(&Json::Float(f64::INFINITY), &mut out),
            Err(NotCanonical::NonFinite)
        );
    }
}
