package io.iocagent.cli;

/** The help text: the seed's usage, with the same commands, options and examples. */
final class Usage {

    private Usage() {
    }

    static String text(String program) {
        return """
                EPICS IOC Runner - CLI Manager (epics-ioc-agent)

                Usage: %1$s [OPTIONS] COMMAND [TARGET]

                Options:
                  --local        Run in local user mode (no sudo required, uses ~/.config/procServ.d). Alias: --user
                  -f, --force    Force overwrite without prompting: the configuration file and,
                                 in local mode, a differing shared systemd template or logrotate unit
                  -v, -vv        Verbose output (supported only for 'list' command)
                  --json         Machine-readable output (list: every IOC with sockets and console clients)
                  -V, --version  Show version, build date and Java runtime
                  -h, --help     Show this help message and exit

                Commands:
                  generate       Auto-generate and validate a .conf file from an iocBoot directory
                  install        Install a new IOC configuration file (.conf) and reload systemd
                  remove         Stop, disable, and remove an existing IOC configuration
                  start          Start the specified IOC service
                  stop           Stop the specified IOC service
                  restart        Restart the specified IOC service
                  status         Show the state of the IOC service and the end of its procServ log
                  enable         Enable the IOC service to start on boot
                  disable        Disable the IOC service from starting on boot
                  view           Print the IOC configuration file and the rendered systemd unit
                  list           List all IOCs, installed or running, stopped ones too
                                   (default: name, status, start time, path)
                                   (-v: adds PID, CPU, memory)
                                   (-vv: adds Recv-Q, Send-Q, kernel state, inode, permissions)
                  attach         Attach to the IOC console via UNIX Domain Socket (read/write; Ctrl-A detaches)
                  monitor        Attach to the IOC console in read-only mode (prevents input interleaving)
                  inspect        Deep trace of socket file descriptors and client PIDs (root in system mode)
                  agent          Run the JMX agent in the foreground: one MXBean per IOC, Jolokia HTTP
                                 (127.0.0.1:8778) and Prometheus /metrics (127.0.0.1:9464).
                                 Settings: --config FILE and --key=value (deploy/agent/agent.properties)
                  credential     Print a credentials-file line USER:ROLE:hash for the agent (target USER:ROLE
                                 or USER ROLE, ROLE viewer or operator); the password is read without echo,
                                 or from stdin

                Environment:
                  IOC_RUNNER_CONF_DIR, IOC_RUNNER_SYSTEMD_DIR, IOC_RUNNER_RUN_DIR, IOC_RUNNER_LOG_DIR
                                 Override a directory in both modes (or use the IOC_RUNNER_SYSTEM_*
                                 and IOC_RUNNER_LOCAL_* forms for one mode)
                  IOC_RUNNER_SYSTEM_USER, IOC_RUNNER_SYSTEM_GROUP
                                 Service account of system-mode IOCs (default ioc-srv:ioc)
                  IOC_RUNNER_UNIT_TEMPLATE
                                 Unit template prefix (default epics-@: units epics-@NAME.service)
                  IOC_RUNNER_PROCSERV_TOOL
                                 procServ executable baked into the local unit template

                Exit status: 0 on success, 1 on any error or declined prompt; 'status' exits 3
                when the IOC is not active.

                Examples:
                  %1$s generate /path/to/iocBoot # Auto-generate myioc.conf inside that directory
                  %1$s install myioc.conf        # Install system-wide IOC
                  %1$s start myioc               # Start the system-wide IOC
                  %1$s status myioc              # State, PID and the last log lines
                  %1$s attach myioc              # Connect to the IOC console (read/write)
                  %1$s monitor myioc             # Connect to the IOC console (read-only)
                  sudo %1$s inspect myioc        # Trace active clients on the IOC socket
                  %1$s list -v                   # List with PID, CPU, memory
                  %1$s list --json               # Everything, for scripts
                  %1$s --local install t.conf    # Install IOC in local user space
                  %1$s --local start t           # Start it under your user manager
                  %1$s credential olivia:operator >> /etc/ioc-agent/credentials   # Add an agent user
                """.formatted(program);
    }
}
