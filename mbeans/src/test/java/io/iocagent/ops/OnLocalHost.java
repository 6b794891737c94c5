package io.iocagent.ops;

import io.iocagent.conf.Identity;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Layout;
import io.iocagent.conf.Mode;
import io.iocagent.posix.Account;
import io.iocagent.systemd.FakeManager;
import io.iocagent.testbed.ScriptTerminal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the operations' unit tests stand on: a local-mode host in a temporary directory. Its
 * {@link #layout} puts the conf, systemd, run and log directories under {@link #root} (the conf
 * directory made), a {@link FakeManager} of the default template answers for systemd, and a
 * {@link #session} of one user prints into {@link #out} and {@link #err}. A test class extends it;
 * its own {@code @BeforeEach} runs after this one's.
 */
abstract class OnLocalHost {

    static final String PREFIX = "epics-@";

    @TempDir
    Path root;

    Layout layout;
    final FakeManager manager = new FakeManager(PREFIX);
    final List<String> out = new ArrayList<>();
    final List<String> err = new ArrayList<>();
    private final String user;

    /** A host whose IOCs and caller are user {@code u}, group {@code g}. */
    OnLocalHost() {
        this("u");
    }

    /** A host whose IOCs and caller are {@code user}, group {@code g}. */
    OnLocalHost(String user) {
        this.user = user;
    }

    @BeforeEach
    final void makeHost() throws IOException {
        layout = new Layout(Mode.LOCAL, root.resolve("conf"), root.resolve("systemd"), root.resolve("run"),
                root.resolve("log"), PREFIX, new Identity(user, "g"));
        Files.createDirectories(layout.confDir());
    }

    /** A session of the user (uid 1000, home {@link #root}) with environment {@code env}, talking through {@code terminal}. */
    Session session(Map<String, String> env, Terminal terminal) {
        return Session.withManager(layout, new Account(user, "g", 1000, root, true), env, terminal, false, manager,
                manager);
    }

    /** A session printing into out and err; see {@link #session(Map, Terminal)}. */
    Session session(Map<String, String> env) {
        return session(env, ScriptTerminal.of(out::add, err::add));
    }

    /** A session with an empty environment; see {@link #session(Map)}. */
    Session session() {
        return session(Map.of());
    }

    /** Installs {@code name} with a plain conf (user u, group g, in /tmp, ./st.cmd) and the lines {@code extra}. */
    void install(IocName name, String extra) throws IOException {
        Files.writeString(layout.confFile(name), "IOC_NAME=\"" + name + "\"\nIOC_USER=\"u\"\nIOC_GROUP=\"g\"\n"
                + "IOC_CHDIR=\"/tmp\"\nIOC_CMD=\"./st.cmd\"\n" + extra);
    }
}
