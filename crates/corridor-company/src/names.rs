//! Company names as a look-up finds them: a key in which the spellings of one name agree —
//! full-width or not, any case, with or without its legal form (`Pte. Ltd.`, `Co., Ltd.`,
//! 有限公司 …) or the word Chongqing (重庆) — and the native and English names each keyed as
//! written, never transliterated: a company is found in either script through the name it
//! has in it.

use unicode_normalization::UnicodeNormalization;

/// Legal forms written in Chinese, dropped from the end: the longest first.
const NATIVE_FORMS: [&str; 3] = ["股份有限公司", "有限责任公司", "有限公司"];

/// Legal forms written in English, dropped from the end as whole words: the longest first.
const ENGLISH_FORMS: [&[&str]; 15] = [
    &["joint", "stock", "co", "ltd"],
    &["joint", "stock", "co", "limited"],
    &["joint", "stock", "company", "limited"],
    &["corporation", "limited"],
    &["company", "limited"],
    &["private", "limited"],
    &["pte", "limited"],
    &["private", "ltd"],
    &["pte", "ltd"],
    &["co", "ltd"],
    &["co", "limited"],
    &["corp", "ltd"],
    &["limited"],
    &["ltd"],
    &["llp"],
];

/// The look-up key of a company name: NFKC, case-folded; `.` and apostrophes deleted and
/// every other character that is not a letter or digit a space; one trailing legal form
/// dropped; the word `chongqing` and 重庆市 / 重庆 dropped; no spaces.
///
/// ```
/// use corridor_company::name_key;
/// assert_eq!(name_key("Moumou Technology (Chongqing) Co., Ltd."), "moumoutechnology");
/// assert_eq!(name_key("ＭＯＵＭＯＵ TECHNOLOGY PTE LTD"), "moumoutechnology");
/// assert_eq!(name_key("重庆某某科技有限责任公司"), "某某科技");
/// ```
pub fn name_key(name: &str) -> String {
    let folded: String = name
        .nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !matches!(c, '.' | '\'' | '\u{2019}'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    drop_legal_form(&mut words);
    words
        .into_iter()
        .filter(|word| *word != "chongqing")
        .collect::<String>()
        .replace("重庆市", "")
        .replace("重庆", "")
}

/// Drops one legal form from the end of `words`: an English one as whole words, else a
/// Chinese one from the end of the last word.
fn drop_legal_form(words: &mut Vec<&str>) {
    for form in ENGLISH_FORMS {
        if words.len() >= form.len() && words[words.len() - form.len()..] == *form {
            words.truncate(words.len() - form.len());
            return;
        }
    }
    if let Some(last) = words.last_mut()
        && let Some(stem) = NATIVE_FORMS.iter().find_map(|form| last.strip_suffix(form))
    {
        *last = stem;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        for spelling in [
            "Moumou Technology Pte. Ltd.",
            "MOUMOU TECHNOLOGY PTE LTD",
            "Moumou Technology Private Limited",
            "Chongqing Moumou Technology Co., Ltd.",
            "moumou technology company limited",
        ] {
            assert_eq!(name_key(spelling), "moumoutechnology", "{spelling}");
        }
        for spelling in [
            "重庆某某科技有限公司",
            "重庆市某某科技股份有限公司",
            "某某科技",
        ] {
            assert_eq!(name_key(spelling), "某某科技", "{spelling}");
        }
        // One legal form only, and only at the end.
        assert_eq!(name_key("Limited Editions Ltd"), "limitededitions");
        assert_eq!(name_key("O'Brien’s Ltd"), "obriens");
    }
}
