//! Generated EPCIS 2.0 events of every type and shape, for the tests that hold Corridor's
//! EPCIS handling against GS1's own tooling: identifiers in each form with awkward serials, CBV
//! values bare, as URIs and as EPCIS 1.x URNs, times with offsets and fractions that round,
//! numbers Python writes its own way, sensor reports, ILMD, extensions with and without
//! declared prefixes.

use rand::Rng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value, json};

pub const EPCIS: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

fn pick<'a>(rng: &mut impl Rng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).unwrap()
}

/// A serial or lot: plain, or with the characters each form escapes or encodes.
fn serial(rng: &mut impl Rng, urn: bool) -> String {
    const PLAIN: &[&str] = &["A", "b", "7", "0", "-", "_", "."];
    const URN_ONLY: &[&str] = &[
        "!", "(", ")", "*", "+", ",", ":", ";", "=", "'", "%2F", "%22", "%26", "%3C",
    ];
    const DL_ONLY: &[&str] = &["%21", "%28", "%2F", "%3A", "'"];
    let longest = if rng.random_bool(0.05) { 22 } else { 12 };
    let len = rng.random_range(1..=longest);
    (0..len)
        .map(|_| {
            if rng.random_bool(0.2) {
                pick(rng, if urn { URN_ONLY } else { DL_ONLY }).to_owned()
            } else {
                pick(rng, PLAIN).to_owned()
            }
        })
        .collect()
}

fn digits(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10)))
        .collect()
}

/// A GS1 identifier of `kind`, as an EPC URN or a Digital Link at one of several domains.
fn identifier(rng: &mut impl Rng, kind: &str) -> String {
    let prefix_len = rng.random_range(6..=12);
    let prefix = digits(rng, prefix_len);
    let urn = rng.random_bool(0.5);
    let domain = pick(
        rng,
        &[
            "https://id.gs1.org",
            "https://dl.shop.example",
            "http://example.com/path",
        ],
    );
    let check = corridor_tracegen::key;
    let item = digits(rng, 13 - prefix_len);
    let gtin = || check(&format!("{}{prefix}{}", &item[..1], &item[1..]));
    match kind {
        "sgtin" if urn => format!("urn:epc:id:sgtin:{prefix}.{item}.{}", serial(rng, true)),
        "sgtin" => format!("{domain}/01/{}/21/{}", gtin(), serial(rng, false)),
        "lgtin" if urn => format!("urn:epc:class:lgtin:{prefix}.{item}.{}", serial(rng, true)),
        "lgtin" => format!("{domain}/01/{}/10/{}", gtin(), serial(rng, false)),
        "class" if urn => format!("urn:epc:idpat:sgtin:{prefix}.{item}.*"),
        "class" => format!("{domain}/01/{}", gtin()),
        "sscc" => {
            let reference = digits(rng, 17 - prefix_len);
            if urn {
                format!("urn:epc:id:sscc:{prefix}.{reference}")
            } else {
                format!(
                    "{domain}/00/{}",
                    check(&format!("{}{prefix}{}", &reference[..1], &reference[1..]))
                )
            }
        }
        "sgln" => {
            let location = digits(rng, 12 - prefix_len);
            let extension = if rng.random_bool(0.5) {
                "0".to_owned()
            } else {
                serial(rng, urn)
            };
            if urn {
                format!("urn:epc:id:sgln:{prefix}.{location}.{extension}")
            } else if extension == "0" {
                format!("{domain}/414/{}", check(&format!("{prefix}{location}")))
            } else {
                format!(
                    "{domain}/414/{}/254/{extension}",
                    check(&format!("{prefix}{location}"))
                )
            }
        }
        _ => {
            let party = digits(rng, 12 - prefix_len);
            if urn {
                format!("urn:epc:id:pgln:{prefix}.{party}")
            } else {
                format!("{domain}/417/{}", check(&format!("{prefix}{party}")))
            }
        }
    }
}

