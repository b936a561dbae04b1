//! `runt exec`: a new process in a running container, with the container's own process
//! settings and the given ones on top.

use super::cli::Args;
use super::cmd::{
    cannot, config_of, has_its_cgroup, invalid, open, preserved_fds, read_json, warn_caps, write_pid_file, RunSpec,
};
use super::config;
use crate::cstr::open_path;
use crate::error::{cat, fail, Error, Result};
use crate::state::Status;
use crate::sys::fs;
use alloc::string::String;
use alloc::vec::Vec;

/// `runt exec ID CMD...` or `--process P.json`: the container's own process settings (identity,
/// capabilities, seccomp, environment) with the given ones on top, as runc does.
#[inline(never)]
pub(super) fn exec(root: &str, id: &str, a: &Args, warn: &mut dyn FnMut(&str), run_spec: RunSpec) -> Result<i32> {
    let kept = preserved_fds(a, 3)?;
    for (flag, lsm) in [("apparmor", config::Lsm::AppArmor), ("process-label", config::Lsm::SELinux)] {
        let why = a.get(flag).filter(|v| !v.is_empty()).and_then(|_| lsm.refusal(lsm.enabled()));
        if let Some(why) = why {
            return Err(fail(&["exec: --", flag, ": ", why]));
        }
    }
    let o = open(root, id)?;
    let (dir, st) = (&o.0, &o.1);
    // As runc: a created container can be entered (its init waits for `start` with everything
    // set up); a paused one only when asked, and the new process then waits for `resume` too.
    match st.status(dir) {
        Status::Running | Status::Created => {}
        Status::Paused if a.has("ignore-paused") => {}
        s => return Err(cannot("exec in", id, s.name())),
    }
    let mut spec =
        if st.command.is_empty() { config::load(&config_of(dir, st), &st.bundle, id)? } else { run_spec(st)? };
    if let Some(p) = a.get("process") {
        let v = read_json(p, false)?;
        config::apply_process(&v, &mut spec).map_err(|e| e.context(p))?;
    } else {
        let cmd = a.args.get(1..).unwrap_or_default();
        if cmd.is_empty() {
            return Err(Error::msg("exec: no command given"));
        }
        spec.args = crate::spec::owned(cmd);
        spec.oci.terminal = a.has("tty");
    }
    for (k, v) in &a.opts {
        match *k {
            "env" => {
                let Some((key, _)) = v.split_once('=') else {
                    return Err(invalid("exec: ", "env", v));
                };
                spec.env.retain(|x| x.split_once('=').map_or(x.as_str(), |kv| kv.0) != key);
                spec.env.push(String::from(*v));
            }
            // runtime-spec 1.2: a capability that cannot be granted SHOULD NOT fail the process.
            "cap" => match crate::security::caps::parse(v) {
                Ok(bit) => {
                    spec.caps.bounding |= bit;
                    spec.caps.effective |= bit;
                    spec.caps.permitted |= bit;
                }
                Err(e) => warn(&cat(&["exec: --cap: ", &e.render(), ": not added"])),
            },
            "additional-gids" => {
                let gid = crate::text::unsigned(v).ok_or_else(|| invalid("exec: ", "additional-gids", v))?;
                spec.oci.additional_gids.push(gid);
            }
            _ => {}
        }
    }
    if let Some(c) = a.get("cwd") {
        spec.cwd = String::from(c);
    }
    if let Some(u) = a.get("user") {
        let (uid, gid) = u.split_once(':').unwrap_or((u, "0"));
        let (Some(uid), Some(gid)) = (crate::text::unsigned(uid), crate::text::unsigned(gid)) else {
            return Err(invalid("exec: ", "user", u));
        };
        spec.user = Some(crate::spec::User { uid, gid });
    }
    if a.has("no-new-privs") {
        spec.no_new_privs = true;
    }
    spec.oci.preserve_fds = kept;
    warn_caps(&spec, warn);
    // An exec'd process must not change the container's oom_score_adj or rlimits behind its back.
    spec.oom_score_adj = None;
    // A session keyring of its own, as the container's init got, unless the container was made
    // with --no-new-keyring (runc's meaning for exec too): the keys of the session `runt exec`
    // runs in must not reach the container.
    spec.oci.keep_keyring = st.no_new_keyring;
    has_its_cgroup(dir, st, id)?;
    let mut into = st.clone();
    into.cgroups = sub_cgroups(&st.cgroups, a)?;
    let opts =
        crate::exec::Options { detach: a.has("detach"), pid_file: a.get("pid-file"), console: a.get("console-socket") };
    let pid_file = opts.pid_file;
    crate::exec::exec(&into, &spec, &opts, &mut |pid| match pid_file {
        Some(p) => write_pid_file(p, pid),
        None => Ok(()),
    })
}

/// `exec --cgroup [CONTROLLER[,CONTROLLER]:]PATH` (repeatable), as runc takes it: PATH, an
/// existing sub-cgroup, under the container's cgroup in the hierarchies of those v1 controllers,
/// or in every one. It must exist: the process would otherwise land in no cgroup of that
/// hierarchy the container has (runt joins what it can open).
#[inline(never)]
fn sub_cgroups(dirs: &[String], a: &Args) -> Result<Vec<String>> {
    let mut out = dirs.to_vec();
    for (_, v) in a.opts.iter().filter(|(k, _)| *k == "cgroup") {
        let (controllers, path) = v.split_once(':').unwrap_or(("", v));
        let bad = path.is_empty() || path.starts_with('/') || path.split('/').any(|c| c == "..");
        if bad || (!controllers.is_empty() && crate::cgroup::is_v2()?) {
            return Err(invalid("exec: ", "cgroup", v));
        }
        for (sub, dir) in out.iter_mut().zip(dirs) {
            // v1: the hierarchy is the directory right under the mount, e.g. "cpu,cpuacct".
            let hierarchy = dir.strip_prefix("/sys/fs/cgroup/").and_then(|r| r.split('/').next()).unwrap_or("");
            if controllers.is_empty() || controllers.split(',').any(|c| hierarchy.split(',').any(|h| h == c)) {
                *sub = cat(&[dir, "/", path]);
                open_path(sub, fs::O_DIRECTORY | fs::O_RDONLY, 0, "exec: --cgroup: open ")?;
            }
        }
    }
    Ok(out)
}
