//! Generated identifiers: for random bodies of every kind and format, exactly one check
//! character passes and every other is refused as a wrong check character; the LEI and the
//! resident identity number also against a second formulation of their checks.

use corridor_company::{Date, IdKind, Reason, check};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn today() -> Date {
    Date::new(2026, 11, 27).unwrap()
}

fn pick(rng: &mut StdRng, set: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| set[rng.random_range(0..set.len())] as char)
        .collect()
}

const DIGITS: &[u8] = b"0123456789";
const CAPITALS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const USCC_SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Of every character in `candidates` put last, the ones `kind` accepts; each refused one
/// must be refused for its check character (`wrong`), nothing earlier.
fn passing(kind: IdKind, body: &str, candidates: &[u8], wrong: &[Reason]) -> Vec<String> {
    let mut passing = Vec::new();
    for c in candidates {
        let id = format!("{body}{}", *c as char);
        match check(kind, &id, today()) {
            Ok(()) => passing.push(id),
            Err(problem) => assert!(wrong.contains(&problem.reason), "{id} as {kind}: {problem}"),
        }
    }
    passing
}

#[test]
fn exactly_one_check_letter_passes_every_uen() {
    let mut rng = StdRng::seed_from_u64(17);
    let types = ["LL", "LP", "FC", "CS", "SS", "RF", "TU", "XL"];
    for i in 0..1_500 {
        let body = match i % 3 {
            0 => pick(&mut rng, DIGITS, 8),
            1 => format!(
                "{}{}",
                rng.random_range(1900..=2026),
                pick(&mut rng, DIGITS, 5)
            ),
            _ => format!(
                "{}{:02}{}{}",
                ["R", "S", "T"][rng.random_range(0..3)],
                rng.random_range(0..=26),
                types[rng.random_range(0..types.len())],
                pick(&mut rng, DIGITS, 4)
            ),
        };
        let ok = passing(IdKind::Uen, &body, CAPITALS, &[Reason::CheckCharacter]);
        assert_eq!(ok.len(), 1, "{body}: {ok:?}");
    }
}

#[test]
fn exactly_one_check_letter_passes_every_nric() {
    let mut rng = StdRng::seed_from_u64(18);
    for prefix in ["S", "T", "F", "G", "M"] {
        for _ in 0..300 {
            let body = format!("{prefix}{}", pick(&mut rng, DIGITS, 7));
            let ok = passing(IdKind::Nric, &body, CAPITALS, &[Reason::CheckCharacter]);
            assert_eq!(ok.len(), 1, "{body}: {ok:?}");
        }
    }
}

#[test]
fn exactly_one_check_character_passes_every_credit_code() {
    let mut rng = StdRng::seed_from_u64(19);
    let mut found = 0;
    while found < 200 {
        // A company registered in Chongqing's Yuzhong district, with a random organisation
        // code given its own check character (the second check, made only when the first
        // passes).
        let body = format!("91500103{}", pick(&mut rng, USCC_SET, 9));
        let ok = passing(
            IdKind::Uscc,
            &body,
            USCC_SET,
            &[Reason::CheckCharacter, Reason::OrganisationCodeCheck],
        );
        assert!(ok.len() <= 1, "{body}: {ok:?}");
        let right = USCC_SET
            .iter()
            .filter(|c| {
                !matches!(
                    check(IdKind::Uscc, &format!("{body}{}", **c as char), today()),
                    Err(p) if p.reason == Reason::CheckCharacter
                )
            })
            .count();
        assert_eq!(right, 1, "{body}");
        found += ok.len();
    }
}

/// ISO 7064 MOD 97-10 as the whole number: valid when it is 1 mod 97.
fn mod_97(lei: &str) -> u32 {
    lei.chars().fold(0, |r, c| {
        let digits = c.to_digit(36).unwrap();
        if digits < 10 {
            (r * 10 + digits) % 97
        } else {
            (r * 100 + digits) % 97
        }
    })
}

#[test]
fn every_lei_is_valid_exactly_when_its_number_is_1_mod_97_and_its_pair_is_02_to_98() {
    let mut rng = StdRng::seed_from_u64(20);
    for _ in 0..500 {
        let body = pick(&mut rng, ALPHANUMERIC, 18);
        let mut valid = 0;
        for pair in 0..100 {
            let lei = format!("{body}{pair:02}");
            let number_says = mod_97(&lei) == 1;
            match check(IdKind::Lei, &lei, today()) {
                Ok(()) => {
                    assert!(number_says && (2..=98).contains(&pair), "{lei}");
                    valid += 1;
                }
                Err(problem) if problem.reason == Reason::CheckDigitsAlias => {
                    assert!(number_says && !(2..=98).contains(&pair), "{lei}");
                }
                Err(problem) => {
                    assert_eq!(problem.reason, Reason::CheckDigits, "{lei}");
                    assert!(!number_says, "{lei}");
                }
            }
        }
        assert_eq!(valid, 1, "{body}");
    }
}

/// ISO 7064 MOD 11-2 written the other way: `(12 − Σ aᵢ·2^(18−i) mod 11) mod 11`, 10 as X.
fn mod_11_2(body: &str) -> char {
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(i, c)| c.to_digit(10).unwrap() * (1 << (17 - i)) % 11)
        .sum();
    match (12 - sum % 11) % 11 {
        10 => 'X',
        d => char::from_digit(d, 10).unwrap(),
    }
}

#[test]
fn every_resident_identity_number_takes_the_mod_11_2_character() {
    let mut rng = StdRng::seed_from_u64(21);
    for _ in 0..1_500 {
        let birth = format!(
            "{}{:02}{:02}",
            rng.random_range(1900..=2025),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        );
        let body = format!("500103{birth}{}", pick(&mut rng, DIGITS, 3));
        let ok = passing(
            IdKind::CnRic,
            &body,
            b"0123456789X",
            &[Reason::CheckCharacter],
        );
        assert_eq!(ok, vec![format!("{body}{}", mod_11_2(&body))]);
    }
}
