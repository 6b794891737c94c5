package io.iocagent.jmx;

import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.ops.Session;
import io.iocagent.ops.Terminal;
import io.iocagent.posix.Account;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Local-mode sessions on a temporary layout with no systemd behind them: the real operations run
 * up to their first systemd call, which fails the test loudly ("no systemd in this test"). Enough
 * for generate, tail, and every refusal that comes before systemd (not installed, bad target).
 */
final class OfflineSessions implements Sessions {

    private final Layout layout;
    private final Account account;
    private final Map<String, String> env;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger busAsked = new AtomicInteger();

    OfflineSessions(Path root) {
        Map<String, String> e = new HashMap<>();
        e.put("IOC_RUNNER_CONF_DIR", root.resolve("conf.d").toString());
        e.put("IOC_RUNNER_SYSTEMD_DIR", root.resolve("systemd").toString());
        e.put("IOC_RUNNER_LOG_DIR", root.resolve("log").toString());
        e.put("IOC_RUNNER_RUN_DIR", root.resolve("run").toString());
        e.put("IOC_RUNNER_UNIT_TEMPLATE", "ioctjmx-@");
        e.put("HOME", System.getProperty("user.home"));
        e.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin"));
        this.env = Map.copyOf(e);
        this.account = Account.current(env);
        this.layout = Layout.resolve(Mode.LOCAL, env, account);
        try {
            Files.createDirectories(layout.confDir());
            Files.createDirectories(layout.logDir());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public Session open(Terminal terminal, boolean force) {
        opened.incrementAndGet();
        return new Session(layout, account, env, terminal, force, () -> {
            busAsked.incrementAndGet();
            throw new IllegalStateException("no systemd in this test");
        });
    }

    Layout layout() {
        return layout;
    }

    int opened() {
        return opened.get();
    }

    /** How often an operation wanted systemd. */
    int busAsked() {
        return busAsked.get();
    }
}
