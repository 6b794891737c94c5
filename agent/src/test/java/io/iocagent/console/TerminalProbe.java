package io.iocagent.console;

import io.iocagent.conf.IocName;
import io.iocagent.ops.Terminal;
import io.iocagent.posix.Posix;
import io.iocagent.posix.RawTerminal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A program {@link RawTerminalIT} runs on a pseudo-terminal (under {@code script}) to drive
 * {@link RawTerminal} and {@link Console} as the command line does. Usage:
 * {@code signal TERM|INT|HUP}, {@code restore-twice}, {@code attach NAME SOCKET}, {@code monitor NAME SOCKET}.
 */
public final class TerminalProbe {

    private TerminalProbe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "signal" -> {
                RawTerminal.enter().orElseThrow(() -> new IllegalStateException("stdin is not a terminal"));
                System.out.println("RAW " + stty());
                new ProcessBuilder("kill", "-" + args[1], Long.toString(ProcessHandle.current().pid())).start().waitFor();
                Thread.sleep(10_000);
                System.out.println("signal " + args[1] + " did not end the JVM");
            }
            case "restore-twice" -> {
                RawTerminal raw = RawTerminal.enter().orElseThrow(() -> new IllegalStateException("stdin is not a terminal"));
                System.out.println("RAW " + stty());
                raw.restore();
                raw.restore();
                System.out.println("RESTORED " + stty());
            }
            case "attach", "monitor" -> {
                Console client = Console.forProcess(new StdStreams(), System.getenv());
                IocName name = new IocName(args[1]);
                Path socket = Path.of(args[2]);
                int code = args[0].equals("attach") ? client.attach(name, socket) : client.monitor(name, socket);
                System.out.println("EXIT " + code);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }

    /** {@code stty -g} of our stdin: the terminal's settings in stty's own notation. */
    static String stty() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stty", "-g").redirectInput(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        p.waitFor();
        return out;
    }

    private static final class StdStreams implements Terminal {
        @Override
        public void out(String line) {
            System.out.println(line);
        }

        @Override
        public void err(String line) {
            System.err.println(line);
        }

        @Override
        public Optional<String> ask(String prompt) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean interactive() {
            return Posix.isTerminal(0);
        }

        @Override
        public boolean colour() {
            return false;
        }
    }
}
