package io.iocagent.cli;

import io.iocagent.posix.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * JNA's native half ({@code libjnidispatch.so}) kept once per user and jar, so a command does not
 * unpack it on every run. Left to itself JNA copies the library out of the jar into
 * {@code ~/.cache/JNA/temp}, loads and deletes it on each start: it opens the 5,000-entry jar (which
 * a command with its class-data archive never does otherwise) and writes 134 KB, about 35 ms of CPU
 * of {@code list -vv} and {@code inspect} (docs/benchmarks.md). Here the first run copies it to
 * {@code $XDG_CACHE_HOME/ioc-agent/jna-<jar size>-<jar mtime>/} and every run names that directory
 * to JNA as {@code jna.boot.library.path}.
 *
 * <p>A library is code run in this process, so it is named to JNA only when nobody but the caller
 * (and root) could have written it: every directory from the file system root to the library is
 * owned by the caller or root and writable by nobody else (a root-owned sticky directory such as
 * {@code /tmp} excepted), and the library is a regular file of the caller's, not a link, writable
 * only by the caller, and a whole ELF file (its section headers end where the file ends, so a
 * truncated copy is never mapped: a mapping past a file's end faults the JVM). Anything else is
 * replaced by a fresh copy in the caller's own directory, or, when that cannot be, left alone:
 * JNA then unpacks its own copy as before. A command never fails here.
 */
final class NativeDispatchCache {

    /** The library's name on Linux ({@code System.mapLibraryName("jnidispatch")}). */
    static final String LIBRARY = "libjnidispatch.so";
    private static final String BOOT_PATH = "jna.boot.library.path";

    private final Path jar;
    private final Path cache;
    private final long uid;

    /**
     * @param jar the jar this command runs from (its size and time name the copy)
     * @param cache the caller's cache directory for this tool ({@code ~/.cache/ioc-agent})
     * @param uid the caller's user id
     */
    NativeDispatchCache(Path jar, Path cache, long uid) {
        this.jar = jar;
        this.cache = cache;
        this.uid = uid;
    }

    /**
     * Names the cached library to JNA (sets {@code jna.boot.library.path}) before JNA is first
     * used, for a command run from a jar with a cache directory; nothing when a JNA property is
     * already set (the caller chose) or when this runs from classes rather than a jar.
     */
    static void useForProcess(Map<String, String> env) {
        if (System.getProperty(BOOT_PATH) != null || System.getProperty("jna.nounpack") != null) {
            return;
        }
        String classPath = System.getProperty("java.class.path", "");
        Optional<Path> cache = cacheDirectory(env);
        if (!classPath.endsWith(".jar") || classPath.contains(java.io.File.pathSeparator) || cache.isEmpty()) {
            return;
        }
        try {
            Optional<Path> dir = new NativeDispatchCache(Path.of(classPath), cache.get(), Posix.euid()).directory();
            if (dir.isPresent()) {
                System.setProperty(BOOT_PATH, dir.get().toString());
            }
        } catch (IOException | RuntimeException e) {
            // no cached copy: JNA unpacks its own, as without this class
        }
    }

    /** {@code $XDG_CACHE_HOME/ioc-agent}, else {@code $HOME/.cache/ioc-agent} (as the launcher's archives). */
    static Optional<Path> cacheDirectory(Map<String, String> env) {
        String xdg = env.getOrDefault("XDG_CACHE_HOME", "");
        if (xdg.startsWith("/")) {
            return Optional.of(Path.of(xdg, "ioc-agent"));
        }
        String home = env.getOrDefault("HOME", "");
        return home.startsWith("/") ? Optional.of(Path.of(home, ".cache", "ioc-agent")) : Optional.empty();
    }

    /**
     * The directory holding a library this process may load, copied there first when missing or
     * not trustworthy; empty when there is none (JNA then unpacks its own). Only in a cache
     * directory that exists: this class never makes one.
     */
    Optional<Path> directory() throws IOException {
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        long size = Files.size(jar);
        long mtime = Files.getLastModifiedTime(jar).toMillis() / 1000;
        String name = "jna-" + size + "-" + mtime;
        if (!Files.isDirectory(cache)) {
            return Optional.empty(); // the launcher makes it for its archives; not with IOC_AGENT_CDS=0 in a fresh home
        }
        Path base = cache.toRealPath();
        if (!trustedChain(base)) {
            return Optional.empty();
        }
        Path dir = base.resolve(name);
        if (trustedLibrary(dir)) {
            return Optional.of(dir);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            // a directory (checked below) or anything else (refused below)
        }
        if (!trustedDirectory(dir, false) || !copy(dir)) {
            return Optional.empty();
        }
        removeOthers(base, name);
        return trustedLibrary(dir) ? Optional.of(dir) : Optional.empty();
    }

    /** True when {@code dir} holds a library only the caller (or root) could have written. */
    private boolean trustedLibrary(Path dir) throws IOException {
        Path lib = dir.resolve(LIBRARY);
        if (!trustedDirectory(dir, false) || !Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (owner(lib) != uid || (mode(lib) & 0022) != 0) {
            return false;
        }
        return wholeElf(lib);
    }

    /** Every directory from {@code /} down to {@code dir} (a real path) is the caller's or root's, and writable by nobody else. */
    private boolean trustedChain(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (!trustedDirectory(p, true)) {
                return false;
            }
        }
        return true;
    }

    private boolean trustedDirectory(Path dir, boolean rootMayOwn) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        long owner = owner(dir);
        int mode = mode(dir);
        if (owner == 0 && rootMayOwn && (mode & 01000) != 0) {
            return true; // a root-owned sticky directory: others may add entries but not rename ours
        }
        return (owner == uid || (rootMayOwn && owner == 0)) && (mode & 0022) == 0;
    }

    /** Copies the jar's library into {@code dir} under a temporary name, then renames it into place. */
    private boolean copy(Path dir) throws IOException {
        try (InputStream in = NativeDispatchCache.class.getClassLoader().getResourceAsStream(resource())) {
            if (in == null) {
                return false;
            }
            Path tmp = Files.createTempFile(dir, LIBRARY + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    in.transferTo(out);
                }
                Files.move(tmp, dir.resolve(LIBRARY), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return true;
        }
    }

    /**
     * JNA's resource path of this machine's library, as {@code com.sun.jna.Platform.RESOURCE_PREFIX}
     * names it on Linux (that class is not used: it reaches into JNA's native half).
     */
    static String resource() {
        String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
        arch = switch (arch) {
            case "amd64", "x86_64" -> "x86-64";
            case "i386", "i686", "x86" -> "x86";
            default -> arch;
        };
        return "com/sun/jna/linux-" + arch + "/" + LIBRARY;
    }

    /** Copies of other jars (older builds): their library and leftovers, then the directory; only the caller's. */
    private void removeOthers(Path base, String keep) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, "jna-*")) {
            for (Path d : dirs) {
                if (d.getFileName().toString().equals(keep) || !trustedDirectory(d, false)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(d, LIBRARY + "*")) {
                    for (Path f : files) {
                        Files.deleteIfExists(f);
                    }
                }
                Files.deleteIfExists(d);
            }
        } catch (IOException e) {
            // a copy left behind costs 134 KB, not correctness; the next copy tries again
        }
    }

    /**
     * True when the file is a 64-bit ELF file and every byte its headers name (the program and
     * section header tables, each segment and each section with contents) lies inside it, and
     * the last of them ends where the file ends, as a linker writes a shared library: a copy cut
     * short anywhere fails this. 134 KB, read once.
     */
    static boolean wholeElf(Path lib) throws IOException {
        try {
            return wholeElf(Files.readAllBytes(lib));
        } catch (IndexOutOfBoundsException e) {
            return false; // a header naming a place outside the file
        }
    }

    private static boolean wholeElf(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long size = bytes.length;
        if (size < 64 || b.getInt(0) != 0x7f454c46 || b.get(4) != 2) { // "\x7fELF", ELFCLASS64
            return false;
        }
        b.order(b.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        long shoff = b.getLong(0x28);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        int shentsize = Short.toUnsignedInt(b.getShort(0x3A));
        int shnum = Short.toUnsignedInt(b.getShort(0x3C));
        long end = Math.max(phoff + (long) phentsize * phnum, shoff + (long) shentsize * shnum);
        if (phoff < 0 || shoff < 0 || end > size || phentsize < 56 || shentsize < 64) {
            return false;
        }
        for (int i = 0; i < phnum; i++) {
            int h = (int) (phoff + (long) i * phentsize);
            end = Math.max(end, b.getLong(h + 8) + b.getLong(h + 32)); // p_offset + p_filesz
        }
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            if (b.getInt(h + 4) != 8) { // not SHT_NOBITS: the section's bytes are in the file
                end = Math.max(end, b.getLong(h + 24) + b.getLong(h + 32)); // sh_offset + sh_size
            }
        }
        return end == size;
    }

    private static long owner(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }
}
