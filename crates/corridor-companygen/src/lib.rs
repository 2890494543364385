//! Generated company records in the shape of the company corpus (`companies.jsonl`):
//! Singapore companies (UEN, officers, shareholders, SSIC industries) and Chongqing
//! companies (unified social credit code, legal representative, GB/T 4754 industries), every
//! identifier valid, and people drawn from one pool so that the same person appears in
//! several companies, as directors on several boards do. The generator remembers every place
//! each person appears: what a data-subject report on them must find.
//!
//! ```
//! use rand::SeedableRng;
//! let mut generator = corridor_companygen::Generator::new(rand::rngs::StdRng::seed_from_u64(1));
//! let company = generator.company(0);
//! assert_eq!(company["id"], "SG-0000001");
//! let cq = generator.company(1);
//! assert_eq!(cq["jurisdiction"], "CN-CQ");
//! ```

use std::collections::BTreeMap;

use corridor_company::{Date, IdKind, check};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

/// The day every identifier is checked on, and the profiles' `as_of`.
const AS_OF: &str = "2026-10-31";

const WORDS: [&str; 24] = [
    "Punggol",
    "Vertex",
    "Harbour",
    "Jade",
    "Lotus",
    "Summit",
    "Meridian",
    "Orchid",
    "Pioneer",
    "Raffles",
    "Keppel",
    "Tampines",
    "Bedok",
    "Clementi",
    "Novena",
    "Marina",
    "Sentosa",
    "Aurora",
    "Beacon",
    "Crest",
    "Evergreen",
    "Horizon",
    "Kinetic",
    "Moumou",
];
/// Syllables a name is made distinct with (companies rarely share a name).
const SYLLABLES: [&str; 30] = [
    "an", "bo", "chen", "da", "fei", "gao", "hua", "jin", "kai", "lin", "ming", "nan", "ping",
    "qi", "rui", "sheng", "tai", "wei", "xin", "yao", "zhi", "ara", "belu", "cora", "dena", "eko",
    "fira", "gala", "hira", "ina",
];
/// Characters a Chinese name is made distinct with.
const HANZI: [&str; 40] = [
    "华", "盛", "鑫", "瑞", "宏", "达", "恒", "泰", "嘉", "祥", "丰", "荣", "信", "诚", "联", "通",
    "远", "航", "博", "锦", "海", "山", "川", "星", "辰", "光", "明", "新", "源", "德", "和", "安",
    "康", "顺", "隆", "兴", "昌", "茂", "佳", "美",
];
const TRADES: [(&str, &str, &str); 6] = [
    ("Consulting", "70201", "Management consultancy services"),
    ("Logistics", "52101", "Warehousing"),
    ("Trading", "46900", "Wholesale trade of a variety of goods"),
    (
        "Technology",
        "62011",
        "Development of software and applications",
    ),
    ("Foods", "10711", "Manufacture of bread and pastries"),
    ("Engineering", "71122", "Engineering design and consultancy"),
];
const CQ_TRADES: [(&str, &str, &str, &str); 5] = [
    ("科技", "Technology", "I6513", "应用软件开发"),
    ("物流", "Logistics", "G5990", "其他仓储业"),
    ("贸易", "Trading", "F5191", "贸易代理"),
    ("食品", "Foods", "C1431", "糕点、面包制造"),
    ("机械", "Machinery", "C3421", "金属切削机床制造"),
];
const SG_NAMES: [&str; 12] = [
    "Tan Wei Ming",
    "Lim Siew Lan",
    "Ong Boon Keng",
    "Lee Kok Wah",
    "Chia Pei Shan",
    "Nur Aisyah",
    "Rajesh Kumar",
    "Goh Li Ting",
    "Toh Zhi Hao",
    "Wong Mei Ling",
    "Zulkifli bin Ibrahim",
    "Chong Li Ting",
];
const CN_NAMES: [(&str, &str); 10] = [
    ("王敏", "Wang Min"),
    ("马静", "Ma Jing"),
    ("李强", "Li Qiang"),
    ("张伟", "Zhang Wei"),
    ("刘洋", "Liu Yang"),
    ("陈静", "Chen Jing"),
    ("杨帆", "Yang Fan"),
    ("赵磊", "Zhao Lei"),
    ("谭艳", "Tan Yan"),
    ("周杰", "Zhou Jie"),
];
const SG_ROLES: [(&str, &str); 5] = [
    ("director", "Director"),
    ("managing-director", "Managing Director"),
    ("secretary", "Secretary"),
    ("ceo", "Chief Executive Officer"),
    ("alternate-director", "Alternate Director"),
];
const CQ_ROLES: [(&str, &str); 5] = [
    ("chairman", "董事长"),
    ("director", "董事"),
    ("general-manager", "总经理"),
    ("supervisor", "监事"),
    ("finance-officer", "财务负责人"),
];
const CQ_DIVISIONS: [&str; 6] = ["500101", "500103", "500105", "500106", "500112", "500151"];

