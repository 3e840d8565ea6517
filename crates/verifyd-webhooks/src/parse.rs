//! A JSON reader that accepts exactly what the Python SDK's `decode_webhook_json` accepts and
//! produces the values Python would see.
//!
//! The verifier re-canonicalises the *parsed* body, so parsing must not lose anything Python
//! keeps: serde_json (as configured in this workspace) rounds integers wider than 64 bits to
//! f64, parses some floats one ulp off (no `float_roundtrip`), rejects overflowing floats and
//! lone `\uD800` escapes. Each of those would make a valid `X-Signature-V2` fail, or a Python
//! rejection pass, so this small recursive-descent parser mirrors CPython's `json` scanner:
//! whitespace is ` \t\n\r` only, raw control characters inside strings are errors,
//! `NaN`/`Infinity` are rejected (the SDK's `parse_constant`), integers keep all digits (up to
//! CPython's 4300-digit `int` limit), floats are correctly rounded, a repeated key keeps its last
//! value, and the top level must be an object.

use crate::canonical::Json;

/// Nesting deeper than this is rejected. CPython fails somewhat below its recursion limit of
/// 1000; real webhooks nest fewer than ten levels.
const MAX_DEPTH: usize = 512;

/// CPython ≥ 3.11 refuses to convert integer literals longer than this (`sys.int_info`).
const MAX_INT_DIGITS: usize = 4300;

/// A successfully parsed webhook body.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The top-level object's members (unique keys, arrival order).
    pub members: Vec<(String, Json)>,
    /// A string held an unpaired UTF-16 surrogate escape. Python keeps it, but encoding the
    /// canonical form to UTF-8 then fails, so no `X-Signature-V2` can match.
    pub lone_surrogate: bool,
}

impl Parsed {
    /// Python's `body.get(key)`.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Why a body is not a webhook JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The bytes are not valid UTF-8.
    #[error("body is not valid UTF-8")]
    NotUtf8,
    /// The text is not JSON as Python's `json.loads` reads it (including `NaN`/`Infinity`).
    #[error("body is not valid JSON (byte {0})")]
    Syntax(usize),
    /// Nesting is deeper than the verifier supports.
    #[error("body nests too deeply")]
    TooDeep,
    /// An integer literal is longer than Python's 4300-digit conversion limit.
    #[error("body has an integer longer than 4300 digits")]
    IntegerTooLong,
    /// Valid JSON, but not an object.
    #[error("body is not a JSON object")]
    NotAnObject,
}

pub(crate) fn parse_body(raw: &[u8]) -> Result<Parsed, BodyError> {
    let text = std::str::from_utf8(raw).map_err(|_| BodyError::NotUtf8)?;
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        lone_surrogate: false,
    };
    p.skip_ws();
    let value = p.value(0)?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(BodyError::Syntax(p.pos));
    }
    match value {
        Json::Object(members) => Ok(Parsed {
            members,
            lone_surrogate: p.lone_surrogate,
        }),
        _ => Err(BodyError::NotAnObject),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    lone_surrogate: bool,
}

