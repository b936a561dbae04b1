//! Small text helpers that stand in for core's generic ones: `str::parse` is one copy per integer
//! type, `rsplit_once(char)` pulls in the reverse UTF-8 searcher, `lines`/`trim` the Unicode
//! whitespace tables. These read only ASCII, which is all kernel files and runt's options hold.
//! Also what both command lines share: sizes (`64k`), help lines and table columns.

use alloc::string::String;

/// A decimal number with an optional '+', as `str::parse::<u64>` reads it.
#[inline(never)]
pub fn uint(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s).as_bytes();
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// A decimal number with an optional sign, as `str::parse::<i64>` reads it.
#[inline(never)]
pub fn int(s: &str) -> Option<i64> {
    match s.strip_prefix('-') {
        // i64::MIN's magnitude does not fit an i64: negate in u64 and convert back.
        Some(rest) if !rest.starts_with('+') => 0i64.checked_sub_unsigned(uint(rest)?),
        _ => i64::try_from(uint(s)?).ok(),
    }
}

/// `uint` narrowed to a smaller unsigned type; None when it does not fit.
pub fn unsigned<T: TryFrom<u64>>(s: &str) -> Option<T> {
    T::try_from(uint(s)?).ok()
}

/// `int` narrowed to a smaller signed type; None when it does not fit.
pub fn signed<T: TryFrom<i64>>(s: &str) -> Option<T> {
    T::try_from(int(s)?).ok()
}

/// The most CPUs or memory nodes an `id_list` may name: the kernel's largest configuration.
pub const MAX_IDS: u32 = 8192;

/// A list of numbers and ranges ("0-3,7": how cpusets and the runtime spec write CPUs and
/// memory nodes) as a bit mask in 64-bit words. None when malformed, empty, or naming
/// `MAX_IDS` or more.
#[inline(never)]
pub fn id_list(s: &str) -> Option<alloc::vec::Vec<u64>> {
    let mut mask = alloc::vec::Vec::new();
    for part in s.split(',') {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        let (first, last) = (unsigned::<u32>(first)?, unsigned::<u32>(last)?);
        if first > last || last >= MAX_IDS {
            return None;
        }
        mask.resize(mask.len().max(last as usize / 64 + 1), 0);
        for n in first..=last {
            *mask.get_mut(n as usize / 64)? |= 1 << (n % 64);
        }
    }
    Some(mask)
}

/// The pattern for trimming slashes: a byte test instead of a `char` pattern (which drags in the
/// UTF-8 searchers).
pub const SLASH: fn(char) -> bool = |c| c == '/';

/// The value of the variable `name` (given as `NAME=`) in an environment `env` (runt's own, as
/// the kernel handed it over), if it is set and UTF-8.
pub fn env_value<'a>(env: &[&'a [u8]], name: &[u8]) -> Option<&'a str> {
    env.iter().find_map(|e| e.strip_prefix(name)).and_then(|v| core::str::from_utf8(v).ok())
}

/// `s` split at the last `sep`, as `rsplit_once` with an ASCII separator.
#[inline(never)]
pub fn rsplit(s: &str, sep: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// Appends `s` with its control characters written out (`\x1b` for C0 and DEL, `\u{9b}` for
/// C1): text a container chose (a process name, a path) reaches the user's terminal as text,
/// never as an escape sequence that sets the title, moves the cursor or answers back.
#[inline(never)]
pub fn push_shown(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for c in s.chars() {
        let n = c as u32;
        if n >= 0x20 && n != 0x7f && !(0x80..0xa0).contains(&n) {
            out.push(c);
            continue;
        }
        out.push_str(if n < 0x80 { "\\x" } else { "\\u{" });
        for shift in [4, 0] {
            out.push(char::from(HEX.get((n >> shift) as usize & 15).copied().unwrap_or(b'0')));
        }
        if n >= 0x80 {
            out.push('}');
        }
    }
}

/// `push_shown` into a new string.
pub fn shown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_shown(&mut out, s);
    out
}

/// Appends `s` left-aligned in `width` columns (as `{:<width}` would).
#[inline(never)]
pub fn pad(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    // Columns are characters: count the bytes that start one.
    for _ in s.bytes().filter(|b| b & 0xc0 != 0x80).count()..width {
        out.push(' ');
    }
}

/// `512`, `64k`, `32m`, `1.5g`, `1t` (also `32M`, `32mb`, `32MiB`): bytes, as Docker reads
/// them (binary units; a fraction of a byte is dropped). Zero is no size.
#[inline(never)]
pub fn parse_size(v: &str) -> Option<u64> {
    let mut s = v.as_bytes();
    if let [rest @ .., b'b' | b'B'] = s {
        s = rest;
    }
    let mut unit = 0;
    if let [rest @ .., u, b'i' | b'I'] | [rest @ .., u] = s {
        if let Some(i) = b"kmgtp".iter().position(|c| *c == u.to_ascii_lowercase()) {
            (s, unit) = (rest, 10 * (i as u32 + 1));
        }
    }
    let text = core::str::from_utf8(s).ok()?;
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    let mult = 1u64 << unit;
    let mut n = digits(int.as_bytes())?.checked_mul(mult)?;
    if text.contains('.') {
        // Up to nine decimals, in f64 as Docker computes them: 1.5g is 1610612736.
        let f = digits(frac.as_bytes()).filter(|_| frac.len() <= 9)?;
        let part = f as f64 / 10u64.pow(frac.len() as u32) as f64 * mult as f64;
        n = n.checked_add(part as u64)?;
    }
    Some(n).filter(|&n| n > 0)
}

