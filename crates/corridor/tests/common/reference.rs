//! The reference documents the tests check Corridor against, from one source.
//!
//! Each test binary that asks makes them once, with the pinned reference (`compat/oracle.mjs`,
//! three rounds of node, not one per document): seeded raw documents wrapped singly and in
//! batches, obfuscated, DID-signed with the test key, then tampered with and broken here; and
//! every file gets the reference's own verdict (`oracle expect`). The contents and the changes
//! are the same on every run; the salts are the reference's random ones, so the bytes are not.
//! When the shared fixtures sit beside the repository (`../shared/fixtures/oa-v2`, as in CI),
//! their files and recorded verdicts are added; a bare clone runs on the generated set alone.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use serde_json::{Map, Value, json};

/// What a verifier must say of a file's integrity, as the reference said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integrity {
    /// Accepted: `VALID`. What the reference computed, when recorded.
    Valid(Option<Accepted>),
    /// A wrapped document the reference rejects: `INVALID`.
    Invalid,
    /// Not a wrapped document at all: an `ERROR`, or an `INVALID` with a reason; never `VALID`.
    Malformed,
}

/// What the reference computed for a document it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub target_hash: String,
    pub merkle_root: String,
    /// The address that signed the merkle root (EIP-55), for a DID-signed document.
    pub signer: Option<String>,
}

impl Integrity {
    /// Whether a verifier's integrity status (`VALID`, `INVALID`, `ERROR`, `SKIPPED`) agrees.
    pub fn admits(&self, status: &str) -> bool {
        match self {
            Integrity::Valid(_) => status == "VALID",
            Integrity::Invalid => status == "INVALID",
            Integrity::Malformed => status == "ERROR" || status == "INVALID",
        }
    }
}

/// One file and the reference's verdict on it.
#[derive(Debug)]
pub struct Case {
    /// Where it comes from and what it is: `generated/tampered/salt-changed.json`,
    /// `fixtures/valid/single-0.json`.
    pub name: String,
    pub bytes: Vec<u8>,
    pub integrity: Integrity,
}

impl Case {
    /// The file as JSON (for the cases that are JSON).
    pub fn value(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// The file as text.
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.bytes).unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// Writes the file under `dir` (at `dir/<name>`) and returns its path.
    pub fn write_in(&self, dir: &Path) -> PathBuf {
        let path = dir.join(&self.name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &self.bytes).unwrap();
        path
    }
}

/// The documents made by the reference in this run.
pub fn generated() -> &'static [Case] {
    static SET: OnceLock<Vec<Case>> = OnceLock::new();
    SET.get_or_init(make)
}

/// The shared fixtures' files, when they sit beside the repository; none otherwise.
pub fn fixtures() -> &'static [Case] {
    static SET: OnceLock<Vec<Case>> = OnceLock::new();
    SET.get_or_init(|| read_fixtures(&fixtures_dir()))
}

/// Where the shared fixtures are looked for.
pub fn fixtures_dir() -> PathBuf {
    super::repo().join("../shared/fixtures/oa-v2")
}

/// Every case: the generated ones, then the fixtures'.
pub fn all() -> impl Iterator<Item = &'static Case> {
    generated().iter().chain(fixtures())
}

/// The generated case `name` (`valid/single-0.json`, `signed/signed-1.json`, …).
pub fn document(name: &str) -> &'static Case {
    let name = format!("generated/{name}");
    generated()
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no generated reference document {name}"))
}

fn read_fixtures(dir: &Path) -> Vec<Case> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let path = dir.join("expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the fixtures are there, but not their verdicts)",
            path.display()
        )
    });
    let expected: Map<String, Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    expected
        .into_iter()
        .map(|(file, want)| {
            let integrity = match want["integrity"].as_str() {
                Some("VALID") => Integrity::Valid(accepted(&want)),
                Some("INVALID") => Integrity::Invalid,
                Some("ERROR") => Integrity::Malformed,
                _ => panic!("{}: {file}: unknown verdict {want}", path.display()),
            };
            let bytes = std::fs::read(dir.join(&file))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.join(&file).display()));
            Case {
                name: format!("fixtures/{file}"),
                bytes,
                integrity,
            }
        })
        .collect()
}

