//! The selective disclosure suites on one bill of lading: sign, derive, and verify a base and a
//! derived proof, for each suite. Contexts are processed once per processor, as a run over a
//! batch processes them, so these are per-credential costs in a warm run.

use corridor_di::{IssuerKey, IssuerSigningKey, bbs_2023, disclosed_pointers};
use corridor_jsonld::{BundledContexts, Processor};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

fn bill_of_lading() -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/security/data-integrity/v2",
            "https://trustvc.io/context/bill-of-lading.json",
        ],
        "id": "urn:uuid:0192d4e8-0000-7000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": "did:web:bench.corridor.test",
        "validFrom": "2025-03-10T01:00:00Z",
        "credentialSubject": {
            "type": ["BillOfLading"],
            "blNumber": "BL-2025-0001",
            "scac": "CRDR",
            "vessel": "MV Corridor",
            "voyageNo": "042E",
            "portOfLoading": "Singapore, SG",
            "portOfDischarge": "Rotterdam, NL",
            "carrierName": "Corridor Lines",
            "shipperName": "Tropical Fruits Export Pte Ltd",
            "consigneeName": "Fresh Imports BV",
            "packages": [
                {"packagesDescription": "Mangoes", "packagesWeight": 1200.5, "packagesMeasurement": "20 m3"},
                {"packagesDescription": "Durian", "packagesWeight": 800, "packagesMeasurement": "12 m3"}
            ]
        },
    })
}

fn keys() -> [(IssuerSigningKey, IssuerKey); 2] {
    let p256 = corridor_di::ecdsa_sd::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let p256_public = IssuerKey::P256(*p256.verifying_key());
    let mut secret = [0u8; 32];
    secret[31] = 9;
    let bls = bbs_2023::KeyPair::from_secret(&secret).unwrap();
    let bls_public = IssuerKey::Bls12381G2(bls.public_key());
    [
        (IssuerSigningKey::P256(p256), p256_public),
        (IssuerSigningKey::Bls12381(bls), bls_public),
    ]
}

fn suites(c: &mut Criterion) {
    let processor = Processor::new(BundledContexts);
    let mandatory: Vec<String> = vec!["/issuer".into(), "/validFrom".into()];
    let document = bill_of_lading();
    for (signing, public) in keys() {
        let suite = signing.suite().name();
        let method = "did:web:bench.corridor.test#keys-1";
        let signed = corridor_di::sign(
            &processor,
            &document,
            &signing,
            method,
            "2025-03-10T01:00:00Z",
            &mandatory,
        )
        .unwrap();
        let chosen = disclosed_pointers(&["/credentialSubject/blNumber".into()]);
        let derived = corridor_di::derive(&processor, &signed, &chosen).unwrap();
        assert!(corridor_di::verify(&processor, &signed, &public).unwrap());
        assert!(corridor_di::verify(&processor, &derived, &public).unwrap());
        let mut group = c.benchmark_group(suite);
        group.sample_size(20);
        group.bench_function("sign", |b| {
            b.iter(|| {
                corridor_di::sign(
                    &processor,
                    &document,
                    &signing,
                    method,
                    "2025-03-10T01:00:00Z",
                    &mandatory,
                )
                .unwrap()
            })
        });
        group.bench_function("derive", |b| {
            b.iter(|| corridor_di::derive(&processor, &signed, &chosen).unwrap())
        });
        group.bench_function("verify base", |b| {
            b.iter(|| corridor_di::verify(&processor, &signed, &public).unwrap())
        });
        group.bench_function("verify derived", |b| {
            b.iter(|| corridor_di::verify(&processor, &derived, &public).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, suites);
criterion_main!(benches);
