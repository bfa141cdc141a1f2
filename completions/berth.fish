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
complete -c berth -n "__fish_berth_needs_command" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_needs_command" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c berth -n "__fish_berth_needs_command" -s V -l version -d 'Print version'
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
complete -c berth -n "__fish_berth_needs_command" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_needs_command" -f -a "version" -d 'Show the berth version information'
complete -c berth -n "__fish_berth_needs_command" -f -a "system" -d 'Manage berth itself'
complete -c berth -n "__fish_berth_using_subcommand pull" -l platform -d 'Pull the image for this platform (os/arch[/variant]) instead of the host\'s' -r
complete -c berth -n "__fish_berth_using_subcommand pull" -l tls-verify -d 'Require HTTPS and verify certificates (--tls-verify=false allows plain HTTP)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand pull" -l authfile -d 'Path of the authentication file (default: ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand pull" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand pull" -s q -l quiet -d 'Print only the image ID'
complete -c berth -n "__fish_berth_using_subcommand pull" -s a -l all-tags -d 'Pull every tagged image in the repository (not supported by berth yet; refused)'
complete -c berth -n "__fish_berth_using_subcommand pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand images" -s f -l filter -d 'Filter output (reference=, dangling=true|false, label=KEY[=VALUE], before=IMAGE, since=IMAGE)' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand images" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand images" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand images" -s a -l all -d 'Show all images (by default intermediate images are hidden)'
complete -c berth -n "__fish_berth_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand images" -l digests -d 'Show digests'
complete -c berth -n "__fish_berth_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand images" -s n -l noheading -d 'Don\'t print the table header'
complete -c berth -n "__fish_berth_using_subcommand images" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and not __fish_seen_subcommand_from ls list pull inspect tag rm push save load import history prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
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
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
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
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from list" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
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
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l authfile -d 'Path of the authentication file (default: ${XDG_RUNTIME_DIR}/containers/auth.json)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Print only the image ID'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s a -l all-tags -d 'Pull every tagged image in the repository (not supported by berth yet; refused)'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format the output with a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l type -d 'Only images (accepted for docker compatibility; berth inspects images here)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Remove the image even if it has several names'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from push" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Print sizes and dates in human readable format (-H=false: bytes and RFC 3339 dates)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Only remove images that match (until=TIMESTAMP|DURATION, label=KEY[=VALUE], label!=KEY[=VALUE])' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all images no container uses, not just dangling ones'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c berth -n "__fish_berth_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand inspect" -s f -l format -d 'Format the output with a Go template' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l type -d 'Only images (accepted for docker compatibility; berth inspects images here)' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand inspect" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand tag" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand tag" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand tag" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand rmi" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand rmi" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand rmi" -s f -l force -d 'Remove the image even if it has several names'
complete -c berth -n "__fish_berth_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand push" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand push" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand push" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand login" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand login" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand login" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand logout" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand logout" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand logout" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand save" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand save" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand save" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand load" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand load" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand load" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand import" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand import" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand import" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand history" -s H -l human -d 'Print sizes and dates in human readable format (-H=false: bytes and RFC 3339 dates)' -r -f -a "true\t''
false\t''"
complete -c berth -n "__fish_berth_using_subcommand history" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json"' -r
complete -c berth -n "__fish_berth_using_subcommand history" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand history" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand history" -l no-trunc -d 'Don\'t truncate output'
complete -c berth -n "__fish_berth_using_subcommand history" -s q -l quiet -d 'Only show image IDs'
complete -c berth -n "__fish_berth_using_subcommand history" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand info" -s f -l format -d '"json" or a Go template, e.g. \'{{.Store.GraphDriverName}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand info" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand info" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand info" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand info" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand version" -s f -l format -d '"json" or a Go template, e.g. \'{{.Client.Version}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand version" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand version" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand version" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df docs" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df docs" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df docs" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df docs" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df docs" -f -a "info" -d 'Display system-wide information'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df docs" -f -a "df" -d 'Show disk usage'
complete -c berth -n "__fish_berth_using_subcommand system; and not __fish_seen_subcommand_from info df docs" -f -a "docs" -d 'Regenerate the man pages and shell completions shipped in man/ and completions/'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -s f -l format -d '"json" or a Go template, e.g. \'{{.Store.GraphDriverName}}\'' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l format -d 'Format output with a Go template, "table TEMPLATE" or "json" (with -v: only json)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s v -l verbose -d 'Show detailed information on space usage'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from df" -s h -l help -d 'Print help'
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l out -d 'Directory that holds man/ and completions/ (the source checkout)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l root -d 'Path to the storage root (default: $XDG_DATA_HOME/berth, or /var/lib/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l runroot -d 'Path to the runtime state directory (default: $XDG_RUNTIME_DIR/berth, or /run/berth as root)' -r -F
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -l storage-driver -d 'Storage driver for a new store: overlay, fuse-overlayfs or vfs (default: detected)' -r
complete -c berth -n "__fish_berth_using_subcommand system; and __fish_seen_subcommand_from docs" -s h -l help -d 'Print help'
