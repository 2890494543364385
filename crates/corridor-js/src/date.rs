//! Dates as JavaScript's `new Date(text)` reads them and `toISOString` writes them: what
//! TrustVC compares a credential's `validFrom` and `issuanceDate` with the clock by.

/// Milliseconds since 1970-01-01T00:00:00Z, as a `Date` holds them; `None` where JavaScript
/// would hold `NaN` (an "Invalid Date", which compares false with everything).
///
/// Reads the ECMAScript date-time format, with the leniencies V8 adds to it: a space for the
/// `T`, a lower-case `z`, an offset without its colon, any number of fraction digits (only
/// milliseconds kept), a day past the month's end rolling over (`02-30` is 1 March), `24:00`
/// as the next midnight. V8 also has a legacy parser for other shapes ("Jan 2 2024"); those
/// are `None` here. A date-time without an offset is read as UTC, where V8 takes the machine's
/// time zone: the result must not depend on where a verifier stands.
///
/// ```
/// use corridor_js::{parse_date, to_iso_string};
/// let ms = parse_date("2024-02-29T23:30:00.1234+01:00").unwrap();
/// assert_eq!(to_iso_string(ms), "2024-02-29T22:30:00.123Z");
/// assert_eq!(parse_date("2024-01-01"), parse_date("2024-01-01T00:00:00Z"));
/// assert_eq!(parse_date("yesterday"), None);
/// assert_eq!(parse_date("2024-13-01T00:00:00Z"), None);
/// ```
pub fn parse_date(text: &str) -> Option<i64> {
    let mut p = Cursor(text.as_bytes());
    let year = match p.peek() {
        Some(sign @ (b'+' | b'-')) => {
            p.bump();
            let y = p.digits(6)?;
            if sign == b'-' && y == 0 {
                return None; // -000000 is not a year.
            }
            if sign == b'-' { -y } else { y }
        }
        _ => p.digits(4)?,
    };
    let (mut month, mut day) = (1, 1);
    if p.eat(b'-') {
        month = p.digits(2)?;
        if p.eat(b'-') {
            day = p.digits(2)?;
        }
    }
    let date_only = p.0.is_empty();
    let (mut hour, mut minute, mut second, mut millis) = (0, 0, 0, 0);
    let mut offset_minutes = 0;
    if !date_only {
        if !(p.eat(b'T') || p.eat(b't') || p.eat(b' ')) {
            return None;
        }
        hour = p.digits(2)?;
        p.expect(b':')?;
        minute = p.digits(2)?;
        if p.eat(b':') {
            second = p.digits(2)?;
            if p.eat(b'.') {
                let start = p.0.len();
                let mut scale = 100;
                while let Some(d @ b'0'..=b'9') = p.peek() {
                    p.bump();
                    millis += i64::from(d - b'0') * scale;
                    scale /= 10;
                }
                if p.0.len() == start {
                    return None;
                }
            }
        }
        match p.peek() {
            Some(b'Z' | b'z') => p.bump(),
            Some(sign @ (b'+' | b'-')) => {
                p.bump();
                let h = p.digits(2)?;
                p.eat(b':');
                let m = p.digits(2)?;
                if h > 23 || m > 59 {
                    return None;
                }
                offset_minutes = if sign == b'+' {
                    h * 60 + m
                } else {
                    -(h * 60 + m)
                };
            }
            _ => {}
        }
    }
    if !p.0.is_empty()
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || minute > 59
        || second > 59
        || hour > 24
        || (hour == 24 && (minute, second, millis) != (0, 0, 0))
    {
        return None;
    }
    let days = days_from_civil(year, month, 1) + day - 1;
    let ms = ((days * 24 + hour) * 60 + minute - offset_minutes) * 60_000 + second * 1000 + millis;
    // ECMAScript's time range: 100,000,000 days either side of 1970.
    (ms.abs() <= 8_640_000_000_000_000).then_some(ms)
}

/// `Date.prototype.toISOString`: `2024-01-01T00:00:00.000Z`, with a six-digit signed year
/// outside 0000–9999.
///
/// ```
/// assert_eq!(corridor_js::to_iso_string(0), "1970-01-01T00:00:00.000Z");
/// assert_eq!(corridor_js::to_iso_string(-62198755200000), "-000001-01-01T00:00:00.000Z");
/// ```
pub fn to_iso_string(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let year = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        format!("{}{:06}", if y < 0 { '-' } else { '+' }, y.abs())
    };
    format!(
        "{year}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.0.first().copied()
    }
    fn bump(&mut self) {
        self.0 = &self.0[1..];
    }
    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.bump();
        }
        hit
    }
    fn expect(&mut self, b: u8) -> Option<()> {
        self.eat(b).then_some(())
    }
    /// Exactly `n` decimal digits.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let run = self.0.get(..n)?;
        if !run.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.0 = &self.0[n..];
        Some(run.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date (year, month, day) of a number of days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Node 20 (V8) answers, `TZ=UTC`.
    #[test]
    fn reads_dates_as_v8_does() {
        let cases = [
            ("2024-02-30T00:00:00Z", Some("2024-03-01T00:00:00.000Z")),
            ("2024-02-29T24:00:00Z", Some("2024-03-01T00:00:00.000Z")),
            ("2024-02-29T24:00:01Z", None),
            (
                "2024-01-01T00:00:00.123456Z",
                Some("2024-01-01T00:00:00.123Z"),
            ),
            ("2024-01-01T00:00:00.1Z", Some("2024-01-01T00:00:00.100Z")),
            ("2024-01-01T00:00:00", Some("2024-01-01T00:00:00.000Z")),
            ("2024-01-01T00:00Z", Some("2024-01-01T00:00:00.000Z")),
            ("+002024-01-01T00:00:00Z", Some("2024-01-01T00:00:00.000Z")),
            ("-000000-01-01T00:00:00Z", None),
            (
                "2024-01-01T00:00:00+14:00",
                Some("2023-12-31T10:00:00.000Z"),
            ),
            ("2024-01-01T00:00:00+1400", Some("2023-12-31T10:00:00.000Z")),
            ("x2024-01-01T00:00:00Z", None),
            ("2024-01-01T00:00:00Zjunk", None),
            ("2024-01-01T00:00:00.Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("20240-01-01T00:00:00Z", None),
            ("2024-01-01T23:59:60Z", None),
            ("2024-01-01 00:00:00Z", Some("2024-01-01T00:00:00.000Z")),
            ("2024-01-01T00:00:00z", Some("2024-01-01T00:00:00.000Z")),
            ("275760-09-13T00:00:00Z", None),
            (
                "+275760-09-13T00:00:00Z",
                Some("+275760-09-13T00:00:00.000Z"),
            ),
            ("+275760-09-13T00:00:00.001Z", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                parse_date(text).map(to_iso_string).as_deref(),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn days_round_trip() {
        for days in (-1_000_000..1_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
