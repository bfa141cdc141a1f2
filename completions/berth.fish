# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_berth_global_optspecs
    string join \n root= runroot= storage-driver= h/help V/version
end

function __fish_berth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_berth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_berth_using_subcommand
    set -l cmd (__fish_berth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c berth -n "__fish_berth_needs_command" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_needs_command" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_needs_command" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berth -n "__fish_berth_needs_command" -s V -l version -d 'Print version'
complete -c berth -n "__fish_berth_needs_command" -f -a "run" -d 'Run a command in a new container'
complete -c berth -n "__fish_berth_needs_command" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_needs_command" -f -a "start" -d 'Start one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "kill" -d 'Kill one or more running containers with a signal'
complete -c berth -n "__fish_berth_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "ps" -d 'List containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_needs_command" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c berth -n "__fish_berth_needs_command" -f -a "attach" -d 'Attach to a running container\'s input and output'
complete -c berth -n "__fish_berth_needs_command" -f -a "restart" -d 'Restart one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "exec" -d 'Run a command in a running container'
complete -c berth -n "__fish_berth_needs_command" -f -a "healthcheck" -d 'Run a container\'s healthcheck'
complete -c berth -n "__fish_berth_needs_command" -f -a "top" -d 'Display the running processes of a container'
complete -c berth -n "__fish_berth_needs_command" -f -a "rename" -d 'Rename a container'
complete -c berth -n "__fish_berth_needs_command" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_needs_command" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c berth -n "__fish_berth_needs_command" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_needs_command" -f -a "cp" -d 'Copy files between a container and the host'
complete -c berth -n "__fish_berth_needs_command" -f -a "mount" -d 'Mount a container\'s filesystem and print where (rootless: inside `berth unshare`)'
complete -c berth -n "__fish_berth_needs_command" -f -a "unmount" -d 'Unmount a container\'s filesystem mounted with `berth mount`'
complete -c berth -n "__fish_berth_needs_command" -f -a "umount" -d 'Unmount a container\'s filesystem mounted with `berth mount`'
complete -c berth -n "__fish_berth_needs_command" -f -a "unshare" -d 'Run a command (default: a shell) in berth\'s user namespace with its own mount namespace'
complete -c berth -n "__fish_berth_needs_command" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c berth -n "__fish_berth_needs_command" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c berth -n "__fish_berth_needs_command" -f -a "update" -d 'Update the resource limits or restart policy of one or more containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "container" -d 'Manage containers'
complete -c berth -n "__fish_berth_needs_command" -f -a "pull" -d 'Pull an image from a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "images" -d 'List images in local storage'
complete -c berth -n "__fish_berth_needs_command" -f -a "image" -d 'Manage images'
complete -c berth -n "__fish_berth_needs_command" -f -a "inspect" -d 'Display low-level information on images'
complete -c berth -n "__fish_berth_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_needs_command" -f -a "push" -d 'Push an image to a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "login" -d 'Log in to a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "logout" -d 'Log out of a registry'
complete -c berth -n "__fish_berth_needs_command" -f -a "save" -d 'Save images to an archive (docker-archive or oci-archive)'
complete -c berth -n "__fish_berth_needs_command" -f -a "load" -d 'Load images from an archive'
complete -c berth -n "__fish_berth_needs_command" -f -a "import" -d 'Import a tarball as a filesystem image'
complete -c berth -n "__fish_berth_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_needs_command" -f -a "volume" -d 'Manage volumes'
complete -c berth -n "__fish_berth_needs_command" -f -a "network" -d 'Manage networks'
complete -c berth -n "__fish_berth_needs_command" -f -a "events" -d 'Show events from the store\'s journal (containers, images), then follow new ones'
complete -c berth -n "__fish_berth_needs_command" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_needs_command" -f -a "version" -d 'Show the berth version information'
complete -c berth -n "__fish_berth_needs_command" -f -a "system" -d 'Manage berth itself'
complete -c berth -n "__fish_berth_using_subcommand run" -l sig-proxy -d 'Proxy received signals to the container (non-TTY mode)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to pass the current value)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s u -l user -d 'Username or UID, optionally with a group (USER[:GROUP])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l network -l net -d 'Network: bridge (the default), a network\'s name, none, host, pasta[:OPTS], slirp4netns[:OPTS], container:NAME or ns:PATH' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l network-alias -d 'Add a network-scoped alias for the container (user networks)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l ip -d 'The container\'s IPv4 address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l mac-address -d 'The container\'s MAC address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l security-opt -d 'Security options (seccomp=PROFILE|unconfined, no-new-privileges)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l read-only-tmpfs -d 'With --read-only, mount tmpfs on /tmp, /var/tmp and /run' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand run" -s v -l volume -d 'Bind mount a volume or host path ([SOURCE:]TARGET[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=,target=,readonly,...)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l volumes-from -d 'Mount the volumes and bind mounts of another container (NAME[:ro|:rw])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l stop-signal -d 'Signal to stop the container (default: the image\'s, or SIGTERM)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l stop-timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l userns -d 'User namespace mode (host, as root)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l add-host -d 'Add a custom host-to-IP mapping (NAME:IP, or NAME:host-gateway for the host)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l runtime -d 'Run the container with this OCI runtime (e.g. crun, runc) instead of berth\'s own' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-cmd -d 'Command to run to check health (run with /bin/sh -c)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-interval -d 'Time between health checks (e.g. 30s, 1m)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-timeout -d 'Maximum time a health check may run' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-start-period -d 'Start period during which failures do not count' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l health-on-failure -d 'Action when the container becomes unhealthy: none, kill, restart or stop' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l restart -d 'Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l pull -d 'Pull the image before creating: missing, always or never' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s m -l memory -d 'Memory limit (e.g. 100m, 1g)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l memory-swap -d 'Memory plus swap limit (-1: unlimited swap; default: twice --memory)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l oom-score-adj -d 'Tune the host\'s OOM preferences for the container (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpus -d 'Number of CPUs (e.g. 0.5)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s c -l cpu-shares -d 'CPU shares (relative weight, default 1024)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpu-period -d 'CPU CFS period in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpu-quota -d 'CPU CFS quota in microseconds (-1: none)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cpuset-mems -d 'Memory nodes in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l pids-limit -d 'Tune the container\'s pids limit (-1 or 0: unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l ulimit -d 'Set a resource limit of the container\'s processes (NAME=SOFT[:HARD], e.g. nofile=1024:2048; -1 or unlimited: no limit)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l blkio-weight -d 'Block IO weight (10 to 1000, 0 to disable)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l device-read-bps -d 'Limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l device-write-bps -d 'Limit write rate to a device (DEVICE:RATE)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l device-read-iops -d 'Limit read operations per second from a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l device-write-iops -d 'Limit write operations per second to a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cgroup-parent -d 'Parent cgroup (a slice with the systemd manager, e.g. mine.slice)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cgroupns -d 'Cgroup namespace: private or host' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cgroups -d 'Whether the container gets a cgroup: enabled or disabled' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l cgroup-manager -d 'Cgroup manager: systemd or cgroupfs (default: systemd when a user bus is reachable)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand run" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand run" -s d -l detach -d 'Run the container in the background and print its ID'
complete -c berth -n "__fish_berth_using_subcommand run" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c berth -n "__fish_berth_using_subcommand run" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand run" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand run" -l privileged -d 'Give extended privileges to the container'
complete -c berth -n "__fish_berth_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand run" -s P -l publish-all -d 'Publish all exposed ports to random host ports'
complete -c berth -n "__fish_berth_using_subcommand run" -l no-hosts -d 'Do not create /etc/hosts for the container (keep the image\'s)'
complete -c berth -n "__fish_berth_using_subcommand run" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand run" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand run" -l oom-kill-disable -d 'Disable the OOM killer for the container (cgroup v1)'
complete -c berth -n "__fish_berth_using_subcommand run" -l cgroup-strict -d 'Refuse to run when no cgroup backend can apply the limits'
complete -c berth -n "__fish_berth_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to pass the current value)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s u -l user -d 'Username or UID, optionally with a group (USER[:GROUP])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l network -l net -d 'Network: bridge (the default), a network\'s name, none, host, pasta[:OPTS], slirp4netns[:OPTS], container:NAME or ns:PATH' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l network-alias -d 'Add a network-scoped alias for the container (user networks)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l ip -d 'The container\'s IPv4 address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l mac-address -d 'The container\'s MAC address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l security-opt -d 'Security options (seccomp=PROFILE|unconfined, no-new-privileges)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l read-only-tmpfs -d 'With --read-only, mount tmpfs on /tmp, /var/tmp and /run' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand create" -s v -l volume -d 'Bind mount a volume or host path ([SOURCE:]TARGET[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=,target=,readonly,...)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l volumes-from -d 'Mount the volumes and bind mounts of another container (NAME[:ro|:rw])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l stop-signal -d 'Signal to stop the container (default: the image\'s, or SIGTERM)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l stop-timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l userns -d 'User namespace mode (host, as root)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l add-host -d 'Add a custom host-to-IP mapping (NAME:IP, or NAME:host-gateway for the host)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l runtime -d 'Run the container with this OCI runtime (e.g. crun, runc) instead of berth\'s own' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-cmd -d 'Command to run to check health (run with /bin/sh -c)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-interval -d 'Time between health checks (e.g. 30s, 1m)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-timeout -d 'Maximum time a health check may run' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-start-period -d 'Start period during which failures do not count' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l health-on-failure -d 'Action when the container becomes unhealthy: none, kill, restart or stop' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l restart -d 'Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l pull -d 'Pull the image before creating: missing, always or never' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s m -l memory -d 'Memory limit (e.g. 100m, 1g)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l memory-swap -d 'Memory plus swap limit (-1: unlimited swap; default: twice --memory)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l oom-score-adj -d 'Tune the host\'s OOM preferences for the container (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpus -d 'Number of CPUs (e.g. 0.5)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -s c -l cpu-shares -d 'CPU shares (relative weight, default 1024)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpu-period -d 'CPU CFS period in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpu-quota -d 'CPU CFS quota in microseconds (-1: none)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cpuset-mems -d 'Memory nodes in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l pids-limit -d 'Tune the container\'s pids limit (-1 or 0: unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l ulimit -d 'Set a resource limit of the container\'s processes (NAME=SOFT[:HARD], e.g. nofile=1024:2048; -1 or unlimited: no limit)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l blkio-weight -d 'Block IO weight (10 to 1000, 0 to disable)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l device-read-bps -d 'Limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l device-write-bps -d 'Limit write rate to a device (DEVICE:RATE)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l device-read-iops -d 'Limit read operations per second from a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l device-write-iops -d 'Limit write operations per second to a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cgroup-parent -d 'Parent cgroup (a slice with the systemd manager, e.g. mine.slice)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cgroupns -d 'Cgroup namespace: private or host' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cgroups -d 'Whether the container gets a cgroup: enabled or disabled' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l cgroup-manager -d 'Cgroup manager: systemd or cgroupfs (default: systemd when a user bus is reachable)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand create" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand create" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c berth -n "__fish_berth_using_subcommand create" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand create" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand create" -l privileged -d 'Give extended privileges to the container'
complete -c berth -n "__fish_berth_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand create" -s P -l publish-all -d 'Publish all exposed ports to random host ports'
complete -c berth -n "__fish_berth_using_subcommand create" -l no-hosts -d 'Do not create /etc/hosts for the container (keep the image\'s)'
complete -c berth -n "__fish_berth_using_subcommand create" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand create" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand create" -l oom-kill-disable -d 'Disable the OOM killer for the container (cgroup v1)'
complete -c berth -n "__fish_berth_using_subcommand create" -l cgroup-strict -d 'Refuse to run when no cgroup backend can apply the limits'
complete -c berth -n "__fish_berth_using_subcommand start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand start" -l sig-proxy -d 'Proxy received signals to the container (with -a)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand start" -l filter -d 'With --all: restart-policy=POLICY, name=NAME or label=KEY[=VALUE] (same key ORed)' -r
complete -c berth -n "__fish_berth_using_subcommand start" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand start" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand start" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand start" -s a -l attach -d 'Attach the container\'s output (and input with -i) and wait for it to exit'
complete -c berth -n "__fish_berth_using_subcommand start" -s i -l interactive -d 'Attach the container\'s STDIN'
complete -c berth -n "__fish_berth_using_subcommand start" -l all -d 'Start every stopped container (with --filter: those that match)'
complete -c berth -n "__fish_berth_using_subcommand start" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand stop" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand stop" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stop" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stop" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand stop" -s a -l all -d 'Stop all running containers'
complete -c berth -n "__fish_berth_using_subcommand stop" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand kill" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand kill" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand kill" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand kill" -s a -l all -d 'Signal all running containers'
complete -c berth -n "__fish_berth_using_subcommand kill" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rm" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rm" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rm" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand rm" -s a -l all -d 'Remove all containers'
complete -c berth -n "__fish_berth_using_subcommand rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c berth -n "__fish_berth_using_subcommand rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand ps" -s n -l last -d 'Show the N last created containers (includes all states; -1, docker\'s default, is all)' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -s f -l filter -d 'Filter output (id=, name=, status=, label=KEY[=VALUE], ancestor=IMAGE, exited=CODE, before=CONTAINER, since=CONTAINER)' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand ps" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand ps" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand ps" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand ps" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand ps" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand ps" -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand ps" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand logs" -l since -d 'Show logs since a time: RFC 3339 (2024-05-01T10:00:00Z), a unix timestamp, or a duration before now (10m)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -l until -d 'Show logs until a time (same forms as --since)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all" for every line)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logs" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logs" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand logs" -s f -l follow -d 'Follow log output until the container exits'
complete -c berth -n "__fish_berth_using_subcommand logs" -s t -l timestamps -d 'Show timestamps'
complete -c berth -n "__fish_berth_using_subcommand logs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand wait" -l condition -d 'Condition to wait for: not-running (default; also stopped, exited), next-exit, removed, running' -r
complete -c berth -n "__fish_berth_using_subcommand wait" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand wait" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand wait" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand wait" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand attach" -l sig-proxy -d 'Proxy received signals to the container (non-TTY mode)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand attach" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand attach" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand attach" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand attach" -l no-stdin -d 'Do not attach STDIN'
complete -c berth -n "__fish_berth_using_subcommand attach" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand restart" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand restart" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand restart" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand restart" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand restart" -s a -l all -d 'Restart every container'
complete -c berth -n "__fish_berth_using_subcommand restart" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand pause" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pause" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pause" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand pause" -s a -l all -d 'Pause (or unpause) every running (or paused) container'
complete -c berth -n "__fish_berth_using_subcommand pause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand unpause" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unpause" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unpause" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand unpause" -s a -l all -d 'Pause (or unpause) every running (or paused) container'
complete -c berth -n "__fish_berth_using_subcommand unpause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand exec" -l detach-keys -d 'Override the key sequence for detaching from the command (with -t)' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to pass the current value)' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec" -s u -l user -d 'Username or UID, optionally with a group (USER[:GROUP])' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand exec" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand exec" -s d -l detach -d 'Run the command in the background'
complete -c berth -n "__fish_berth_using_subcommand exec" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand exec" -l privileged -d 'Give the command extended privileges (all capabilities, no seccomp filter)'
complete -c berth -n "__fish_berth_using_subcommand exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand exec" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and not __fish_seen_subcommand_from run" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and not __fish_seen_subcommand_from run" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and not __fish_seen_subcommand_from run" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and not __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and not __fish_seen_subcommand_from run" -f -a "run" -d 'Run the container\'s healthcheck now and record the result'
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and __fish_seen_subcommand_from run" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and __fish_seen_subcommand_from run" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and __fish_seen_subcommand_from run" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand healthcheck; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand top" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand top" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand top" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand top" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rename" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rename" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rename" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand rename" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand diff" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand diff" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand diff" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand diff" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand commit" -s c -l change -d 'Apply a Dockerfile instruction to the image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s m -l message -d 'Commit message (the history entry\'s comment)' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s a -l author -d 'Author (e.g. "Jane Doe <jane@example.com>")' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -s p -l pause -d 'Pause a running container while its filesystem is read (default true; a rootless container without its own cgroup cannot be frozen and is read as it is)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand commit" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand commit" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand commit" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand commit" -l squash -d 'Squash the image\'s layers and the container\'s changes into one layer'
complete -c berth -n "__fish_berth_using_subcommand commit" -s q -l quiet -d 'Print only the image ID (berth prints nothing else anyway)'
complete -c berth -n "__fish_berth_using_subcommand commit" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand export" -s o -l output -d 'Write to a file instead of standard output' -r
complete -c berth -n "__fish_berth_using_subcommand export" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand export" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand export" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand cp" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand cp" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand cp" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand cp" -s a -l archive -d 'Archive mode: keep the files\' owners (uid/gid)'
complete -c berth -n "__fish_berth_using_subcommand cp" -s L -l follow-link -d 'Follow a symbolic link given as SRC'
complete -c berth -n "__fish_berth_using_subcommand cp" -s q -l quiet -d 'Print nothing (berth prints no progress anyway)'
complete -c berth -n "__fish_berth_using_subcommand cp" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand mount" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand mount" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand mount" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand mount" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand unmount" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unmount" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unmount" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand unmount" -s a -l all -d 'Unmount every mounted container'
complete -c berth -n "__fish_berth_using_subcommand unmount" -s f -l force -d 'Unmount even if other mounts of the container are outstanding'
complete -c berth -n "__fish_berth_using_subcommand unmount" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand umount" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand umount" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand umount" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand umount" -s a -l all -d 'Unmount every mounted container'
complete -c berth -n "__fish_berth_using_subcommand umount" -s f -l force -d 'Unmount even if other mounts of the container are outstanding'
complete -c berth -n "__fish_berth_using_subcommand umount" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand unshare" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unshare" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand unshare" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand unshare" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand port" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand port" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand port" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand port" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand stats" -l format -d 'Format output using a Go template ("table", "json", "{{json .}}", ...)' -r
complete -c berth -n "__fish_berth_using_subcommand stats" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stats" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand stats" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand stats" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c berth -n "__fish_berth_using_subcommand stats" -l no-trunc -d 'Do not truncate output'
complete -c berth -n "__fish_berth_using_subcommand stats" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand update" -s m -l memory -d 'Memory limit (e.g. 100m, 1g)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l memory-swap -d 'Memory plus swap limit (-1: unlimited swap)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpus -d 'Number of CPUs (e.g. 0.5)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpu-period -d 'CPU CFS period in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpu-quota -d 'CPU CFS quota in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l cpuset-mems -d 'Memory nodes in which to allow execution' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l pids-limit -d 'Tune the container\'s pids limit (-1: unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l blkio-weight -d 'Block IO weight (10 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l restart -d 'Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand update" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand update" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand update" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand update" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "run" -d 'Run a command in a new container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "create" -d 'Create a new container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "start" -d 'Start one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "stop" -d 'Stop one or more running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "kill" -d 'Kill one or more running containers with a signal'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "rm" -d 'Remove one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "ps" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "ls" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "list" -d 'List containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "logs" -d 'Fetch the logs of a container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "exec" -d 'Run a command in a running container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "prune" -d 'Remove all stopped containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "exists" -d 'Check if a container exists in local storage'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "attach" -d 'Attach to a running container\'s input and output'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "restart" -d 'Restart one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "pause" -d 'Pause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "unpause" -d 'Unpause all processes within one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "top" -d 'Display the running processes of a container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "rename" -d 'Rename a container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "diff" -d 'Inspect changes to files or directories on a container\'s filesystem'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "commit" -d 'Create a new image from a container\'s changes'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "cp" -d 'Copy files between a container and the host'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "stats" -d 'Display a live stream of container(s) resource usage statistics'
complete -c berth -n "__fish_berth_using_subcommand container; and not __fish_seen_subcommand_from run create start stop kill rm ps ls list logs wait exec inspect prune exists attach restart pause unpause top rename diff commit export cp port stats update" -f -a "update" -d 'Update the resource limits or restart policy of one or more containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l sig-proxy -d 'Proxy received signals to the container (non-TTY mode)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to pass the current value)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID, optionally with a group (USER[:GROUP])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l network -l net -d 'Network: bridge (the default), a network\'s name, none, host, pasta[:OPTS], slirp4netns[:OPTS], container:NAME or ns:PATH' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l network-alias -d 'Add a network-scoped alias for the container (user networks)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l ip -d 'The container\'s IPv4 address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l mac-address -d 'The container\'s MAC address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l security-opt -d 'Security options (seccomp=PROFILE|unconfined, no-new-privileges)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only-tmpfs -d 'With --read-only, mount tmpfs on /tmp, /var/tmp and /run' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Bind mount a volume or host path ([SOURCE:]TARGET[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=,target=,readonly,...)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l volumes-from -d 'Mount the volumes and bind mounts of another container (NAME[:ro|:rw])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-signal -d 'Signal to stop the container (default: the image\'s, or SIGTERM)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l userns -d 'User namespace mode (host, as root)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l add-host -d 'Add a custom host-to-IP mapping (NAME:IP, or NAME:host-gateway for the host)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l runtime -d 'Run the container with this OCI runtime (e.g. crun, runc) instead of berth\'s own' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-cmd -d 'Command to run to check health (run with /bin/sh -c)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-interval -d 'Time between health checks (e.g. 30s, 1m)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-timeout -d 'Maximum time a health check may run' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-start-period -d 'Start period during which failures do not count' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l health-on-failure -d 'Action when the container becomes unhealthy: none, kill, restart or stop' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l restart -d 'Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'Pull the image before creating: missing, always or never' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s m -l memory -d 'Memory limit (e.g. 100m, 1g)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-swap -d 'Memory plus swap limit (-1: unlimited swap; default: twice --memory)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l oom-score-adj -d 'Tune the host\'s OOM preferences for the container (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpus -d 'Number of CPUs (e.g. 0.5)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s c -l cpu-shares -d 'CPU shares (relative weight, default 1024)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpu-period -d 'CPU CFS period in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpu-quota -d 'CPU CFS quota in microseconds (-1: none)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cpuset-mems -d 'Memory nodes in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l pids-limit -d 'Tune the container\'s pids limit (-1 or 0: unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l ulimit -d 'Set a resource limit of the container\'s processes (NAME=SOFT[:HARD], e.g. nofile=1024:2048; -1 or unlimited: no limit)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l blkio-weight -d 'Block IO weight (10 to 1000, 0 to disable)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l device-read-bps -d 'Limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l device-write-bps -d 'Limit write rate to a device (DEVICE:RATE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l device-read-iops -d 'Limit read operations per second from a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l device-write-iops -d 'Limit write operations per second to a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroup-parent -d 'Parent cgroup (a slice with the systemd manager, e.g. mine.slice)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroupns -d 'Cgroup namespace: private or host' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroups -d 'Whether the container gets a cgroup: enabled or disabled' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroup-manager -d 'Cgroup manager: systemd or cgroupfs (default: systemd when a user bus is reachable)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s d -l detach -d 'Run the container in the background and print its ID'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l privileged -d 'Give extended privileges to the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s P -l publish-all -d 'Publish all exposed ports to random host ports'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l no-hosts -d 'Do not create /etc/hosts for the container (keep the image\'s)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l oom-kill-disable -d 'Disable the OOM killer for the container (cgroup v1)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from run" -l cgroup-strict -d 'Refuse to run when no cgroup backend can apply the limits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l name -d 'Assign a name to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to pass the current value)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s u -l user -d 'Username or UID, optionally with a group (USER[:GROUP])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s h -l hostname -d 'Container host name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l domainname -d 'Container NIS domain name' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s l -l label -d 'Set metadata on the container (KEY=VALUE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l network -l net -d 'Network: bridge (the default), a network\'s name, none, host, pasta[:OPTS], slirp4netns[:OPTS], container:NAME or ns:PATH' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l network-alias -d 'Add a network-scoped alias for the container (user networks)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l ip -d 'The container\'s IPv4 address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l mac-address -d 'The container\'s MAC address on its user network' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-add -d 'Add Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l security-opt -d 'Security options (seccomp=PROFILE|unconfined, no-new-privileges)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only-tmpfs -d 'With --read-only, mount tmpfs on /tmp, /var/tmp and /run' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s v -l volume -d 'Bind mount a volume or host path ([SOURCE:]TARGET[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l mount -d 'Attach a filesystem mount (type=bind|volume|tmpfs,source=,target=,readonly,...)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l volumes-from -d 'Mount the volumes and bind mounts of another container (NAME[:ro|:rw])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l tmpfs -d 'Mount a tmpfs directory (PATH[:OPTIONS])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-signal -d 'Signal to stop the container (default: the image\'s, or SIGTERM)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l userns -d 'User namespace mode (host, as root)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l dns -d 'Set custom DNS servers' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-search -d 'Set custom DNS search domains' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-option -d 'Set DNS options' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l add-host -d 'Add a custom host-to-IP mapping (NAME:IP, or NAME:host-gateway for the host)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l runtime -d 'Run the container with this OCI runtime (e.g. crun, runc) instead of berth\'s own' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-cmd -d 'Command to run to check health (run with /bin/sh -c)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-interval -d 'Time between health checks (e.g. 30s, 1m)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-timeout -d 'Maximum time a health check may run' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-retries -d 'Consecutive failures needed to report unhealthy' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-start-period -d 'Start period during which failures do not count' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l health-on-failure -d 'Action when the container becomes unhealthy: none, kill, restart or stop' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l restart -d 'Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l pull -d 'Pull the image before creating: missing, always or never' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s m -l memory -d 'Memory limit (e.g. 100m, 1g)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-swap -d 'Memory plus swap limit (-1: unlimited swap; default: twice --memory)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l oom-score-adj -d 'Tune the host\'s OOM preferences for the container (-1000 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpus -d 'Number of CPUs (e.g. 0.5)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s c -l cpu-shares -d 'CPU shares (relative weight, default 1024)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpu-period -d 'CPU CFS period in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpu-quota -d 'CPU CFS quota in microseconds (-1: none)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cpuset-mems -d 'Memory nodes in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l pids-limit -d 'Tune the container\'s pids limit (-1 or 0: unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l ulimit -d 'Set a resource limit of the container\'s processes (NAME=SOFT[:HARD], e.g. nofile=1024:2048; -1 or unlimited: no limit)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l blkio-weight -d 'Block IO weight (10 to 1000, 0 to disable)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l device-read-bps -d 'Limit read rate from a device (DEVICE:RATE, e.g. /dev/sda:1mb)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l device-write-bps -d 'Limit write rate to a device (DEVICE:RATE)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l device-read-iops -d 'Limit read operations per second from a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l device-write-iops -d 'Limit write operations per second to a device (DEVICE:IOPS)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroup-parent -d 'Parent cgroup (a slice with the systemd manager, e.g. mine.slice)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroupns -d 'Cgroup namespace: private or host' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroups -d 'Whether the container gets a cgroup: enabled or disabled' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroup-manager -d 'Cgroup manager: systemd or cgroupfs (default: systemd when a user bus is reachable)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l rm -d 'Automatically remove the container when it exits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l privileged -d 'Give extended privileges to the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s P -l publish-all -d 'Publish all exposed ports to random host ports'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l no-hosts -d 'Do not create /etc/hosts for the container (keep the image\'s)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l no-healthcheck -d 'Disable any container-specified HEALTHCHECK'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Suppress the pull output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l oom-kill-disable -d 'Disable the OOM killer for the container (cgroup v1)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from create" -l cgroup-strict -d 'Refuse to run when no cgroup backend can apply the limits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l sig-proxy -d 'Proxy received signals to the container (with -a)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l filter -d 'With --all: restart-policy=POLICY, name=NAME or label=KEY[=VALUE] (same key ORed)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s a -l attach -d 'Attach the container\'s output (and input with -i) and wait for it to exit'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s i -l interactive -d 'Attach the container\'s STDIN'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -l all -d 'Start every stopped container (with --filter: those that match)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s a -l all -d 'Stop all running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s a -l all -d 'Signal all running containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s a -l all -d 'Remove all containers'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s n -l last -d 'Show the N last created containers (includes all states; -1, docker\'s default, is all)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output (id=, name=, status=, label=KEY[=VALUE], ancestor=IMAGE, exited=CODE, before=CONTAINER, since=CONTAINER)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s n -l last -d 'Show the N last created containers (includes all states; -1, docker\'s default, is all)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (id=, name=, status=, label=KEY[=VALUE], ancestor=IMAGE, exited=CODE, before=CONTAINER, since=CONTAINER)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s n -l last -d 'Show the N last created containers (includes all states; -1, docker\'s default, is all)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (id=, name=, status=, label=KEY[=VALUE], ancestor=IMAGE, exited=CODE, before=CONTAINER, since=CONTAINER)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display container IDs'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s s -l size -d 'Display total file sizes'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l since -d 'Show logs since a time: RFC 3339 (2024-05-01T10:00:00Z), a unix timestamp, or a duration before now (10m)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l until -d 'Show logs until a time (same forms as --since)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Number of lines to show from the end of the logs ("all" for every line)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output until the container exits'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Show timestamps'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -l condition -d 'Condition to wait for: not-running (default; also stopped, exited), next-exit, removed, running' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l detach-keys -d 'Override the key sequence for detaching from the command (with -t)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s e -l env -d 'Set environment variables (KEY=VALUE, or KEY to pass the current value)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l env-file -d 'Read environment variables from a file' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s u -l user -d 'Username or UID, optionally with a group (USER[:GROUP])' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s d -l detach -d 'Run the command in the background'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s i -l interactive -d 'Keep STDIN open'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -l privileged -d 'Give the command extended privileges (all capabilities, no seccomp filter)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output with a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s s -l size -d 'Display total file sizes (SizeRw, SizeRootFs)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l filter -d 'Only prune containers that match: until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE]' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l sig-proxy -d 'Proxy received signals to the container (non-TTY mode)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -l no-stdin -d 'Do not attach STDIN'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s t -l time -l timeout -d 'Seconds to wait for the stop signal before killing the container' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s a -l all -d 'Restart every container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -s a -l all -d 'Pause (or unpause) every running (or paused) container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -s a -l all -d 'Pause (or unpause) every running (or paused) container'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from unpause" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from top" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s c -l change -d 'Apply a Dockerfile instruction to the image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s m -l message -d 'Commit message (the history entry\'s comment)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s a -l author -d 'Author (e.g. "Jane Doe <jane@example.com>")' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s p -l pause -d 'Pause a running container while its filesystem is read (default true; a rootless container without its own cgroup cannot be frozen and is read as it is)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -l squash -d 'Squash the image\'s layers and the container\'s changes into one layer'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s q -l quiet -d 'Print only the image ID (berth prints nothing else anyway)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from commit" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to a file instead of standard output' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s a -l archive -d 'Archive mode: keep the files\' owners (uid/gid)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s L -l follow-link -d 'Follow a symbolic link given as SRC'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s q -l quiet -d 'Print nothing (berth prints no progress anyway)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from cp" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from port" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l format -d 'Format output using a Go template ("table", "json", "{{json .}}", ...)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -s a -l all -d 'Show all containers (default shows just running)'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-stream -d 'Disable streaming stats and only pull the first result'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -l no-trunc -d 'Do not truncate output'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -s m -l memory -d 'Memory limit (e.g. 100m, 1g)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-swap -d 'Memory plus swap limit (-1: unlimited swap)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l memory-reservation -d 'Memory soft limit' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpus -d 'Number of CPUs (e.g. 0.5)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -s c -l cpu-shares -d 'CPU shares (relative weight)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpu-period -d 'CPU CFS period in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpu-quota -d 'CPU CFS quota in microseconds' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpuset-cpus -d 'CPUs in which to allow execution (0-3, 0,1)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l cpuset-mems -d 'Memory nodes in which to allow execution' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l pids-limit -d 'Tune the container\'s pids limit (-1: unlimited)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l blkio-weight -d 'Block IO weight (10 to 1000)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l restart -d 'Restart policy: no, on-failure[:MAX-RETRIES], always or unless-stopped' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand container; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand pull" -l platform -d 'Pull the image for this platform (os/arch[/variant]) instead of the host\'s' -r
complete -c berth -n "__fish_berth_using_subcommand pull" -l tls-verify -d 'Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand pull" -l authfile -d 'Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand pull" -s q -l quiet -d 'Print only the image ID'
complete -c berth -n "__fish_berth_using_subcommand pull" -s a -l all-tags -d 'Pull every tagged image in the repository (not supported by berth yet; refused)'
complete -c berth -n "__fish_berth_using_subcommand pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand images" -s f -l filter -d 'Filter output (reference=, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE)' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand images" -s a -l all -d 'Show all images (by default intermediate images are hidden)'
complete -c berth -n "__fish_berth_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand images" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand images" -s n -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand images" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "ls" -d 'List images in local storage'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "list" -d 'List images in local storage'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "pull" -d 'Pull an image from a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "rm" -d 'Remove one or more images'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "push" -d 'Push an image to a registry'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "save" -d 'Save images to an archive (docker-archive or oci-archive)'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "load" -d 'Load images from an archive'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "import" -d 'Import a tarball as a filesystem image'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "history" -d 'Show the history of an image'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -f -a "prune" -d 'Remove unused images'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (reference=, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (by default intermediate images are hidden)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s n -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (reference=, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (by default intermediate images are hidden)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s n -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l platform -d 'Pull the image for this platform (os/arch[/variant]) instead of the host\'s' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l tls-verify -d 'Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l authfile -d 'Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Print only the image ID'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s a -l all-tags -d 'Pull every tagged image in the repository (not supported by berth yet; refused)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output with a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l type -d 'Only look for objects of this type' -r -f -a "container\t''
image\t''
all\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s s -l size -d 'Display total file sizes of containers (SizeRw, SizeRootFs)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove the image even if it has several names'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s f -l format -d 'Manifest format to push (default: the stored image\'s)' -r -f -a "oci\t'OCI image manifest'
v2s2\t'Docker image manifest, schema 2'"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l compression-format -d 'Recompress layers that are not in this format (default: keep every layer as stored)' -r -f -a "gzip\t''
zstd\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l authfile -d 'Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l tls-verify -d 'Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l digestfile -d 'Write the digest of the pushed manifest to this file' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l force-compression -d 'Recompress layers even when they already are in --compression-format'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s q -l quiet -d 'Print no progress'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Write to this file instead of standard output' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l format -d 'Archive format: docker-archive or oci-archive' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s q -l quiet -d 'Suppress progress output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s m -l multi-image-archive -d 'Allow several images in one docker-archive (always allowed, as with docker)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s i -l input -d 'Read the archive from this file instead of standard input' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Suppress progress output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s c -l change -d 'Apply a Dockerfile instruction to the image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s m -l message -d 'Comment for the image\'s history' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l platform -d 'Platform of the image (os/arch[/variant]; default: the host\'s)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l os -d 'Operating system of the image' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l arch -d 'Architecture of the image' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l variant -d 'Architecture variant of the image' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s q -l quiet -d 'Print only the image ID (berth prints nothing else anyway)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Print sizes and dates in human readable format (-H=false: bytes and RFC 3339 dates)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Only remove images that match (until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE])' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all images no container uses, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s f -l format -d 'Format the output with a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l type -d 'Only look for objects of this type' -r -f -a "container\t''
image\t''
all\t''"
complete -c berth -n "__fish_berth_using_subcommand inspect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -s s -l size -d 'Display total file sizes of containers (SizeRw, SizeRootFs)'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand tag" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rmi" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand rmi" -s f -l force -d 'Remove the image even if it has several names'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand push" -s f -l format -d 'Manifest format to push (default: the stored image\'s)' -r -f -a "oci\t'OCI image manifest'
v2s2\t'Docker image manifest, schema 2'"
complete -c berth -n "__fish_berth_using_subcommand push" -l compression-format -d 'Recompress layers that are not in this format (default: keep every layer as stored)' -r -f -a "gzip\t''
zstd\t''"
complete -c berth -n "__fish_berth_using_subcommand push" -l authfile -d 'Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l tls-verify -d 'Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand push" -l digestfile -d 'Write the digest of the pushed manifest to this file' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand push" -l force-compression -d 'Recompress layers even when they already are in --compression-format'
complete -c berth -n "__fish_berth_using_subcommand push" -s q -l quiet -d 'Print no progress'
complete -c berth -n "__fish_berth_using_subcommand push" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berth -n "__fish_berth_using_subcommand login" -s u -l username -d 'Username for the registry' -r
complete -c berth -n "__fish_berth_using_subcommand login" -s p -l password -d 'Password for the registry (visible to other users in the process list: prefer --password-stdin)' -r
complete -c berth -n "__fish_berth_using_subcommand login" -l authfile -d 'Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l tls-verify -d 'Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand login" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand login" -l password-stdin -d 'Read the password from stdin'
complete -c berth -n "__fish_berth_using_subcommand login" -l get-login -d 'Print the username saved for the registry and exit'
complete -c berth -n "__fish_berth_using_subcommand login" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand logout" -l authfile -d 'Path of the authentication file (default: containers/auth.json in the runtime dir: $XDG_RUNTIME_DIR, else /run/user/UID, else ${TMPDIR:-/tmp}/berth-run-UID)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand logout" -s a -l all -d 'Remove the credentials of every registry'
complete -c berth -n "__fish_berth_using_subcommand logout" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand save" -s o -l output -d 'Write to this file instead of standard output' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l format -d 'Archive format: docker-archive or oci-archive' -r
complete -c berth -n "__fish_berth_using_subcommand save" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand save" -s q -l quiet -d 'Suppress progress output'
complete -c berth -n "__fish_berth_using_subcommand save" -s m -l multi-image-archive -d 'Allow several images in one docker-archive (always allowed, as with docker)'
complete -c berth -n "__fish_berth_using_subcommand save" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand load" -s i -l input -d 'Read the archive from this file instead of standard input' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand load" -s q -l quiet -d 'Suppress progress output'
complete -c berth -n "__fish_berth_using_subcommand load" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand import" -s c -l change -d 'Apply a Dockerfile instruction to the image config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)' -r
complete -c berth -n "__fish_berth_using_subcommand import" -s m -l message -d 'Comment for the image\'s history' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l platform -d 'Platform of the image (os/arch[/variant]; default: the host\'s)' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l os -d 'Operating system of the image' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l arch -d 'Architecture of the image' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l variant -d 'Architecture variant of the image' -r
complete -c berth -n "__fish_berth_using_subcommand import" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand import" -s q -l quiet -d 'Print only the image ID (berth prints nothing else anyway)'
complete -c berth -n "__fish_berth_using_subcommand import" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand history" -s H -l human -d 'Print sizes and dates in human readable format (-H=false: bytes and RFC 3339 dates)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand history" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand history" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "create" -d 'Create a volume'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "ls" -d 'List volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "list" -d 'List volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "inspect" -d 'Display detailed information on one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "rm" -d 'Remove one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "remove" -d 'Remove one or more volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "prune" -d 'Remove all unused volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and not __fish_seen_subcommand_from create ls list inspect rm remove prune exists" -f -a "exists" -d 'Exit 0 if the volume exists, 1 if it does not'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s d -l driver -d 'Volume driver (only local)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s o -l opt -d 'Driver option: type=tmpfs, device=PATH, o=OPTIONS (e.g. o=bind, o=size=64m)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s l -l label -d 'Set metadata on the volume' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (name=NAME, label=KEY[=VALUE], label!=KEY[=VALUE], dangling=true|false, driver=local)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a Go template, `table`, `table TEMPLATE` or `json`' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display volume names'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (name=NAME, label=KEY[=VALUE], label!=KEY[=VALUE], dangling=true|false, driver=local)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l format -d 'Format output using a Go template, `table`, `table TEMPLATE` or `json`' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display volume names'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template or `json`' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s a -l all -d 'Inspect all volumes'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove volumes even when containers use them'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -s f -l force -d 'Remove volumes even when containers use them'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l filter -d 'Only remove volumes that match (name=, label=KEY[=VALUE], label!=KEY[=VALUE])' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand volume; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "create" -d 'Create a network'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "ls" -d 'List networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "list" -d 'List networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "rm" -d 'Remove one or more networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "remove" -d 'Remove one or more networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "prune" -d 'Remove all unused networks'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "connect" -d 'Connect a container to a network'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c berth -n "__fish_berth_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect exists" -f -a "exists" -d 'Exit 0 if the network exists, 1 if it does not'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -s d -l driver -d 'Driver to manage the network (only bridge)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l subnet -d 'Subnet in CIDR format (default: the first free 10.89.N.0/24)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l gateway -d 'Gateway address for the subnet (default: its first host address)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l ip-range -d 'Allocate container addresses from this range (CIDR inside the subnet)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l label -d 'Set metadata on the network' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -s o -l opt -d 'Set driver-specific options' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l internal -d 'Restrict external access from the network'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -l ipv6 -d 'Enable IPv6 networking (recorded; containers get IPv4 addresses)'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output (name=NAME, id=ID, driver=bridge, label=KEY[=VALUE], label!=KEY[=VALUE])' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a Go template, `table`, `table TEMPLATE` or `json`' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display network IDs'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate the network IDs'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output (name=NAME, id=ID, driver=bridge, label=KEY[=VALUE], label!=KEY[=VALUE])' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -l format -d 'Format output using a Go template, `table`, `table TEMPLATE` or `json`' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display network IDs'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -l no-trunc -d 'Do not truncate the network IDs'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template or `json`' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove the containers that use the network first'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from remove" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from remove" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from remove" -s f -l force -d 'Remove the containers that use the network first'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l filter -d 'Only prune networks matching the filter (name=, id=, driver=, until=, label=, label!=)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l alias -d 'Add a network-scoped alias for the container' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip -d 'IPv4 address for the container on this network' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s f -l force -d 'Accepted for docker compatibility (a stopped container is always disconnected)'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand network; and __fish_seen_subcommand_from exists" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand events" -l since -d 'Show events since a time: RFC 3339 (2024-05-01T10:00:00Z), a unix timestamp, or a duration before now (10m)' -r
complete -c berth -n "__fish_berth_using_subcommand events" -l until -d 'Show events until a time (same forms as --since); without it, follow new events' -r
complete -c berth -n "__fish_berth_using_subcommand events" -s f -l filter -d 'Filter events: type=, event=, container=, image=, label=KEY[=VALUE] (one key given twice matches either value; different keys must all match)' -r
complete -c berth -n "__fish_berth_using_subcommand events" -l format -d 'Format events with a Go template, or "json" for one JSON object per line' -r
complete -c berth -n "__fish_berth_using_subcommand events" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand events" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand events" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand events" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand info" -s f -l format -d '"json" or a Go template, e.g. \'{{.Store.GraphDriverName}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand info" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand info" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand info" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand info" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand version" -s f -l format -d '"json" or a Go template, e.g. \'{{.Client.Version}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand version" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand version" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -f -a "df" -d 'Show disk usage'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -f -a "events" -d 'Show events from the store\'s journal (containers, images), then follow new ones'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -f -a "prune" -d 'Remove stopped containers, unused images and (with --volumes) unused volumes'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -f -a "reset" -d 'Remove every container, image and volume: an empty store'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -f -a "migrate" -d 'Pick up changed subordinate id ranges: stop the user namespace holder and the rootless network namespace (its holder, pasta and DNS responders)'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df events prune reset migrate docs" -f -a "docs" -d 'Regenerate the man pages and shell completions shipped in man/ and completions/'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -s f -l format -d '"json" or a Go template, e.g. \'{{.Store.GraphDriverName}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json" (with -v: only json)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s v -l verbose -d 'Show detailed information on space usage'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l since -d 'Show events since a time: RFC 3339 (2024-05-01T10:00:00Z), a unix timestamp, or a duration before now (10m)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l until -d 'Show events until a time (same forms as --since); without it, follow new events' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -s f -l filter -d 'Filter events: type=, event=, container=, image=, label=KEY[=VALUE] (one key given twice matches either value; different keys must all match)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l format -d 'Format events with a Go template, or "json" for one JSON object per line' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from events" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l filter -d 'Only remove what matches (until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE])' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -l volumes -d 'Also remove the volumes no container uses'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from migrate" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from migrate" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from migrate" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l out -d 'Directory that receives man/ and completions/ (the source checkout); required, so the generator never writes into whatever directory it happens to be run from' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, else /run/user/UID/berth, else ${TMPDIR:-/tmp}/berth-run-UID; /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -s h -l help -d 'Print help'
