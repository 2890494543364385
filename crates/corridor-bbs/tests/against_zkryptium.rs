//! Corridor's BBS against zkryptium 0.8, whose signatures are byte for byte those of TrustVC's
//! `@digitalbazaar/bbs-signatures` and whose proofs verify in it: the same signatures for the
//! same keys and messages, and each side's signatures and proofs accepted by the other, or
//! refused by both once changed.

use corridor_bbs::{SecretKey, proof_gen, proof_verify, sign, verify};
use rand::{Rng, SeedableRng, rngs::StdRng};
use zkryptium::bbsplus::ciphersuites::Bls12381Sha256;
use zkryptium::bbsplus::keys::{BBSplusPublicKey, BBSplusSecretKey};
use zkryptium::schemes::algorithms::BBSplus;
use zkryptium::schemes::generics::{PoKSignature, Signature};

type Theirs = BBSplus<Bls12381Sha256>;

fn random_messages(rng: &mut StdRng) -> Vec<Vec<u8>> {
    (0..rng.random_range(1..30))
        .map(|_| {
            (0..rng.random_range(0..90))
                .map(|_| rng.random::<u8>())
                .collect()
        })
        .collect()
}

#[test]
fn signatures_and_proofs_agree_both_ways() {
    let mut rng = StdRng::seed_from_u64(2023);
    for round in 0..24 {
        let key = SecretKey::generate();
        let public = key.public_key();
        let their_secret = BBSplusSecretKey::from_bytes(&key.to_bytes()).unwrap();
        let their_public = BBSplusPublicKey::from_bytes(&public).unwrap();
        assert_eq!(their_secret.public_key().to_bytes(), public);

        let owned = random_messages(&mut rng);
        let messages: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        let header: Vec<u8> = (0..rng.random_range(0..70)).map(|_| rng.random()).collect();
        let ours = sign(&key, &header, &messages).unwrap();
        let theirs =
            Signature::<Theirs>::sign(Some(&owned), &their_secret, &their_public, Some(&header))
                .unwrap();
        assert_eq!(ours, theirs.to_bytes(), "round {round}: the same signature");
        assert!(verify(&public, &ours, &header, &messages));
        assert!(!verify(&public, &ours, b"another header", &messages));

        let disclosed: Vec<usize> = (0..messages.len())
            .filter(|_| rng.random_bool(0.4))
            .collect();
        let shown: Vec<&[u8]> = disclosed.iter().map(|&i| messages[i]).collect();
        let shown_owned: Vec<Vec<u8>> = shown.iter().map(|m| m.to_vec()).collect();
        let ph: Vec<u8> = if rng.random_bool(0.5) {
            vec![]
        } else {
            b"presentation".to_vec()
        };

        // Ours, checked by them and by us.
        let proof = proof_gen(&public, &ours, &header, &ph, &messages, &disclosed).unwrap();
        let read = PoKSignature::<Theirs>::from_bytes(&proof).unwrap();
        assert!(
            read.proof_verify(
                &their_public,
                Some(&shown_owned),
                Some(&disclosed),
                Some(&header),
                Some(&ph)
            )
            .is_ok(),
            "round {round}: zkryptium verifies Corridor's proof"
        );
        assert!(proof_verify(
            &public, &proof, &header, &ph, &shown, &disclosed
        ));

        // Theirs, checked by us.
        let their_proof = PoKSignature::<Theirs>::proof_gen(
            &their_public,
            &theirs.to_bytes(),
            Some(&header),
            Some(&ph),
            Some(&owned),
            Some(&disclosed),
        )
        .unwrap();
        assert!(
            proof_verify(
                &public,
                &their_proof.to_bytes(),
                &header,
                &ph,
                &shown,
                &disclosed
            ),
            "round {round}: Corridor verifies zkryptium's proof"
        );

        // Changed: a disclosed message, the header, the presentation header, a byte.
        if let Some(first) = shown.first() {
            let mut changed: Vec<&[u8]> = shown.clone();
            let other = [first, &b"!"[..]].concat();
            changed[0] = &other;
            assert!(!proof_verify(
                &public, &proof, &header, &ph, &changed, &disclosed
            ));
        }
        assert!(!proof_verify(
            &public, &proof, b"changed", &ph, &shown, &disclosed
        ));
        assert!(!proof_verify(
            &public, &proof, &header, b"changed", &shown, &disclosed
        ));
        let mut flipped = proof.clone();
        let at = rng.random_range(0..flipped.len());
        flipped[at] ^= 1 << rng.random_range(0..8);
        assert!(!proof_verify(
            &public, &flipped, &header, &ph, &shown, &disclosed
        ));
        assert!(!proof_verify(
            &public,
            &proof[..proof.len() - 1],
            &header,
            &ph,
            &shown,
            &disclosed
        ));
    }
}

#[test]
fn keys_and_indexes_out_of_range_are_refused() {
    assert!(SecretKey::from_bytes(&[0; 32]).is_err());
    assert!(SecretKey::from_bytes(&[0xff; 32]).is_err(), "above r");
    let key = SecretKey::from_bytes(&[5; 32]).unwrap();
    let public = key.public_key();
    let signature = sign(&key, b"", &[b"a", b"b"]).unwrap();
    assert!(proof_gen(&public, &signature, b"", b"", &[b"a", b"b"], &[2]).is_err());
    let proof = proof_gen(&public, &signature, b"", b"", &[b"a", b"b"], &[1]).unwrap();
    assert!(!proof_verify(&public, &proof, b"", b"", &[b"b"], &[2]));
    assert!(!proof_verify(
        &public,
        &proof,
        b"",
        b"",
        &[b"b", b"a"],
        &[1, 0]
    ));
    assert!(!proof_verify(&[0; 96], &proof, b"", b"", &[b"b"], &[1]));
}
