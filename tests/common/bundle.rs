//! OCI bundles for the tests of runc's command line: a config.json written from a few choices, a
//! state directory (`--root`) of its own, and every container made from it deleted at the end.

use super::*;
use std::cell::RefCell;
use std::fs;
use std::process::{Command, Output, Stdio};

/// Docker's default capability set.
pub const DEFAULT_CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_RAW",
    "CAP_SYS_CHROOT",
    "CAP_MKNOD",
    "CAP_AUDIT_WRITE",
    "CAP_SETFCAP",
];

/// What a bundle's config.json says besides the defaults: `args` in a new pid, mount, ipc and
/// uts namespace, Docker's capabilities, no seccomp filter (as a config without
/// `linux.seccomp`), no_new_privs, the rootfs writable.
#[derive(Default)]
pub struct Options<'a> {
    /// Capabilities on top of the default ones.
    pub caps: &'a [&'a str],
    /// Join the pid namespace of this (host) pid instead of making one, as a pod's containers do.
    pub pid_of: Option<u32>,
    /// More members of `linux`, as JSON text (`"resources":{...}`).
    pub linux: &'a str,
    /// Members of `process` (name, JSON value), each in place of the default one of that name
    /// (`("user", r#"{"uid":1000,"gid":1000}"#)`) or added.
    pub process: &'a [(&'a str, &'a str)],
    /// More entries of `linux.namespaces`, as JSON objects (`{"type":"network"}`).
    pub namespaces: &'a [&'a str],
}

/// A bundle directory holding config.json, and the state directory of its containers.
pub struct Bundle {
    pub dir: TempDir,
    pub state: TempDir,
    /// The containers to delete at the end, whatever happened.
    ids: RefCell<Vec<String>>,
}

/// `s` as a JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => out.extend(['\\', c]),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_list(items: &[&str]) -> String {
    format!("[{}]", items.iter().map(|s| json_string(s)).collect::<Vec<_>>().join(","))
}

impl Bundle {
    pub fn new(rootfs: &TempDir, args: &[&str]) -> Bundle {
        Bundle::with(rootfs, args, &Options::default())
    }

    pub fn with(rootfs: &TempDir, args: &[&str], o: &Options) -> Bundle {
        let dir = TempDir::new("bundle");
        let state = TempDir::new("state");
        let caps: Vec<&str> = DEFAULT_CAPS.iter().chain(o.caps).copied().collect();
        let caps = json_list(&caps);
        let pid_ns = match o.pid_of {
            Some(pid) => format!(r#"{{"type":"pid","path":"/proc/{pid}/ns/pid"}}"#),
            None => r#"{"type":"pid"}"#.to_string(),
        };
        let linux_extra = if o.linux.is_empty() { String::new() } else { format!(",{}", o.linux) };
        let namespaces: String = o.namespaces.iter().map(|n| format!(",{n}")).collect();
        let caps = format!(r#"{{"bounding":{caps},"effective":{caps},"permitted":{caps}}}"#);
        let args = json_list(args);
        let mut process = vec![
            ("terminal", "false"),
            ("user", r#"{"uid":0,"gid":0}"#),
            ("args", &args),
            ("env", r#"["PATH=/bin"]"#),
            ("cwd", r#""/""#),
            ("capabilities", &caps),
            ("noNewPrivileges", "true"),
        ];
        for &(name, value) in o.process {
            match process.iter_mut().find(|m| m.0 == name) {
                Some(m) => m.1 = value,
                None => process.push((name, value)),
            }
        }
        let process: Vec<String> = process.iter().map(|(k, v)| format!("{}:{v}", json_string(k))).collect();
        let config = format!(
            r#"{{"ociVersion":"1.0.2",
"process":{{{process}}},
"root":{{"path":{root},"readonly":false}},
"mounts":[{{"destination":"/proc","type":"proc","source":"proc"}},
 {{"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]}},
 {{"destination":"/dev/pts","type":"devpts","source":"devpts","options":["newinstance","ptmxmode=0666"]}}],
"linux":{{"namespaces":[{pid_ns},{{"type":"mount"}},{{"type":"ipc"}},{{"type":"uts"}}{namespaces}]{linux_extra}}}}}"#,
            process = process.join(","),
            root = json_string(rootfs.as_str()),
        );
        fs::write(dir.join("config.json"), config).expect("write config.json");
        Bundle { dir, state, ids: RefCell::new(Vec::new()) }
    }

    /// `runt --root STATE ARGS...`, stdin null, stdout and stderr piped, not started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(runt());
        cmd.args(["--root", self.state.as_str()]).args(args);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// The words of a shell command line that runs `runt --root STATE` (test paths have no
    /// spaces): for commands run through `probe pty` or a shell.
    pub fn runt_words(&self) -> String {
        format!("{} --root {}", runt().display(), self.state.as_str())
    }

    /// `runt --root STATE ARGS...`, waited for.
    pub fn runt(&self, args: &[&str]) -> Output {
        wait(self.command(args).spawn().expect("spawn runt"))
    }

    /// Remembers `id` for deletion at the end.
    pub fn track(&self, id: &str) {
        self.ids.borrow_mut().push(id.to_string());
    }

    /// `runt create`, the container's stdout and stderr going to STATE/ID.out (a pipe would stay
    /// open in the container and keep the test waiting for its end). Asserts success.
    pub fn create(&self, id: &str, extra: &[&str]) {
        self.track(id);
        let out = fs::File::create(self.state.join(&format!("{id}.out"))).expect("create the output file");
        let err = out.try_clone().expect("dup the output file");
        let mut cmd = self.command(&["create", "--bundle", self.dir.as_str()]);
        cmd.args(extra).arg(id).stdout(out).stderr(err);
        let child = cmd.spawn().expect("spawn runt create");
        drop(cmd);
        let result = wait(child);
        assert_eq!(code(&result), 0, "runt create {id}: {}", self.output(id));
    }

    /// What container `id` made with [`Bundle::create`] wrote so far.
    pub fn output(&self, id: &str) -> String {
        fs::read_to_string(self.state.join(&format!("{id}.out"))).unwrap_or_default()
    }

    /// `runt create` then `runt start`, asserted to succeed.
    pub fn start_new(&self, id: &str, extra: &[&str]) {
        self.create(id, extra);
        let out = self.runt(&["start", id]);
        assert_eq!(code(&out), 0, "runt start {id}\n{}", describe(&out));
    }

    /// The host pid of container `id`'s init, from `runt state`.
    pub fn pid(&self, id: &str) -> u32 {
        let text = ok_stdout(&self.runt(&["state", id]));
        let rest = text.split("\"pid\":").nth(1).unwrap_or_else(|| panic!("no pid in the state of {id}: {text}"));
        let rest = rest.trim_start();
        rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok()).expect("a pid in the state")
    }

    /// The status `runt state` gives container `id`.
    pub fn status(&self, id: &str) -> String {
        let text = stdout(&self.runt(&["state", id]));
        // `"status": "running"`, as runc prints it
        let rest = text.split("\"status\":").nth(1).unwrap_or("").trim_start();
        rest.strip_prefix('"').and_then(|r| r.split('"').next()).unwrap_or("").to_string()
    }
}

impl Drop for Bundle {
    fn drop(&mut self) {
        for id in self.ids.borrow().iter() {
            let _ = self.runt(&["delete", "--force", id]);
        }
    }
}
