package io.iocagent.ops;

import io.iocagent.conf.AtomicFiles;
import io.iocagent.conf.ConfFile;
import io.iocagent.conf.ConfSyntaxException;
import io.iocagent.conf.ConfText;
import io.iocagent.conf.IocName;
import io.iocagent.conf.Mode;
import io.iocagent.posix.NoFollowFile;
import io.iocagent.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code generate DIR}: writes {@code DIR/<dirname>.conf} for the iocBoot directory's executable
 * {@code *.cmd}, validated, shown as a diff against an existing file and confirmed before it is
 * replaced. Nothing is written unless every step passed; the write is atomic.
 */
public final class Generator {

    private static final String RED = "\033[0;31m";
    private static final String GREEN = "\033[0;32m";
    private static final String BLUE = "\033[0;34m";
    private static final String RESET = "\033[0m";

    private final Session session;
    private final Terminal t;

    public Generator(Session session) {
        this.session = session;
        this.t = session.terminal();
    }

    /**
     * Generates the configuration for {@code target}.
     *
     * @return the path of the configuration file (written, or already identical)
     */
    public Path generate(String target) throws OperationException {
        Path dir = Path.of(target.isEmpty() ? "." : target);
        if (target.isEmpty() || !Files.isDirectory(dir)) {
            throw OperationException.failure("Target '" + target + "' is not a valid directory.",
                    "  -> Give the iocBoot directory that holds the IOC's startup script (st.cmd).");
        }
        Path abs = dir.toAbsolutePath().normalize();
        String nameText = IocName.baseName(target);
        if (nameText.isEmpty() || nameText.equals(target) || nameText.equals(".")) {
            nameText = abs.getFileName() == null ? "/" : abs.getFileName().toString();
        }
        if (!IocName.isValid(nameText)) {
            throw OperationException.failure(IocName.invalidMessage(nameText, true),
                    "  -> Rename the iocBoot directory; its name becomes the IOC name.");
        }
        IocName name = new IocName(nameText);
        Path out = abs.resolve(name.value() + ".conf");
        session.files().checkDirectory(abs);
        String cmd = chooseStartupScript(abs);

        if (!Files.isWritable(abs)) {
            throw OperationException.failure("No write permission to " + abs + " to stage the generated configuration.",
                    "  -> generate writes next to st.cmd; run it as a user who may write there.");
        }
        String content = ConfText.generated(name, session.layout().identity(), abs, cmd);
        Validation.require(session, content, out.toString());

        Set<PosixFilePermission> mode = session.mode() == Mode.SYSTEM
                ? PosixFilePermissions.fromString("rw-rw----") : PosixFilePermissions.fromString("rw-------");
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isSymbolicLink(out)) {
                throw OperationException.failure(out + " is a symbolic link; generate neither reads nor replaces it.",
                        "  -> Remove the link (rm " + out + ") and run generate again.");
            }
            String existing = existingText(out);
            if (existing.equals(content)) {
                try {
                    Files.getFileAttributeView(out, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                            .setPermissions(mode);
                } catch (IOException e) {
                    throw OperationException.failure("Cannot set the permissions of " + out + ": " + e.getMessage(),
                            "  -> Check that you own " + out + ".");
                }
                t.out(Session.DIVIDER);
                t.out("Info: Existing configuration '" + out + "' is already up-to-date (Identical).");
                t.out("Skipping overwrite.");
                t.out(Session.SUB_DIVIDER);
                printContent(content);
                t.out(Session.DIVIDER);
                t.out("Next step: ioc-runner " + session.modeFlag() + "install " + out);
                return out;
            }
            if (!session.force()) {
                confirmOverwrite(out, existing, content);
            }
        }
        try {
            AtomicFiles.write(out, bytes, mode);
        } catch (IOException e) {
            throw OperationException.failure("Cannot write " + out + ": " + e.getMessage(),
                    "  -> Check the permissions of " + abs + ".");
        }
        preCreateHistory(abs);
        t.out(Session.DIVIDER);
        t.out("Configuration successfully generated and validated at: " + out);
        t.out(Session.SUB_DIVIDER);
        printContent(content);
        t.out(Session.DIVIDER);
        t.out("Next step: ioc-runner " + session.modeFlag() + "install " + out);
        return out;
    }

    /** {@code s} as one shell word, quoted only when it needs to be, for a command the user can paste. */
    private static String shellWord(String s) {
        return s.matches("[A-Za-z0-9_./@%+=:,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** The single executable {@code *.cmd}, the user's pick of several, or the first with --force. */
    private String chooseStartupScript(Path dir) throws OperationException {
        List<Path> scripts;
        try (Stream<Path> entries = Files.list(dir)) {
            scripts = entries
                    .filter(p -> {
                        String f = p.getFileName().toString();
                        return f.endsWith(".cmd") && !f.startsWith(".") && Files.isRegularFile(p);
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw OperationException.failure("Cannot list " + dir + ": " + e.getMessage(),
                    "  -> Check that the directory is readable.");
        }
        List<String> candidates = scripts.stream().filter(Files::isExecutable)
                .map(p -> p.getFileName().toString()).toList();
        if (candidates.isEmpty()) {
            // Name only files that exist: a chmod hint for a missing st.cmd sends the user astray.
            throw OperationException.failure("Could not resolve any executable .cmd file in " + dir,
                    scripts.isEmpty()
                            ? "  -> generate takes an iocBoot directory holding the IOC's startup script (*.cmd, e.g. st.cmd); "
                                    + dir + " has none."
                            : "  -> Make the startup script executable: chmod +x " + scripts.stream()
                                    .map(p -> shellWord(p.toString())).collect(java.util.stream.Collectors.joining(" ")));
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        if (session.force()) {
            t.out("Warning: Multiple executable .cmd files found. Auto-selecting './" + candidates.get(0)
                    + "' due to --force.");
            return candidates.get(0);
        }
        t.out("Multiple executable .cmd files found in " + dir + ":");
        for (int i = 0; i < candidates.size(); i++) {
            t.out("  [" + (i + 1) + "] " + candidates.get(i));
        }
        while (true) {
            Optional<String> answer = t.ask("Select the startup script [1-" + candidates.size() + "]: ");
            if (answer.isEmpty()) {
                t.err("");
                t.err("Error: Input stream closed (EOF). Aborting generation.");
                throw OperationException.alreadyReported("Generation aborted: no startup script chosen");
            }
            String a = answer.get().trim();
            if (a.matches("[0-9]{1,9}")) {
                int choice = Integer.parseInt(a);
                if (choice >= 1 && choice <= candidates.size()) {
                    return candidates.get(choice - 1);
                }
            }
            t.out("Invalid selection. Please enter a number between 1 and " + candidates.size() + ".");
        }
    }

    private void confirmOverwrite(Path out, String existing, String content) throws OperationException {
        t.out(Session.DIVIDER);
        t.out("Configuration file '" + out + "' already exists with differences.");
        t.out(Session.SUB_DIVIDER);
        t.out(paint(RED, "  [-] Current Configuration : " + out));
        t.out(paint(GREEN, "  [+] Pending Configuration : (Auto-generated)"));
        t.out(Session.SUB_DIVIDER);
        for (String line : UnifiedDiff.lines(existing, content)) {
            String colour = line.startsWith("@@") ? BLUE : line.startsWith("-") ? RED : line.startsWith("+") ? GREEN : null;
            t.out(colour == null ? line : paint(colour, line));
        }
        t.out(Session.DIVIDER);
        Prompts.confirm(t, "Do you want to overwrite it with the new configuration? [y/N]: ", "generation");
    }

    /** The existing conf's text, read under the caller's rules; not UTF-8 text is an error. */
    private String existingText(Path out) throws OperationException {
        byte[] bytes = session.files().readConf(out);
        try {
            return ConfFile.decode(bytes, out.toString());
        } catch (ConfSyntaxException e) {
            throw OperationException.failure(e.getMessage(), "  -> Remove or fix " + out + " and run generate again.");
        }
    }

    /**
     * Creates {@code .iocsh_history} so the service account can append to it: system mode 0664
     * (group ioc writes), local 0600. Failures are reported and otherwise ignored, as in the seed:
     * the IOC runs without it. The file is opened without following a symbolic link (another user
     * may have planted one to a file only the caller may read), and its mode is changed only on a
     * regular file with one name that the caller owns.
     */
    private void preCreateHistory(Path dir) {
        Path history = dir.resolve(".iocsh_history");
        int wanted = session.mode() == Mode.SYSTEM ? 0664 : 0600;
        try (NoFollowFile f = NoFollowFile.openOrCreate(history, 0600)) {
            if (!f.isRegularFile()) {
                t.err("Note: " + history + " is not a regular file; left as it is. The IOC will run without a history.");
            } else if (f.links() != 1 || f.ownerUid() != Posix.euid()) {
                t.err("Note: " + history + " belongs to someone else (or has several names); its mode is left as it is.");
            } else if (f.permissions() != wanted) {
                f.chmod(wanted);
            }
        } catch (NoFollowFile.NotFollowedException e) {
            t.err("Note: " + history + " is a symbolic link; it is neither followed nor changed."
                    + " The IOC will run without a history unless you replace it by a file.");
        } catch (IOException e) {
            t.err("Note: could not prepare " + history + " (" + e.getMessage() + "); the IOC will run without it.");
        }
    }

    private void printContent(String content) {
        content.lines().forEach(t::out);
    }

    private String paint(String colour, String text) {
        return t.colour() ? colour + text + RESET : text;
    }
}
