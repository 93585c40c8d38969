//! One certificate policy for every HTTPS call: a local TLS server (`openssl s_server`) whose CA is only
//! in the system store (`SSL_CERT_FILE`, as rustls-native-certs reads it) is trusted by the Prometheus
//! client and by the GitHub client alike, and refused by both when the CA is not there.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{k6, perfgate};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl is needed (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a certificate for localhost signed by it: `ca.pem`, `srv.pem`, `srv.key`.
fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=perfgate test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `openssl s_server -www` on 127.0.0.1: any HTTPS request gets a 200 HTML status page.
fn serve(dir: &Path) -> (Server, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .current_dir(dir)
        .args([
            "s_server", "-quiet", "-www", "-cert", "srv.pem", "-key", "srv.key",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "openssl s_server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, port)
}

#[test]
fn a_ca_only_in_the_system_store_is_trusted_by_prometheus_and_github_calls() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let (_server, port) = serve(dir.path());
    let url = format!("https://localhost:{port}");
    std::fs::write(
        dir.path().join("event.json"),
        r#"{"number":5,"pull_request":{"number":5,"head":{"sha":"0123456789abcdef0123456789abcdef01234567"}}}"#,
    )
    .unwrap();
    // The system store is the certificates of the file `store` alone.
    let run = |store: &str| -> (String, String) {
        let with_store = |cmd: &mut Command| {
            cmd.current_dir(dir.path())
                .env("SSL_CERT_FILE", dir.path().join(store))
                .env("SSL_CERT_DIR", dir.path().join("no-such-dir"));
        };
        let mut pull = perfgate();
        with_store(&mut pull);
        pull.args([
            "pull",
            "--prometheus-url",
            &url,
            "--testid",
            "t",
            "-o",
            "out.json",
        ]);
        let pull = pull.output().unwrap();
        let mut comment = perfgate();
        with_store(&mut comment);
        comment
            .args(["analyze", "--comment", "--baseline"])
            .arg(k6("baseline-summary.json"))
            .arg(k6("baseline-summary.json"))
            .env("GITHUB_API_URL", &url)
            .env("GITHUB_REPOSITORY", "o/r")
            .env("GITHUB_TOKEN", "ghs_tlsTestToken0123456789")
            .env("GITHUB_EVENT_PATH", dir.path().join("event.json"))
            .env("PERFGATE_GITHUB_TIMEOUT", "5");
        let comment = comment.output().unwrap();
        (
            String::from_utf8_lossy(&pull.stderr).into_owned(),
            String::from_utf8_lossy(&comment.stderr).into_owned(),
        )
    };
    let (pull, github) = run("ca.pem");
    for err in [&pull, &github] {
        assert!(!err.is_empty(), "an HTML page is no API answer");
        assert!(
            !err.to_lowercase().contains("certificate"),
            "the CA in the system store must be trusted: {err}"
        );
    }
    // A store holding only an unrelated certificate (the server's own is no CA).
    let (pull, github) = run("srv.pem");
    for err in [&pull, &github] {
        assert!(
            err.to_lowercase().contains("certificate"),
            "a CA outside the store must be refused: {err}"
        );
    }
    // An empty store: both clients fall back to the bundled roots (which do not hold the test CA) and
    // refuse the server for its unknown issuer, rather than failing to set up TLS at all.
    std::fs::write(dir.path().join("empty.pem"), "").unwrap();
    let (pull, github) = run("empty.pem");
    for err in [&pull, &github] {
        assert!(
            err.contains("UnknownIssuer"),
            "bundled roots in use, the test CA not among them: {err}"
        );
        assert!(!err.contains("CA certificates found"), "{err}");
    }
}
