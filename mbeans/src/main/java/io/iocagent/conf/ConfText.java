package io.iocagent.conf;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The text of the confs the agent writes: the one {@code generate} creates from an iocBoot
 * directory (seed §2.1) and the copy {@code install} puts in the conf directory (seed §1.9 step 10).
 * Every value is written double-quoted and escaped so that {@link ConfFile} reads back exactly the
 * value given; for the characters validation allows, the bytes are the seed's.
 */
public final class ConfText {

    /** The seed's {@code ^[[:space:]]*IOC_PORT[[:space:]]*=}. */
    private static final Pattern PORT_LINE =
            Pattern.compile("^[ \\t\\n\\u000B\\f\\r]*IOC_PORT[ \\t\\n\\u000B\\f\\r]*=");

    private ConfText() {
    }

    /**
     * The six lines {@code generate} writes, each ending in {@code "\n"}, with an empty
     * {@code IOC_PORT} (install fills it in).
     *
     * @param cmdFileName the startup script's file name inside {@code chdir}, e.g. {@code st.cmd}
     */
    public static String generated(IocName name, Identity identity, Path chdir, String cmdFileName) {
        return assignment("IOC_NAME", name.value())
                + assignment("IOC_USER", identity.user())
                + assignment("IOC_GROUP", identity.group())
                + assignment("IOC_CHDIR", chdir.toString())
                + assignment("IOC_PORT", "")
                + assignment("IOC_CMD", "./" + cmdFileName);
    }

    /**
     * The installed copy of {@code sourceText}: every line assigning {@code IOC_PORT} removed, all
     * other lines (comments, unknown keys, CRLF endings) kept verbatim, and
     * {@code IOC_PORT="<port>"} appended as the last line. A source whose last line lacks a newline
     * gets one, so the appended line stays a line of its own.
     */
    public static String installed(String sourceText, String port) {
        StringBuilder out = new StringBuilder(sourceText.length() + port.length() + 16);
        int start = 0;
        while (start < sourceText.length()) {
            int newline = sourceText.indexOf('\n', start);
            int end = newline < 0 ? sourceText.length() : newline + 1;
            String line = sourceText.substring(start, end);
            if (!PORT_LINE.matcher(line).find()) {
                out.append(line);
                if (newline < 0) {
                    out.append('\n');
                }
            }
            start = end;
        }
        return out.append(assignment("IOC_PORT", port)).toString();
    }

    private static String assignment(String key, String value) {
        StringBuilder out = new StringBuilder(key.length() + value.length() + 4).append(key).append("=\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\' || c == '$' || c == '`') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append("\"\n").toString();
    }
}
