package io.iocagent.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Expected texts are the rendered examples of the seed reference (§3.1, §3.2, §3.5.2), verbatim. */
class UnitTemplatesTest {

    @Test
    void systemTemplateMatchesTheSeedRenderedWithDefaults() {
        assertEquals("""
                [Unit]
                Description=procServ for %i
                Wants=time-sync.target
                After=network.target remote-fs.target time-sync.target
                AssertFileNotEmpty=/etc/procServ.d/%i.conf
                StartLimitIntervalSec=0
                StartLimitBurst=5
                StartLimitAction=none

                [Service]
                Type=simple
                User=ioc-srv
                Group=ioc
                EnvironmentFile=/etc/procServ.d/%i.conf
                RuntimeDirectory=procserv/%i
                RuntimeDirectoryMode=0770
                RuntimeDirectoryPreserve=restart
                ExecStart=/usr/local/bin/procServ --foreground --logfile=/var/log/procserv/%i.log --name=%i --ignore=^D^C^] --autorestartcmd='' --chdir=${IOC_CHDIR} --port=${IOC_PORT} ${IOC_CMD}
                SuccessExitStatus=0 1 2 15 143 SIGTERM SIGKILL
                Restart=always
                RestartSec=2
                KillMode=mixed
                StandardOutput=journal
                StandardError=inherit
                SyslogIdentifier=epics-%i

                [Install]
                WantedBy=multi-user.target
                """, UnitTemplates.system(new Identity("ioc-srv", "ioc"), Path.of("/etc/procServ.d"),
                Path.of("/var/log/procserv"), Path.of("/usr/local/bin/procServ")));
    }

    @Test
    void localTemplateMatchesTheSeedRenderedForAlice() {
        assertEquals("""
                [Unit]
                Description=procServ for %i (Local User)
                AssertFileNotEmpty=/home/alice/.config/procServ.d/%i.conf
                StartLimitIntervalSec=0
                StartLimitBurst=5
                StartLimitAction=none

                [Service]
                Type=simple
                UMask=0027
                EnvironmentFile=/home/alice/.config/procServ.d/%i.conf
                RuntimeDirectory=procserv/%i
                RuntimeDirectoryMode=0770
                RuntimeDirectoryPreserve=restart
                ExecStart=/home/alice/.local/bin/procServ --foreground --logfile=/home/alice/.local/state/procserv/%i.log --name=%i --ignore=^D^C^] --autorestartcmd='' --chdir=${IOC_CHDIR} --port=${IOC_PORT} ${IOC_CMD}
                SuccessExitStatus=0 1 2 15 143 SIGTERM SIGKILL
                Restart=always
                RestartSec=2
                KillMode=mixed
                StandardOutput=journal
                StandardError=inherit
                SyslogIdentifier=epics-%i

                [Install]
                WantedBy=default.target
                """, UnitTemplates.local(Path.of("/home/alice/.config/procServ.d"),
                Path.of("/home/alice/.local/state/procserv"), Path.of("/home/alice/.local/bin/procServ")));
    }

    /** Seed §3.3 / CI-25: outside the deliberate differences, the two templates are identical. */
    @Test
    void systemAndLocalTemplatesAgreeOutsideTheirDeliberateDifferences() {
        Path conf = Path.of("/CONF");
        Path log = Path.of("/LOG");
        Path procServ = Path.of("/PROCSERV");
        assertEquals(common(UnitTemplates.system(new Identity("u", "g"), conf, log, procServ)),
                common(UnitTemplates.local(conf, log, procServ)));
    }

    private static String common(String unit) {
        return unit.lines()
                .filter(l -> !l.matches("(Description|Wants|After|UMask|User|Group|WantedBy)=.*"))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void localLogrotateConfMatchesTheSeed() {
        assertEquals("""
                /home/alice/.local/state/procserv/*.log {
                    weekly
                    maxsize 50M
                    rotate 8
                    copytruncate
                    compress
                    missingok
                    notifempty
                    nodateext
                }
                """, UnitTemplates.localLogrotateConf(Path.of("/home/alice/.local/state/procserv")));
    }

    @Test
    void localLogrotateServiceMatchesTheSeed() {
        assertEquals("""
                [Unit]
                Description=Rotate procServ user logs (local mode)

                [Service]
                Type=oneshot
                ExecStart=/usr/sbin/logrotate --state %t/ioc-runner-logrotate.state /home/alice/.config/ioc-runner/logrotate.conf
                Nice=10
                IOSchedulingClass=idle
                """, UnitTemplates.localLogrotateService(Path.of("/usr/sbin/logrotate"),
                Path.of("/home/alice/.config/ioc-runner")));
    }

    @Test
    void localLogrotateTimerMatchesTheSeed() {
        assertEquals("""
                [Unit]
                Description=Hourly procServ user log rotation (local mode)

                [Timer]
                OnCalendar=hourly
                Persistent=true
                RandomizedDelaySec=5m

                [Install]
                WantedBy=timers.target
                """, UnitTemplates.localLogrotateTimer());
    }
}