/// The hashes (and signer) the reference recorded, in `expected.json`'s terms.
fn accepted(recorded: &Value) -> Option<Accepted> {
    let text = |key: &str| recorded[key].as_str().map(str::to_string);
    Some(Accepted {
        target_hash: text("targetHash")?,
        merkle_root: text("merkleRoot")?,
        signer: text("signer"),
    })
}

/// What a generated file was made to be; the reference must agree, or the generator is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    /// As the reference made it.
    Intact,
    /// Changed outside the hashed data (the version): still intact.
    ChangedOutsideTheHash,
    /// One change to the hashed data or the proof.
    Tampered,
    /// Not a wrapped document.
    Malformed,
}

fn make() -> Vec<Case> {
    let mut rng = super::rng(17);
    let batches = raw_batches(&mut rng);
    let mut documents = wrap(batches);
    sign_and_obfuscate(&mut documents, &mut rng);
    let mut files: Vec<(String, String, Intent)> = documents
        .iter()
        .map(|(name, doc)| (name.clone(), pretty(doc), Intent::Intact))
        .collect();
    files.extend(
        tamperings(&documents)
            .into_iter()
            .map(|(name, doc, intent)| (format!("tampered/{name}.json"), pretty(&doc), intent)),
    );
    files.extend(
        malformed(&documents)
            .into_iter()
            .map(|(name, text)| (format!("malformed/{name}.json"), text, Intent::Malformed)),
    );
    let texts: Vec<Value> = files.iter().map(|(_, text, _)| json!(text)).collect();
    let answers = super::oracle("expect", &texts);
    assert_eq!(answers.len(), files.len());
    files
        .into_iter()
        .zip(answers)
        .map(|((name, text, intent), answer)| Case {
            integrity: judged(&name, intent, &answer),
            name: format!("generated/{name}"),
            bytes: text.into_bytes(),
        })
        .collect()
}

/// The reference's answer, which must be what the file was made to be.
fn judged(name: &str, intent: Intent, answer: &Value) -> Integrity {
    let signers = answer["signers"].as_array().map_or(&[][..], Vec::as_slice);
    assert!(
        signers.len() <= 1,
        "{name}: one signature at most: {answer}"
    );
    match (intent, answer["integrity"].as_str()) {
        (Intent::Intact | Intent::ChangedOutsideTheHash, Some("VALID")) => {
            Integrity::Valid(Some(Accepted {
                target_hash: answer["targetHash"].as_str().unwrap().to_string(),
                merkle_root: answer["merkleRoot"].as_str().unwrap().to_string(),
                signer: signers.first().map(|s| s.as_str().unwrap().to_string()),
            }))
        }
        (Intent::Tampered, Some("INVALID")) => Integrity::Invalid,
        (Intent::Malformed, Some("INVALID" | "ERROR")) => Integrity::Malformed,
        _ => panic!("{name} was made {intent:?}, but the reference says {answer}"),
    }
}

fn pretty(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).unwrap()
}

/// The raw documents, by batch, each named by the file it becomes.
fn raw_batches(rng: &mut impl Rng) -> Vec<Vec<(String, Value)>> {
    let by_turn = |i: usize| Issuer::ALL[i % 3];
    let did = |_| Issuer::Did;
    let mut batches: Vec<_> = (0..12)
        .map(|i| batch(rng, "valid/single", i..i + 1, 0, by_turn))
        .collect();
    batches.push(batch(rng, "valid/batch", 0..11, 100, by_turn));
    batches.push(vec![("valid/deep.json".into(), deep_document(rng))]);
    batches.push(vec![("valid/wide.json".into(), wide_document(rng))]);
    batches.push(vec![("valid/arrays.json".into(), arrays_document(rng))]);
    // Signed alone (no proof) and as part of a batch.
    batches.push(batch(rng, "signed/signed", 0..1, 200, did));
    batches.push(batch(rng, "signed/signed", 1..2, 200, did));
    batches.push(batch(rng, "signed/signed", 2..4, 200, did));
    batches.push(batch(rng, "obfuscated/obf", 0..6, 300, by_turn));
    batches
}