/// A CBV value of `vocabulary` (`BizStep`, `Disp`, `SDT`, `BTT`): a bare word, its URI, its
/// EPCIS 1.x URN, or a word of no vocabulary.
fn cbv(rng: &mut impl Rng, vocabulary: &str, words: &[&str]) -> Value {
    let word = pick(rng, words);
    json!(match rng.random_range(0..10) {
        0..=4 => word.to_owned(),
        5..=7 => format!("https://ref.gs1.org/cbv/{vocabulary}-{word}"),
        8 => format!("urn:epcglobal:cbv:{}:{word}", vocabulary.to_lowercase()),
        _ => format!("https://example.com/vocab/{word}"),
    })
}

fn time(rng: &mut impl Rng) -> Value {
    let fraction = match rng.random_range(0..6) {
        0 => String::new(),
        1 => ".000".to_owned(),
        2 => format!(".{}", digits(rng, 3)),
        3 => format!(".{}500", digits(rng, 3)),
        4 => {
            let n = rng.random_range(1..=7);
            format!(".{}", digits(rng, n))
        }
        _ => format!(".{}", digits(rng, 6)),
    };
    let offset = pick(rng, &["Z", "+08:00", "-05:30", "+00:00"]);
    json!(format!(
        "2025-0{}-1{}T{:02}:{:02}:{:02}{fraction}{offset}",
        rng.random_range(1..=9),
        rng.random_range(0..=9),
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60)
    ))
}

fn number(rng: &mut impl Rng) -> Value {
    match rng.random_range(0..8) {
        0 => json!(rng.random_range(0..1000)),
        1 => json!(rng.random_range(-30.0..40.0f64)),
        2 => json!(
            [0.1, 1e-5, 2.5e-7, 12.6, 100.0, 1e16, 0.0001, 123456.789][rng.random_range(0..8)]
        ),
        3 => json!(format!(
            "0{}.{}0",
            rng.random_range(0..99),
            rng.random_range(0..9)
        )),
        4 => json!(format!("{}", rng.random_range(0..1_000_000))),
        5 => json!("1_000"),
        6 => json!(format!(
            "{}e{}",
            rng.random_range(1..9),
            rng.random_range(-6..6)
        )),
        _ => json!(rng.random_range(-5.0..5.0f64).round() / 4.0),
    }
}

fn quantities(rng: &mut impl Rng) -> Value {
    let n = rng.random_range(1..=3);
    Value::Array(
        (0..n)
            .map(|_| {
                let mut q = Map::new();
                let kind = pick(rng, &["lgtin", "class"]);
                q.insert("epcClass".into(), json!(identifier(rng, kind)));
                if rng.random_bool(0.9) {
                    q.insert(
                        "quantity".into(),
                        json!(
                            [
                                json!(rng.random_range(1..100)),
                                json!(12.6),
                                json!(0.5),
                                json!(100.0)
                            ][rng.random_range(0..4)]
                            .clone()
                        ),
                    );
                }
                if rng.random_bool(0.7) {
                    q.insert("uom".into(), json!(pick(rng, &["KGM", "EA", "LTR"])));
                }
                Value::Object(q)
            })
            .collect(),
    )
}

fn epcs(rng: &mut impl Rng, kinds: &[&str]) -> Value {
    let n = rng.random_range(1..=4);
    Value::Array(
        (0..n)
            .map(|_| {
                let kind = pick(rng, kinds);
                json!(identifier(rng, kind))
            })
            .collect(),
    )
}

fn parties(rng: &mut impl Rng, key: &str) -> Value {
    Value::Array(
        (0..rng.random_range(1..=3))
            .map(|_| {
                let kind = cbv(
                    rng,
                    "SDT",
                    &["owning_party", "possessing_party", "location"],
                );
                let which = pick(rng, &["pgln", "sgln"]);
                let value = json!(identifier(rng, which));
                if rng.random_bool(0.8) {
                    json!({"type": kind, key: value})
                } else {
                    json!({key: value, "type": kind})
                }
            })
            .collect(),
    )
}

