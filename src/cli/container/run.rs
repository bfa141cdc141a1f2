//! `berth run` and `berth create`: the flags they share, and pulling a missing image first.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::cli::progress;
use crate::engine::container::start::{Attach, StartOutcome};
use crate::engine::container::CreateOptions;
use crate::engine::pull::{PullOptions, PullReporter};
use crate::engine::{Engine, EngineError};
use crate::store::ImageRecord;

/// What `create` and `run` both accept.
#[derive(Debug, Args)]
pub struct CreateFlags {
    /// Print help (-h is --hostname, as in docker)
    #[arg(long, action = clap::ArgAction::Help)]
    pub help: Option<bool>,
    /// Assign a name to the container
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Keep STDIN open
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Automatically remove the container when it exits
    #[arg(long)]
    pub rm: bool,
    /// Set environment variables (KEY=VALUE, or KEY to pass the current value)
    #[arg(short, long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Working directory inside the container
    #[arg(short, long = "workdir", value_name = "DIR")]
    pub workdir: Option<String>,
    /// Username or UID, optionally with a group (USER[:GROUP])
    #[arg(short, long, value_name = "USER[:GROUP]")]
    pub user: Option<String>,
    /// Container host name
    #[arg(short = 'h', long, value_name = "NAME")]
    pub hostname: Option<String>,
    /// Container NIS domain name
    #[arg(long, value_name = "NAME")]
    pub domainname: Option<String>,
    /// Set metadata on the container (KEY=VALUE)
    #[arg(short, long = "label", value_name = "KEY=VALUE")]
    pub label: Vec<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "COMMAND")]
    pub entrypoint: Option<String>,
    /// Network: bridge (the default), a network's name, none, host, pasta[:OPTS],
    /// slirp4netns[:OPTS], container:NAME or ns:PATH
    #[arg(long, visible_alias = "net", value_name = "MODE")]
    pub network: Option<String>,
    /// Add a network-scoped alias for the container (user networks)
    #[arg(long, value_name = "NAME")]
    pub network_alias: Vec<String>,
    /// The container's IPv4 address on its user network
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// The container's MAC address on its user network
    #[arg(long, value_name = "MAC")]
    pub mac_address: Option<String>,
    /// Run an init inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,
    /// Give extended privileges to the container
    #[arg(long)]
    pub privileged: bool,
    /// Add Linux capabilities
    #[arg(long = "cap-add", value_name = "CAP")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop", value_name = "CAP")]
    pub cap_drop: Vec<String>,
    /// Security options (seccomp=PROFILE|unconfined, no-new-privileges)
    #[arg(long = "security-opt", value_name = "OPT")]
    pub security_opt: Vec<String>,
    /// Mount the container's root filesystem as read only
    #[arg(long)]
    pub read_only: bool,
    /// With --read-only, mount tmpfs on /tmp, /var/tmp and /run
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub read_only_tmpfs: bool,
    /// Bind mount a volume or host path ([SOURCE:]TARGET[:OPTIONS])
    #[arg(short = 'v', long = "volume", value_name = "VOLUME")]
    pub volume: Vec<String>,
    /// Attach a filesystem mount (type=bind|volume|tmpfs,source=,target=,readonly,...)
    #[arg(long = "mount", value_name = "MOUNT")]
    pub mount: Vec<String>,
    /// Mount the volumes and bind mounts of another container (NAME[:ro|:rw])
    #[arg(long = "volumes-from", value_name = "CONTAINER[:ro|:rw]")]
    pub volumes_from: Vec<String>,
    /// Mount a tmpfs directory (PATH[:OPTIONS])
    #[arg(long, value_name = "PATH[:OPTIONS]")]
    pub tmpfs: Vec<String>,
    /// Signal to stop the container (default: the image's, or SIGTERM)
    #[arg(long, value_name = "SIGNAL")]
    pub stop_signal: Option<String>,
    /// Seconds to wait for the stop signal before killing the container
    #[arg(long, value_name = "SECONDS")]
    pub stop_timeout: Option<u32>,
    /// User namespace mode (host, as root)
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,
    /// Set custom DNS servers
    #[arg(long, value_name = "IP")]
    pub dns: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long = "dns-search", value_name = "DOMAIN")]
    pub dns_search: Vec<String>,
    /// Set DNS options
    #[arg(long = "dns-option", value_name = "OPTION")]
    pub dns_option: Vec<String>,
    /// Add a custom host-to-IP mapping (NAME:IP, or NAME:host-gateway for the host)
    #[arg(long = "add-host", value_name = "NAME:IP")]
    pub add_host: Vec<String>,
    /// Publish a container's port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])
    #[arg(short = 'p', long = "publish", value_name = "PORTS")]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random host ports
    #[arg(short = 'P', long = "publish-all")]
    pub publish_all: bool,
    /// Do not create /etc/hosts for the container (keep the image's)
    #[arg(long = "no-hosts")]
    pub no_hosts: bool,
    /// Run the container with this OCI runtime (e.g. crun, runc) instead of berth's own
    #[arg(long, value_name = "PATH")]
    pub runtime: Option<String>,
    /// Command to run to check health (run with /bin/sh -c)
    #[arg(long, value_name = "COMMAND")]
    pub health_cmd: Option<String>,
    /// Time between health checks (e.g. 30s, 1m)
    #[arg(long, value_name = "DURATION")]
    pub health_interval: Option<String>,
    /// Maximum time a health check may run
    #[arg(long, value_name = "DURATION")]
    pub health_timeout: Option<String>,
    /// Consecutive failures needed to report unhealthy
    #[arg(long, value_name = "N")]
    pub health_retries: Option<u32>,
    /// Start period during which failures do not count
    #[arg(long, value_name = "DURATION")]
    pub health_start_period: Option<String>,
    /// Disable any container-specified HEALTHCHECK
    #[arg(long)]
    pub no_healthcheck: bool,
    /// Action when the container becomes unhealthy: none, kill, restart or stop
    #[arg(long, value_name = "ACTION")]
    pub health_on_failure: Option<String>,
    /// Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped
    #[arg(long, value_name = "POLICY")]
    pub restart: Option<String>,
    /// Pull the image before creating: missing, always or never
    #[arg(long, value_name = "POLICY", default_value = "missing")]
    pub pull: String,
    /// Suppress the pull output
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub limits: super::limits::LimitFlags,
    /// The image to create the container from
    #[arg(value_name = "IMAGE")]
    pub image: String,
    /// The command and its arguments
    #[arg(
        value_name = "COMMAND",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
}