/// Trade documents `{prefix}-{i}.json` for each `i` in `range`, numbered from `first`.
fn batch(
    rng: &mut impl Rng,
    prefix: &str,
    range: Range<usize>,
    first: usize,
    issuer: impl Fn(usize) -> Issuer,
) -> Vec<(String, Value)> {
    range
        .map(|i| {
            let raw = trade_document(rng, issuer(i), first + i);
            (format!("{prefix}-{i}.json"), raw)
        })
        .collect()
}

/// Every batch wrapped by the reference, in one run of it: the documents by file name.
fn wrap(batches: Vec<Vec<(String, Value)>>) -> BTreeMap<String, Value> {
    let raw: Vec<Value> = batches
        .iter()
        .map(|batch| batch.iter().map(|(_, raw)| raw.clone()).collect())
        .collect();
    let wrapped = super::oracle("wrap", &raw);
    assert_eq!(wrapped.len(), batches.len());
    batches
        .into_iter()
        .zip(wrapped)
        .flat_map(|(batch, wrapped)| {
            let Value::Array(wrapped) = wrapped else {
                panic!("the reference's wrap answered {wrapped}")
            };
            assert_eq!(wrapped.len(), batch.len());
            batch.into_iter().map(|(name, _)| name).zip(wrapped)
        })
        .collect()
}

/// The `signed/` documents signed with the test key and the `obfuscated/` ones given hidden
/// fields, by the reference: both at once.
fn sign_and_obfuscate(documents: &mut BTreeMap<String, Value>, rng: &mut impl Rng) {
    let named = |prefix: &str| -> Vec<String> {
        documents
            .keys()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect()
    };
    let (to_sign, to_hide) = (named("signed/"), named("obfuscated/"));
    let key = format!("0x{}", super::TEST_KEY);
    let signing: Vec<Value> = to_sign
        .iter()
        .map(|n| json!({"document": documents[n], "privateKey": key}))
        .collect();
    let hiding: Vec<Value> = to_hide
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut fields = super::hideable_fields(&documents[n]["data"]);
            fields.shuffle(rng);
            fields.truncate(1 + i % 2);
            // Hiding a field the schema needs: integrity still holds.
            if i == 4 {
                fields.push("issuers[0].name".into());
            }
            json!({"document": documents[n], "fields": fields})
        })
        .collect();
    let (signed, hidden) = std::thread::scope(|s| {
        let signed = s.spawn(|| super::oracle("sign", &signing));
        let hidden = super::oracle("obfuscate", &hiding);
        (signed.join().unwrap(), hidden)
    });
    for (name, doc) in to_sign
        .into_iter()
        .zip(signed)
        .chain(to_hide.into_iter().zip(hidden))
    {
        documents.insert(name, doc);
    }
}

