package io.iocagent.conf;

import java.nio.file.Path;

/**
 * The systemd units the agent deploys, byte for byte the seed's (§3.1, §3.2, §3.5.2), so that an
 * installation made by epics-ioc-runner and one made by the agent compare equal and no
 * "template differs" prompt appears after migrating.
 *
 * <p>The two IOC templates differ only where the seed's do (§3.3: Description, Wants/After,
 * User/Group, UMask, WantedBy, paths); everything else must stay identical between them. Paths are
 * baked into the units unquoted, so callers pass absolute paths without whitespace (seed §6.1).
 */
public final class UnitTemplates {

    private UnitTemplates() {
    }

    /**
     * {@code /etc/systemd/system/epics-@.service}.
     *
     * @param account the service account ({@code ioc-srv}/{@code ioc})
     * @param confDir where {@code %i.conf} lives; the seed fixes {@code /etc/procServ.d}
     * @param logDir  procServ's log directory, e.g. {@code /var/log/procserv}
     */
    public static String system(Identity account, Path confDir, Path logDir, Path procServ) {
        return "[Unit]\n"
                + "Description=procServ for %i\n"
                + "Wants=time-sync.target\n"
                + "After=network.target remote-fs.target time-sync.target\n"
                + "AssertFileNotEmpty=" + confDir + "/%i.conf\n"
                + startLimits()
                + "\n"
                + "[Service]\n"
                + "Type=simple\n"
                + "User=" + account.user() + "\n"
                + "Group=" + account.group() + "\n"
                + service(confDir, logDir, procServ)
                + "\n"
                + "[Install]\n"
                + "WantedBy=multi-user.target\n";
    }

    /**
     * {@code ~/.config/systemd/user/epics-@.service}, shared by all of the user's local IOCs.
     * {@code UMask=0027} keeps the logs private to the user.
     */
    public static String local(Path confDir, Path logDir, Path procServ) {
        return "[Unit]\n"
                + "Description=procServ for %i (Local User)\n"
                + "AssertFileNotEmpty=" + confDir + "/%i.conf\n"
                + startLimits()
                + "\n"
                + "[Service]\n"
                + "Type=simple\n"
                + "UMask=0027\n"
                + service(confDir, logDir, procServ)
                + "\n"
                + "[Install]\n"
                + "WantedBy=default.target\n";
    }

    /**
     * The user's logrotate configuration ({@code ~/.config/ioc-runner/logrotate.conf}).
     * {@code copytruncate} because procServ never reopens its log; {@code nodateext} keeps the
     * {@code <name>.log.N.gz} names the log readers expect.
     */
    public static String localLogrotateConf(Path logDir) {
        return logDir + "/*.log {\n"
                + "    weekly\n"
                + "    maxsize 50M\n"
                + "    rotate 8\n"
                + "    copytruncate\n"
                + "    compress\n"
                + "    missingok\n"
                + "    notifempty\n"
                + "    nodateext\n"
                + "}\n";
    }

    /**
     * {@code epics-logrotate.service}. The state file lives under {@code %t} (the user's runtime
     * directory) so that a home shared over NFS does not share rotation state between hosts.
     *
     * @param logrotate absolute path of the logrotate binary
     * @param cfgDir    directory holding {@code logrotate.conf}
     */
    public static String localLogrotateService(Path logrotate, Path cfgDir) {
        return "[Unit]\n"
                + "Description=Rotate procServ user logs (local mode)\n"
                + "\n"
                + "[Service]\n"
                + "Type=oneshot\n"
                + "ExecStart=" + logrotate + " --state %t/ioc-runner-logrotate.state " + cfgDir + "/logrotate.conf\n"
                + "Nice=10\n"
                + "IOSchedulingClass=idle\n";
    }

    /** {@code epics-logrotate.timer}: hourly, so {@code maxsize} is honoured between weekly runs. */
    public static String localLogrotateTimer() {
        return "[Unit]\n"
                + "Description=Hourly procServ user log rotation (local mode)\n"
                + "\n"
                + "[Timer]\n"
                + "OnCalendar=hourly\n"
                + "Persistent=true\n"
                + "RandomizedDelaySec=5m\n"
                + "\n"
                + "[Install]\n"
                + "WantedBy=timers.target\n";
    }

    /** Must stay in [Unit]: systemd 239 ignores StartLimit* in [Service]. */
    private static String startLimits() {
        return "StartLimitIntervalSec=0\n"
                + "StartLimitBurst=5\n"
                + "StartLimitAction=none\n";
    }

    private static String service(Path confDir, Path logDir, Path procServ) {
        return "EnvironmentFile=" + confDir + "/%i.conf\n"
                + "RuntimeDirectory=procserv/%i\n"
                + "RuntimeDirectoryMode=0770\n"
                + "RuntimeDirectoryPreserve=restart\n"
                + "ExecStart=" + procServ + " --foreground --logfile=" + logDir + "/%i.log --name=%i"
                + " --ignore=^D^C^] --autorestartcmd='' --chdir=${IOC_CHDIR} --port=${IOC_PORT} ${IOC_CMD}\n"
                + "SuccessExitStatus=0 1 2 15 143 SIGTERM SIGKILL\n"
                + "Restart=always\n"
                + "RestartSec=2\n"
                + "KillMode=mixed\n"
                + "StandardOutput=journal\n"
                + "StandardError=inherit\n"
                + "SyslogIdentifier=epics-%i\n";
    }
}
