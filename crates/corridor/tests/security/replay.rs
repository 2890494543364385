//! Signed title actions across deployments (item 9): an action is signed for one registry of
//! one deployment (the EIP-712 domain carries the chain id and the store's own salt, and
//! registries' addresses differ between stores), so it is refused by every other: a second
//! operator's store, or a copy of the store forked to run beside it.

use super::common::{self, Served, Workdir};
use alloy_primitives::{Address, B256, Bytes, U256};
use corridor_title::{Action, Deployment, SignedAction};
use k256::ecdsa::SigningKey;
use serde_json::{Value, json};

fn key(byte: u8) -> SigningKey {
    SigningKey::from_slice(&[byte; 32]).unwrap()
}

const TOKEN: U256 = U256::from_limbs([7, 0, 0, 0]);

/// A deployment with a registry of `admin` holding title [`TOKEN`], minted to the shipper
/// (key 2), and a token for writes.
fn deployment_with_a_title(work: &Workdir) -> (Address, String) {
    let admin = const_hex::encode(key(1).to_bytes());
    let registry: Address = common::create_registry(work, &admin).parse().unwrap();
    let shipper = Address::from_private_key(&key(2)).to_string();
    work.ok_with(
        &[
            "title",
            "mint",
            "--registry",
            &registry.to_string(),
            "--private-key-env",
            "ADMIN_KEY",
            "--beneficiary",
            &shipper,
            "--holder",
            &shipper,
            &format!("{TOKEN:#066x}"),
        ],
        &[("ADMIN_KEY", &admin)],
    );
    let token = work
        .ok(&["token", "new", "ci", "--scope", "titles"])
        .trim()
        .to_string();
    (registry, token)
}

/// The signing domain a server names for its registry's title, as a client reads it.
fn signing_domain(served: &Served, registry: Address) -> Deployment {
    let (status, answer) = served.call(
        "GET",
        &format!("/api/titles/{registry:#x}/{TOKEN:#066x}"),
        None,
        None,
    );
    assert_eq!(status, 200, "{answer}");
    let domain = &answer["ledger"]["signingDomain"];
    assert_eq!(
        domain["verifyingContract"].as_str().map(str::to_lowercase),
        Some(format!("{registry:#x}"))
    );
    Deployment {
        chain_id: domain["chainId"].as_u64().unwrap(),
        salt: domain["salt"].as_str().unwrap().parse::<B256>().unwrap(),
    }
}

/// The shipper passing the title to `to`, signed for `deployment`'s `registry`.
fn pass_to(deployment: &Deployment, registry: Address, to: u8) -> Value {
    serde_json::to_value(SignedAction::sign(
        &key(2),
        deployment,
        registry,
        TOKEN,
        Action::TransferHolder {
            holder: Address::from_private_key(&key(to)),
        },
        Bytes::new(),
        0,
    ))
    .unwrap()
}

/// The answer to an action whose signature is not its actor's in the deployment asked.
fn refused_as_not_its_signers((status, answer): (u16, Value)) {
    assert_eq!(
        (status, &answer["error"]["code"]),
        (403, &json!("invalid_signature")),
        "{answer}"
    );
}

/// Two operators' stores, the same admin and registry name in each: the registries' addresses
/// differ, and an action signed for one, aimed at the other's registry, is not its signer's
/// there.
#[test]
fn an_action_signed_for_one_operators_store_is_refused_by_another() {
    let (first, second) = (Workdir::new(), Workdir::new());
    let (registry, _) = deployment_with_a_title(&first);
    let (elsewhere, token) = deployment_with_a_title(&second);
    assert_ne!(registry, elsewhere);
    let (a, b) = (
        Served::start(&first, &["--offline"]),
        Served::start(&second, &["--offline"]),
    );
    let signed_for_a = signing_domain(&a, registry);
    assert_ne!(signed_for_a, signing_domain(&b, elsewhere));
    let replayed = pass_to(&signed_for_a, registry, 3);
    let (status, answer) = b.call("POST", "/api/titles/actions", Some(&replayed), Some(&token));
    assert_eq!(
        (status, &answer["error"]["code"]),
        (404, &json!("not_found")),
        "{answer}"
    );
    let retargeted = pass_to(&signed_for_a, elsewhere, 3);
    let (status, answer) = b.call(
        "POST",
        "/api/titles/actions",
        Some(&retargeted),
        Some(&token),
    );
    assert_eq!(
        (status, &answer["error"]["code"]),
        (403, &json!("invalid_signature")),
        "{answer}"
    );
}

/// A copy of a store (staging made from production) has the same registries at the same
/// addresses. Forked, it refuses the original's actions and the original its; before the
/// fork, it would have taken them.
#[test]
fn a_forked_copy_of_a_store_refuses_the_originals_signed_actions() {
    // A copy of the store's file.
    let (production, staging) = (Workdir::on_sqlite(), Workdir::on_sqlite());
    let (registry, token) = deployment_with_a_title(&production);
    std::fs::create_dir_all(staging.path("home")).unwrap();
    std::fs::copy(
        production.path("home").join("store.sqlite"),
        staging.path("home").join("store.sqlite"),
    )
    .unwrap();
    let said = staging.ok(&["store", "fork"]);
    assert!(said.contains("a deployment of its own"), "{said}");
    let (prod, stage) = (
        Served::start(&production, &["--offline"]),
        Served::start(&staging, &["--offline"]),
    );
    let for_production = signing_domain(&prod, registry);
    let for_staging = signing_domain(&stage, registry);
    assert_ne!(for_production, for_staging);
    let action = pass_to(&for_production, registry, 3);
    refused_as_not_its_signers(stage.call(
        "POST",
        "/api/titles/actions",
        Some(&action),
        Some(&token),
    ));
    let (status, answer) = prod.call("POST", "/api/titles/actions", Some(&action), Some(&token));
    assert_eq!(status, 200, "{answer}");
    let staged = pass_to(&for_staging, registry, 4);
    refused_as_not_its_signers(prod.call(
        "POST",
        "/api/titles/actions",
        Some(&staged),
        Some(&token),
    ));
    let (status, answer) = stage.call("POST", "/api/titles/actions", Some(&staged), Some(&token));
    assert_eq!(status, 200, "{answer}");
    assert!(staging.ok(&["store", "audit"]).contains("intact"));
    assert!(production.ok(&["store", "audit"]).contains("intact"));
}