fn sensor_element(rng: &mut impl Rng) -> Value {
    let mut element = Map::new();
    if rng.random_bool(0.5) {
        element.insert("sensorMetadata".into(), json!({"time": time(rng), "startTime": time(rng), "endTime": time(rng), "deviceID": "urn:epc:id:giai:4000001.111"}));
    }
    let reports = (0..rng.random_range(1..=3))
        .map(|_| {
            let mut report = Map::new();
            report.insert(
                "type".into(),
                json!(pick(
                    rng,
                    &[
                        "gs1:Temperature",
                        "Temperature",
                        "https://gs1.org/voc/Temperature",
                        "gs1:RelativeHumidity",
                        "Humidity"
                    ]
                )),
            );
            for field in ["value", "minValue", "maxValue", "meanValue"] {
                if rng.random_bool(0.4) {
                    report.insert(field.into(), number(rng));
                }
            }
            report.insert("uom".into(), json!(pick(rng, &["CEL", "FAH", "A93"])));
            if rng.random_bool(0.5) {
                report.insert("time".into(), time(rng));
            }
            if rng.random_bool(0.1) {
                report.insert("component".into(), json!(pick(rng, &["x", "latitude"])));
            }
            Value::Object(report)
        })
        .collect();
    element.insert("sensorReport".into(), Value::Array(reports));
    Value::Object(element)
}

