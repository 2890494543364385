//! Files: what other local users can read of Corridor's own.

use std::os::unix::fs::PermissionsExt;

/// The store and the home folder are readable by their owner only, whatever the umask (they
/// hold signed title actions, token names, revocation notes and share envelopes); a store
/// made before, readable by others, is tightened when opened.
#[test]
fn the_home_folder_and_the_store_are_private_whatever_the_umask() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let corridor = super::common::corridor();
    let bin = corridor.get_program().to_str().unwrap().to_string();
    let run = |args: &str| {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask 000; exec {bin} {args}"))
            .env("CORRIDOR_HOME", &home)
            .env("CORRIDOR_KEY_PASSWORD", "a password")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    run("token new ci --scope share");
    run("key new ops");
    assert_eq!(mode(&home), 0o700, "the home folder");
    assert_eq!(mode(&home.join("keys")), 0o700, "the keys' folder");
    for file in ["store.sqlite", "store.sqlite-wal", "store.sqlite-shm"] {
        let path = home.join(file);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{file}");
        }
    }
    assert_eq!(mode(&home.join("store.sqlite")), 0o600);

    std::fs::set_permissions(
        home.join("store.sqlite"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    run("token list");
    assert_eq!(
        mode(&home.join("store.sqlite")),
        0o600,
        "tightened when opened"
    );
}
