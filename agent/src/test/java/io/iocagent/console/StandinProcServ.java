package io.iocagent.console;

import io.iocagent.testbed.TestBed;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real procServ 2.7 running the stand-in IOC, started directly (no systemd) with the runner's
 * flags: {@code -f -L <dir>/NAME.log -n NAME --ignore=^D^C^] --autorestartcmd='' --port=unix:<dir>/NAME/control},
 * stdin from /dev/null (in {@code -f} mode procServ makes stdin a console client; /dev/null gives it
 * EOF at once, as under systemd). {@link #close()} kills procServ and the IOC.
 */
final class StandinProcServ implements AutoCloseable {

    private static final Path PROCSERV = Path.of("/usr/bin/procServ");

    private final Path dir;
    private final String name;
    private final Process process;
    private List<ProcessHandle> children = List.of();

    private StandinProcServ(Path dir, String name, Process process) {
        this.dir = dir;
        this.name = name;
        this.process = process;
    }

    /** Starts procServ in {@code dir} and waits until the IOC reports initialization complete. */
    static StandinProcServ start(Path dir, String name) throws IOException {
        TestBed.requireOrSkip(Files.isExecutable(PROCSERV), "procServ not found at " + PROCSERV
                + " (install the Debian package 'procserv').");
        Path wrapper = dir.resolve(name + "-st.cmd");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + TestBed.standinScript() + " healthy\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve(name));
        Process p = new ProcessBuilder(PROCSERV.toString(), "-f", "-L", dir.resolve(name + ".log").toString(),
                "-n", name, "--ignore=^D^C^]", "--autorestartcmd=", "--port=unix:" + dir.resolve(name + "/control"),
                wrapper.toString())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(dir.resolve(name + ".stdout").toFile())
                .redirectErrorStream(true)
                .start();
        StandinProcServ ps = new StandinProcServ(dir, name, p);
        try {
            TestBed.await(Duration.ofSeconds(15), "procServ to start " + name + " (see " + dir + ")",
                    () -> Files.exists(ps.socket()) && ps.log().contains("All initialization complete"));
            ps.children = p.descendants().toList();
            return ps;
        } catch (RuntimeException | Error e) {
            ps.close();
            throw e;
        }
    }

    /** The console socket, {@code <dir>/NAME/control}. */
    Path socket() {
        return dir.resolve(name + "/control");
    }

    /** The procServ log so far: IOC output, the pty echo of console input, {@code @@@} messages. */
    String log() {
        try {
            Path log = dir.resolve(name + ".log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops procServ the way systemd does (SIGTERM); it closes every client and exits. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("procServ did not exit within 10 s of SIGTERM");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
