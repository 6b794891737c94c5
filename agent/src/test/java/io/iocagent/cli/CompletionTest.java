package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/completion/ioc-runner, sourced into a real bash and asked for completions. */
class CompletionTest {

    @TempDir
    Path tmp;

    private List<String> complete(String... words) throws IOException, InterruptedException {
        Path script = AtomicInstallIT.launcher().getParent().getParent().resolve("completion/ioc-runner");
        StringBuilder array = new StringBuilder();
        for (String w : words) {
            array.append('\'').append(w).append("' ");
        }
        String cmd = "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
                + "; _ioc_runner_completions; printf '%s\\n' \"${COMPREPLY[@]}\"";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", cmd);
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("IOC_RUNNER_LOCAL_CONF_DIR", tmp.resolve("local").toString());
        pb.environment().put("IOC_RUNNER_SYSTEM_CONF_DIR", tmp.resolve("system").toString());
        pb.environment().remove("IOC_RUNNER_CONF_DIR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return Arrays.stream(out.split("\n")).filter(s -> !s.isEmpty()).sorted().toList();
    }

    @Test
    void completesCommandsOptionsAndInstalledNamesOfTheSelectedMode() throws Exception {
        Files.createDirectories(tmp.resolve("local"));
        Files.createDirectories(tmp.resolve("system"));
        Files.writeString(tmp.resolve("local/alpha.conf"), "");
        Files.writeString(tmp.resolve("local/beta.conf"), "");
        Files.writeString(tmp.resolve("system/sysioc.conf"), "");

        assertEquals(List.of("start", "status", "stop"), complete("ioc-runner", "st"));
        assertEquals(List.of("--force", "--help", "--local", "--user", "--version"), complete("ioc-runner", "--"));
        assertEquals(List.of("alpha", "beta"), complete("ioc-runner", "--local", "start", ""));
        assertEquals(List.of("sysioc"), complete("ioc-runner", "stop", ""));
        assertEquals(List.of("-v", "-vv"), complete("ioc-runner", "list", "-v"));
    }
}
