//! Single-byte encodings. Both tables are fixed by the WHATWG Encoding
//! standard; ten lines do not need a crate.

use std::borrow::Cow;

/// ISO-8859-1: byte b is U+00b.
pub fn decode_latin1(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // ASCII is valid UTF-8.
        return Cow::Borrowed(std::str::from_utf8(bytes).expect("ASCII"));
    }
    Cow::Owned(bytes.iter().map(|&b| b as char).collect())
}

/// Windows-1252: Latin-1 except 0x80–0x9F, which hold € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž
/// ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ (five unassigned bytes map to C1 controls, as
/// the WHATWG standard says).
pub fn decode_windows_1252(bytes: &[u8]) -> Cow<'_, str> {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    if bytes.is_ascii() {
        return Cow::Borrowed(std::str::from_utf8(bytes).expect("ASCII"));
    }
    Cow::Owned(
        bytes
            .iter()
            .map(|&b| {
                if (0x80..0xA0).contains(&b) {
                    HIGH[(b - 0x80) as usize]
                } else {
                    b as char
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_byte_encodings() {
        assert_eq!(decode_latin1(b"M\xFCller"), "Müller");
        assert_eq!(decode_windows_1252(b"M\xFCller"), "Müller");
        assert_eq!(decode_windows_1252(b"\x80 5 \x93q\x94"), "€ 5 “q”");
        assert_eq!(decode_latin1(b"\x80"), "\u{80}");
        assert_eq!(decode_windows_1252(b"plain"), "plain");
    }
}
