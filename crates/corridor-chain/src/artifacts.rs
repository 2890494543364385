//! Contracts' compiled code, as the npm packages ship it: found in `node_modules`, read from
//! a Hardhat JSON artifact or a TypeChain factory.

use std::path::{Path, PathBuf};

use alloy::primitives::Bytes;
use corridor_title::RegistryVersion;

use crate::ChainError;

/// A contract's compiled code as an npm package ships it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packaged {
    /// The contract, for messages.
    pub contract: &'static str,
    /// The package, to install.
    pub package: &'static str,
    /// The file, below `node_modules`.
    pub path: &'static str,
}

/// TradeTrust's document store (`@tradetrust-tt/document-store`).
pub const DOCUMENT_STORE: Packaged = Packaged {
    contract: "DocumentStore",
    package: "@tradetrust-tt/document-store",
    path: "@tradetrust-tt/document-store/dist/contracts/factories/DocumentStore__factory.js",
};

/// TradeTrust's token registry (`@tradetrust-tt/token-registry`, v5).
pub const TRADE_TRUST_TOKEN: Packaged = Packaged {
    contract: "TradeTrustToken",
    package: "@tradetrust-tt/token-registry",
    path: "@tradetrust-tt/token-registry/dist/artifacts/TradeTrustToken.sol/TradeTrustToken.json",
};

/// The factory of the title escrows a token registry creates for each token.
pub const TITLE_ESCROW_FACTORY: Packaged = Packaged {
    contract: "TitleEscrowFactory",
    package: "@tradetrust-tt/token-registry",
    path: "@tradetrust-tt/token-registry/dist/artifacts/TitleEscrowFactory.sol/TitleEscrowFactory.json",
};

/// TradeTrust's token registry v4 (`@tradetrust-tt/token-registry` 4.x, installed under the
/// name TrustVC gives it).
pub const TRADE_TRUST_TOKEN_V4: Packaged = Packaged {
    contract: "TradeTrustToken (v4)",
    package: "@tradetrust-tt/token-registry-v4@npm:@tradetrust-tt/token-registry@4.16.0",
    path: "@tradetrust-tt/token-registry-v4/dist/artifacts/TradeTrustToken.sol/TradeTrustToken.json",
};

/// The factory of a v4 registry's title escrows.
pub const TITLE_ESCROW_FACTORY_V4: Packaged = Packaged {
    contract: "TitleEscrowFactory (v4)",
    package: "@tradetrust-tt/token-registry-v4@npm:@tradetrust-tt/token-registry@4.16.0",
    path: "@tradetrust-tt/token-registry-v4/dist/artifacts/TitleEscrowFactory.sol/TitleEscrowFactory.json",
};

/// The token registry of `version` and the factory of its title escrows.
pub fn token_registry_contracts(version: RegistryVersion) -> (Packaged, Packaged) {
    match version {
        RegistryVersion::V4 => (TRADE_TRUST_TOKEN_V4, TITLE_ESCROW_FACTORY_V4),
        RegistryVersion::V5 => (TRADE_TRUST_TOKEN, TITLE_ESCROW_FACTORY),
    }
}

/// `packaged`'s compiled code, looked for in `node_modules` (and `compat/node_modules`, the
/// test harness's) in `dir` and each folder above it.
pub fn find_artifact(dir: &Path, packaged: &Packaged) -> Option<PathBuf> {
    dir.ancestors().find_map(|d| {
        [d.join("node_modules"), d.join("compat/node_modules")]
            .into_iter()
            .map(|m| m.join(packaged.path))
            .find(|p| p.is_file())
    })
}

/// The deployable code in a compiled artifact: a Hardhat or Truffle JSON artifact
/// (`bytecode`), or a TypeChain factory as the npm packages ship it (`_bytecode = "0x…"`).
pub fn read_bytecode(path: &Path) -> Result<Bytes, ChainError> {
    let bad = |problem: &str| ChainError::Invalid(format!("{}: {problem}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(&format!("cannot read it: {e}")))?;
    let hex = if let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) {
        let code = &json["bytecode"];
        code.as_str()
            .or_else(|| code["object"].as_str())
            .map(str::to_string)
            .ok_or_else(|| bad("a JSON artifact without \"bytecode\""))?
    } else {
        // The assignment `_bytecode = "0x…"`, not the uses of the name before it.
        let value = text
            .match_indices("_bytecode")
            .find_map(|(at, name)| {
                let rest = text[at + name.len()..].trim_start().strip_prefix('=')?;
                let rest = rest.trim_start().strip_prefix('"')?;
                Some(&rest[..rest.find('"')?])
            })
            .ok_or_else(|| bad("neither a JSON artifact nor a factory with _bytecode = \"0x…\""))?;
        value.to_string()
    };
    let code: Bytes = hex
        .parse()
        .map_err(|_| bad("the bytecode is not hexadecimal"))?;
    if code.is_empty() {
        return Err(bad(
            "the bytecode is empty (an interface or abstract contract?)",
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_is_read_from_json_artifacts_and_factories() {
        let dir = std::env::temp_dir().join(format!("corridor-artifact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let json = dir.join("a.json");
        std::fs::write(&json, r#"{"abi": [], "bytecode": "0x6080"}"#).unwrap();
        assert_eq!(read_bytecode(&json).unwrap().to_vec(), [0x60, 0x80]);
        let js = dir.join("f.js");
        let factory = "super(_abi, _bytecode, signer);\nconst _bytecode = \"0x60806040\";\n";
        std::fs::write(&js, factory).unwrap();
        assert_eq!(read_bytecode(&js).unwrap().len(), 4);
        let empty = dir.join("e.json");
        std::fs::write(&empty, r#"{"bytecode": "0x"}"#).unwrap();
        assert!(
            read_bytecode(&empty)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let other = dir.join("o.txt");
        std::fs::write(&other, "hello").unwrap();
        let e = read_bytecode(&other).unwrap_err().to_string();
        assert!(e.contains("o.txt") && e.contains("neither"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