/// An event of random type and shape, and the `@context` of its document.
pub fn event(rng: &mut impl Rng) -> (Value, Value) {
    let kind = pick(
        rng,
        &[
            "ObjectEvent",
            "AggregationEvent",
            "TransformationEvent",
            "TransactionEvent",
            "AssociationEvent",
        ],
    );
    let mut e = Map::new();
    e.insert("type".into(), json!(kind));
    e.insert("eventTime".into(), time(rng));
    e.insert(
        "eventTimeZoneOffset".into(),
        json!(pick(rng, &["+08:00", "-05:00", "+00:00"])),
    );
    if rng.random_bool(0.2) {
        e.insert("recordTime".into(), time(rng));
    }
    if rng.random_bool(0.2) {
        e.insert("eventID".into(), json!("ni:///sha-256;00?ver=CBV2.0"));
    }
    match kind {
        "ObjectEvent" => {
            if rng.random_bool(0.7) {
                e.insert("epcList".into(), epcs(rng, &["sgtin", "sscc"]));
            }
            if rng.random_bool(0.5) {
                e.insert("quantityList".into(), quantities(rng));
            }
        }
        "AggregationEvent" | "AssociationEvent" => {
            e.insert("parentID".into(), json!(identifier(rng, "sscc")));
            e.insert("childEPCs".into(), epcs(rng, &["sgtin", "sscc"]));
            if rng.random_bool(0.3) {
                e.insert("childQuantityList".into(), quantities(rng));
            }
        }
        "TransformationEvent" => {
            e.insert("inputEPCList".into(), epcs(rng, &["sgtin"]));
            if rng.random_bool(0.5) {
                e.insert("inputQuantityList".into(), quantities(rng));
            }
            e.insert("outputEPCList".into(), epcs(rng, &["sgtin"]));
            if rng.random_bool(0.5) {
                e.insert("outputQuantityList".into(), quantities(rng));
            }
            if rng.random_bool(0.3) {
                e.insert(
                    "transformationID".into(),
                    json!("urn:uuid:7c0e3a4e-1c3b-4a53-9d39-5e3f2c8d0a11"),
                );
            }
        }
        _ => {
            e.insert("epcList".into(), epcs(rng, &["sgtin"]));
        }
    }
    if kind != "TransformationEvent" {
        e.insert(
            "action".into(),
            json!(pick(rng, &["ADD", "OBSERVE", "DELETE"])),
        );
    }
    if rng.random_bool(0.9) {
        e.insert(
            "bizStep".into(),
            cbv(
                rng,
                "BizStep",
                &[
                    "shipping",
                    "receiving",
                    "commissioning",
                    "storing",
                    "packing",
                    "inspecting",
                ],
            ),
        );
    }
    if rng.random_bool(0.8) {
        e.insert(
            "disposition".into(),
            cbv(
                rng,
                "Disp",
                &[
                    "in_transit",
                    "active",
                    "in_progress",
                    "recalled",
                    "sellable_accessible",
                ],
            ),
        );
    }
    if rng.random_bool(0.1) {
        e.insert("persistentDisposition".into(), json!({"set": [pick(rng, &["completeness_verified", "needs_replacement"])], "unset": ["completeness_inferred"]}));
    }
    if rng.random_bool(0.9) {
        e.insert("readPoint".into(), json!({"id": identifier(rng, "sgln")}));
    }
    if rng.random_bool(0.7) {
        e.insert("bizLocation".into(), json!({"id": identifier(rng, "sgln")}));
    }
    if rng.random_bool(0.4) || kind == "TransactionEvent" {
        let list: Vec<Value> = (0..rng.random_range(1..=2))
            .map(|i| json!({"type": cbv(rng, "BTT", &["po", "desadv", "inv"]), "bizTransaction": format!("urn:epcglobal:cbv:bt:0614141073467:{i}")}))
            .collect();
        e.insert("bizTransactionList".into(), Value::Array(list));
    }
    if rng.random_bool(0.4) {
        e.insert("sourceList".into(), parties(rng, "source"));
    }
    if rng.random_bool(0.4) {
        e.insert("destinationList".into(), parties(rng, "destination"));
    }
    if rng.random_bool(0.4) {
        e.insert(
            "sensorElementList".into(),
            Value::Array(
                (0..rng.random_range(1..=2))
                    .map(|_| sensor_element(rng))
                    .collect(),
            ),
        );
    }
    if rng.random_bool(0.3) {
        let uri = || format!("https://certs.example/c/{}", rand::random::<u16>());
        e.insert(
            "certificationInfo".into(),
            if rng.random_bool(0.5) {
                json!(uri())
            } else {
                json!([uri(), uri()])
            },
        );
    }
    if rng.random_bool(0.4) {
        e.insert("ilmd".into(), json!({"cbvmda:countryOfOrigin": pick(rng, &["CN", "SG"]), "cbvmda:lotNumber": number(rng), "cbvmda:harvestStartDate": "2025-03-02"}));
    }
    let mut context = vec![json!(EPCIS)];
    if rng.random_bool(0.7) {
        context.push(json!({"corridor": "https://ns.corridor.example/trace/", "ex": "https://example.com/ext#"}));
        e.insert("corridor:recordedBy".into(), json!(identifier(rng, "pgln")));
        if rng.random_bool(0.3) {
            e.insert("ex:note".into(), json!({"ex:step": cbv(rng, "BizStep", &["shipping"]), "corridor:count": number(rng)}));
        }
        if rng.random_bool(0.3) {
            e.insert(
                "readPoint".into(),
                json!({"id": identifier(rng, "sgln"), "corridor:dock": "north"}),
            );
        }
    }
    if rng.random_bool(0.1) {
        e.insert(
            "errorDeclaration".into(),
            json!({"declarationTime": time(rng), "reason": "incorrect_data"}),
        );
    }
    // Fields in an order of their own: the hash ID must not depend on it.
    let mut fields: Vec<(String, Value)> = e.into_iter().collect();
    if rng.random_bool(0.5) {
        fields.reverse();
    }
    (
        Value::Object(fields.into_iter().collect()),
        Value::Array(context),
    )
}
