package io.iocagent.conf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import io.iocagent.posix.NoFollowFile;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One reading of an IOC's {@code NAME.conf}, used by every part of the agent (validation, install,
 * start, attach, list). The seed had two readers that disagreed on trimming, quotes and duplicate
 * keys (issues #113/#129) and relied on {@code bash -n} for syntax; this class replaces all three
 * with a single grammar chosen so that a file it accepts means the same to systemd's
 * {@code EnvironmentFile=} (which builds the IOC's environment) and to a shell:
 *
 * <ul>
 *   <li>The text is split on {@code '\n'}; one trailing {@code '\r'} per line is dropped (CRLF files
 *       are fine). A last line without a newline is read.</li>
 *   <li>Blank lines and lines whose first non-blank character is {@code '#'} are comments.</li>
 *   <li>Every other line is {@code KEY=VALUE}. KEY is the text before the first {@code '='} with
 *       surrounding blanks removed and must match {@code [A-Za-z_][A-Za-z0-9_]*}. VALUE is the rest
 *       of the line with surrounding blanks removed, so {@code A=b=} gives {@code b=} (unlike the
 *       seed's {@code read}, which dropped the trailing {@code '='}).</li>
 *   <li>A value wholly enclosed in double quotes is unquoted, and inside it {@code \"}, {@code \\},
 *       {@code \$} and {@code \`} stand for the escaped character (any other backslash is kept),
 *       exactly as systemd does. A value wholly enclosed in single quotes is taken literally.</li>
 *   <li>In an unquoted value a backslash escapes the next character (as in systemd and the shell);
 *       blanks, quotes and the shell metacharacters {@code ; & | < > ( ) `} must be quoted.</li>
 *   <li>Nothing is expanded: {@code $HOME} stays {@code $HOME}, as systemd reads it.</li>
 *   <li>A key set more than once keeps its last value (what systemd and a shell do) and adds one
 *       entry to {@link #warnings()}.</li>
 * </ul>
 *
 * Anything else (a line without {@code '='}, a bad key, an unmatched or stray quote, unquoted
 * blanks or metacharacters, a trailing backslash, invalid UTF-8, a NUL or other control character
 * but tab) is a {@link ConfSyntaxException} naming the line. Values never span lines. Messages
 * never quote the file's text: the file may be one the reader of the message could not read.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ConfFile {

    /**
     * The largest conf read, in bytes: {@code IOC_RUNNER_CONF_MAX_BYTES} from the environment, else
     * 64 KiB. A real conf is a few hundred bytes; the bound keeps a stray 100 MB file in the conf
     * directory from exhausting the agent's heap.
     */
    public static final int MAX_BYTES = maxBytes(System.getenv("IOC_RUNNER_CONF_MAX_BYTES"));

    static final int DEFAULT_MAX_BYTES = 64 * 1024;
    private static final int CEILING_MAX_BYTES = 16 * 1024 * 1024;

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String SHELL_METACHARACTERS = ";&|<>()`";
    private static final String ESCAPABLE_IN_DOUBLE_QUOTES = "\"\\$`";

    private final String text;
    private final Map<String, String> values;
    private final List<String> warnings;

    private ConfFile(String text, Map<String, String> values, List<String> warnings) {
        this.text = text;
        this.values = values;
        this.warnings = warnings;
    }

    /**
     * Reads {@code text} as a conf file.
     *
     * @param display how messages name the file (usually its path; for a staged temp file, the
     *                final path the user knows)
     */
    public static ConfFile parse(String text, String display) throws ConfSyntaxException {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(display, "display");
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, List<Integer>> linesByKey = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        int lineCount = text.endsWith("\n") ? lines.length - 1 : lines.length;
        for (int i = 0; i < lineCount; i++) {
            int number = i + 1;
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            refuseControlCharacters(line, display, number);
            String content = strip(line);
            if (content.isEmpty() || content.startsWith("#")) {
                continue;
            }
            int equals = line.indexOf('=');
            if (equals < 0) {
                throw new ConfSyntaxException(display, number, "expected KEY=VALUE, found no '='");
            }
            String key = strip(line.substring(0, equals));
            if (key.isEmpty()) {
                throw new ConfSyntaxException(display, number, "no variable name before '='");
            }
            if (!KEY.matcher(key).matches()) {
                throw new ConfSyntaxException(display, number, "the name before '=' is not a valid variable name"
                        + " (letters, digits and '_', not starting with a digit)");
            }
            values.put(key, unquote(strip(line.substring(equals + 1)), display, number));
            linesByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(number);
        }
        List<String> warnings = new ArrayList<>();
        linesByKey.forEach((key, numbers) -> {
            if (numbers.size() > 1) {
                warnings.add(key + " is set more than once in " + display + " (lines " + enumerate(numbers)
                        + "); the last value is used.");
            }
        });
        return new ConfFile(text, Collections.unmodifiableMap(values), List.copyOf(warnings));
    }

    /**
     * Reads the file at {@code file}, which must be a regular file of UTF-8 text no larger than
     * {@link #MAX_BYTES}. A symbolic link is never followed (another user may have planted it) and
     * a larger file is never read past the limit.
     *
     * @param display how messages name the file
     * @throws IOException naming {@code file}: missing, unreadable, a symbolic link, not a regular
     *                     file, or "file too large (N bytes, limit M)"
     */
    public static ConfFile read(Path file, String display) throws IOException, ConfSyntaxException {
        return parse(decode(readBytes(file), display), display);
    }

    /**
     * The bytes of the conf at {@code file}, opened without following a symbolic link, refused
     * unless it is a regular file within {@link #MAX_BYTES}.
     */
    public static byte[] readBytes(Path file) throws IOException {
        try (NoFollowFile f = NoFollowFile.open(file)) {
            return readBytes(f);
        }
    }

    /** As {@link #readBytes(Path)}, for a file already opened (and checked) by the caller. */
    public static byte[] readBytes(NoFollowFile f) throws IOException {
        if (!f.isRegularFile()) {
            throw new FileSystemException(f.path().toString(), null, "not a regular file");
        }
        if (f.size() > MAX_BYTES) {
            throw tooLarge(f.path(), f.size());
        }
        byte[] bytes = f.readAtMost(MAX_BYTES);
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(f.path(), Math.max(f.size(), bytes.length));
        }
        return bytes;
    }

    private static FileSystemException tooLarge(Path file, long size) {
        return new FileSystemException(file.toString(), null, "file too large (" + size + " bytes, limit " + MAX_BYTES
                + "); a conf is a few hundred bytes (the limit is IOC_RUNNER_CONF_MAX_BYTES)");
    }

    /**
     * The value of {@code key}: present (possibly empty) when the file assigns it, empty when the
     * file never mentions it. The seed's runtime reader made the same distinction (#36).
     */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The file's text exactly as read, for rendering the installed copy and for diffs. */
    public String text() {
        return text;
    }

    /** One message per key assigned more than once, without a severity prefix. */
    public List<String> warnings() {
        return warnings;
    }

    private static String unquote(String value, String display, int line) throws ConfSyntaxException {
        if (value.startsWith("\"")) {
            return doubleQuoted(value, display, line);
        }
        if (value.startsWith("'")) {
            return singleQuoted(value, display, line);
        }
        return unquoted(value, display, line);
    }

    private static String doubleQuoted(String value, String display, int line) throws ConfSyntaxException {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()
                    && ESCAPABLE_IN_DOUBLE_QUOTES.indexOf(value.charAt(i + 1)) >= 0) {
                out.append(value.charAt(++i));
            } else if (c == '"') {
                if (i == value.length() - 1) {
                    return out.toString();
                }
                throw new ConfSyntaxException(display, line, "unescaped double quote inside a double-quoted"
                        + " value; write it as \\\" or remove the text after the closing quote");
            } else {
                out.append(c);
            }
        }
        throw new ConfSyntaxException(display, line,
                "unmatched opening double quote (a value cannot continue on the next line)");
    }

    private static String singleQuoted(String value, String display, int line) throws ConfSyntaxException {
        int close = value.indexOf('\'', 1);
        if (close < 0) {
            throw new ConfSyntaxException(display, line,
                    "unmatched opening single quote (a value cannot continue on the next line)");
        }
        if (close != value.length() - 1) {
            throw new ConfSyntaxException(display, line, "single quote inside a single-quoted value;"
                    + " use double quotes around a value that contains a single quote");
        }
        return value.substring(1, close);
    }

    private static String unquoted(String value, String display, int line) throws ConfSyntaxException {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                if (i + 1 == value.length()) {
                    throw new ConfSyntaxException(display, line,
                            "backslash at the end of the line (continuation lines are not supported)");
                }
                out.append(value.charAt(++i));
            } else if (c == '"' || c == '\'') {
                String kind = c == '"' ? "double" : "single";
                throw new ConfSyntaxException(display, line, i == value.length() - 1
                        ? "unmatched closing " + kind + " quote"
                        : kind + " quote inside an unquoted value; enclose the whole value in quotes");
            } else if (isBlank(c)) {
                throw new ConfSyntaxException(display, line,
                        "unquoted value contains whitespace; enclose the whole value in double quotes");
            } else if (SHELL_METACHARACTERS.indexOf(c) >= 0) {
                throw new ConfSyntaxException(display, line,
                        "unquoted value contains '" + c + "'; enclose the whole value in quotes");
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * {@code IOC_RUNNER_CONF_MAX_BYTES} as a limit: a number of bytes from 1 to 16 MiB; unset or
     * empty gives the default.
     *
     * @throws IllegalArgumentException naming the variable, for anything else
     */
    static int maxBytes(String setting) {
        if (setting == null || setting.isBlank()) {
            return DEFAULT_MAX_BYTES;
        }
        String s = setting.strip();
        if (s.matches("[0-9]{1,8}")) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= CEILING_MAX_BYTES) {
                return n;
            }
        }
        throw new IllegalArgumentException("IOC_RUNNER_CONF_MAX_BYTES='" + setting + "' is not a number of bytes from 1 to "
                + CEILING_MAX_BYTES + " (default " + DEFAULT_MAX_BYTES + ").");
    }

    /**
     * Control characters other than the blanks {@link #isBlank} knows: systemd refuses a NUL in an
     * environment file (and a shell cannot hold one in a variable), and no other C0 control or DEL
     * belongs in an IOC's settings.
     */
    private static void refuseControlCharacters(String line, String display, int number) throws ConfSyntaxException {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 && !isBlank(c)) || c == 0x7F) {
                throw new ConfSyntaxException(display, number, "control character " + String.format("U+%04X", (int) c)
                        + (c == 0 ? " (NUL)" : "") + " at column " + (i + 1) + "; systemd's EnvironmentFile= refuses"
                        + " such a file, remove it");
            }
        }
    }

    /** Blanks as in POSIX {@code [[:space:]]}; '\n' cannot occur inside a line. */
    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isBlank(s.charAt(start))) {
            start++;
        }
        while (end > start && isBlank(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static String enumerate(List<Integer> numbers) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < numbers.size(); i++) {
            if (i > 0) {
                out.append(i == numbers.size() - 1 ? " and " : ", ");
            }
            out.append(numbers.get(i));
        }
        return out.toString();
    }

    /** {@code bytes} as UTF-8 text; invalid UTF-8 is a syntax error naming its line. */
    public static String decode(byte[] bytes, String display) throws ConfSyntaxException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new ConfSyntaxException(display, line, "not valid UTF-8 text");
        }
        decoder.flush(out);
        return out.flip().toString();
    }
}