/// Where a person appears: the company and the element holding their `person`
/// (`officers[1]`, `shareholders[0]`, `legal_representative`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Appearance {
    pub company: String,
    pub element: String,
}

/// Makes company records one at a time; every third is a Chongqing company.
pub struct Generator {
    rng: StdRng,
    people: Vec<Value>,
    appearances: BTreeMap<String, Vec<Appearance>>,
}

impl Generator {
    pub fn new(rng: StdRng) -> Generator {
        Generator {
            rng,
            people: Vec::new(),
            appearances: BTreeMap::new(),
        }
    }

    /// Every person's appearances so far, by identity document number.
    pub fn appearances(&self) -> &BTreeMap<String, Vec<Appearance>> {
        &self.appearances
    }

    /// The company record numbered `index` (from 0): `SG-…` or, every third, `CQ-…`.
    pub fn company(&mut self, index: usize) -> Value {
        if index % 3 == 1 {
            self.chongqing(index)
        } else {
            self.singapore(index)
        }
    }

    fn singapore(&mut self, index: usize) -> Value {
        let id = format!("SG-{:07}", index + 1);
        // Year and serial from the index: no two companies (of the first 5.6 million) share a UEN.
        let year = 1970 + (index % 56) as u32;
        let uen = completed(IdKind::Uen, &format!("{year}{:05}", (index / 56) % 100_000));
        let (trade, ssic, title) = *TRADES.choose(&mut self.rng).unwrap_or(&TRADES[0]);
        let name = format!(
            "{} {} {} {trade} Pte. Ltd.",
            self.word(),
            self.word(),
            self.coined()
        );
        let officers: Vec<Value> = (0..self.rng.random_range(1..4))
            .map(|i| {
                let (role, label) = *SG_ROLES.choose(&mut self.rng).unwrap_or(&SG_ROLES[0]);
                let person = self.person(&id, &format!("officers[{i}]"), false);
                json!({"role": role, "role_label": label, "appointed": self.day(year), "person": person})
            })
            .collect();
        let shares = self.rng.random_range(1..1000u64) * 1000;
        let shareholders = self.shareholders(&id, shares, "shares", false);
        let mut record = json!({
            "id": id,
            "jurisdiction": "SG",
            "identifiers": {"uen": uen},
            "name": {"legal": name, "english": name},
            "legal_form": {"code": "private-company-limited-by-shares", "label": "Private Company Limited by Shares"},
            "registered_address": {"block": self.rng.random_range(1..999).to_string(), "street": format!("{} Road", self.word()),
                                   "postal_code": format!("{:06}", self.rng.random_range(10_000..830_000)), "country": "SG"},
            "status": {"code": "live", "label": "Live Company"},
            "incorporation_date": format!("{year}-{:02}-{:02}", self.rng.random_range(1..13), self.rng.random_range(1..29)),
            "industry": {"scheme": "SSIC 2020", "code": ssic, "title": title},
            "officers": officers,
            "capital": {"issued_shares": shares, "paid_up": {"amount": shares * 10, "currency": "SGD"}},
            "shareholders": shareholders,
            "financials": self.financials("SGD", false),
            "source": {"provider": "sg-company-data", "as_of": AS_OF},
            "updated_at": "2026-10-31T08:00:00Z",
        });
        if self.rng.random_bool(0.3) {
            record["identifiers"]["lei"] = Value::from(lei(index));
        }
        if self.rng.random_bool(0.2) {
            record["former_names"] = json!([format!("{} {trade} Pte. Ltd.", self.word())]);
        }
        record
    }

