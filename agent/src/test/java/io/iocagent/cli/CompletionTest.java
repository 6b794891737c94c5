package io.iocagent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/completion/ioc-runner, sourced into a real bash and asked for completions — alone, and
 * beside epics-ioc-runner 1.2.4's completion, which defines its own {@code _ioc_runner_completions}.
 */
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
                + "; _ioc_agent_completions; printf '%s\\n' \"${COMPREPLY[@]}\"";
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
        assertEquals(List.of("--force", "--help", "--json", "--local", "--user", "--version"), complete("ioc-runner", "--"));
        assertEquals(List.of("alpha", "beta"), complete("ioc-runner", "--local", "start", ""));
        assertEquals(List.of("sysioc"), complete("ioc-runner", "stop", ""));
        assertEquals(List.of("-v", "-vv"), complete("ioc-runner", "list", "-v"));
    }

    @Test
    void offersEveryCommandAndEachCommandsOwnOptionsAsItsHelpListsThem() throws Exception {
        assertEquals(Verb.words().stream().sorted().toList(), complete("ioc-runner", ""));
        assertEquals(Verb.anyOptions().stream().sorted().toList(), complete("ioc-runner", "-"));
        for (Verb verb : Verb.values()) {
            List<String> expected = new java.util.ArrayList<>(verb.options());
            if (verb == Verb.AGENT) {
                io.iocagent.agent.AgentSettings.describe().stream().filter(io.iocagent.agent.AgentSettings.Key::flag)
                        .forEach(k -> expected.add("--" + k.name() + "="));
            }
            assertEquals(expected.stream().sorted().toList(), complete("ioc-runner", verb.word(), "-"),
                    "options offered after '" + verb.word() + "'");
            assertEquals(expected.stream().sorted().toList(), complete("ioc-runner", "--local", verb.word(), "x", "-"),
                    "options offered after '" + verb.word() + " x'");
        }
        assertEquals(List.of("--json"), complete("ioc-runner", "list", "--j"));
        assertEquals(List.of("--jolokia.port="), complete("ioc-runner", "agent", "--jolokia.por"));
        assertEquals(List.of(), complete("ioc-runner", "agent", "--tls.keystore.password="),
                "the keystore password is never offered as a flag");
    }

    @Test
    void aConfigFileIsCompletedAsAFileAndIsNeverTakenForTheCommand() throws Exception {
        Files.writeString(tmp.resolve("agent.properties"), "");
        assertEquals(List.of(tmp.resolve("agent.properties").toString()),
                complete("ioc-runner", "agent", "--config", tmp.resolve("agent.pr").toString()));
        // "start" here is the config file's name: the command is still to come, so commands are offered.
        assertEquals(List.of("start", "status", "stop"), complete("ioc-runner", "--config", "start", "st"));
    }

    @Test
    void hostileConfNamesAreNeitherRunNorOfferedAsSomethingElse() throws Exception {
        Files.createDirectories(tmp.resolve("system"));
        Files.writeString(tmp.resolve("system/$(touch pwned).conf"), "");
        Files.writeString(tmp.resolve("system/ok.conf"), "");
        Files.createDirectories(tmp.resolve("system/dir.conf"));
        List<String> names = complete("ioc-runner", "start", "");
        assertTrue(names.contains("ok") && !names.contains("dir"), names.toString());
        assertFalse(Files.exists(tmp.resolve("pwned")), "a conf file name is never executed");
        assertFalse(Files.exists(Path.of("pwned")), "a conf file name is never executed");
    }

    @Test
    void besideEpicsIocRunnersCompletionEachKeepsItsOwnFunctionInEitherOrder() throws Exception {
        Path deploy = AtomicInstallIT.launcher().getParent().getParent();
        Path ours = deploy.resolve("completion/ioc-runner");
        Path seeds = deploy.getParent().resolve("../shared/seed/epics-ioc-runner-1.2.4/bin/ioc-runner-completion.bash").normalize();
        Files.createDirectories(tmp.resolve("system"));
        Files.writeString(tmp.resolve("system/myioc.conf"), "");
        String completeWords = "complete_words() { COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=();"
                + " \"$(complete -p ioc-runner | sed -n 's/.* -F \\([^ ]*\\) .*/\\1/p')\"; echo \"${COMPREPLY[*]}\"; }\n";

        // The seed's sourced first, ours last: ours completes 'ioc-runner', with its own verbs.
        List<String> seedThenOurs = bash(completeWords + "source '" + seeds + "'; source '" + ours + "'\n"
                + "complete -p ioc-runner\n"
                + "complete_words ioc-runner cre\n"
                + "complete_words ioc-runner start my\n"
                + "declare -F _ioc_runner_completions _ioc_agent_completions\n");
        assertEquals(List.of("complete -F _ioc_agent_completions ioc-runner", "credential", "myioc",
                "_ioc_runner_completions", "_ioc_agent_completions"), seedThenOurs);

        // Ours first, the seed's last: the seed's completes 'ioc-runner', and ours is intact for a
        // second name (docs/migration.md: ioc-runner-j).
        List<String> oursThenSeed = bash("source '" + ours + "'; source '" + seeds + "'\n"
                + "complete -p ioc-runner\n"
                + "complete -F _ioc_agent_completions ioc-runner-j\n"
                + "COMP_WORDS=(ioc-runner-j cre); COMP_CWORD=1; COMPREPLY=(); _ioc_agent_completions; echo \"${COMPREPLY[*]}\"\n");
        assertEquals(List.of("complete -F _ioc_runner_completions ioc-runner", "credential"), oursThenSeed);
    }

    private List<String> bash(String script) throws IOException, InterruptedException {
        Path file = Files.writeString(tmp.resolve("completion-" + System.nanoTime() + ".bash"), script);
        ProcessBuilder pb = new ProcessBuilder("bash", "--norc", "--noprofile", file.toString()).redirectErrorStream(true);
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("IOC_RUNNER_SYSTEM_CONF_DIR", tmp.resolve("system").toString());
        pb.environment().remove("IOC_RUNNER_CONF_DIR");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.lines().toList();
    }
}
