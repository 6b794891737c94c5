package io.iocagent.http;

import java.nio.file.Files;
import java.nio.file.Path;

/** The policy the agent ships, {@code deploy/jolokia/jolokia-access.xml}, found from the module directory. */
final class ShippedPolicy {

    private ShippedPolicy() {
    }

    static Path path() {
        Path module = Path.of("").toAbsolutePath();
        for (Path dir = module; dir != null; dir = dir.getParent()) {
            Path policy = dir.resolve("deploy/jolokia/jolokia-access.xml");
            if (Files.isRegularFile(policy)) {
                return policy;
            }
        }
        throw new IllegalStateException("deploy/jolokia/jolokia-access.xml not found above " + module);
    }
}