/// A non-empty run of ASCII digits as a number: no sign, no overflow.
#[inline(never)]
pub fn digits(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n = 0u64;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// One line of a help text: "  -s, --long VALUE" left-aligned in `width` columns (all of them
/// ASCII), a space, the help. Shared by every help text: one copy of the layout code.
#[inline(never)]
pub fn help_line(s: &mut String, short: u8, dashes: &str, long: &str, value: &str, width: usize, help: &str) {
    let start = s.len();
    s.push_str("  ");
    if short != 0 {
        s.push('-');
        s.push(char::from(short));
        s.push_str(", ");
    }
    s.push_str(dashes);
    s.push_str(long);
    if !value.is_empty() {
        s.push(' ');
        s.push_str(value);
    }
    while s.len() < start + 2 + width {
        s.push(' ');
    }
    s.push(' ');
    s.push_str(help);
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_as_masks() {
        assert_eq!(id_list("0"), Some(vec![1]));
        assert_eq!(id_list("0-3,7"), Some(vec![0x8f]));
        assert_eq!(id_list("1,64-65"), Some(vec![2, 3]));
        assert_eq!(id_list("8191").map(|m| m.len()), Some(128));
        for bad in ["", "1,", "3-1", "a", "-1", "1-", "8192", "0-8192", " 1", "1;2"] {
            assert_eq!(id_list(bad), None, "{bad}");
        }
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(shown("plain text: é ü 世"), "plain text: é ü 世");
        assert_eq!(shown("\u{1b}]0;PWNED\u{7}\u{1b}[2J"), "\\x1b]0;PWNED\\x07\\x1b[2J");
        assert_eq!(shown("a\nb\tc\u{7f}\u{0}"), "a\\x0ab\\x09c\\x7f\\x00");
        assert_eq!(shown("\u{9b}31m \u{85} \u{a0}"), "\\u{9b}31m \\u{85} \u{a0}");
    }

    #[test]
    fn numbers_read_as_core_reads_them() {
        for s in [
            "0",
            "7",
            "+7",
            "-7",
            "-0",
            "",
            "+",
            "-",
            "+-1",
            "-+1",
            "1a",
            " 1",
            "1 ",
            "18446744073709551615",
            "18446744073709551616",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "4294967295",
            "4294967296",
            "-2147483648",
            "-2147483649",
            "٣",
        ] {
            assert_eq!(uint(s), s.parse::<u64>().ok(), "{s:?}");
            assert_eq!(int(s), s.parse::<i64>().ok(), "{s:?}");
            assert_eq!(unsigned::<u32>(s), s.parse::<u32>().ok(), "{s:?}");
            assert_eq!(signed::<i32>(s), s.parse::<i32>().ok(), "{s:?}");
        }
    }

    #[test]
    fn split_at_the_last_separator() {
        for s in ["a/b/c", "/a", "a/", "abc", "", "/", "é/ü"] {
            assert_eq!(rsplit(s, b'/'), s.rsplit_once('/'), "{s:?}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512"), Some(512));
        assert_eq!(parse_size("64k"), Some(65536));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("32mb"), Some(32 << 20));
        assert_eq!(parse_size("2g"), Some(2 << 30));
        assert_eq!(parse_size("1kB"), Some(1024));
        assert_eq!(parse_size("7B"), Some(7));
        assert_eq!(parse_size("3G"), Some(3 << 30));
        assert_eq!(parse_size("1.5g"), Some(1_610_612_736));
        assert_eq!(parse_size("1.5m"), Some(3 << 19));
        assert_eq!(parse_size("0.5k"), Some(512));
        assert_eq!(parse_size("2.25GiB"), Some(9 << 28));
        assert_eq!(parse_size("1t"), Some(1 << 40));
        assert_eq!(parse_size("1P"), Some(1 << 50));
        assert_eq!(parse_size("64MiB"), Some(64 << 20));
        assert_eq!(parse_size("1.5"), Some(1));
        for bad in [
            "",
            "k",
            "b",
            "kb",
            "0",
            "0.0m",
            "-1",
            "+1",
            "1bk",
            "1x",
            "1..5m",
            ".5m",
            "1.m",
            "1.5.5m",
            "1.1234567891m",
            "1i",
            "99999999999999999999",
            "18446744073709551615g",
            "16777216t",
        ] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }
}