/// One change each to a reference document: (name, document, what it was made to be).
fn tamperings(documents: &BTreeMap<String, Value>) -> Vec<(&'static str, Value, Intent)> {
    let changed = |source: &str, change: &dyn Fn(&mut Value)| {
        let mut doc = documents[source].clone();
        change(&mut doc);
        doc
    };
    let data = |source: &str, change: &dyn Fn(&mut Map<String, Value>)| {
        changed(source, &|doc| change(doc["data"].as_object_mut().unwrap()))
    };
    let tampered = |name, doc| (name, doc, Intent::Tampered);
    vec![
        tampered(
            "value-changed",
            data("valid/single-0.json", &|d| {
                resalt(&mut d["documentNo"], |salt, kind, value| {
                    format!("{salt}:{kind}:{}", value.replacen('O', "0", 1))
                })
            }),
        ),
        tampered(
            "type-changed",
            data("valid/single-1.json", &|d| {
                resalt(&mut d["issuers"][0]["name"], |salt, _, value| {
                    format!("{salt}:number:{value}")
                })
            }),
        ),
        tampered(
            "salt-changed",
            data("valid/single-2.json", &|d| {
                resalt(&mut d["documentNo"], |salt, kind, value| {
                    format!("{}:{kind}:{value}", flipped(salt))
                })
            }),
        ),
        tampered(
            "field-removed",
            data("valid/single-3.json", &|d| {
                d.remove("documentNo");
            }),
        ),
        tampered(
            "field-added",
            data("valid/single-4.json", &|d| {
                let salt = "3a1f6ab0-0bd9-4d44-a2d6-4a2d1b0dbc2d";
                d.insert("extra".into(), json!(format!("{salt}:string:extra")));
            }),
        ),
        tampered(
            "key-renamed",
            data("valid/single-5.json", &|d| {
                let value = d.shift_remove("documentNo").unwrap();
                d.insert("documentNumber".into(), value);
            }),
        ),
        tampered(
            "empty-array-to-object",
            data("valid/arrays.json", &|d| d["matrix"][0] = json!({})),
        ),
        tampered(
            "issuer-swapped",
            data("valid/single-7.json", &|d| {
                d["issuers"] = documents["valid/single-8.json"]["data"]["issuers"].clone();
            }),
        ),
        tampered(
            "target-hash-changed",
            changed("valid/single-6.json", &|doc| {
                flip(&mut doc["signature"]["targetHash"])
            }),
        ),
        tampered(
            "merkle-root-changed",
            changed("valid/batch-1.json", &|doc| {
                flip(&mut doc["signature"]["merkleRoot"])
            }),
        ),
        tampered(
            "proof-dropped",
            changed("valid/batch-2.json", &|doc| {
                doc["signature"]["proof"].as_array_mut().unwrap().pop();
            }),
        ),
        tampered(
            "proof-reordered",
            changed("valid/batch-3.json", &|doc| {
                doc["signature"]["proof"].as_array_mut().unwrap().reverse()
            }),
        ),
        tampered(
            "proof-altered",
            changed("valid/batch-4.json", &|doc| {
                flip(&mut doc["signature"]["proof"][0])
            }),
        ),
        tampered(
            "obfuscated-hash-altered",
            changed("obfuscated/obf-0.json", &|doc| {
                flip(&mut doc["privacy"]["obfuscatedData"][0])
            }),
        ),
        tampered(
            "obfuscated-hash-dropped",
            changed("obfuscated/obf-1.json", &|doc| {
                doc["privacy"]["obfuscatedData"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
        ),
        (
            "version-changed-only",
            changed("valid/single-9.json", &|doc| {
                let version = doc["version"].as_str().unwrap();
                doc["version"] = json!(format!("{version}?x"));
            }),
            Intent::ChangedOutsideTheHash,
        ),
    ]
}

/// Files that are not wrapped documents: (name, text).
fn malformed(documents: &BTreeMap<String, Value>) -> Vec<(&'static str, String)> {
    let changed = |change: &dyn Fn(&mut Map<String, Value>)| {
        let mut doc = documents["valid/single-0.json"].clone();
        change(doc.as_object_mut().unwrap());
        doc.to_string()
    };
    let whole = pretty(&documents["valid/single-1.json"]);
    let half = whole
        .char_indices()
        .nth(whole.chars().count() / 2)
        .unwrap()
        .0;
    // Built as text: a value this deep is beyond what serde_json will hold.
    let deep = 100_000;
    let nested = format!(
        "{{\"version\":\"https://schema.openattestation.com/2.0/schema.json\",\"data\":{}{}}}",
        "[".repeat(deep),
        "]".repeat(deep)
    );
    vec![
        ("not-json", "{ this is not json".into()),
        ("empty-file", String::new()),
        ("array-root", "[1,2,3]".into()),
        (
            "no-signature",
            changed(&|d| {
                d.remove("signature");
            }),
        ),
        (
            "target-hash-not-hex",
            changed(&|d| d["signature"]["targetHash"] = json!("not a hash")),
        ),
        (
            "proof-not-array",
            changed(&|d| d["signature"]["proof"] = json!("0xabc")),
        ),
        ("data-is-string", changed(&|d| d["data"] = json!("hello"))),
        ("deeply-nested", nested),
        ("truncated", whole[..half].to_string()),
    ]
}

/// Rewrites a salted leaf (`salt:type:value`) through `change`.
fn resalt(leaf: &mut Value, change: impl FnOnce(&str, &str, &str) -> String) {
    let text = leaf.as_str().expect("a salted leaf");
    let mut parts = text.splitn(3, ':');
    let (salt, kind, value) = (
        parts.next().unwrap(),
        parts.next().expect("salted"),
        parts.next().expect("salted"),
    );
    *leaf = json!(change(salt, kind, value));
}

/// `text` with its first character changed: `0` to `1`, anything else to `0`.
fn flipped(text: &str) -> String {
    let first = if text.starts_with('0') { "1" } else { "0" };
    format!("{first}{}", &text[1..])
}

fn flip(leaf: &mut Value) {
    *leaf = json!(flipped(leaf.as_str().expect("hex text")));
}

/// The issuer kinds of OpenAttestation v2 documents.
#[derive(Clone, Copy)]
enum Issuer {
    TokenRegistry,
    DocumentStore,
    /// Signs with the test key's DID.
    Did,
}

impl Issuer {
    const ALL: [Issuer; 3] = [Issuer::TokenRegistry, Issuer::DocumentStore, Issuer::Did];

    fn raw(self, number: usize) -> Value {
        match self {
            Issuer::TokenRegistry => json!({
                "name": format!("Demo Carrier {number}"),
                "tokenRegistry": "0x142Ca30e3b78A840a82192529cA047ED759a6F7e",
                "identityProof": {"type": "DNS-TXT", "location": "carrier.example.com"}
            }),
            Issuer::DocumentStore => json!({
                "name": format!("Chamber {number}"),
                "documentStore": "0x8bA63EAB43342AAc3AdBB4B827b68Cf4aAE5Caca",
                "identityProof": {"type": "DNS-TXT", "location": "chamber.example.com"}
            }),
            Issuer::Did => {
                let did = format!("did:ethr:{}", super::TEST_ADDRESS);
                json!({
                    "id": did,
                    "name": format!("DID Issuer {number}"),
                    "revocation": {"type": "NONE"},
                    "identityProof": {"type": "DNS-DID", "location": "did.example.com", "key": format!("{did}#controller")}
                })
            }
        }
    }
}

/// Field names as trade documents have them, and the awkward ones: non-ASCII, digits only,
/// leading zeros, `$` and `_` prefixes, colons, dashes and spaces (never `.`, `/` or `~`, which
/// OpenAttestation and JSON pointers read as separators).
const KEYS: [&str; 16] = [
    "consignee",
    "shipper",
    "notify party",
    "portOfLoading",
    "portOfDischarge",
    "货物",
    "ÜberKey",
    "hs:code",
    "$ref",
    "_id",
    "a-b",
    "qty",
    "weight",
    "10",
    "01",
    "key with space",
];

/// Text the salting must carry: non-ASCII and astral-plane characters, control characters,
/// quotes, backslashes, colons (the salt separator), blanks and numbers written as text.
const TEXTS: [&str; 17] = [
    "Singapore",
    "Chongqing",
    "重庆",
    "新加坡",
    "durian 🍈",
    "🚢 vessel",
    "émigré",
    "naïve café",
    "line\nbreak",
    "tab\there",
    "ctl\u{1}x",
    "a\"quote",
    "back\\slash",
    "colon:in:value",
    " ",
    "",
    "0x00ff",
];

fn key(rng: &mut impl Rng) -> String {
    let key = KEYS.choose(rng).unwrap();
    match rng.random_range(0..3) {
        0 => format!("{key}{}", rng.random_range(0..4)),
        _ => key.to_string(),
    }
}

/// A leaf: text, a number JavaScript writes in its own way, a boolean or null.
fn scalar(rng: &mut impl Rng) -> Value {
    match rng.random_range(0..8) {
        0..=2 => {
            let text = TEXTS.choose(rng).unwrap();
            match rng.random_range(0..4) {
                0 => json!(format!("{text}{}", rng.random_range(0..1000))),
                _ => json!(text),
            }
        }
        3 => json!("x".repeat(rng.random_range(200..2000))),
        4 | 5 => [
            json!(0),
            json!(-1),
            json!(42),
            json!(1234.5678),
            json!(1e-7),
            json!(-0.000001),
            json!(1e21),
            json!(123456789012345680000.0),
            json!(9007199254740992u64),
        ]
        .choose(rng)
        .unwrap()
        .clone(),
        6 => json!(rng.random::<bool>()),
        _ => Value::Null,
    }
}

/// A value: mostly leaves, with objects and arrays (empty ones too) down to `depth`.
fn value(rng: &mut impl Rng, depth: u32) -> Value {
    match (depth, rng.random_range(0..10)) {
        (0, _) | (_, 0..=5) => scalar(rng),
        (_, 6) => [json!([]), json!({}), json!([[]])]
            .choose(rng)
            .unwrap()
            .clone(),
        (_, 7 | 8) => Value::Object(
            (0..rng.random_range(1..4))
                .map(|_| (key(rng), value(rng, depth - 1)))
                .collect(),
        ),
        _ => Value::Array(
            (0..rng.random_range(1..4))
                .map(|_| value(rng, depth - 1))
                .collect(),
        ),
    }
}

/// A raw trade document: a template, one issuer, a document number and a few fields.
fn trade_document(rng: &mut impl Rng, issuer: Issuer, number: usize) -> Value {
    let template = ["BILL_OF_LADING", "CERTIFICATE_OF_ORIGIN", "INVOICE"]
        .choose(rng)
        .unwrap();
    let mut doc = json!({
        "$template": {"name": template, "type": "EMBEDDED_RENDERER", "url": "https://renderer.example.com"},
        "issuers": [issuer.raw(number)],
        "documentNo": format!("DOC-{number}"),
    });
    let fields = doc.as_object_mut().unwrap();
    for _ in 0..rng.random_range(3..8) {
        fields.insert(key(rng), value(rng, 3));
    }
    doc
}

/// 40 levels of objects, as deep as documents get.
fn deep_document(rng: &mut impl Rng) -> Value {
    let mut doc = trade_document(rng, Issuer::TokenRegistry, 900);
    let mut next = json!({"documentNo": "DOC-deepest"});
    for level in (0..39).rev() {
        next = json!({"level": level, "next": next});
    }
    doc["next"] = next;
    doc
}

/// 3,000 fields beside the usual ones.
fn wide_document(rng: &mut impl Rng) -> Value {
    let mut doc = trade_document(rng, Issuer::DocumentStore, 901);
    let fields = doc.as_object_mut().unwrap();
    for i in 0..3000 {
        let value = if i % 7 == 0 {
            json!(i)
        } else {
            json!(format!("v{i}"))
        };
        fields.insert(format!("field{i}"), value);
    }
    doc
}

/// Empty and nested arrays and objects, in arrays and in objects.
fn arrays_document(rng: &mut impl Rng) -> Value {
    let mut doc = trade_document(rng, Issuer::TokenRegistry, 902);
    let fields = doc.as_object_mut().unwrap();
    fields.insert(
        "matrix".into(),
        json!([[], [[]], [{}, [1, [2, [3, []]]]], {"e": []}]),
    );
    fields.insert("empty".into(), json!({"list": [], "map": {}}));
    fields.insert("rows".into(), json!([[{"a": []}, {}], [[[]]]]));
    doc
}
