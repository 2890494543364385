//! A real PostgreSQL server for tests, started once per test process in a folder of its own
//! and reached on a Unix socket there: nothing of the machine's own PostgreSQL (if it runs
//! one) is used or changed. The folder's name is random and only its owner may enter it, so
//! the server's trust of whoever reaches its socket is trust of this user alone; over TCP
//! (the TLS server) a random password is asked. As root it runs as the `postgres` user Debian's package makes
//! (PostgreSQL refuses to run as root). It stops when the process ends, whichever way it ends.
//!
//! It fails, never skips, when PostgreSQL is not installed: `scripts/setup-postgres` installs
//! Debian's package.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The folders of servers are named this, then the test process's id.
const FOLDER_PREFIX: &str = "corridor-pg-";

/// A PostgreSQL server of this test process.
pub struct TestServer {
    dir: PathBuf,
    port: u16,
    /// The password asked over TCP.
    password: String,
    databases: AtomicU32,
}

/// The port the servers' sockets are named by when they listen on no TCP port.
const SOCKET_PORT: u16 = 5432;

/// The server of this test process, started on first use.
///
/// # Panics
/// If PostgreSQL is not installed or does not start; the message says why.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        TestServer::start("", SOCKET_PORT, &["listen_addresses="], &[])
            .unwrap_or_else(|why| panic!("{why}"))
    })
}

/// A second server of this test process, started on first use, that also listens on a TCP
/// port of loopback with TLS, presenting the certificate `cert_pem` (with its key `key_pem`).
/// Its URLs reach it on the socket as [`server`]'s do; [`TestServer::tls_url`] over TLS.
///
/// # Panics
/// If PostgreSQL is not installed or does not start, or was started with another certificate.
pub fn tls_server(cert_pem: &str, key_pem: &str) -> &'static TestServer {
    static SERVER: OnceLock<(String, TestServer)> = OnceLock::new();
    let (cert, server) = SERVER.get_or_init(|| {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let server = TestServer::start(
            "-tls",
            port,
            &[
                "listen_addresses=127.0.0.1",
                "ssl=on",
                "ssl_cert_file=server.crt",
                "ssl_key_file=server.key",
            ],
            &[("server.crt", cert_pem), ("server.key", key_pem)],
        )
        .unwrap_or_else(|why| panic!("{why}"));
        (cert_pem.to_owned(), server)
    });
    assert_eq!(
        cert, cert_pem,
        "the TLS test server was started with another certificate"
    );
    server
}

/// The URL of a new, empty database on this process's server.
pub fn fresh_database() -> String {
    server().database()
}

