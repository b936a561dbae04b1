//! A terminal the tests type into as a person would, and read as a person would: `probe term`
//! runs a command on a new pty (30 rows, 100 columns), types what the test writes, resizes or
//! closes the terminal when asked, and passes on everything the session writes.

use super::*;
use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};

pub struct Term {
    child: Child,
    keys: ChildStdin,
    /// Everything the terminal has shown so far.
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of `screen` earlier waits have consumed.
    seen: usize,
}

impl Term {
    /// `cmd` as the session leader of a new terminal (as a terminal emulator or sshd starts it).
    pub fn new(cmd: &[&str]) -> Term {
        let mut child = Command::new(probe())
            .arg("term")
            .args(cmd)
            .env("PS1", "term$ ")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn probe term");
        let keys = child.stdin.take().expect("piped stdin");
        let mut pipe = child.stdout.take().expect("piped stdout");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let shown = Arc::clone(&screen);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                shown.lock().expect("screen lock").extend_from_slice(&buf[..n]);
            }
        });
        Term { child, keys, screen, seen: 0 }
    }

    /// An interactive shell (the host's /bin/sh, prompt `term$ `) in a new terminal: the user's.
    pub fn shell() -> Term {
        let mut t = Term::new(&["/bin/sh", "-i"]);
        t.wait_for("term$ ");
        t
    }

    /// Types `text` (a newline is typed as Enter: `\r`).
    pub fn type_text(&mut self, text: &str) {
        self.keys.write_all(text.as_bytes()).expect("type into probe term");
        self.keys.flush().expect("flush probe term's stdin");
    }

    /// Resizes the terminal.
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.type_text(&format!("\0size {rows} {cols}\n"));
    }

    /// Closes the terminal (its master): the session is hung up.
    pub fn hang_up(&mut self) {
        self.type_text("\0hangup\n");
    }

    /// Everything the terminal has shown.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().expect("screen lock")).into_owned()
    }

    /// Waits up to 10 s until the terminal shows `text` after what earlier waits consumed, and
    /// consumes up to its end; returns what was shown up to there since the last wait. Panics
    /// with the whole screen when it does not come.
    pub fn wait_for(&mut self, text: &str) -> String {
        self.wait_within(text, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("the terminal never showed {text:?}; it shows:\n{}", self.screen()))
    }

    /// [`Term::wait_for`] with a limit of its own, None when `text` did not come in time.
    pub fn wait_within(&mut self, text: &str, limit: Duration) -> Option<String> {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if let Some(at) = screen.get(self.seen..).and_then(|rest| rest.find(text)) {
                let end = self.seen + at + text.len();
                let shown = screen[self.seen..end].to_string();
                self.seen = end;
                return Some(shown);
            }
            if Instant::now() > deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits up to 10 s for the session's command to end: its exit status, from `term-exit: N`.
    pub fn exit_status(&mut self) -> String {
        self.wait_for("\nterm-exit: ");
        self.wait_for("\n").trim().to_string()
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