impl CreateFlags {
    pub fn options(&self) -> CreateOptions {
        CreateOptions {
            image: self.image.clone(),
            name: self.name.clone(),
            command: self.command.clone(),
            entrypoint: self.entrypoint.clone(),
            env: self.env.clone(),
            env_files: self.env_file.clone(),
            workdir: self.workdir.clone(),
            user: self.user.clone(),
            hostname: self.hostname.clone(),
            domainname: self.domainname.clone(),
            labels: self.label.clone(),
            tty: self.tty,
            interactive: self.interactive,
            auto_remove: self.rm,
            network: self.network.clone(),
            init: self.init,
            privileged: self.privileged,
            cap_add: self.cap_add.clone(),
            cap_drop: self.cap_drop.clone(),
            security_opt: self.security_opt.clone(),
            read_only: self.read_only,
            volumes: self.volume.clone(),
            mounts: self.mount.clone(),
            tmpfs: self.tmpfs.clone(),
            volumes_from: self.volumes_from.clone(),
            read_only_tmpfs: Some(self.read_only_tmpfs),
            stop_signal: self.stop_signal.clone(),
            stop_timeout: self.stop_timeout,
            userns: self.userns.clone(),
            runtime: self.runtime.clone(),
            dns: self.dns.clone(),
            dns_search: self.dns_search.clone(),
            dns_option: self.dns_option.clone(),
            add_host: self.add_host.clone(),
            publish: self.publish.clone(),
            publish_all: self.publish_all,
            no_hosts: self.no_hosts,
            restart: self.restart.clone(),
            network_attach: crate::engine::network::AttachOptions {
                aliases: self.network_alias.clone(),
                ip: self.ip.clone(),
                mac: self.mac_address.clone(),
            },
            health: crate::engine::container::health::HealthFlags {
                cmd: self.health_cmd.clone(),
                interval: self.health_interval.clone(),
                timeout: self.health_timeout.clone(),
                start_period: self.health_start_period.clone(),
                retries: self.health_retries,
                none: self.no_healthcheck,
                on_failure: self.health_on_failure.clone(),
            },
            limits: self.limits.limits(),
            cgroup: self.limits.cgroup(),
            oom_score_adj: self.limits.oom_score_adj,
            ulimits: self.limits.ulimit.clone(),
        }
    }
}