impl Parser<'_> {
    fn err<T>(&self) -> Result<T, BodyError> {
        Err(BodyError::Syntax(self.pos))
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Result<Json, BodyError> {
        if self.s[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            self.err()
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, BodyError> {
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            // Includes NaN / Infinity / -Infinity, which the SDK rejects via parse_constant.
            _ => self.err(),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, BodyError> {
        if depth > MAX_DEPTH {
            return Err(BodyError::TooDeep);
        }
        self.pos += 1; // '{'
        let mut members: Vec<(String, Json)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return self.err();
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return self.err();
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            // Python builds a dict: a repeated key keeps its first position and last value.
            match members.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => members.push((key, value)),
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return self.err(),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, BodyError> {
        if depth > MAX_DEPTH {
            return Err(BodyError::TooDeep);
        }
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return self.err(),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, as CPython's `_match_number`.
    fn number(&mut self) -> Result<Json, BodyError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err(),
        }
        let int_end = self.pos;
        let mut is_float = false;
        if self.peek() == Some(b'.') && matches!(self.s.get(self.pos + 1), Some(b'0'..=b'9')) {
            self.pos += 1;
            self.digits();
            is_float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                // Not an exponent after all; the caller then fails on the stray 'e'.
                self.pos = save;
            } else {
                is_float = true;
            }
        }
        let literal = &self.text[start..self.pos];
        if is_float {
            // Rust's parser is correctly rounded like Python's float(); overflow gives ±inf.
            return literal
                .parse::<f64>()
                .map(Json::Float)
                .or_else(|_| self.err());
        }
        let digits = &self.text[int_start..int_end];
        if digits.len() > MAX_INT_DIGITS {
            return Err(BodyError::IntegerTooLong);
        }
        Ok(Json::Int(if negative && digits != "0" {
            format!("-{digits}")
        } else {
            digits.to_owned()
        }))
    }

    fn hex4(&mut self) -> Result<u32, BodyError> {
        let Some(chunk) = self.text.get(self.pos..self.pos + 4) else {
            return self.err();
        };
        if !chunk.bytes().all(|b| b.is_ascii_hexdigit()) {
            return self.err();
        }
        let v = u32::from_str_radix(chunk, 16).or_else(|_| self.err())?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<String, BodyError> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let Some(esc) = self.peek() else {
                        return self.err();
                    };
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{08}'),
                        b'f' => out.push('\u{0c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let unit = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&unit)
                                && self.s[self.pos..].starts_with(b"\\u")
                            {
                                // A high surrogate pairs only with an immediately following
                                // low-surrogate escape; otherwise it stays lone (as in CPython).
                                let save = self.pos;
                                self.pos += 2;
                                let low = self.hex4()?;
                                if (0xdc00..0xe000).contains(&low) {
                                    0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
                                } else {
                                    self.pos = save;
                                    unit
                                }
                            } else {
                                unit
                            };
                            match char::from_u32(code) {
                                Some(c) => out.push(c),
                                None => {
                                    self.lone_surrogate = true;
                                    out.push('\u{fffd}');
                                }
                            }
                        }
                        _ => {
                            self.pos -= 1;
                            return self.err();
                        }
                    }
                }
                // End of input, or a raw control character (CPython's strict mode).
                _ => return self.err(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(raw: &str) -> Result<Parsed, BodyError> {
        parse_body(raw.as_bytes())
    }

    #[test]
    fn accepts_python_json_and_keeps_exact_numbers() {
        let p = top(" {\"a\": 123456789012345678901234567890, \"b\": -0, \"c\": 1.5e400,\n\"d\": 0.30000000000000004, \"a\": [true, null, \"x\\u00e9\\ud83d\\ude00\\/\"]}\r\n").unwrap();
        assert!(!p.lone_surrogate);
        assert_eq!(
            p.get("a"),
            Some(&Json::Array(vec![
                Json::Bool(true),
                Json::Null,
                Json::Str("xé😀/".into())
            ]))
        );
        assert_eq!(
            p.members[0].0, "a",
            "a repeated key keeps its first position"
        );
        assert_eq!(p.get("b"), Some(&Json::Int("0".into())));
        assert_eq!(p.get("c"), Some(&Json::Float(f64::INFINITY)));
        assert_eq!(p.get("d"), Some(&Json::Float(0.30000000000000004)));
        let p = top("{\"a\": 123456789012345678901234567890}").unwrap();
        assert_eq!(
            p.get("a"),
            Some(&Json::Int("123456789012345678901234567890".into()))
        );
    }

    #[test]
    fn lone_surrogates_are_flagged() {
        assert!(top(r#"{"a":"\ud800"}"#).unwrap().lone_surrogate);
        assert!(top(r#"{"a":"\udc00\ud800x"}"#).unwrap().lone_surrogate);
        assert!(top(r#"{"a":"\ud800\u0041"}"#).unwrap().lone_surrogate);
    }

    #[test]
    fn rejects_what_python_rejects() {
        for bad in [
            "",
            "[]",
            "1",
            "\"x\"",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":-Infinity}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":+1}",
            "{\"a\":1,}",
            "{\"a\":[1,]}",
            "{a:1}",
            "{\"a\":\"\x01\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "\u{feff}{}",
            "{}x",
            "{}\u{a0}",
            "{\"a\":1}{}",
            "{'a':1}",
        ] {
            assert!(top(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(
            parse_body(b"{\"a\":\"\xff\"}").err(),
            Some(BodyError::NotUtf8)
        );
        assert_eq!(top("[1]").err(), Some(BodyError::NotAnObject));
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(600), "]".repeat(600));
        assert_eq!(top(&deep).err(), Some(BodyError::TooDeep));
        let long = format!("{{\"a\":{}}}", "9".repeat(4301));
        assert_eq!(top(&long).err(), Some(BodyError::IntegerTooLong));
        assert!(top(&format!("{{\"a\":{}}}", "9".repeat(4300))).is_ok());
    }
}