impl TestServer {
    /// The URL of database `name`, on the server's socket.
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgresql://postgres@localhost:{}/{name}?host={}",
            self.port,
            self.dir.display()
        )
    }

    /// The URL of database `name` over TCP on loopback, asking for TLS, for a server started
    /// by [`tls_server`].
    pub fn tls_url(&self, name: &str) -> String {
        format!(
            "postgresql://postgres:{}@127.0.0.1:{}/{name}?sslmode=require",
            self.password, self.port
        )
    }

    /// Makes a new, empty database; its URL.
    pub fn database(&self) -> String {
        self.url(&self.create_database())
    }

    /// Makes a new, empty database; its name.
    pub fn create_database(&self) -> String {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let name = format!("t{n}");
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .unwrap_or_else(|e| panic!("the test PostgreSQL server: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("the test PostgreSQL server: CREATE DATABASE {name}: {e}"));
        name
    }

    /// Starts a server in a folder named for this process and `suffix`, on `port`, with
    /// `settings`, and `files` written in its data folder first.
    fn start(
        suffix: &str,
        port: u16,
        settings: &[&str],
        files: &[(&str, &str)],
    ) -> Result<TestServer, String> {
        let bin = binaries()?;
        remove_stale_folders();
        // Made anew with a random name, readable by its owner only: never one another user
        // made ready for it.
        let dir = tempfile::Builder::new()
            .prefix(&format!("{FOLDER_PREFIX}{}{suffix}-", std::process::id()))
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir()
            .map_err(|e| format!("{}: {e}", std::env::temp_dir().display()))?
            .keep();
        let user = server_user()?;
        let give = |path: &Path| -> Result<(), String> {
            match user {
                Some((uid, gid)) => std::os::unix::fs::chown(path, Some(uid), Some(gid))
                    .map_err(|e| format!("{}: {e}", path.display())),
                None => Ok(()),
            }
        };
        give(&dir)?;
        let password = random_hex()?;
        let password_file = dir.join("password");
        std::fs::write(&password_file, &password)
            .map_err(|e| format!("{}: {e}", password_file.display()))?;
        give(&password_file)?;
        let data = dir.join("data");
        let initdb = as_user(Command::new(bin.join("initdb")), user, false)
            .args(["-D"])
            .arg(&data)
            .arg(format!("--pwfile={}", password_file.display()))
            .args([
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{}: {e}", bin.join("initdb").display()))?;
        if !initdb.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&initdb.stderr)
            ));
        }
        for (name, contents) in files {
            let file = data.join(name);
            std::fs::write(&file, contents).map_err(|e| format!("{}: {e}", file.display()))?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("{}: {e}", file.display()))?;
            give(&file)?;
        }
        let log = std::fs::File::create(dir.join("server.log"))
            .map_err(|e| format!("{}: {e}", dir.display()))?;
        give(&dir.join("server.log"))?;
        let mut postgres = as_user(Command::new(bin.join("postgres")), user, true);
        postgres
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&dir)
            .arg("-p")
            .arg(port.to_string())
            // A test's data need not outlive a crash of the machine.
            .args(["-c", "fsync=off", "-c", "synchronous_commit=off"])
            .args(["-c", "full_page_writes=off", "-c", "max_connections=400"])
            .args(["-c", "unix_socket_permissions=0700"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        // The shared server listens on no TCP port: the socket in the folder alone, so that
        // nothing else can reach it and no port is taken from the machine.
        for setting in settings {
            postgres.args(["-c", setting]);
        }
        // The server is started by a thread that never ends: the parent-death signal is sent
        // when the thread that started a child ends, not the process.
        let (started, outcome) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("postgres".into())
            .spawn(move || {
                let _ = started.send(postgres.spawn().map_err(|e| e.to_string()));
                loop {
                    std::thread::park();
                }
            })
            .map_err(|e| e.to_string())?;
        let mut child = outcome
            .recv()
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{}: {e}", bin.join("postgres").display()))?;
        let server = TestServer {
            dir,
            port,
            password,
            databases: AtomicU32::new(0),
        };
        let began = Instant::now();
        loop {
            match postgres::Client::connect(&server.url("postgres"), postgres::NoTls) {
                Ok(_) => return Ok(server),
                Err(e) => {
                    let log = || {
                        std::fs::read_to_string(server.dir.join("server.log")).unwrap_or_default()
                    };
                    if let Ok(Some(status)) = child.try_wait() {
                        return Err(format!("PostgreSQL ended ({status}): {}", log()));
                    }
                    if began.elapsed() > Duration::from_secs(30) {
                        return Err(format!(
                            "PostgreSQL did not answer in 30 s ({e}): {}",
                            log()
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
    }
}

/// The folder of PostgreSQL's server programs: `CORRIDOR_POSTGRES_BIN`, or the newest of
/// Debian's (`/usr/lib/postgresql/<version>/bin`).
fn binaries() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CORRIDOR_POSTGRES_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("postgres").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/postgres): \
         run scripts/setup-postgres, which installs Debian's package"
            .to_string()
    })
}

/// The user and group to run the server as when this process is root: PostgreSQL will not
/// run as root.
fn server_user() -> Result<Option<(u32, u32)>, String> {
    // SAFETY: getuid has no preconditions and cannot fail.
    if unsafe { libc::getuid() } != 0 {
        return Ok(None);
    }
    // SAFETY: the name is NUL-terminated; getpwnam returns null or a pointer to a static
    // entry, read at once, before any other call could change it.
    let entry = unsafe { libc::getpwnam(c"postgres".as_ptr()) };
    if entry.is_null() {
        return Err(
            "running as root, and there is no postgres user to run PostgreSQL as: \
                    run scripts/setup-postgres"
                .into(),
        );
    }
    // SAFETY: checked not null above.
    let entry = unsafe { &*entry };
    Ok(Some((entry.pw_uid, entry.pw_gid)))
}

/// `command`, run as `user` when given, and told to end with this process when `tied`.
fn as_user(mut command: Command, user: Option<(u32, u32)>, tied: bool) -> Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure calls only async-signal-safe functions
    // (setgroups, setgid, setuid, prctl, getppid, and reads of copied integers).
    unsafe {
        command.pre_exec(move || {
            if let Some((uid, gid)) = user {
                if libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(gid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
            }
            // Set after the change of user, which clears it. SIGQUIT is PostgreSQL's
            // immediate shutdown: the server ends its own processes too.
            if tied && libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

/// Removes the folders of servers whose test processes are gone.
/// 16 random bytes, as hex.
fn random_hex() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    std::io::Read::read_exact(
        &mut std::fs::File::open("/dev/urandom").map_err(|e| format!("/dev/urandom: {e}"))?,
        &mut bytes,
    )
    .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn remove_stale_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(FOLDER_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}