    fn chongqing(&mut self, index: usize) -> Value {
        let id = format!("CQ-{:07}", index + 1);
        let year = self.rng.random_range(1995..2026u32);
        let division = *CQ_DIVISIONS
            .choose(&mut self.rng)
            .unwrap_or(&CQ_DIVISIONS[0]);
        let uscc = self.uscc(division, index);
        let (native, english, code, title) =
            *CQ_TRADES.choose(&mut self.rng).unwrap_or(&CQ_TRADES[0]);
        let word = self.word();
        let coined = self.coined();
        let mark: String = (0..2)
            .map(|_| *HANZI.choose(&mut self.rng).unwrap_or(&HANZI[0]))
            .collect();
        let legal_representative =
            json!({"person": self.person(&id, "legal_representative", true)});
        let officers: Vec<Value> = (0..self.rng.random_range(1..4))
            .map(|i| {
                let (role, label) = *CQ_ROLES.choose(&mut self.rng).unwrap_or(&CQ_ROLES[0]);
                let person = self.person(&id, &format!("officers[{i}]"), true);
                json!({"role": role, "role_label": label, "appointed": self.day(year), "person": person})
            })
            .collect();
        let capital = self.rng.random_range(1..500u64) * 10_000;
        let shareholders = self.shareholders(&id, capital, "contribution", true);
        let mut record = json!({
            "id": id,
            "jurisdiction": "CN-CQ",
            "identifiers": {"uscc": uscc},
            "name": {"legal": format!("重庆{word}{mark}{native}有限公司"), "english": format!("Chongqing {word} {coined} {english} Co., Ltd.")},
            "legal_form": {"code": "limited-liability-company", "label": "有限责任公司", "label_english": "Limited liability company"},
            "registered_address": {"line": format!("重庆市渝中区{}路{}号", word, self.rng.random_range(1..300)),
                                   "line_english": format!("No. {}, {word} Road, Yuzhong District, Chongqing", self.rng.random_range(1..300)),
                                   "division_code": division},
            "status": {"code": "active", "label": "存续", "label_english": "Active"},
            "incorporation_date": format!("{year}-{:02}-{:02}", self.rng.random_range(1..13), self.rng.random_range(1..29)),
            "industry": {"scheme": "GB/T 4754-2017", "code": code, "title": title, "title_english": english},
            "registered_capital": {"amount": capital, "currency": "CNY", "display": format!("{} 万元人民币", capital / 10_000)},
            "registration_authority": {"name": "重庆市市场监督管理局", "name_english": "Chongqing Administration for Market Regulation"},
            "legal_representative": legal_representative,
            "officers": officers,
            "shareholders": shareholders,
            "financials": self.financials("CNY", true),
            "source": {"provider": "cq-credit-data", "as_of": AS_OF},
            "updated_at": "2026-10-31T08:00:00Z",
        });
        if self.rng.random_bool(0.2) {
            record["identifiers"]["lei"] = Value::from(lei(index));
        }
        record
    }

