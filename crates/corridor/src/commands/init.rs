//! `corridor init`.

use anyhow::Result;

use crate::exit::Exit;
use crate::home::Home;
use crate::secrets;

#[derive(clap::Args)]
pub struct InitArgs {
    /// The key's name.
    #[arg(long, value_name = "NAME", default_value = "issuer")]
    key: String,
    /// The domain whose DNS will vouch for the key (a TXT record on it).
    #[arg(long, value_name = "DOMAIN")]
    domain: String,
    /// Where `corridor serve` will be reachable, e.g. https://issuer.example.com.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    responder: String,
    /// The issuer's name as documents show it.
    #[arg(long, value_name = "TEXT", default_value = "Example Issuer")]
    name: String,
    #[command(flatten)]
    password: secrets::PasswordArgs,
}

pub fn run(home: &Home, args: &InitArgs) -> Result<Exit> {
    let InitArgs {
        key,
        domain,
        responder,
        name,
        password,
    } = args;
    let keyring = home.keyring()?;
    let info = match keyring.info(key) {
        Ok(info) => {
            eprintln!("using the existing key {key}");
            info
        }
        Err(corridor_keys::KeyError::NotFound { .. }) => {
            keyring.generate(key, password.read(true)?.as_bytes(), &mut rand::rng())?
        }
        Err(e) => return Err(e.into()),
    };
    let Some(did) = info.did() else {
        anyhow::bail!(
            "the key {key} is a W3C issuer's Multikey ({}); an OpenAttestation issuer needs an Ethereum key: name another with --key",
            info.path.display()
        );
    };
    let store = home.store()?;
    let did_url = format!("{did}#controller");
    let issuer = serde_json::json!({
        "id": did,
        "name": name,
        "revocation": {"type": "OCSP_RESPONDER",
                       "location": format!("{}/ocsp/{key}", responder.trim_end_matches('/'))},
        "identityProof": {"type": "DNS-DID", "location": domain, "key": did_url},
    });
    println!("key          {key} ({})", info.path.display());
    println!("did          {did}");
    println!("store        {}", store.location());
    println!();
    println!("Publish this TXT record on {domain}:");
    println!(
        "  {}",
        corridor_format::dns_records::dns_did_record(&did_url)
    );
    println!();
    println!("Put this issuer in the raw documents' \"issuers\":");
    println!("  {issuer}");
    println!();
    println!("Then: corridor wrap --out wrapped.jsonl RAW...");
    println!("      corridor issue --key {key} --out issued.jsonl wrapped.jsonl");
    println!("      corridor serve   (reachable at {responder})");
    Ok(Exit::Success)
}
