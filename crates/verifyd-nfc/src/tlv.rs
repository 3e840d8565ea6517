//! ISO/IEC 7816-4 BER-TLV, the encoding of the ICAO data groups (DG1 `61`, DG2 `75`, `5F1F`,
//! `7F61` …).
//!
//! The CMS side of the chip (EF.SOD, DG14, DG15) is DER and goes through the `der` crate, but
//! `der` 0.7 cannot represent the two- and three-byte tags the data groups use. This reader is
//! deliberately flat: [`Tlv::parse`] reads one object and [`Tlv::children`] walks one level, so
//! callers descend only into the tags ICAO defines and hostile nesting costs neither stack nor
//! allocation (generic tree parsers recurse on every constructed tag). Every length is checked
//! against the bytes that are actually there.

use crate::error::NfcError;

/// One BER-TLV object borrowed from its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag as its big-endian bytes, e.g. `0x5F1F`.
    pub tag: u32,
    /// The value bytes.
    pub value: &'a [u8],
    /// The whole object: tag, length and value.
    pub raw: &'a [u8],
}

/// The longest tag ISO 7816-4 allows (three bytes).
const MAX_TAG_BYTES: usize = 3;
/// Lengths above 2^24 cannot occur in a chip file (they are at most 32 KiB–1 MiB).
const MAX_LENGTH_BYTES: usize = 3;

impl<'a> Tlv<'a> {
    /// Reads one object from the start of `input`, returning it and the bytes after it.
    pub fn parse(input: &'a [u8]) -> Result<(Tlv<'a>, &'a [u8]), NfcError> {
        let truncated = || NfcError::Truncated;
        let first = *input.first().ok_or_else(truncated)?;
        let mut pos = 1;
        let mut tag = u32::from(first);
        if first & 0x1F == 0x1F {
            loop {
                let b = *input.get(pos).ok_or_else(truncated)?;
                pos += 1;
                tag = (tag << 8) | u32::from(b);
                if b & 0x80 == 0 {
                    break;
                }
                if pos >= MAX_TAG_BYTES {
                    return Err(NfcError::Malformed("tag longer than three bytes"));
                }
            }
        }
        let len_byte = *input.get(pos).ok_or_else(truncated)?;
        pos += 1;
        let length = if len_byte & 0x80 == 0 {
            usize::from(len_byte)
        } else {
            let count = usize::from(len_byte & 0x7F);
            if count == 0 {
                return Err(NfcError::Malformed("indefinite length"));
            }
            if count > MAX_LENGTH_BYTES {
                return Err(NfcError::Malformed("length field too long"));
            }
            let bytes = input.get(pos..pos + count).ok_or_else(truncated)?;
            pos += count;
            bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b))
        };
        let end = pos.checked_add(length).ok_or_else(truncated)?;
        let value = input.get(pos..end).ok_or_else(truncated)?;
        let raw = &input[..end];
        Ok((Tlv { tag, value, raw }, &input[end..]))
    }

    /// Reads `input` as one object with the given tag; bytes after it (readers sometimes pad
    /// files) are ignored, and [`Tlv::raw`] says exactly which bytes were read.
    pub fn expect(input: &'a [u8], tag: u32) -> Result<Tlv<'a>, NfcError> {
        let (tlv, _) = Tlv::parse(input)?;
        if tlv.tag != tag {
            return Err(NfcError::UnexpectedTag {
                expected: tag,
                found: tlv.tag,
            });
        }
        Ok(tlv)
    }

    /// The objects inside this one's value, one level down.
    pub fn children(&self) -> Children<'a> {
        Children { rest: self.value }
    }

    /// The first child with `tag`.
    pub fn child(&self, tag: u32) -> Result<Option<Tlv<'a>>, NfcError> {
        for child in self.children() {
            let child = child?;
            if child.tag == tag {
                return Ok(Some(child));
            }
        }
        Ok(None)
    }

    /// The first child with `tag`, which must be present.
    pub fn required(&self, tag: u32) -> Result<Tlv<'a>, NfcError> {
        self.child(tag)?.ok_or(NfcError::MissingTag {
            tag,
            within: self.tag,
        })
    }
}

/// Iterator over the objects of a constructed value; stops after the first error.
#[derive(Debug, Clone)]
pub struct Children<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Tlv<'a>, NfcError>;

    fn next(&mut self) -> Option<Self::Item> {
        // Some issuers pad constructed values with 00 or FF bytes (ISO 7816-4 §5.2.2).
        while let Some((&b, rest)) = self.rest.split_first() {
            if b == 0x00 || b == 0xFF {
                self.rest = rest;
            } else {
                break;
            }
        }
        if self.rest.is_empty() {
            return None;
        }
        match Tlv::parse(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Encodes a length the way ISO 7816-4 does (short form below 128).
#[cfg(test)]
pub(crate) fn encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 6);
    let tag_bytes = tag.to_be_bytes();
    let skip = tag_bytes.iter().take_while(|b| **b == 0).count().min(3);
    out.extend_from_slice(&tag_bytes[skip..]);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xFFFF {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_multi_byte_tags_and_long_lengths() {
        let inner = encode(0x5F1F, &[b'A'; 300]);
        let outer = encode(0x61, &inner);
        let dg = Tlv::expect(&outer, 0x61).unwrap();
        assert_eq!(dg.raw.len(), outer.len());
        let mrz = dg.required(0x5F1F).unwrap();
        assert_eq!(mrz.value.len(), 300);
    }

    #[test]
    fn rejects_lengths_past_the_input() {
        let mut bytes = encode(0x61, &[1, 2, 3]);
        bytes.truncate(4);
        assert_eq!(Tlv::parse(&bytes).unwrap_err(), NfcError::Truncated);
        assert!(Tlv::parse(&[0x5F]).is_err());
        assert!(Tlv::parse(&[0x61, 0x80]).is_err());
        assert!(Tlv::parse(&[0x61, 0x84, 0, 0, 0, 1]).is_err());
        assert!(Tlv::parse(&[0x7F, 0xFF, 0xFF, 0x01, 0x00]).is_err());
    }

    #[test]
    fn ignores_trailing_padding() {
        let mut bytes = encode(0x61, &encode(0x5F1F, b"X"));
        let exact = bytes.len();
        bytes.extend_from_slice(&[0, 0, 0]);
        assert_eq!(Tlv::expect(&bytes, 0x61).unwrap().raw.len(), exact);
    }
}