    fn word(&mut self) -> &'static str {
        WORDS.choose(&mut self.rng).unwrap_or(&WORDS[0])
    }

    /// A coined word of two syllables, capitalised (`Ruixin`).
    fn coined(&mut self) -> String {
        let first = SYLLABLES.choose(&mut self.rng).unwrap_or(&SYLLABLES[0]);
        let second = SYLLABLES.choose(&mut self.rng).unwrap_or(&SYLLABLES[0]);
        let mut coined = first[..1].to_uppercase();
        coined.push_str(&first[1..]);
        coined.push_str(second);
        coined
    }

    /// A day in `year` or the years after it, to 2026.
    fn day(&mut self, year: u32) -> String {
        let year = self.rng.random_range(year..=2026);
        format!(
            "{year}-{:02}-{:02}",
            self.rng.random_range(1..10),
            self.rng.random_range(1..29)
        )
    }

    /// A person for `company`'s `element`: one already met (two times in five, so people
    /// appear in several companies), else a new one, Chinese or Singaporean.
    fn person(&mut self, company: &str, element: &str, chinese: bool) -> Value {
        let person = match self.people.len() {
            n if n > 10 && self.rng.random_bool(0.4) => {
                self.people[self.rng.random_range(0..n)].clone()
            }
            _ => {
                let person = if chinese || self.rng.random_bool(0.15) {
                    self.chinese_person()
                } else {
                    self.singaporean()
                };
                self.people.push(person.clone());
                person
            }
        };
        let number = person["id"]["number"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        self.appearances
            .entry(number)
            .or_default()
            .push(Appearance {
                company: company.to_owned(),
                element: element.to_owned(),
            });
        person
    }

    fn singaporean(&mut self) -> Value {
        let year = self.rng.random_range(1950..2000u32);
        let prefix = if year < 2000 { 'S' } else { 'T' };
        let number = completed(
            IdKind::Nric,
            &format!("{prefix}{:07}", self.rng.random_range(0..10_000_000)),
        );
        let name = *SG_NAMES.choose(&mut self.rng).unwrap_or(&SG_NAMES[0]);
        json!({
            "name": name, "nationality": "SG",
            "id": {"type": "SG-NRIC", "number": number},
            "birth_date": format!("{year}-{:02}-{:02}", self.rng.random_range(1..13), self.rng.random_range(1..29)),
            "birth_year": year,
            "residential_address": format!("{} {} Street #{:02}-{:02}, Singapore {:06}", self.rng.random_range(1..999),
                self.word(), self.rng.random_range(1..40), self.rng.random_range(1..99), self.rng.random_range(10_000..830_000)),
        })
    }

    fn chinese_person(&mut self) -> Value {
        let year = self.rng.random_range(1950..2003u32);
        let (month, day) = (
            self.rng.random_range(1..13u32),
            self.rng.random_range(1..29u32),
        );
        let body = format!(
            "{}{year}{month:02}{day:02}{:03}",
            CQ_DIVISIONS
                .choose(&mut self.rng)
                .unwrap_or(&CQ_DIVISIONS[0]),
            self.rng.random_range(0..1000)
        );
        let number = completed(IdKind::CnRic, &body);
        let (name, latin) = *CN_NAMES.choose(&mut self.rng).unwrap_or(&CN_NAMES[0]);
        json!({
            "name": name, "name_latin": latin, "nationality": "CN",
            "id": {"type": "CN-RIC", "number": number},
            "birth_date": format!("{year}-{month:02}-{day:02}"),
            "birth_year": year,
            "residential_address": format!("重庆市江北区{}路{}号", self.word(), self.rng.random_range(1..500)),
        })
    }

    /// One to three shareholders whose holdings add up to 100 %: people, and sometimes a
    /// company; `measure` is `shares` (of `total`) or `contribution` (in yuan).
    fn shareholders(
        &mut self,
        company: &str,
        total: u64,
        measure: &str,
        chinese: bool,
    ) -> Vec<Value> {
        let count = self.rng.random_range(1..4usize);
        let mut left = 100u64;
        (0..count)
            .map(|i| {
                let percentage = if i + 1 == count {
                    left
                } else {
                    let p = self.rng.random_range(1..left.saturating_sub((count - i - 1) as u64).max(2));
                    left -= p;
                    p
                };
                let band = match percentage {
                    0..5 => "0-5",
                    5..10 => "5-10",
                    10..25 => "10-25",
                    25..50 => "25-50",
                    50..75 => "50-75",
                    _ => "75-100",
                };
                let amount = total * percentage / 100;
                let held = if measure == "shares" {
                    json!(amount)
                } else {
                    json!({"amount": amount, "currency": "CNY"})
                };
                let mut holder = json!({"kind": "person", measure: held, "percentage": percentage as f64,
                                        "percentage_band": band});
                if i > 0 && self.rng.random_bool(0.2) {
                    holder["kind"] = "company".into();
                    holder["company"] = json!({"name": format!("{} Holdings Pte. Ltd.", self.word()),
                        "jurisdiction": "SG", "identifier": {"type": "uen", "value": completed(IdKind::Uen,
                        &format!("2001{:05}", self.rng.random_range(0..100_000)))}});
                } else {
                    holder["person"] = self.person(company, &format!("shareholders[{i}]"), chinese);
                }
                holder
            })
            .collect()
    }

    fn financials(&mut self, currency: &str, tax: bool) -> Vec<Value> {
        (0..self.rng.random_range(0..5u32))
            .map(|back| {
                let revenue: i64 = self.rng.random_range(100_000..50_000_000);
                let mut year = json!({
                    "period_end": format!("{}-12-31", 2025 - back), "currency": currency,
                    "revenue": revenue, "profit_before_tax": revenue / self.rng.random_range(5..50),
                    "total_assets": revenue * 2, "total_liabilities": revenue,
                    "employees": self.rng.random_range(1..500),
                });
                if tax {
                    year["tax_paid"] = json!(revenue / 100);
                }
                year
            })
            .collect()
    }

    /// The credit code of company `index`: its organisation code is the index.
    fn uscc(&self, division: &str, index: usize) -> String {
        const SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
        let organisation = format!("{:08}", index % 100_000_000);
        let endings: Vec<String> = "0123456789X"
            .chars()
            .flat_map(|o| SET.iter().map(move |f| format!("{o}{}", *f as char)))
            .collect();
        completed_by(
            IdKind::Uscc,
            &format!("91{division}{organisation}"),
            &endings,
        )
    }
}

/// The LEI of company `index`.
fn lei(index: usize) -> String {
    let endings: Vec<String> = (0..100).map(|n| format!("{n:02}")).collect();
    completed_by(IdKind::Lei, &format!("549300{index:012}"), &endings)
}

/// `body` with the one check character that makes it valid as `kind`.
fn completed(kind: IdKind, body: &str) -> String {
    let endings: Vec<String> = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        .chars()
        .map(String::from)
        .collect();
    completed_by(kind, body, &endings)
}

/// `body` with the ending among `endings` that makes it valid as `kind`. A body no ending
/// completes is a fault of this generator.
fn completed_by(kind: IdKind, body: &str, endings: &[String]) -> String {
    let on = Date::new(2026, 10, 31).expect("a real day");
    endings
        .iter()
        .map(|ending| format!("{body}{ending}"))
        .find(|id| check(kind, id, on).is_ok())
        .unwrap_or_else(|| panic!("no ending makes {body} a valid {kind}"))
}