#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    /// Run the container in the background and print its ID
    #[arg(short, long)]
    pub detach: bool,
    /// Proxy received signals to the container (non-TTY mode)
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub sig_proxy: bool,
    /// Override the key sequence for detaching a container
    #[arg(long, value_name = "KEYS", default_value = "ctrl-p,ctrl-q")]
    pub detach_keys: String,
    #[command(flatten)]
    pub create: CreateFlags,
}

#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct CreateArgs {
    #[command(flatten)]
    pub create: CreateFlags,
}

/// The container's exit code, to become berth's (no message: the container said what it had to).
#[derive(Debug, thiserror::Error)]
#[error("exit status {0}")]
pub struct ExitStatus(pub i32);

/// Find the image, pulling it first when the policy says so (in a child that enters the
/// rootless user namespace, since this command runs on the host side).
pub fn ensure_image(engine: &Engine, flags: &CreateFlags) -> anyhow::Result<ImageRecord> {
    // Bad input (a malformed reference, `-e =x`, `-v :/data`) fails before any lookup or pull.
    flags.options().check()?;
    let name = &flags.image;
    let policy = flags.pull.as_str();
    if !matches!(policy, "missing" | "always" | "never" | "newer") {
        anyhow::bail!("invalid --pull policy {policy:?}: use missing, always or never");
    }
    match engine.find_image(name) {
        Ok(img) if policy != "always" => return Ok(img),
        Ok(_) => {}
        Err(EngineError::ImageNotKnown(_)) if policy == "never" => {
            anyhow::bail!("{name}: image not known, and --pull=never forbids pulling it")
        }
        Err(EngineError::ImageNotKnown(_)) => {
            if !flags.quiet {
                eprintln!("Unable to find image '{name}' locally");
            }
        }
        Err(e) => return Err(e.into()),
    }
    let quiet = flags.quiet;
    let wanted = name.clone();
    let ident = engine.ident.clone();
    crate::runtime::userns::in_namespace(&ident, || {
        let reporter: Box<dyn PullReporter> = if quiet {
            Box::new(progress::Quiet)
        } else if std::io::stderr().is_terminal() {
            Box::new(progress::Bars::new())
        } else {
            Box::new(progress::Lines)
        };
        let opts = PullOptions {
            interactive: std::io::stdin().is_terminal(),
            ..Default::default()
        };
        let rt = super::super::runtime().map_err(|e| e.to_string())?;
        rt.block_on(engine.pull(&wanted, &opts, reporter.as_ref()))
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .map_err(|e| anyhow::anyhow!(e))?;
    Ok(engine.find_image(name)?)
}

pub fn create(args: &CreateArgs, engine: &Engine) -> anyhow::Result<()> {
    let image = ensure_image(engine, &args.create)?;
    let record = engine.create_container(&args.create.options(), &image)?;
    if let Some(w) = engine.cgroup_warning(&record) {
        eprintln!("{w}");
    }
    outln!("{}", record.id);
    Ok(())
}

pub fn run(args: &RunArgs, engine: &Engine) -> anyhow::Result<()> {
    let detach_keys = crate::monitor::parse_detach_keys(&args.detach_keys)
        .map_err(|e| anyhow::anyhow!("invalid --detach-keys: {e}"))?;
    let image = ensure_image(engine, &args.create)?;
    crate::timing::mark("cli: create");
    let record = engine.create_container(&args.create.options(), &image)?;
    if let Some(w) = engine.cgroup_warning(&record) {
        eprintln!("{w}");
    }
    let c = crate::engine::container::Container {
        record: record.clone(),
        state: Default::default(),
        damaged: None,
    };
    let attach = if args.detach {
        Attach::Detached
    } else {
        Attach::Foreground {
            stdin: args.create.interactive,
            sig_proxy: args.sig_proxy,
            detach_keys,
        }
    };
    crate::timing::mark("cli: start container");
    let outcome = match engine.start_container(&c, attach) {
        Ok(o) => o,
        Err(e) => {
            // A container that could not start leaves nothing behind (--rm or not).
            if let Ok(now) = engine.find_container(&record.id) {
                let _ = engine.remove_container(&now);
            }
            return Err(e.into());
        }
    };
    crate::timing::mark("cli: container done");
    match outcome {
        StartOutcome::Running { .. } => {
            outln!("{}", record.id);
            Ok(())
        }
        StartOutcome::Detached => Ok(()),
        StartOutcome::Exited(0) => Ok(()),
        StartOutcome::Exited(code) => Err(ExitStatus(code).into()),
    }
}
