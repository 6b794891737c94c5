package io.iocagent.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which procServ the local unit template runs: {@code IOC_RUNNER_PROCSERV_TOOL} if set (it must
 * be an executable regular file), else the first executable of {@code ~/.local/bin/procServ}
 * (only when HOME is trusted), {@code /usr/local/bin/procServ}, {@code /usr/bin/procServ}.
 */
final class ProcServBinary {

    private ProcServBinary() {
    }

    static Path resolve(Session session) throws OperationException {
        String override = session.env().get("IOC_RUNNER_PROCSERV_TOOL");
        if (override != null && !override.isEmpty()) {
            Path p = Path.of(override);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw OperationException.failure("IOC_RUNNER_PROCSERV_TOOL '" + override + "' is not an executable file.",
                        "  -> Point it at the procServ binary, or unset it to use the standard paths.");
            }
            return p.toAbsolutePath();
        }
        List<Path> candidates = new ArrayList<>();
        if (session.account().homeTrusted()) {
            candidates.add(session.account().home().resolve(".local/bin/procServ"));
        }
        candidates.add(Path.of("/usr/local/bin/procServ"));
        candidates.add(Path.of("/usr/bin/procServ"));
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst()
                .orElseThrow(() -> OperationException.failure("procServ executable not found in standard paths.",
                        "  -> Install procServ (Debian/Ubuntu: apt-get install procserv) or set IOC_RUNNER_PROCSERV_TOOL."));
    }
}
